"""The course website (build/site, built by scripts/build_docs.py) checked as a reader sees it.

`make test` builds the site first; on its own, run `make docs` before this file. The browser check
drives Debian's chromium (/usr/bin/chromium, or $CHROMIUM_PATH) with Playwright over a local
server: every page loads without console errors, without a request leaving 127.0.0.1 and without a
404 from the server (the favicon included), every image has pixels, pages whose notebook shows
web-search citations have numbered citation links, and every code cell's outputs read as Jupyter
shows them: Markdown tables in outputs are tables, and each run of consecutive stream outputs of one
name is one block holding exactly their joined text. Without a browser, the Next/Previous links are
checked to walk the notebooks in order and stop at the last one, and no page but the home page to
carry the site's title. A full-page screenshot of each page is saved under build/screenshots/.

Without chromium the browser check is skipped with a message, except under CI=true, where that is
a failure (tests/browser.py). Keep the site's browser tests in this file: with `--dist loadfile` it
runs on one worker and launches the browser once. (JupyterLab has its own, tests/test_lab.py.)
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
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest
from browser import WAIT_FOR_IMAGES, chromium, local_only

ROOT = Path(__file__).resolve().parent.parent
BUILD = Path(os.environ.get("DOCS_BUILD_DIR") or ROOT / "build").resolve()
SITE = BUILD / "site"
STAGED = BUILD / "docs-src"
SCREENSHOTS = BUILD / "screenshots"
CITATION_TEXT = re.compile(r"^\[?\d+\]?$")
# What show() writes for a citation: [\[1\]](https://...) (or [1](https://...)).
MARKDOWN_CITATION = re.compile(r"\[(?:\\?\[)?\d+(?:\\?\])?\]\(https?://")
PROVENANCE = "Where the outputs come from"
MANIFEST_NAME = "manifest.json"


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


class _OutputImages(html.parser.HTMLParser):
    """Counts the images inside a page's cell outputs (myst-nb's ``cell_output`` containers)."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0  # > 0 inside a cell output: the number of divs open since it began
        self.images = 0

    def handle_starttag(self, tag, attrs):
        if tag == "div" and (self.depth or "cell_output" in (dict(attrs).get("class") or "")):
            self.depth += 1
        elif tag == "img" and self.depth:
            self.images += 1

    def handle_endtag(self, tag):
        if tag == "div" and self.depth:
            self.depth -= 1


def stored_figures(name: str) -> int:
    nb = json.loads((STAGED / "notebooks" / name).read_text(encoding="utf-8"))
    return sum(
        "image/png" in (output.get("data") or {})
        for cell in nb.get("cells", [])
        for output in cell.get("outputs", [])
    )


def test_every_figure_a_notebook_stores_is_an_image_on_its_page(site):
    """A figure the build dropped (08's chart of reasoning effort, 05's timeline ...) would leave
    its cell's output empty without any error: each page shows every PNG its notebook stores."""
    short = []
    for name in built_notebooks(site):
        parser = _OutputImages()
        parser.feed((site / "notebooks" / f"{name[:-6]}.html").read_text(encoding="utf-8"))
        if parser.images < stored_figures(name):
            short.append(f"{name}: {stored_figures(name)} figure(s) stored, {parser.images} shown")
    assert not short, "figures missing from the pages:\n  " + "\n  ".join(short)


# ---------------------------------------------------------------------------------------------
# In the browser


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Serves the site quietly, keeping every (status, path) it answered in ``answered``."""

    answered: list[tuple[int, str]]

    def log_message(self, format, *args):
        pass

    def log_request(self, code="-", size="-"):
        self.answered.append((int(getattr(code, "value", code)), self.path))


@pytest.fixture(scope="module")
def server(site):
    answered: list[tuple[int, str]] = []
    handler = functools.partial(
        type("Handler", (_Handler,), {"answered": answered}), directory=str(site)
    )
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/", answered
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def browser():
    with chromium() as browser:
        yield browser


def test_every_page_in_the_browser(site, server, browser):
    server, answered = server
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    SCREENSHOTS.mkdir(parents=True)
    citing = {f"notebooks/{n[:-6]}.html" for n in built_notebooks(site) if shows_citations(n)}
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    local_only(context, [])
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

        if rel.startswith("notebooks/"):
            problems.extend(f"{rel}: {p}" for p in output_problems(rel, page.evaluate(CELLS)))

        page.screenshot(path=SCREENSHOTS / (rel[:-5].replace("/", "__") + ".png"), full_page=True)
    context.close()
    problems.extend(
        f"server answered {status} to {path}" for status, path in answered if status >= 400
    )
    assert pages, "the site has no pages"
    assert not problems, f"{len(problems)} problem(s) on {len(pages)} pages:\n  " + "\n  ".join(
        problems
    )


# What each code cell of a notebook page shows: its stream blocks (class, text), tables, text.
CELLS = """() => [...document.querySelectorAll("article div.cell")].map(cell => {
    const out = cell.querySelector(":scope > div.cell_output");
    if (!out) return {streams: [], tables: 0, text: ""};
    const blocks = [...out.querySelectorAll(":scope > div.output.stream, :scope > div.output.stderr")];
    return {
        streams: blocks.map(b => [b.classList.contains("stderr") ? "stderr" : "stdout",
                                  (b.querySelector("pre") ?? b).textContent]),
        tables: out.querySelectorAll("table").length,
        text: out.innerText,
    };
})"""
TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$", re.M)


def stream_runs(outputs: list[dict]) -> list[tuple[str, str]]:
    """(name, joined text) of each run of consecutive stream outputs of one name, as Jupyter
    shows them: one block per run."""
    runs: list[tuple[str, str]] = []
    previous = None
    for output in outputs:
        if output.get("output_type") != "stream":
            previous = None
            continue
        text = _strings(output.get("text", ""))
        if previous == output["name"]:
            runs[-1] = (runs[-1][0], runs[-1][1] + text)
        else:
            runs.append((output["name"], text))
        previous = output["name"]
    return runs


def output_problems(rel: str, shown: list[dict]) -> list[str]:
    """How a notebook page's cell outputs differ from what Jupyter shows for the committed ones."""
    nb_dir = Path(json.loads((STAGED / MANIFEST_NAME).read_text(encoding="utf-8"))["notebooks_dir"])
    nb = json.loads((nb_dir / f"{Path(rel).stem}.ipynb").read_text(encoding="utf-8"))
    cells = [c for c in nb["cells"] if c.get("cell_type") == "code"]
    if len(cells) != len(shown):
        return [f"the page shows {len(shown)} code cells, the notebook has {len(cells)}"]
    problems = []
    for number, (cell, page) in enumerate(zip(cells, shown, strict=True), 1):
        expected = [(name, text.strip("\n")) for name, text in stream_runs(cell.get("outputs", []))]
        got = [(name, text.strip("\n")) for name, text in page["streams"]]
        if got != expected:
            problems.append(
                f"code cell {number}: stream output shown as {len(got)} block(s) {got!r:.300}, "
                f"Jupyter shows {len(expected)}: {expected!r:.300}"
            )
        tables = sum(
            len(TABLE_RULE.findall(_strings((o.get("data") or {}).get("text/markdown", ""))))
            for o in cell.get("outputs", [])
        )
        if tables and (page["tables"] < tables or TABLE_RULE.search(page["text"])):
            problems.append(
                f"code cell {number}: {tables} Markdown table(s) in its output, "
                f"{page['tables']} shown as a table"
            )
    return problems


# ---------------------------------------------------------------------------------------------
# Navigation, titles and the favicon (without a browser)


class _Head(html.parser.HTMLParser):
    """A page's <title>, its Next/Previous links (furo) and the icons it declares."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title = ""
        self.next: str | None = None
        self.prev: str | None = None
        self.icons: list[str] = []
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if tag == "title" and not self.title:
            self._in_title = True
        elif tag == "a" and "next-page" in classes:
            self.next = attrs.get("href")
        elif tag == "a" and "prev-page" in classes:
            self.prev = attrs.get("href")
        elif tag == "link" and "icon" in (attrs.get("rel") or "").lower().split():
            self.icons.append(attrs.get("href") or "")

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data


def head(site: Path, rel: str) -> _Head:
    parser = _Head()
    parser.feed((site / rel).read_text(encoding="utf-8"))
    return parser


def target(rel: str, href: str | None) -> str | None:
    if href is None:
        return None
    return urlsplit(urljoin(f"http://site/{rel}", href)).path.lstrip("/")


def test_next_and_previous_walk_the_notebooks_in_order_and_stop_at_the_last(site):
    pages = ["index.html", *(f"notebooks/{n[:-6]}.html" for n in built_notebooks(site))]
    wrong = []
    for i, rel in enumerate(pages[1:], 1):
        links = head(site, rel)
        expected = (pages[i + 1] if i + 1 < len(pages) else None, pages[i - 1])
        got = (target(rel, links.next), target(rel, links.prev))
        if got != expected:
            wrong.append(f"{rel}: Next {got[0]}, Previous {got[1]}; expected {expected}")
    for rel in site_pages(site):  # no page outside the notebooks leads back into them
        if rel in pages:
            continue
        links = head(site, rel)
        for link in (target(rel, links.next), target(rel, links.prev)):
            if link in pages[1:]:
                wrong.append(f"{rel} links Next/Previous to the notebook {link}")
    assert not wrong, "Next/Previous links:\n  " + "\n  ".join(wrong)


def test_no_page_but_the_home_page_carries_the_site_title(site):
    site_title = head(site, "index.html").title.strip()
    same = [
        rel
        for rel in site_pages(site)
        if rel != "index.html"
        and head(site, rel).title.strip().removesuffix(f" - {site_title}").strip() == site_title
    ]
    assert not same, f"pages titled like the home page ({site_title!r}): {same}"


def test_every_page_declares_a_favicon_the_site_has(site):
    missing = []
    for rel in site_pages(site):
        icons = head(site, rel).icons
        if not icons:
            missing.append(f"{rel}: no <link rel=icon> (browsers then ask for /favicon.ico)")
        for href in icons:
            if not (site / unquote(target(rel, href) or "")).is_file():
                missing.append(f"{rel}: icon {href} is not in the site")
    assert not missing, "\n".join(missing)
