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
# Show consecutive stdout/stderr chunks of one cell as one block.
nb_merge_streams = True
# Markdown outputs (the `show()` helper) are parsed as CommonMark: [1](https://...) becomes a link.
nb_render_markdown_format = "commonmark"

myst_enable_extensions = ["colon_fence", "deflist"]
# `[text](02_x.ipynb#a-heading)` and `[text](#a-heading)` resolve to headings down to level 3.
myst_heading_anchors = 3

exclude_patterns = ["**.ipynb_checkpoints", "notebooks/recordings"]

html_theme = "furo"
html_title = "Learn the OpenAI Responses API"
html_static_path = ["_static"]
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


def setup(app):
    app.add_html_math_renderer(
        "plain",
        inline_renderers=(_visit_math, None),
        block_renderers=(_visit_math_block, None),
    )
