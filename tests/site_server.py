"""Serve a built site on 127.0.0.1 and drive it with Debian's Chromium through Playwright.

The browser tests meet the site as a reader does: over HTTP, in a real browser, with
every request that leaves the local server recorded and refused.
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
AXE = Path(__file__).resolve().parent / "browser" / "node_modules" / "axe-core" / "axe.min.js"
# As root Chromium needs --no-sandbox; on a closed network it must not phone home.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update"]


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@dataclass(frozen=True)
class Served:
    root: Path
    url: str


@contextmanager
def serve(root: Path) -> Iterator[Served]:
    """Serve ``root`` over HTTP on a free local port for the duration of the block."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Served(root, f"http://127.0.0.1:{server.server_address[1]}/")
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def chromium() -> Iterator[Browser]:
    """Debian's Chromium, headless, driven by Playwright (never a browser Playwright downloads)."""
    require_browser_tools()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def require_browser_tools() -> None:
    """Skip on a developer machine without the tools; fail on CI, which must install them."""
    missing = [str(path) for path in (CHROMIUM, AXE) if not path.exists()]
    if missing:
        message = f"missing {missing}: apt-get install chromium; npm ci --prefix tests/browser"
        pytest.fail(message) if os.environ.get("CI") else pytest.skip(message)
