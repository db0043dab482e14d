"""The course website (build/site, built by scripts/build_docs.py) checked as a reader sees it.

`make test` builds the site first; on its own, run `make docs` before this file. The browser check
drives Debian's chromium (/usr/bin/chromium, or $CHROMIUM_PATH) with Playwright over a local
server: every page loads without console errors and without a request leaving 127.0.0.1, every
image has pixels, and pages whose notebook shows web-search citations have numbered citation links.
A full-page screenshot of each page is saved under build/screenshots/.

Without chromium the browser check is skipped with a message, except under CI=true, where that is
a failure. Keep every browser test in this file: with `--dist loadfile` it runs on one worker and
launches the browser once.
"""

from __future__ import annotations

import functools
import html.parser
import http.server
import importlib.util
import json
import os
import re
import shutil
import threading
import warnings
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest

ROOT = Path(__file__).resolve().parent.parent
BUILD = Path(os.environ.get("DOCS_BUILD_DIR") or ROOT / "build").resolve()
SITE = BUILD / "site"
STAGED = BUILD / "docs-src"
SCREENSHOTS = BUILD / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
CITATION_TEXT = re.compile(r"^\[?\d+\]?$")
# What show() writes for a citation: [\[1\]](https://...) (or [1](https://...)).
MARKDOWN_CITATION = re.compile(r"\[(?:\\?\[)?\d+(?:\\?\])?\]\(https?://")
PROVENANCE = "Where the outputs come from"


def _builder():
    spec = importlib.util.spec_from_file_location("build_docs", ROOT / "scripts" / "build_docs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def site() -> Path:
    manifest = STAGED / "manifest.json"
    if not (SITE / "index.html").is_file() or not manifest.is_file():
        pytest.fail(f"the docs site is not built ({SITE}): run make docs first")
    built = json.loads(manifest.read_text(encoding="utf-8"))
    nb_dir = Path(built["notebooks_dir"])
    if nb_dir == ROOT / "notebooks":
        committed = [p.name for p in _builder().notebook_paths(nb_dir)]
        if committed != built["notebooks"]:
            pytest.fail(
                f"the docs site is out of date (built from {built['notebooks']}, "
                f"notebooks/ has {committed}): run make docs first"
            )
    return SITE


def site_pages(site: Path) -> list[str]:
    return sorted(
        p.relative_to(site).as_posix()
        for p in site.rglob("*.html")
        if not p.relative_to(site).parts[0].startswith("_")
    )


def built_notebooks(site: Path) -> list[str]:
    """The staged notebooks' names (NN_name.ipynb), in site order."""
    return json.loads((STAGED / "manifest.json").read_text(encoding="utf-8"))["notebooks"]


def _strings(value) -> str:
    if isinstance(value, list):
        return "".join(str(v) for v in value)
    return value if isinstance(value, str) else json.dumps(value)


def shows_citations(name: str) -> bool:
    """Whether a notebook's committed outputs hold web-search citations the page must link."""
    if "web_search" in name:
        return True
    nb = json.loads((STAGED / "notebooks" / name).read_text(encoding="utf-8"))
    for cell in nb.get("cells", []):
        for output in cell.get("outputs", []):
            texts = [_strings(output.get("text", ""))]
            texts += [_strings(v) for v in (output.get("data") or {}).values()]
            text = "\n".join(texts)
            if "url_citation" in text or MARKDOWN_CITATION.search(text):
                return True
    return False


# ---------------------------------------------------------------------------------------------
# Without a browser


def test_site_loads_nothing_from_outside(site):
    outside = _builder().external_resources(site)
    assert not outside, "pages or stylesheets load from outside the site:\n" + "\n".join(
        f"  {page}: {url}" for page, url in outside
    )


class _Links(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href") if tag in ("a", "link") else None
        if href:
            self.hrefs.append(href)


def test_local_links_resolve_and_notebooks_are_in_order(site):
    broken = []
    for page in site_pages(site):
        parser = _Links()
        parser.feed((site / page).read_text(encoding="utf-8"))
        for href in parser.hrefs:
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or not parts.path:
                continue
            target = urlsplit(urljoin(f"http://site/{page}", href)).path
            path = site / unquote(target).lstrip("/")
            if not (path.is_file() or (path / "index.html").is_file()):
                broken.append(f"{page}: {href}")
    assert not broken, "links to files missing from the site:\n  " + "\n  ".join(broken)

    notebooks = built_notebooks(site)
    index = (site / "index.html").read_text(encoding="utf-8")
    linked = re.findall(r'href="notebooks/(\d\d_[^"#]+)\.html', index)
    order = [n for n in dict.fromkeys(linked)]
    assert order == [n[:-6] for n in notebooks], "the index lists the notebooks out of order"
    for name in notebooks:
        text = (site / "notebooks" / f"{name[:-6]}.html").read_text(encoding="utf-8")
        assert PROVENANCE in text, (
            f"notebooks/{name[:-6]}.html does not say where outputs come from"
        )


WORKED_ANSWER = re.compile(
    r'<div class="cell tag_hide-output[^"]*">\s*<div class="cell_input[^"]*">.*?solution.*?</div>\s*'
    r'</div>\s*<details class="[^"]*\bhide\b[^"]*">\s*<summary[^>]*>\s*'
    r'<p class="collapsed[^"]*">Show the worked answer</p>',
    re.S,
)


def test_worked_answers_sit_behind_a_toggle(site):
    for name in built_notebooks(site):
        staged = json.loads((STAGED / "notebooks" / name).read_text(encoding="utf-8"))
        calls = sum(
            1
            for cell in staged["cells"]
            if cell["cell_type"] == "code"
            and re.search(r"^\s*solution\(", _strings(cell["source"]), re.M)
        )
        page = (site / "notebooks" / f"{name[:-6]}.html").read_text(encoding="utf-8")
        toggles = len(WORKED_ANSWER.findall(page))
        assert calls and toggles == calls, (
            f"notebooks/{name[:-6]}.html: {toggles} of its {calls} worked answer(s) behind a toggle"
        )


# ---------------------------------------------------------------------------------------------
# In the browser


def _no_browser(reason: str):
    message = (
        f"the browser check did not run: {reason}. Install Debian's chromium "
        "(as root: bash scripts/ensure_chromium.sh, or apt-get install chromium)"
    )
    if os.environ.get("CI") == "true":
        pytest.fail(message + " [CI=true, so this is a failure]", pytrace=False)
    # `pytest -q` does not print skip reasons; a warning shows in the summary of every run.
    warnings.warn(message, stacklevel=2)
    pytest.skip(message)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@pytest.fixture(scope="module")
def server(site):
    handler = functools.partial(_QuietHandler, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def browser():
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        _no_browser(f"{CHROMIUM} not found")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _no_browser("the playwright package is not installed in this environment")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


WAIT_FOR_IMAGES = """() => Promise.all([...document.images].map(img => {
    img.loading = "eager";
    return img.complete ? null : new Promise(done => { img.onload = img.onerror = done; });
}))"""


def test_every_page_in_the_browser(site, server, browser):
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    SCREENSHOTS.mkdir(parents=True)
    citing = {f"notebooks/{n[:-6]}.html" for n in built_notebooks(site) if shows_citations(n)}
    context = browser.new_context(viewport={"width": 1280, "height": 900})

    def keep_local(route):
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            route.abort()

    context.route("**/*", keep_local)
    problems: list[str] = []
    pages = site_pages(site)
    seen: dict[str, list[str]] = {"requests": [], "errors": []}
    page = context.new_page()
    page.on("request", lambda r: seen["requests"].append(r.url))
    page.on(
        "console",
        lambda m: seen["errors"].append(f"console error: {m.text}") if m.type == "error" else None,
    )
    page.on("pageerror", lambda e: seen["errors"].append(f"uncaught error: {e}"))
    page.on("requestfailed", lambda r: seen["errors"].append(f"request failed: {r.url}"))
    for rel in pages:
        seen["requests"], seen["errors"] = [], []
        response = page.goto(server + rel, wait_until="load")
        page.evaluate(WAIT_FOR_IMAGES)

        if response is None or response.status != 200:
            problems.append(f"{rel}: HTTP {response.status if response else 'no response'}")
        for url in seen["requests"]:
            parts = urlsplit(url)
            if parts.scheme not in ("data", "blob", "about") and parts.hostname != "127.0.0.1":
                problems.append(f"{rel}: requested {parts.hostname} ({url})")
        problems.extend(f"{rel}: {text}" for text in seen["errors"])
        for src, width in page.eval_on_selector_all(
            "img", "imgs => imgs.map(i => [i.getAttribute('src'), i.naturalWidth])"
        ):
            if not width:
                problems.append(f"{rel}: image {src} did not render (naturalWidth 0)")
        if rel in citing:
            links = page.eval_on_selector_all(
                "article a[href]", "as => as.map(a => [a.textContent.trim(), a.href])"
            )
            cited = [
                href
                for text, href in links
                if CITATION_TEXT.match(text)
                and urlsplit(href).scheme in ("http", "https")
                and urlsplit(href).hostname != "127.0.0.1"
            ]
            if not cited:
                problems.append(f"{rel}: no numbered citation links ([1] -> http(s) URL)")

        page.screenshot(path=SCREENSHOTS / (rel[:-5].replace("/", "__") + ".png"), full_page=True)
    context.close()
    assert pages, "the site has no pages"
    assert not problems, f"{len(problems)} problem(s) on {len(pages)} pages:\n  " + "\n  ".join(
        problems
    )


def test_worked_answers_open_only_when_asked_for(site, server, browser):
    """Each worked answer is hidden when its page loads and shown by its toggle."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.route("**/*", lambda r: r.continue_() if "127.0.0.1" in r.request.url else r.abort())
    problems = []
    for name in built_notebooks(site):
        rel = f"notebooks/{name[:-6]}.html"
        page.goto(server + rel, wait_until="load")
        toggles = page.locator("div.cell.tag_hide-output details.hide")
        if not toggles.count():
            problems.append(f"{rel}: no worked answer behind a toggle")
        for i in range(toggles.count()):
            details = toggles.nth(i)
            answer = details.locator(".cell_output")
            if details.evaluate("d => d.open") or answer.is_visible():
                problems.append(f"{rel}: worked answer {i + 1} is shown before it is asked for")
                continue
            details.locator("summary").click()
            if not answer.is_visible() or not answer.inner_text().strip():
                problems.append(f"{rel}: worked answer {i + 1} does not open from its toggle")
            if not details.locator("summary").inner_text().strip().startswith("Hide"):
                problems.append(f"{rel}: worked answer {i + 1}'s open toggle does not say Hide")
    page.close()
    assert not problems, "\n  ".join(["worked answers:", *problems])
