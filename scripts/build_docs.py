#!/usr/bin/env python3
"""Build the course website into build/site from the committed notebooks, without executing them.

    .venv/bin/python scripts/build_docs.py            # what `make docs` runs
    .venv/bin/python scripts/build_docs.py --fresh    # throw away the previous build first

The notebooks (`notebooks/NN_*.ipynb`, in name order), README.md and docs/*.md are staged into
build/docs-src/ and built there by Sphinx + myst-nb (configuration: docs/conf.py) with warnings
treated as errors. Nothing is executed and nothing is downloaded: the committed outputs are shown as
they are. Staging writes only files whose content changed, so a second build is incremental.

The staged copy of each notebook gets a note under its title saying where its outputs come from,
read from `meta` in `notebooks/recordings/NN_name.json`, and its stream outputs merged as Jupyter
shows them (one block per run of consecutive stdout or stderr outputs, their texts joined). The
committed notebook is not changed. The README's page is titled "About the course (README)": its own
title is the site's, which the home page carries.
Links are kept strict (a broken one fails the build) with three exceptions, each made in the staged
copy only: a link to a notebook whose number does not exist yet (notebooks land one at a time)
becomes plain text with a note in the output; in README/docs pages a link to a folder becomes plain
text, and a link to another repository file is offered as a download. Markdown files that these
pages link to (CONTRIBUTING.md...) become pages of the site too.

After building, every page and stylesheet is checked for resources from outside the site (scripts,
styles, fonts, images from http(s) URLs): the site must work with no network.

Options (or environment variables) to build other notebooks, e.g. throwaway ones while working on
the site:
    --notebooks DIR   (DOCS_NOTEBOOKS)  notebooks to build; recordings in DIR/recordings, images in
                                        DIR/../images. Default: notebooks/
    --build-dir DIR   (DOCS_BUILD_DIR)  where docs-src/, doctrees/ and site/ go. Default: build/
"""

from __future__ import annotations

import argparse
import html.parser
import json
import os
import re
import shutil
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
NOTEBOOK_NAME = re.compile(r"^\d\d_[^/]+\.ipynb$")
MANIFEST = "manifest.json"
PROVIDERS = {
    "openai": "OpenAI",
    "azure": "Azure OpenAI",
    "compatible": "an OpenAI-compatible server",
}


class BuildError(Exception):
    """A problem in the sources that the author has to fix."""


# ---------------------------------------------------------------------------------------------
# Reading notebooks and recordings


def notebook_paths(nb_dir: Path) -> list[Path]:
    return sorted(p for p in nb_dir.glob("*.ipynb") if NOTEBOOK_NAME.match(p.name))


def cell_text(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def notebook_title(nb: dict, fallback: str) -> tuple[str, str]:
    """The notebook's `# Title` and the first paragraph after it (links reduced to their text)."""
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "markdown":
            continue
        lines = cell_text(cell).splitlines()
        for i, line in enumerate(lines):
            if line.startswith("# "):
                para: list[str] = []
                for rest in lines[i + 1 :]:
                    if rest.startswith("#") or (not rest.strip() and para):
                        break
                    if rest.strip():
                        para.append(rest.strip())
                text = " ".join(para)
                text = re.sub(r"!\[[^\]]*\]\([^)]*\)", "", text)  # images
                text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)  # links
                if text.startswith(("```", ":::", "<", "|", ">")):
                    text = ""
                return line[2:].strip(), text.strip()
    return fallback, ""


def read_meta(recording: Path) -> dict | None:
    if not recording.exists():
        return None
    try:
        meta = json.loads(recording.read_text(encoding="utf-8"))["meta"]
    except (ValueError, KeyError, TypeError) as exc:
        raise BuildError(f"{recording}: not a recording with a `meta` object ({exc})") from exc
    source = meta.get("source")
    if source not in ("illustrative", "recorded"):
        raise BuildError(
            f"{recording}: meta.source is {source!r}; it must be 'illustrative' or 'recorded'"
        )
    if source == "recorded":
        missing = [k for k in ("recorded_at", "provider", "models") if not meta.get(k)]
        if missing:
            raise BuildError(f"{recording}: a live recording needs meta.{', meta.'.join(missing)}")
    return meta


def models_text(models) -> str:
    names = list(models.values()) if isinstance(models, dict) else list(models or [])
    if isinstance(models, str):
        names = [models]
    names = [f"`{n}`" for n in dict.fromkeys(str(n) for n in names)]
    if len(names) <= 1:
        return "".join(names) or "an unnamed model"
    return ", ".join(names[:-1]) + " and " + names[-1]


def provenance(meta: dict | None, nb_name: str) -> tuple[str, str]:
    """(sentence for the notebook page, short label for the index)."""
    if meta is None:
        return (
            f"This notebook has no recording (`notebooks/recordings/{nb_name[:-6]}.json`): "
            "none of its outputs come from the API.",
            "no API calls",
        )
    if meta["source"] == "illustrative":
        return (
            "Outputs on this page come from an **illustrative recording** written for this course, "
            "not from the live API (re-record with your key: "
            f"`make record NB=notebooks/{nb_name}`).",
            "illustrative recording",
        )
    provider = PROVIDERS.get(str(meta["provider"]), str(meta["provider"]))
    date = str(meta["recorded_at"])
    date = date[:10] if re.match(r"\d{4}-\d\d-\d\dT", date) else date
    return (
        f"Outputs on this page were **recorded live** on {date} with "
        f"{models_text(meta['models'])} via {provider}.",
        f"recorded live on {date}",
    )


def markdown_cell(cell_id: str, text: str) -> dict:
    return {"cell_type": "markdown", "id": cell_id, "metadata": {}, "source": text}


_CARRIAGE_RETURN = re.compile(r"[^\n]*\r(?=[^\n])")
_BACKSPACE = re.compile(r"[^\n]\x08")


def merged_streams(outputs: list[dict]) -> list[dict]:
    """`outputs` with each run of consecutive stream outputs of one name joined into one, as
    Jupyter shows them: the texts concatenated as they are (a streamed answer printed chunk by
    chunk reads as one text), then a carriage return or backspace overwriting what it overwrites."""
    merged: list[dict] = []
    for output in outputs:
        last = merged[-1] if merged else None
        if (
            output.get("output_type") == "stream"
            and last is not None
            and last.get("output_type") == "stream"
            and last.get("name") == output.get("name")
        ):
            merged[-1] = dict(last, text=_text(last) + _text(output))
        else:
            merged.append(dict(output, text=_text(output)) if "text" in output else output)
    for output in merged:
        if output.get("output_type") == "stream":
            text = output["text"]
            while _BACKSPACE.search(text):
                text = _BACKSPACE.sub("", text)
            output["text"] = _CARRIAGE_RETURN.sub("", text)
    return merged


def _text(output: dict) -> str:
    text = output.get("text", "")
    return "".join(text) if isinstance(text, list) else text


def staged_notebook(nb: dict, note: str) -> dict:
    """A copy of `nb` with the provenance note right under its `# Title` and its stream outputs
    merged as Jupyter shows them."""
    box = markdown_cell(
        "docs-provenance",
        f":::{{admonition}} Where the outputs come from\n:class: note provenance\n{note}\n:::\n",
    )
    cells = [
        dict(cell, outputs=merged_streams(cell["outputs"])) if cell.get("outputs") else cell
        for cell in nb.get("cells", [])
    ]
    for index, cell in enumerate(cells):
        if cell.get("cell_type") != "markdown":
            continue
        lines = cell_text(cell).splitlines(keepends=True)
        heading = next((i for i, line in enumerate(lines) if line.startswith("# ")), None)
        if heading is None:
            continue
        head = "".join(lines[: heading + 1])
        rest = "".join(lines[heading + 1 :])
        new = [dict(cell, source=head), box]
        if rest.strip():
            new.append(dict(cell, id=f"{cell.get('id', 'cell')}-rest", source=rest))
        cells[index : index + 1] = new
        break
    else:
        cells.insert(0, box)
    return dict(nb, cells=cells)


# ---------------------------------------------------------------------------------------------
# Staging


README_TITLE = "About the course (README)"


def retitled(text: str, title: str) -> str:
    """A Markdown page titled `title`: its `# Title` (the first line that is not blank) replaced,
    or `title` added above its text when it has none."""
    body = text.lstrip("\n")
    first, _, rest = body.partition("\n")
    if first.startswith("# "):
        return f"# {title}\n{rest}"
    return f"# {title}\n\n{body}"


def markdown_title(text: str, fallback: str) -> str:
    for line in text.splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    return fallback


MD_LINK = re.compile(r"(?<!!)\[([^\]]*)\]\(<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\)")


def _outside_code(text: str, edit) -> str:
    """Apply `edit` to the parts of a Markdown text outside fenced code blocks."""
    parts = re.split(r"(^(?:```|~~~)[^\n]*\n.*?^(?:```|~~~)[ \t]*$)", text, flags=re.M | re.S)
    return "".join(p if i % 2 else edit(p) for i, p in enumerate(parts))


def _local_target(target: str, page: str) -> str | None:
    """The repository path a relative link points to, or None for URLs and anchors."""
    path = target.split("#", 1)[0]
    if not path or re.match(r"^[a-z][a-z0-9+.-]*:", path, re.I) or path.startswith("/"):
        return None
    rel = os.path.normpath(Path(page).parent / path)
    return None if rel.startswith("..") else rel


def linked_markdown(text: str, page: str) -> list[str]:
    """The repository's Markdown files (outside notebooks/ and build/) that a page links to."""
    found: list[str] = []

    def collect(part: str) -> str:
        for match in MD_LINK.finditer(part):
            rel = _local_target(match.group(2), page)
            if (
                rel
                and rel.endswith(".md")
                and not rel.startswith(("notebooks/", "build/", "."))
                and (ROOT / rel).is_file()
            ):
                found.append(rel)
        return part

    _outside_code(text, collect)
    return found


def future_notebook(rel: str, pages: set[str]) -> bool:
    """Whether `rel` names a notebook not written yet: notebooks/NN_x.ipynb with no NN_ yet.

    (A link to an existing number under another name is a typo, and stays an error.)"""
    match = re.fullmatch(r"notebooks/(\d\d)_[^/]+\.ipynb", rel)
    return bool(match) and not any(p.startswith(f"notebooks/{match[1]}_") for p in pages)


def unlink_future_notebooks(text: str, page: str, pages: set[str], notices: list[str]) -> str:
    """Links to notebooks not written yet become their plain text, with a notice."""

    def link(match: re.Match) -> str:
        rel = _local_target(match.group(2), page)
        if rel is None or rel in pages or not future_notebook(rel, pages):
            return match.group(0)
        notices.append(f"{page} links to {rel}, not written yet: shown as plain text")
        return match.group(1)

    return _outside_code(text, lambda part: MD_LINK.sub(link, part))


def adapt_page(text: str, page: str, pages: set[str], notices: list[str]) -> tuple[str, list[str]]:
    """Make a repository Markdown page (README, docs/*.md) build as a page of the site.

    Links to repository files that are not pages are staged with it (Sphinx offers them as
    downloads); links to folders, which a static site cannot show, and to notebooks not written
    yet become plain text. Links to missing files are left alone, so Sphinx reports them."""
    files: list[str] = []
    text = unlink_future_notebooks(text, page, pages, notices)

    def link(match: re.Match) -> str:
        rel = _local_target(match.group(2), page)
        if rel is None or rel in pages:
            return match.group(0)
        if (ROOT / rel).is_dir():
            return match.group(1)
        if (ROOT / rel).is_file() and Path(rel).suffix not in (".md", ".ipynb"):
            files.append(rel)
        return match.group(0)

    return _outside_code(text, lambda part: MD_LINK.sub(link, part)), files


def stage(nb_dir: Path) -> tuple[dict[str, bytes], list[dict], list[str]]:
    """Everything the site is built from ({path under docs-src: content}), the notebooks, notices."""
    files: dict[str, bytes] = {}
    notebooks = []
    notices: list[str] = []
    paths = notebook_paths(nb_dir)
    pages = {f"notebooks/{p.name}" for p in paths}
    reference = []  # (page path, Markdown text)
    if (ROOT / "README.md").is_file():
        readme = (ROOT / "README.md").read_text(encoding="utf-8")
        reference.append(("README.md", retitled(readme, README_TITLE)))
    for page in sorted(DOCS.glob("*.md")):
        if page.name != "index.md":
            reference.append((f"docs/{page.name}", page.read_text(encoding="utf-8")))
    for page, text in reference:  # grows: Markdown files these pages link to become pages too
        for rel in linked_markdown(text, page):
            if rel not in {p for p, _ in reference}:
                reference.append((rel, (ROOT / rel).read_text(encoding="utf-8")))
    pages |= {page for page, _ in reference}

    for path in paths:
        try:
            nb = json.loads(path.read_text(encoding="utf-8"))
        except ValueError as exc:
            raise BuildError(f"{path}: not valid JSON ({exc})") from exc
        meta = read_meta(nb_dir / "recordings" / f"{path.stem}.json")
        note, label = provenance(meta, path.name)
        title, summary = notebook_title(nb, path.stem)
        staged = staged_notebook(nb, note)
        page = f"notebooks/{path.name}"
        for cell in staged["cells"]:
            if cell.get("cell_type") == "markdown":
                text = unlink_future_notebooks(cell_text(cell), page, pages, notices)
                if text != cell_text(cell):
                    cell["source"] = text
        files[page] = (json.dumps(staged, indent=1, ensure_ascii=False) + "\n").encode()
        notebooks.append(
            {"name": path.name, "title": title, "summary": summary, "label": label, "meta": meta}
        )

    images = nb_dir.parent / "images"
    if images.is_dir():
        for image in sorted(images.rglob("*")):
            if image.is_file():
                files[f"images/{image.relative_to(images).as_posix()}"] = image.read_bytes()

    for page, text in reference:
        text, linked = adapt_page(text, page, pages, notices)
        files[page] = text.encode()
        for rel in linked:
            files.setdefault(rel, (ROOT / rel).read_bytes())

    files["index.md"] = index_page(notebooks, reference).encode()
    manifest = {"notebooks_dir": str(nb_dir), "notebooks": [n["name"] for n in notebooks]}
    files[MANIFEST] = (json.dumps(manifest, indent=2) + "\n").encode()
    return files, notebooks, notices


def index_page(notebooks: list[dict], reference: list[tuple[str, str]]) -> str:
    template = (DOCS / "index.md").read_text(encoding="utf-8")
    if notebooks:
        items = []
        for n, nb in enumerate(notebooks, 1):
            summary = f"  \n   {nb['summary']}" if nb["summary"] else ""
            items.append(
                f"{n}. **[{nb['title']}](notebooks/{nb['name']})** *({nb['label']})*{summary}"
            )
        toc = "\n".join(f"notebooks/{nb['name'][:-6]}" for nb in notebooks)
        listing = (
            "## The notebooks\n\nIn order; each builds on the ones before it.\n\n"
            + "\n".join(items)
            + f"\n\n```{{toctree}}\n:hidden:\n:caption: Notebooks\n\n{toc}\n```\n"
        )
    else:
        listing = "## The notebooks\n\nNo notebooks have been committed yet.\n"
    if reference:
        entries = [(markdown_title(text, page), page) for page, text in reference]
        items = [f"- [{title}]({page})" for title, page in entries]
        toc = "\n".join(f"{title} <{page[:-3]}>" for title, page in entries)
        ref = (
            "## Reference\n\n"
            + "\n".join(items)
            + f"\n\n```{{toctree}}\n:hidden:\n:caption: Reference\n\n{toc}\n```\n"
        )
    else:
        ref = ""
    for marker in ("<!-- notebooks -->", "<!-- reference -->"):
        if marker not in template:
            raise BuildError(f"docs/index.md lost its {marker} marker")
    return template.replace("<!-- notebooks -->", listing).replace("<!-- reference -->", ref)


def sync(files: dict[str, bytes], src: Path) -> tuple[int, int]:
    """Write changed files only (Sphinx rebuilds by modification time); delete the rest."""
    written = removed = 0
    for rel, content in files.items():
        target = src / rel
        if target.is_file() and target.read_bytes() == content:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
        written += 1
    for path in sorted(src.rglob("*"), reverse=True):
        rel = path.relative_to(src).as_posix()
        if path.is_file() and rel not in files:
            path.unlink()
            removed += 1
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    return written, removed


# ---------------------------------------------------------------------------------------------
# Checking the output


class _Resources(html.parser.HTMLParser):
    """Collects the URLs an HTML page loads (not the ones it merely links to)."""

    LOADS = {
        "script": ("src",),
        "img": ("src", "srcset"),
        "iframe": ("src",),
        "source": ("src", "srcset"),
        "video": ("src", "poster"),
        "audio": ("src",),
        "embed": ("src",),
        "object": ("data",),
        "track": ("src",),
        "input": ("src",),
    }
    NOT_LOADED_LINKS = {"canonical", "alternate", "next", "prev", "index", "search", "author"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link":
            rels = set((attrs.get("rel") or "").lower().split())
            if not rels or not rels <= self.NOT_LOADED_LINKS:
                self.urls.append(attrs.get("href") or "")
        for name in self.LOADS.get(tag, ()):
            value = attrs.get(name) or ""
            self.urls.extend(u.strip().split(" ")[0] for u in value.split(",") if u.strip())
        if attrs.get("style"):
            self.urls.extend(css_urls(attrs["style"]))
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.urls.extend(css_urls(data))


CSS_URL = re.compile(r"""url\(\s*['"]?([^'")\s]+)|@import\s+['"]([^'"]+)""", re.I)


def css_urls(css: str) -> list[str]:
    return [a or b for a, b in CSS_URL.findall(css)]


def is_external(url: str) -> bool:
    parts = urlsplit(url.strip())
    if url.strip().startswith("//"):
        return True
    return parts.scheme in ("http", "https", "ws", "wss", "ftp")


def external_resources(site: Path) -> list[tuple[str, str]]:
    """(file, URL) for every resource from outside the site that a page or stylesheet loads."""
    found = []
    for path in sorted(site.rglob("*")):
        if path.suffix == ".html":
            parser = _Resources()
            parser.feed(path.read_text(encoding="utf-8", errors="replace"))
            urls = parser.urls
        elif path.suffix == ".css":
            urls = css_urls(path.read_text(encoding="utf-8", errors="replace"))
        else:
            continue
        rel = path.relative_to(site).as_posix()
        found.extend((rel, url) for url in urls if is_external(url))
    return found


# ---------------------------------------------------------------------------------------------


def build(nb_dir: Path, build_dir: Path, fresh: bool = False, verbose: bool = False) -> Path:
    src, doctrees, site = build_dir / "docs-src", build_dir / "doctrees", build_dir / "site"
    files, notebooks, notices = stage(nb_dir)
    for notice in notices:
        print(f"docs: note: {notice}")
    if fresh:
        for d in (src, doctrees, site):
            shutil.rmtree(d, ignore_errors=True)
    written, removed = sync(files, src)
    if removed:
        # Sphinx keeps the pages of deleted sources: start over so the site has no stale pages.
        for d in (doctrees, site):
            shutil.rmtree(d, ignore_errors=True)

    # nbformat imports jsonschema, whose format checkers import rfc3987_syntax when installed
    # (jupyter-events pulls it in); that compiles ~40 lark grammars, about 3 s, for IRI checks
    # nbformat never makes. Without it jsonschema skips only those checks.
    sys.modules.setdefault("rfc3987_syntax", None)
    from sphinx.cmd.build import build_main

    argv = ["-b", "html", "-W", "--keep-going", "-c", str(DOCS), "-d", str(doctrees)]
    argv += [] if verbose else ["-q"]
    if build_main([*argv, str(src), str(site)]) != 0:
        # Sphinx saved what it read, so the next incremental build would not repeat the warnings.
        shutil.rmtree(doctrees, ignore_errors=True)
        raise BuildError(
            "Sphinx reported the problems above (warnings are errors). "
            "The staged sources are in " + str(src)
        )
    outside = external_resources(site)
    if outside:
        listing = "\n".join(f"  {page}: {url}" for page, url in outside)
        raise BuildError(f"the site loads resources from outside itself:\n{listing}")
    print(
        f"docs: {len(notebooks)} notebook(s) from {nb_dir}, "
        f"{written} staged file(s) changed -> {site}"
    )
    return site


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--notebooks",
        type=Path,
        default=Path(os.environ.get("DOCS_NOTEBOOKS") or ROOT / "notebooks"),
        help="notebooks directory (default: notebooks/, or $DOCS_NOTEBOOKS)",
    )
    parser.add_argument(
        "--build-dir",
        type=Path,
        default=Path(os.environ.get("DOCS_BUILD_DIR") or ROOT / "build"),
        help="output directory (default: build/, or $DOCS_BUILD_DIR)",
    )
    parser.add_argument("--fresh", action="store_true", help="discard the previous build first")
    parser.add_argument("-v", "--verbose", action="store_true", help="show Sphinx's progress")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    try:
        build(args.notebooks.resolve(), args.build_dir.resolve(), args.fresh, args.verbose)
    except BuildError as exc:
        print(f"docs: build failed: {exc}", file=sys.stderr)
        return 1
    print(f"docs: built in {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
