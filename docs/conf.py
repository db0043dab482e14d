"""Sphinx configuration for the course website.

Do not run sphinx-build on docs/ directly: scripts/build_docs.py stages the committed notebooks,
the README and docs/*.md into build/docs-src/ and builds build/site with this file as its
configuration (`-c docs`). Paths below (_static) are relative to this directory.

The site must load nothing from outside itself, so everything that would reach a CDN is off:
MathJax (math is shown as its TeX source, see `_plain_math`), ipywidgets' require.js and no web
fonts (furo uses the system font stack).
"""

from __future__ import annotations

from docutils import nodes

project = "Learn the OpenAI Responses API"
author = "the course authors"
copyright = "2026, the course authors"
language = "en"

extensions = ["myst_nb"]

# The committed outputs are the outputs: nbval has already checked them, so never execute here.
nb_execution_mode = "off"
# Loaded from cdnjs/jsdelivr when a notebook stores widget state: never wanted on this site.
nb_ipywidgets_js: dict = {}
# Off: myst-nb's merging strips every chunk and ends it with a newline, so a streamed answer
# (print(delta, end="")) came out one chunk per line, and it merges a cell's streams across its
# other outputs. scripts/build_docs.py merges them in the staged copy as Jupyter shows them instead:
# one block per run of consecutive stream outputs of one name, their texts joined as they are.
nb_merge_streams = False
# Markdown outputs (the `show()` helper, doctor()'s report) are parsed as GitHub-flavoured Markdown,
# as JupyterLab renders them: tables become tables, [1](https://...) becomes a link.
nb_render_markdown_format = "gfm"

myst_enable_extensions = ["colon_fence", "deflist"]
# `[text](02_x.ipynb#a-heading)` and `[text](#a-heading)` resolve to headings down to level 3.
myst_heading_anchors = 3

exclude_patterns = ["**.ipynb_checkpoints", "notebooks/recordings"]

html_theme = "furo"
html_title = "Learn the OpenAI Responses API"
html_static_path = ["_static"]
# Declared on every page (so browsers do not ask for /favicon.ico, which the site does not have).
html_favicon = "_static/favicon.svg"
html_css_files = ["course.css"]
html_copy_source = False
html_show_sourcelink = False
html_last_updated_fmt = None
html_theme_options = {
    "navigation_with_keys": True,
    "top_of_page_buttons": [],
}
pygments_style = "friendly"
pygments_dark_style = "monokai"

# No MathJax: it would come from a CDN. Math renders as its TeX source in a styled element.
html_math_renderer = "plain"


def _visit_math(self, node: nodes.math) -> None:
    self.body.append(self.starttag(node, "code", "", CLASS="math notranslate"))
    self.body.append(self.encode(node.astext()) + "</code>")
    raise nodes.SkipNode


def _visit_math_block(self, node: nodes.math_block) -> None:
    self.body.append(self.starttag(node, "pre", "", CLASS="math notranslate"))
    self.body.append(self.encode(node.astext()) + "</pre>\n")
    raise nodes.SkipNode


def _lessons_are_one_sequence(app, pagename, templatename, context, doctree) -> None:
    """Next/Previous (furo's footer links) follow the table of contents, where the reference pages
    come after the notebooks: the last notebook's Next led to the README. The notebooks, whichever
    are present, are one sequence from the home page to the last of them; the reference pages are
    another, and neither leads into the other."""
    relations = app.env.collect_relations().get(pagename)
    if not relations or pagename == app.config.root_doc:
        return
    _parent, previous, following = relations

    def lesson(docname: str | None) -> bool:
        return bool(docname) and docname.startswith("notebooks/")

    if following and lesson(following) != lesson(pagename):
        context["next"] = None
    if previous and previous != app.config.root_doc and lesson(previous) != lesson(pagename):
        context["prev"] = None


def setup(app):
    app.connect("html-page-context", _lessons_are_one_sequence)
    app.add_html_math_renderer(
        "plain",
        inline_renderers=(_visit_math, None),
        block_renderers=(_visit_math_block, None),
    )
