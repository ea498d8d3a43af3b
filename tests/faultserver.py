"""A loopback HTTP server that misbehaves the way real servers do.

Unlike tests/loopback.py (a well-behaved http.server), each route here
writes raw bytes to the socket, so a test can cut a body short, reset the
connection mid-answer, drip bytes slower than the crawl's timeout, answer
something that is not HTTP, or say nothing at all. Binds 127.0.0.1 only.
"""

from __future__ import annotations

import contextlib
import gzip
import socket
import struct
import threading
import time
from collections.abc import Callable

Behaviour = Callable[[socket.socket], None]
"""Writes one answer (or none) to the accepted connection."""


def head(status: int, headers: dict[str, str], length: int | None) -> bytes:
    lines = [f"HTTP/1.1 {status} X"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    if length is not None:
        lines.append(f"Content-Length: {length}")
    lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def answer(status: int, body: bytes = b"", **headers: str) -> Behaviour:
    fields = {name.replace("_", "-"): value for name, value in headers.items()}

    def send(conn):
        conn.sendall(head(status, fields, len(body)) + body)

    return send


def html(body: str | bytes, status: int = 200, charset: str = "utf-8", **headers) -> Behaviour:
    data = body.encode(charset) if isinstance(body, str) else body
    return answer(status, data, Content_Type=f"text/html; charset={charset}", **headers)


def redirect(location: str, status: int = 301) -> Behaviour:
    return answer(status, b"", Location=location)


def truncated(body: bytes, keep: int, **headers) -> Behaviour:
    """Promises the whole body in Content-Length, sends ``keep`` bytes, closes."""

    def send(conn):
        conn.sendall(head(200, {"Content-Type": "text/html; charset=utf-8", **headers}, len(body)))
        conn.sendall(body[:keep])

    return send


def reset_mid_body(body: bytes, keep: int) -> Behaviour:
    """Sends part of the body, then a TCP reset (SO_LINGER 0)."""

    def send(conn):
        conn.sendall(head(200, {"Content-Type": "text/html; charset=utf-8"}, len(body)))
        conn.sendall(body[:keep])
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))

    return send


def close_at_once() -> Behaviour:
    return lambda conn: None


def not_http() -> Behaviour:
    return lambda conn: conn.sendall(b"SSH-2.0-OpenSSH_9.2\r\n\r\nnot a web server\r\n")


def drip(body: bytes, every: float, chunk: int = 64) -> Behaviour:
    """Sends the body ``chunk`` bytes at a time, one chunk every ``every`` seconds."""

    def send(conn):
        conn.sendall(head(200, {"Content-Type": "text/html; charset=utf-8"}, len(body)))
        for start in range(0, len(body), chunk):
            conn.sendall(body[start : start + chunk])
            time.sleep(every)

    return send


def silent(seconds: float) -> Behaviour:
    """Accepts, reads the request, and answers nothing for ``seconds``."""
    return lambda conn: time.sleep(seconds)


def gzip_bomb(megabytes: int, content_type: str, encoded: bool = True) -> Behaviour:
    """A small gzip body that inflates to ``megabytes`` MiB of zeros.

    ``encoded``: sent as ``Content-Encoding: gzip``; otherwise as a raw .gz file.
    """
    data = gzip.compress(b"\0" * (megabytes * 1024 * 1024), compresslevel=9)
    headers = {"Content-Type": content_type}
    if encoded:
        headers["Content-Encoding"] = "gzip"
    return answer(200, data, **{k.replace("-", "_"): v for k, v in headers.items()})


class FaultServer:
    """Serves ``routes`` (path -> behaviour, or a list played in order, the last repeated)."""

    def __init__(self, routes: dict[str, Behaviour | list[Behaviour]]):
        self.routes = routes
        self.hits: dict[str, int] = {}
        self.times: dict[str, list[float]] = {}
        self._lock = threading.Lock()
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}"

    def __enter__(self) -> FaultServer:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.sock.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        with contextlib.closing(conn):
            conn.settimeout(10)
            try:
                request = b""
                while b"\r\n\r\n" not in request:
                    data = conn.recv(65536)
                    if not data:
                        return
                    request += data
                path = request.split(b" ", 2)[1].decode("latin-1")
            except (OSError, IndexError):
                return
            with self._lock:
                count = self.hits.get(path, 0)
                self.hits[path] = count + 1
                self.times.setdefault(path, []).append(time.monotonic())
            route = self.routes.get(path, answer(404))
            if isinstance(route, list):
                route = route[min(count, len(route) - 1)]
            with contextlib.suppress(OSError):
                route(conn)
