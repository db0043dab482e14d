"""A pytest plugin with no hooks, named first on the command line (``-p scripts.pytest_startup``, as
``make test`` does) so that it runs before pytest imports its installed plugins.

nbval's plugin imports nbformat, nbformat imports jsonschema, and jsonschema's format checkers import
``rfc3987_syntax`` when it is installed (jupyter-events pulls it in here): that compiles about 40 lark
grammars, 1-2 s in every pytest process and every xdist worker, for IRI format checks nbformat never
makes. Marking the module as absent makes jsonschema skip only those checks. The repository's
conftest.py is too late for this: pytest imports installed plugins before any conftest.py.
"""

from __future__ import annotations

import sys

sys.modules.setdefault("rfc3987_syntax", None)
