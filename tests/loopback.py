"""A real HTTP server on 127.0.0.1 for tests that need live answers."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class Raw:
    """An answer written to the socket as is, after which the connection closes.

    For answers no HTTP server would send: ``Raw(b"")`` closes before any
    answer, ``Raw(b"SSH-2.0-OpenSSH\\r\\n")`` is not HTTP, a Content-Length
    larger than the bytes that follow is a body cut short.
    """

    data: bytes


Route = Callable[[int], "tuple[int, dict[str, str], bytes] | Raw"]
"""Called with how many times the path was asked before; returns status, headers, body."""


class LoopbackServer:
    def __init__(self, routes: dict[str, Route]):
        self.routes = routes
        self.hits: dict[str, int] = {}
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                count = server.hits.get(self.path, 0)
                server.hits[self.path] = count + 1
                route = server.routes.get(self.path)
                answer = route(count) if route else (404, {}, b"")
                if isinstance(answer, Raw):
                    self.wfile.write(answer.data)
                    self.wfile.flush()
                    self.close_connection = True
                    return
                status, headers, body = answer
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self) -> LoopbackServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)
