"""What the illustrative recording of 04_multimodal says: one step per create, in notebook order.

Served by fake_api and captured by `make illustrate NB=notebooks/04_multimodal.ipynb`.

The answers describe what the inputs really show: the Wikimedia Commons photo of a boardwalk, and the
files drawn by scripts/draw_inputs.py (a 3-4-5 triangle with its squares, and a build report whose
numbers are in WEEKS and MINUTES there). The history in the search answer is stable and each claim is
cited to a real page about it. Images and page images are billed as input tokens, which the fake
server does not count, so each step sets ``input_tokens`` to a plausible size.

In today's live shapes: no request here asks gpt-5.4-mini to reason, so no step has a reasoning item
(its default effort, ``none``, is assumed from gpt-5.4's); the one search runs two queries, as one
real gpt-5.2 search did, and bills a few reasoning tokens; each citation is a link after the sentence
it backs (web_search_citations_gpt52 in ../shared/real-traffic).
"""

from fake_api import reply, text, web_search

PYTHAGOREAN = (
    "https://en.wikipedia.org/wiki/Pythagorean_theorem",
    "Pythagorean theorem - Wikipedia",
)
MACTUTOR = (
    "https://mathshistory.st-andrews.ac.uk/Biographies/Pythagoras/",
    "Pythagoras of Samos - Biography - MacTutor History of Mathematics",
)
PLIMPTON = ("https://en.wikipedia.org/wiki/Plimpton_322", "Plimpton 322 - Wikipedia")
EUCLID = (
    "https://mathcs.clarku.edu/~djoyce/java/elements/bookI/propI47.html",
    "Euclid's Elements, Book I, Proposition 47",
)

HISTORY_1 = (
    "The figure illustrates the Pythagorean theorem: in a right triangle, the square on the longest "
    "side equals the two other squares together, here 9 + 16 = 25."
)
HISTORY_2 = (
    "The theorem is named after Pythagoras, a Greek philosopher of the 6th century BC, but the "
    "relation was known long before him."
)
HISTORY_3 = (
    "The Babylonian clay tablet Plimpton 322, from around 1800 BC, lists sets of whole numbers "
    "that fit it."
)
HISTORY_4 = "Euclid proved it as Proposition 47 of Book I of his Elements, around 300 BC."

STEPS = [
    # An image by URL
    reply(
        text(
            "A straight wooden boardwalk runs through a field of tall green grass towards a line of "
            "trees and shrubs. Above it, a bright blue sky is streaked with thin white clouds."
        ),
        usage={"input_tokens": 1122},
    ),
    # A local image as a data URL, looked at closely (detail="high")
    reply(
        text(
            "The orange square has 9 small squares, the blue one 16 and the green one 25. The figure "
            "shows a right triangle with sides 3, 4 and 5 and a square built on each side: the two "
            "smaller squares together have as many cells as the largest (9 + 16 = 25). It is a "
            "picture of the Pythagorean theorem, a² + b² = c²."
        ),
        usage={"input_tokens": 486},
    ),
    # A PDF
    reply(
        text(
            "Two weeks missed the 10-minute target: week 3, at 11.4 minutes (1.4 minutes over), and "
            "week 4, at 12.0 minutes (2.0 minutes over). The report notes that both weeks included "
            "the migration to the new test runner."
        ),
        usage={"input_tokens": 1264},
    ),
    # Look, then search: one request
    reply(
        web_search(
            "Pythagorean theorem history",
            sources=[PYTHAGOREAN[0], MACTUTOR[0], EUCLID[0], PLIMPTON[0]],
            queries=["Pythagorean theorem history", "Plimpton 322 Pythagorean triples"],
        ),
        text(
            " ".join([HISTORY_1, HISTORY_2, HISTORY_3, HISTORY_4]),
            citations=[
                (HISTORY_2, *MACTUTOR),
                (HISTORY_3, *PLIMPTON),
                (HISTORY_4, *EUCLID),
                (HISTORY_4, *PYTHAGOREAN),
            ],
        ),
        usage={"input_tokens": 7358, "output_tokens_details": {"reasoning_tokens": 54}},
    ),
]
