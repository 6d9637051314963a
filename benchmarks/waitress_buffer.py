"""Confirm: waitress keeps every byte of one endless response in the channel's BytesIO buffer."""
import socket, threading, time
from waitress.server import create_server

def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/event-stream")])
    def gen():
        yield b"data: " + b"y" * 20000 + b"\n\n"  # a full view larger than STRBUF_LIMIT
        for i in range(200000):
            yield b"data: " + b"x" * 1000 + b"\n\n"
            if i % 10 == 0:
                time.sleep(0.001)
    return gen()

server = create_server(app, host="127.0.0.1", port=0, threads=8)
port = server.socket.getsockname()[1]
threading.Thread(target=server.run, daemon=True).start()
received = [0]*4
def client(n):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    while True:
        d = s.recv(65536)
        if not d: break
        received[n] += len(d)
        if received[n] > 10**12: break
ts = [threading.Thread(target=client, args=(i,)) for i in range(4)]
[t.start() for t in ts]
time.sleep(1.5)
for ch in list(server._map.values()):
    bufs = getattr(ch, "outbufs", None)
    if bufs:
        sizes = []
        for ob in bufs:
            b = ob.buf
            if b is not None and hasattr(b.file, "getbuffer"):
                sizes.append(b.file.getbuffer().nbytes)
            elif b is not None:
                b.file.seek(0, 2); sizes.append(("tempfile", b.file.tell()))
            else:
                sizes.append(("strbuf", len(ob.strbuf)))
        print("channel outbuf underlying sizes:", sizes, "pending:", ch.total_outbufs_len)
print("bytes received per client:", received)
