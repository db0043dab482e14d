"""Debian's chromium driven by Playwright, for the browser checks (test_docs_site.py, test_lab.py).

Playwright drives /usr/bin/chromium (or $CHROMIUM_PATH) through executable_path: `playwright install`
needs a download this network does not allow. Without chromium or Playwright a browser check is
skipped with a message, except under CI=true, where that is a failure.
"""

from __future__ import annotations

import contextlib
import os
import warnings
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# Nothing the browser does on its own may reach the network (there is none here to reach).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

WAIT_FOR_IMAGES = """() => Promise.all([...document.images].map(img => {
    img.loading = "eager";
    return img.complete ? null : new Promise(done => { img.onload = img.onerror = done; });
}))"""


def no_browser(reason: str):
    message = (
        f"the browser check did not run: {reason}. Install Debian's chromium "
        "(as root: bash scripts/ensure_chromium.sh, or apt-get install chromium)"
    )
    if os.environ.get("CI") == "true":
        pytest.fail(message + " [CI=true, so this is a failure]", pytrace=False)
    # `pytest -q` does not print skip reasons; a warning shows in the summary of every run.
    warnings.warn(message, stacklevel=2)
    pytest.skip(message)


@contextlib.contextmanager
def chromium() -> Iterator:
    """A headless chromium (Playwright's Browser), or a skip saying why there is none."""
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        no_browser(f"{CHROMIUM} not found")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        no_browser("the playwright package is not installed in this environment")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def local_only(context, outside: list[str]) -> None:
    """Abort every request of ``context`` that leaves 127.0.0.1, noting its URL in ``outside``."""

    def route(route):
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", route)
