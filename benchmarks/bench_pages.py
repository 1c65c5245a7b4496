"""Page weight and load time of the built articles, in headless Chromium.

Weight is read from disk: the article's ``index.html``, the images its ``<img>`` tags
load, and the stylesheets and scripts it links. That is what a reader downloads after
scrolling the whole page.

Load time is measured by Chromium itself, driven through the DevTools protocol over a
pipe (``--remote-debugging-pipe``: JSON messages separated by NUL bytes on file
descriptors 3 and 4). The site is served by ``http.server`` on 127.0.0.1 and the
browser cache is disabled, so each load fetches every file again. Two figures come
from the page's clock, in milliseconds after navigation start:

- ``load``: ``loadEventEnd`` of the Navigation Timing entry, for a 1280x800 window,
  where images with ``loading="lazy"`` below the fold are not yet fetched;
- ``all_images``: the time when every ``<img>`` has finished loading, after the script
  switched the lazy ones to eager loading at the load event.
"""

from __future__ import annotations

import fcntl
import functools
import json
import os
import select
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
from html.parser import HTMLParser
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from bench_common import log

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
    "--window-size=1280,800", "--remote-debugging-pipe",
)
TIMEOUT_SECONDS = 60.0

# Waits for the load event, makes lazy images eager, then waits for every image.
TIMING_SCRIPT = """
new Promise((resolve) => {
  const finish = () => {
    const nav = performance.getEntriesByType("navigation")[0];
    const images = Array.from(document.images);
    images.forEach((img) => { img.loading = "eager"; });
    Promise.all(images.map((img) => img.complete ? null : new Promise((done) => {
      img.addEventListener("load", done); img.addEventListener("error", done);
    }))).then(() => {
      const resources = performance.getEntriesByType("resource");
      resolve(JSON.stringify({
        load: nav.loadEventEnd,
        dom_content_loaded: nav.domContentLoadedEventEnd,
        all_images: performance.now(),
        images: images.length,
        broken_images: images.filter((img) => img.naturalWidth === 0).length,
        fetched_bytes: nav.encodedBodySize
          + resources.reduce((total, entry) => total + entry.encodedBodySize, 0),
      }));
    });
  };
  const poll = () => {
    const nav = performance.getEntriesByType("navigation")[0];
    if (nav && nav.loadEventEnd > 0) { finish(); } else { setTimeout(poll, 5); }
  };
  poll();
})
"""


class ChromiumError(RuntimeError):
    """Chromium failed to start, answered with an error, or timed out."""


class _Assets(HTMLParser):
    """Collect the images, stylesheets and scripts a page loads."""

    def __init__(self) -> None:
        super().__init__()
        self.images: list[str] = []
        self.others: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "img" and values.get("src"):
            self.images.append(values["src"] or "")
        elif tag == "script" and values.get("src"):
            self.others.append(values["src"] or "")
        elif tag == "link" and values.get("href") and "stylesheet" in (values.get("rel") or "").split():
            self.others.append(values["href"] or "")


def _local_file(page: Path, reference: str, site_root: Path) -> Path | None:
    """Return the file a relative reference of ``page`` points to, or None for data: and URLs."""
    parts = urlsplit(reference)
    if parts.scheme or parts.netloc or not parts.path:
        return None
    if parts.path.startswith("/"):
        return site_root / unquote(parts.path.lstrip("/"))
    return (page.parent / unquote(parts.path)).resolve()


def page_weight(page: Path, site_root: Path) -> dict[str, Any]:
    """Return the bytes of a page: its HTML, its images, the rest it loads, and the total.

    Inline ``data:`` images are counted in the HTML. A referenced file that is missing
    is listed under ``missing``.
    """
    html = page.read_bytes()
    assets = _Assets()
    assets.feed(html.decode("utf-8"))
    weight: dict[str, Any] = {"html": len(html), "images": 0, "other": 0, "image_count": 0,
                              "largest_image": 0, "missing": []}
    seen: set[Path] = set()
    for kind, references in (("images", assets.images), ("other", assets.others)):
        for reference in references:
            path = _local_file(page, reference, site_root)
            if path is None or path in seen:
                continue
            seen.add(path)
            if not path.is_file():
                weight["missing"].append(reference)
                continue
            size = path.stat().st_size
            weight[kind] += size
            if kind == "images":
                weight["image_count"] += 1
                weight["largest_image"] = max(weight["largest_image"], size)
    weight["total"] = weight["html"] + weight["images"] + weight["other"]
    return weight


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - signature of the base class
        pass


class Chromium:
    """A headless Chromium driven through the DevTools protocol over a pipe."""

    def __init__(self) -> None:
        self.profile = Path(tempfile.mkdtemp(prefix="bureau-bench-chromium-"))
        to_browser_read, self._write_fd = os.pipe()
        self._read_fd, from_browser_write = os.pipe()

        def attach_pipes() -> None:  # runs in the child between fork and exec
            # Move both ends above 4 first: a pipe end that already is fd 3 or 4 would
            # be overwritten, or keep its close-on-exec flag through a no-op dup2.
            reading = fcntl.fcntl(to_browser_read, fcntl.F_DUPFD, 10)
            writing = fcntl.fcntl(from_browser_write, fcntl.F_DUPFD, 10)
            os.dup2(reading, 3)
            os.dup2(writing, 4)

        self.process = subprocess.Popen(
            [CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={self.profile}", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            preexec_fn=attach_pipes, close_fds=False,
        )
        os.close(to_browser_read)
        os.close(from_browser_write)
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict[str, Any]] = []

    def send(self, method: str, params: dict[str, Any] | None = None, session: str | None = None) -> Any:
        """Send one command and return its result, keeping the events received meanwhile."""
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._write_fd, json.dumps(message).encode("utf-8") + b"\0")
        while True:
            reply = self._receive()
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise ChromiumError(f"{method} failed: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def _receive(self) -> dict[str, Any]:
        deadline = time.monotonic() + TIMEOUT_SECONDS
        while b"\0" not in self._buffer:
            remaining = deadline - time.monotonic()
            ready, _, _ = select.select([self._read_fd], [], [], max(remaining, 0))
            if not ready:
                raise ChromiumError(f"no message from Chromium within {TIMEOUT_SECONDS:.0f} s")
            chunk = os.read(self._read_fd, 1 << 16)
            if not chunk:
                raise ChromiumError(f"Chromium closed its pipe (exit status {self.process.poll()})")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def measure(self, url: str) -> dict[str, Any]:
        """Load ``url`` in a new tab with the cache disabled and return the page's timings."""
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        try:
            self.send("Network.enable", session=session)
            self.send("Network.setCacheDisabled", {"cacheDisabled": True}, session=session)
            self.send("Page.navigate", {"url": url}, session=session)
            result = self.send("Runtime.evaluate", {"expression": TIMING_SCRIPT, "awaitPromise": True,
                                                    "returnByValue": True}, session=session)
            if "exceptionDetails" in result:
                raise ChromiumError(f"timing script failed on {url}: {result['exceptionDetails']}")
            return json.loads(result["result"]["value"])
        finally:
            self.send("Target.closeTarget", {"targetId": target})
            self.events.clear()

    def version(self) -> str:
        return str(self.send("Browser.getVersion").get("product", ""))

    def close(self) -> None:
        try:
            self.send("Browser.close")
        except (ChromiumError, OSError):
            self.process.kill()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self._write_fd)
        os.close(self._read_fd)
        shutil.rmtree(self.profile, ignore_errors=True)


def measure_pages(site: Path, slugs: list[str], repeat: int) -> dict[str, Any]:
    """Measure the weight and the load time of each article page of a built site."""
    browser = Chromium()  # started before the server thread: fork with threads is unsafe
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    pages: dict[str, Any] = {}
    try:
        product = browser.version()
        for slug in slugs:
            log(f"page {slug}")
            url = f"http://127.0.0.1:{server.server_port}/{slug}/index.html"
            browser.measure(url)  # first load warms the server and the OS file cache
            runs = [browser.measure(url) for _ in range(repeat)]
            pages[slug] = {
                "weight": page_weight(site / slug / "index.html", site),
                "runs": runs,
                "load_ms": statistics.median(run["load"] for run in runs),
                "all_images_ms": statistics.median(run["all_images"] for run in runs),
                "broken_images": max(run["broken_images"] for run in runs),
            }
    finally:
        server.shutdown()
        server.server_close()
        browser.close()
    return {"browser": product, "repeat": repeat, "pages": pages}
