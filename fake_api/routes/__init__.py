"""Every route the server serves, one module a resource family. A new family (files, vector
stores, ...) is a module here with its own ``ROUTES`` list, added to the table below."""

from __future__ import annotations

from . import containers, context, conversations, files, responses, vector_stores

ROUTES = [
    *responses.ROUTES,
    *context.ROUTES,
    *conversations.ROUTES,
    *files.ROUTES,
    *vector_stores.ROUTES,
    *containers.ROUTES,
]
