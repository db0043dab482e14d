"""What the illustrative recording of 00_start_here says: one step per create, in notebook order.

Served by fake_api and captured by `make illustrate NB=notebooks/00_start_here.ipynb`.
"""

from fake_api import reply, text

STEPS = [
    # A first request: the one request of this notebook, so a learner sees replay (or live) work
    reply(
        text(
            "Welcome! Over the next six notebooks you will send requests, keep conversations, "
            "search the web, read images, run long jobs and call your own tools, one small "
            "working example at a time."
        )
    ),
]
