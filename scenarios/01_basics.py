"""What the illustrative recording of 01_basics says: one step per create, in notebook order.

Served by fake_api and captured by `make illustrate NB=notebooks/01_basics.ipynb`.
"""

from fake_api import reasoning, reply, text

STEPS = [
    # A first request
    reply(
        text(
            "I told my partner I'd commit to the relationship, but first I need to resolve a few conflicts."
        )
    ),
    # Why output[0].content[0].text breaks: the request makes the model reason (effort low), so a
    # reasoning item comes first; its summary is there because the request asked for one
    reply(
        reasoning(
            "**Checking 2027 for divisors**\n\nA composite number has a prime factor no larger "
            "than its square root, which is about 45.02, so only the primes up to 43 need "
            "checking. None of 2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41 or 43 divides 2027, "
            "so it is prime."
        ),
        text("Yes. 2027 has no prime factor up to its square root (about 45.02), so it is prime."),
    ),
    # Instructions
    reply(
        text(
            "An API is like a restaurant menu for programs: it lists what you can ask another "
            "program for and how to ask. Your program places the order, and the other program "
            "sends back the dish."
        )
    ),
    # A conversation as input
    reply(text("Orange.")),
    # Streaming
    reply(text("Coffee cools slowly,\nthe progress bar stops and starts,\npatience compiles.")),
]
