"""Why the wall left waitress: it keeps every byte of an endless response in memory.

waitress buffers a response's output in an ``OverflowableBuffer``: small writes go to a bytes
string, but once a write finds more than 8 KB waiting (``STRBUF_LIMIT``) it switches to a BytesIO.
Bytes sent from a BytesIO are skipped by seeking, and the buffer is pruned only *between*
responses. A wall's stream is one response that never ends, and its first message (the full view)
is larger than 8 KB, so every byte it is ever sent stays in memory.

This script streams the same data twice under waitress, with a first message below and above 8 KB,
and prints what each connection's buffer holds against what the client received.

    python benchmarks/waitress_buffer.py
"""

from __future__ import annotations

import socket
import threading
import time

from waitress.server import create_server

CHUNK = b"data: " + b"x" * 1000 + b"\n\n"


def make_app(first: int):  # noqa: ANN201
    def app(environ, start_response):  # noqa: ANN001, ANN202
        start_response("200 OK", [("Content-Type", "text/event-stream")])

        def body():  # noqa: ANN202
            yield b"data: " + b"v" * first + b"\n\n"
            for i in range(10**9):
                yield CHUNK
                if i % 10 == 0:
                    time.sleep(0.001)

        return body()

    return app


def buffered(server) -> list[int]:  # noqa: ANN001
    """Bytes each open connection's output buffer holds (its BytesIO size, or the small string)."""
    sizes = []
    for channel in list(server._map.values()):
        for outbuf in getattr(channel, "outbufs", []):
            inner = outbuf.buf
            if inner is None:
                sizes.append(len(outbuf.strbuf))
            elif hasattr(inner.file, "getbuffer"):
                sizes.append(inner.file.getbuffer().nbytes)
            else:
                inner.file.seek(0, 2)
                sizes.append(inner.file.tell())
    return sizes


def measure(first: int, seconds: float = 2.0, clients: int = 4) -> tuple[int, int]:
    server = create_server(make_app(first), host="127.0.0.1", port=0, threads=clients + 2)
    port = server.socket.getsockname()[1]
    threading.Thread(target=server.run, daemon=True).start()
    received = [0] * clients
    stop = threading.Event()

    def client(n: int) -> None:
        with socket.create_connection(("127.0.0.1", port)) as sock:
            sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            while not stop.is_set():
                data = sock.recv(65536)
                if not data:
                    return
                received[n] += len(data)

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(clients)]
    for t in threads:
        t.start()
    time.sleep(seconds)
    held = sum(buffered(server))
    got = sum(received)
    stop.set()
    server.close()
    return held, got


def main() -> None:
    import logging

    logging.getLogger("waitress").setLevel(logging.CRITICAL)  # closing mid-stream is expected here
    print(f"{'first message':>14} {'received MB':>12} {'held in buffers MB':>19}")
    for first in (1_000, 20_000):
        held, got = measure(first)
        print(f"{first:>12} B {got / 1e6:12.1f} {held / 1e6:19.1f}")


if __name__ == "__main__":
    main()
