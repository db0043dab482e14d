"""What the illustrative recording of 08_reasoning says: one step per create, in notebook order.

Served by fake_api with today's live shapes (fake_api.live) and captured by
`make illustrate NB=notebooks/08_reasoning.ipynb`. The server echoes the settings each response ran
with (fake_api.reasoning): the effort asked for, or gpt-5.4-mini's default, assumed `none` as
gpt-5.4's is (unverified, and the notebook says so); a summary of "auto" as "detailed". It refuses a
reasoning item in the answer to a request that does not reason, so every step below with one asks
for an effort. Its clock dates completed_at from the output tokens (one second plus one per 60),
which is where the notebook's seconds come from. The 400 (effort "minimal") and the 404s (a
retrieve of a store=False response, a reasoning item sent back without its encrypted content) are
the server's own rules and use no step.
"""

from fake_api import function_call, reasoning, reply, text

SERVER = {"seed": "08_reasoning", "live_shapes": True}

ONLY = "The only possible order is B, D, C, A."

BLOCK = (
    "**Placing B and D together**\n\nD has to come right after B, so B and D form a block that "
    "can start in slot 1, 2 or 3, and C can only be in slot 2 or 3."
)
CASES = (
    "**Checking each place for the block**\n\nWith the block in slots 1 and 2, C takes slot 3 and "
    "A slot 4: B, D, C, A, with B before A. In slots 2 and 3 the block leaves no middle slot for "
    "C. In slots 3 and 4, C goes to slot 2 and A to slot 1, before B, which breaks the first rule. "
    "So B, D, C, A is the only order."
)
VERIFY = (
    "**Checking the answer**\n\nIn B, D, C, A, B comes before A, D is right after B, and C is "
    "third, neither first nor last: all three rules hold."
)

RACE_LOW = (
    "A race condition is a bug in which the result depends on the timing of two or more threads "
    "or processes that use the same data at once, so the program sometimes works and sometimes "
    "does not."
)
RACE_HIGH = (
    "A race condition happens when two or more threads, processes or machines use a shared "
    "resource at the same time, and the result depends on the order in which their operations "
    "happen to run. Because that order changes from run to run, the bug appears only sometimes, "
    "which makes it hard to reproduce and to debug.\n\n"
    "A classic example is two threads adding 1 to the same counter. Each one reads the value, "
    "adds 1 and writes it back. If both read 41 before either writes, both write 42, and one "
    "increment is lost, although the code looks correct when you read it line by line.\n\n"
    "Race conditions are not limited to threads. Two requests that check whether a username is "
    "free and then create it can both pass the check; a program that checks that a file exists "
    "and then opens it can find it gone in between (a time-of-check to time-of-use bug).\n\n"
    "The usual cures make the critical steps happen as one: locks or mutexes around the shared "
    "data, atomic operations such as compare-and-swap, transactions and unique constraints in a "
    "database, or designs that avoid shared mutable state altogether, such as message passing "
    "or immutable data."
)

STEPS = [
    # One task, four efforts: none, low, medium, high
    reply(text(ONLY)),
    reply(reasoning(tokens=192), text(ONLY)),
    reply(reasoning(tokens=576), text("Only one order works: B, D, C, A.")),
    reply(
        reasoning(tokens=1472),
        text(
            "Exactly one order is possible, B, D, C, A: B and D must open the schedule together, "
            "which leaves the third slot for C."
        ),
    ),
    # The model's default (no reasoning asked for)
    reply(text(ONLY)),
    # Reasoning summaries: auto, concise, detailed (all at medium effort)
    reply(reasoning(BLOCK, CASES, tokens=640), text("Only one order works: B, D, C, A.")),
    reply(
        reasoning(
            "**Solving the ordering**\n\nB and D must be adjacent and C must sit in the middle, "
            "which leaves only B, D, C, A.",
            tokens=512,
        ),
        text(ONLY),
    ),
    reply(
        reasoning(BLOCK, CASES, VERIFY, tokens=704),
        text("Only B, D, C, A satisfies all three rules."),
    ),
    # Reasoning around a tool call, with previous_response_id
    reply(
        reasoning(tokens=128),
        text("Let me look up order A-1042 first.", phase="commentary"),
        function_call("get_order", {"order_id": "A-1042"}),
    ),
    reply(
        reasoning(tokens=160),
        text(
            "Yes. Order A-1042 was promised for 28 November and has still not arrived, so it is "
            "now 4 days late, more than the 2 days our policy allows: you will get the 4.90 EUR "
            "shipping fee back."
        ),
    ),
    # Statelessly, with store=False: the first turn, then the second with the items sent back
    reply(
        reasoning(tokens=112),
        text("Let me check order A-1043.", phase="commentary"),
        function_call("get_order", {"order_id": "A-1043"}),
    ),
    reply(
        reasoning(tokens=144),
        text(
            "I'm sorry, but no: order A-1043 was promised for 30 November and delivered on "
            "1 December, one day late, and the shipping fee is refunded only when a parcel is "
            "more than 2 days late."
        ),
    ),
    # Verbosity: low, then high
    reply(text(RACE_LOW)),
    reply(text(RACE_HIGH)),
]
