"""A real HTTP server on 127.0.0.1 for the download tests, with scripted responses.

Each route is a function that receives the request handler and returns a ``Reply``.
``Reply`` can lie about Content-Length, cut the body short and close the connection,
so the tests exercise the client against the faults real servers produce.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

AUTO = -1  # content_length value meaning "the real body length"


@dataclass
class Reply:
    """One scripted HTTP response."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    content_length: int | None = AUTO  # None sends no header and closes after the body
    send_bytes: int | None = None  # send only this many body bytes, then close
    chunk_delay: float = 0.0  # seconds between 64 KiB chunks, to make a download slow


@dataclass
class Request:
    """What the server received."""

    path: str
    headers: dict[str, str]
    status: int


Route = Callable[[BaseHTTPRequestHandler], Reply]


class Server:
    """Routes, request log and base URL of a running test server."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.log: list[Request] = []
        self.url = ""

    def full_transfers(self, path: str) -> int:
        """Return how many 200 responses the server sent for ``path``."""
        return sum(1 for request in self.log if request.path == path and request.status == 200)

    def requests(self, path: str) -> list[Request]:
        return [request for request in self.log if request.path == path]


def sequence(*replies: Reply) -> Route:
    """Return a route that plays ``replies`` in order, then repeats the last one."""
    remaining = list(replies)

    def route(handler: BaseHTTPRequestHandler) -> Reply:
        return remaining.pop(0) if len(remaining) > 1 else remaining[0]

    return route


def _make_handler(server: Server) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:  # keep test output quiet
            pass

        def do_GET(self) -> None:  # noqa: N802 (name fixed by http.server)
            route = server.routes.get(self.path)
            reply = route(self) if route else Reply(status=404, body=b"not found")
            server.log.append(Request(self.path, dict(self.headers.items()), reply.status))
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            if reply.content_length is not None:
                length = len(reply.body) if reply.content_length == AUTO else reply.content_length
                self.send_header("Content-Length", str(length))
            else:
                self.send_header("Connection", "close")
            self.end_headers()
            body = reply.body if reply.send_bytes is None else reply.body[: reply.send_bytes]
            if reply.status == 304:
                body = b""
            for start in range(0, len(body), 1 << 16):
                self.wfile.write(body[start:start + (1 << 16)])
                if reply.chunk_delay:
                    self.wfile.flush()
                    time.sleep(reply.chunk_delay)
            self.wfile.flush()
            if reply.send_bytes is not None or reply.content_length is None:
                self.close_connection = True

    return Handler


@contextmanager
def serve() -> Iterator[Server]:
    """Run a server on a free port of 127.0.0.1 for the duration of the block."""
    state = Server()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(state))
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()


def write_catalogue(folder: Path, base_url: str, files: dict[str, str]) -> Path:
    """Write a catalogue TOML with one dataset per ``id -> route`` of the test server."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = []
    for dataset_id, route in files.items():
        lines += [
            f'["{dataset_id}"]',
            f'title = "Jeu de test {dataset_id}"',
            'publisher = "Serveur de test"',
            'licence = "Licence Ouverte / Open Licence (Etalab)"',
            f'url = "{base_url}{route}"',
            f'filename = "{route.rsplit("/", 1)[-1]}"',
            "",
        ]
    (folder / "test.toml").write_text("\n".join(lines), encoding="utf-8")
    return folder
