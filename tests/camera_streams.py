"""Fake CCTV cameras for tests and benchmarks: ffmpeg's test pattern as live HLS, MJPEG and snapshots.

``make_media`` asks ffmpeg for a few seconds of low-resolution video once (HLS segments and JPEG
frames); ``CameraServer`` serves them from a thread the way city cameras do:

- ``/hls/<cam>/live.m3u8``: a *live* playlist, a sliding window over the segments that loops
  forever (``#EXT-X-DISCONTINUITY`` at each wrap), so a player's time keeps advancing;
- ``/mjpeg/<cam>.mjpg``: ``multipart/x-mixed-replace`` JPEG frames at ``fps``;
- ``/snap/<cam>.jpg``: one JPEG.

``SnapshotCamera`` is the smallest camera of all: one SVG picture at any path, or HTTP 500 while
``failing`` is set.

Faults per camera (``server.fault[cam] = ...``): ``"404"``, ``"garbage"`` (a playlist that is not
one), ``"hang"`` (accepts and never answers), ``"midframe"`` (MJPEG stops half-way into a frame and
keeps the connection open). ``open_streams`` counts MJPEG connections open right now and
``requests`` logs every request, so tests can see which cameras hold connections.
"""

from __future__ import annotations

import base64
import contextlib
import shutil
import socket
import subprocess
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler
from pathlib import Path

from tests.local_http import LocalServer

FFMPEG = shutil.which("ffmpeg") or "/usr/bin/ffmpeg"


def make_media(folder: Path, size: str = "320x180", fps: int = 15, seconds: int = 8, segment: int = 1,
               frames: int = 20) -> Path:
    """HLS segments (``seg%03d.ts``) and JPEG frames (``f%03d.jpg``) of ffmpeg's test pattern."""
    folder.mkdir(parents=True, exist_ok=True)
    gop = str(fps * segment)
    subprocess.run(
        [FFMPEG, "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
         f"testsrc=size={size}:rate={fps}", "-t", str(seconds), "-c:v", "libx264", "-preset", "ultrafast",
         "-tune", "zerolatency", "-g", gop, "-keyint_min", gop, "-sc_threshold", "0", "-pix_fmt", "yuv420p",
         "-f", "hls", "-hls_time", str(segment), "-hls_list_size", "0",
         "-hls_segment_filename", str(folder / "seg%03d.ts"), str(folder / "vod.m3u8")],
        check=True, timeout=120,
    )
    subprocess.run(
        [FFMPEG, "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=320x180:rate=10",
         "-frames:v", str(frames), "-q:v", "6", str(folder / "f%03d.jpg")],
        check=True, timeout=60,
    )
    return folder


class CameraServer:
    def __init__(self, media: Path, segment: float = 1.0, window: int = 4, fps: float = 5.0):
        self.media = media
        self.segments = sorted(media.glob("seg*.ts"))
        self.frames = [p.read_bytes() for p in sorted(media.glob("f*.jpg"))]
        self.segment = segment
        self.window = window
        self.fps = fps
        self.fault: dict[str, str] = {}
        self.cors = True  # False: MJPEG without Access-Control-Allow-Origin, as many cameras send it
        self.auth: str | None = None  # "user:password": Basic auth required, as many cameras do
        self.open_streams: Counter[str] = Counter()
        self.requests: list[tuple[float, str]] = []
        self.t0 = time.time() - window * segment
        self.stopping = threading.Event()
        self.sockets: set[socket.socket] = set()
        self._lock = threading.Lock()
        self.httpd: LocalServer | None = None
        self.port = 0

    # serving

    def start(self, port: int = 0) -> CameraServer:
        server = self
        self.stopping.clear()

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self):
                super().setup()
                with server._lock:
                    server.sockets.add(self.connection)

            def finish(self):
                with server._lock:
                    server.sockets.discard(self.connection)
                with contextlib.suppress(OSError):
                    super().finish()

            def do_GET(self):  # noqa: N802 - http.server's name
                server.handle(self)

            def do_HEAD(self):  # noqa: N802
                server.handle(self, head=True)

            def log_message(self, *args):
                pass

        self.httpd = LocalServer(Handler, port).start()
        self.port = self.httpd.port
        return self

    def stop(self) -> None:
        """Stop answering: the port closes and open MJPEG streams end."""
        self.stopping.set()
        if self.httpd is not None:
            self.httpd.stop()
            self.httpd = None
        with self._lock:
            open_sockets = list(self.sockets)
        for sock in open_sockets:  # kept-alive connections too: a stopped camera answers nothing
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def hls(self, cam: str) -> str:
        return f"{self.url}/hls/{cam}/live.m3u8"

    def mjpeg(self, cam: str) -> str:
        return f"{self.url}/mjpeg/{cam}.mjpg"

    def snapshot(self, cam: str) -> str:
        return f"{self.url}/snap/{cam}.jpg"

    def requests_for(self, cam: str, since: float = 0.0) -> int:
        with self._lock:
            return sum(1 for t, path in self.requests if t >= since and (f"/{cam}/" in path or f"/{cam}." in path))

    # answers

    def handle(self, h: BaseHTTPRequestHandler, head: bool = False) -> None:
        if self.stopping.is_set():
            h.close_connection = True
            return
        path = h.path.split("?", 1)[0]
        parts = path.strip("/").split("/")
        with self._lock:
            self.requests.append((time.time(), path))
        cam = parts[1].split(".")[0] if len(parts) > 1 else ""
        if self.auth and h.headers.get("Authorization") != "Basic " + base64.b64encode(self.auth.encode()).decode():
            h.send_response(401)
            h.send_header("WWW-Authenticate", 'Basic realm="camera"')
            h.send_header("Content-Length", "0")
            h.end_headers()
            return
        fault = self.fault.get(cam, "")
        if fault == "hang":
            self.stopping.wait(60)
            h.close_connection = True
            return
        if fault == "404" or fault == "down":
            self._send(h, 404 if fault == "404" else 503, "text/plain", b"not here", head)
            return
        if parts[0] == "hls" and len(parts) == 3 and parts[2] == "live.m3u8":
            body = b"this is not a playlist\n<html>" if fault == "garbage" else self.playlist().encode()
            self._send(h, 200, "application/vnd.apple.mpegurl", body, head)
        elif parts[0] == "hls" and len(parts) == 4 and parts[2] == "seg":
            n = int(parts[3].split(".")[0])
            self._send(h, 200, "video/mp2t", self.segments[n % len(self.segments)].read_bytes(), head)
        elif parts[0] == "cgi":  # a camera whose URL does not say what it serves
            served = h.path.rsplit("as=", 1)[-1][:1]
            if served == "m":
                self.stream_mjpeg(h, cam, fault, head)
            elif served == "h":
                self._send(h, 200, "application/vnd.apple.mpegurl", self.playlist().encode(), head)
            else:
                self._send(h, 200, "image/jpeg", self.frames[0], head)
        elif parts[0] == "snap":
            self._send(h, 200, "image/jpeg", self.frames[0], head)
        elif parts[0] == "mjpeg":
            self.stream_mjpeg(h, cam, fault, head)
        else:
            self._send(h, 404, "text/plain", b"no such path", head)

    def playlist(self) -> str:
        count = len(self.segments)
        newest = int((time.time() - self.t0) / self.segment)
        first = max(0, newest - self.window + 1)
        lines = ["#EXTM3U", "#EXT-X-VERSION:3", f"#EXT-X-TARGETDURATION:{int(self.segment + 0.999)}",
                 f"#EXT-X-MEDIA-SEQUENCE:{first}", f"#EXT-X-DISCONTINUITY-SEQUENCE:{first // count}"]
        for n in range(first, newest + 1):
            if n % count == 0 and n != first and n > 0:
                lines.append("#EXT-X-DISCONTINUITY")
            lines.append(f"#EXTINF:{self.segment:.3f},")
            lines.append(f"seg/{n}.ts")
        return "\n".join(lines) + "\n"

    def stream_mjpeg(self, h: BaseHTTPRequestHandler, cam: str, fault: str, head: bool) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "multipart/x-mixed-replace; boundary=frame")
        if self.cors:
            h.send_header("Access-Control-Allow-Origin", "*")
        h.send_header("Cache-Control", "no-store")
        h.send_header("Connection", "close")
        h.end_headers()
        h.close_connection = True
        if head:
            return
        with self._lock:
            self.open_streams[cam] += 1
        try:
            n = 0
            while not self.stopping.is_set():
                frame = self.frames[n % len(self.frames)]
                fault = self.fault.get(cam, "")
                if fault == "midframe":
                    h.wfile.write(b"--frame\r\nContent-Type: image/jpeg\r\n\r\n" + frame[: len(frame) // 2])
                    h.wfile.flush()
                    while not self.stopping.is_set() and self.fault.get(cam) == "midframe":
                        time.sleep(0.1)
                    return
                h.wfile.write(b"--frame\r\nContent-Type: image/jpeg\r\nContent-Length: "
                              + str(len(frame)).encode() + b"\r\n\r\n" + frame + b"\r\n")
                h.wfile.flush()
                n += 1
                self.stopping.wait(1 / self.fps)
        except OSError:
            pass  # the wall closed the connection
        finally:
            with self._lock:
                self.open_streams[cam] -= 1

    @staticmethod
    def _send(h: BaseHTTPRequestHandler, status: int, ctype: str, body: bytes, head: bool) -> None:
        try:
            h.send_response(status)
            h.send_header("Content-Type", ctype)
            h.send_header("Content-Length", str(len(body)))
            h.send_header("Access-Control-Allow-Origin", "*")
            h.send_header("Cache-Control", "no-store")
            h.end_headers()
            if not head:
                h.wfile.write(body)
        except OSError:
            pass


class SnapshotCamera(BaseHTTPRequestHandler):
    """A snapshot camera answering one small SVG picture, or HTTP 500 while ``SnapshotCamera.failing``."""

    failing = False
    SVG = (b'<svg xmlns="http://www.w3.org/2000/svg" width="64" height="36">'
           b'<rect width="64" height="36" fill="#0a0"/></svg>')

    def do_GET(self):  # noqa: N802 - http.server's name
        if SnapshotCamera.failing:
            self.send_error(500)
            return
        self.send_response(200)
        self.send_header("Content-Type", "image/svg+xml")
        self.send_header("Content-Length", str(len(self.SVG)))
        self.end_headers()
        self.wfile.write(self.SVG)

    def log_message(self, *args):
        pass
