"""What the illustrative recording of 00_start_here says: one step per create, in notebook order.

Served by fake_api and captured by `make illustrate NB=notebooks/00_start_here.ipynb`.
The answer is one a model could give to its prompt: it knows it is welcoming someone to a course on
the Responses API, and nothing about this course's notebooks.
"""

from fake_api import reply, text

STEPS = [
    # A first request: the one request of this notebook, so a learner sees replay (or live) work
    reply(
        text(
            "Welcome aboard! You're about to learn how to build with the OpenAI Responses API, "
            "one request at a time, and we're glad you're here."
        )
    ),
]
