"""What the illustrative recording of 02_conversation_state says: one step per create, in notebook order.

Served by fake_api and captured by `make illustrate NB=notebooks/02_conversation_state.ipynb`.
Retrieve, input items, delete and conversations are answered from the server's own state, and so are
the two creates the API refuses (continuing an unstored response, and `conversation` together with
`previous_response_id`): they take no step. Counting input tokens and compacting take none either:
the server counts and compacts what it holds (fake_api.compaction).
"""

from fake_api import reply, text

STEPS = [
    # Stored responses: the first joke
    reply(text("Why do programmers prefer dark mode? Because light attracts bugs.")),
    # store=False: answered, but kept nowhere (continuing it is refused without a step)
    reply(text("I'd tell you a coffee joke, but it would take a latte explaining.")),
    # Continuing with previous_response_id
    reply(
        text(
            "A programmer's partner says: \"Buy a loaf of bread, and if they have eggs, get a "
            'dozen." The programmer comes home with twelve loaves.'
        )
    ),
    # Forking from the first joke
    reply(
        text(
            "Fair enough. Try this one:\n\n"
            "There are 10 kinds of people in the world: those who understand binary and those "
            "who don't.\n\n"
            'How it differs: the first joke is a pun ("bugs" are both insects and software '
            "errors), so anyone who knows the word gets it. This one is an insider joke: "
            '"10" is two in binary, so it only lands if you read the number the way a computer '
            "does."
        )
    ),
    # What a chain costs: two more turns on the first branch
    reply(
        text(
            'It is funny because the programmer follows the request literally: "if they have '
            'eggs" was meant to change what to buy, but it changes how many loaves.'
        )
    ),
    reply(
        text("If they have eggs, twelve:\nthe program runs as written,\nloaves fill the kitchen.")
    ),
    # Managing a long context: the next turn, sent with context_management (below its threshold)
    reply(
        text(
            "He was asked to buy one loaf and, if there were eggs, twelve, so he came home with "
            "twelve loaves, because he did exactly what the words said."
        )
    ),
    # ... and the same question, stateless, from the compacted window
    reply(
        text(
            "The programmer was told to get twelve if there were eggs, and he got twelve loaves of "
            "bread instead of twelve eggs, which is silly because he only followed the words."
        )
    ),
    # What carries over: instructions on the first turn only
    reply(
        text(
            "Arr, a variable be a named chest where ye stow a value, and ye can swap the "
            "treasure inside whenever ye please!"
        )
    ),
    reply(
        text(
            "A constant is a named value that is set once and cannot be changed while the "
            "program runs."
        )
    ),
    # ... and with the instructions sent again
    reply(
        text(
            "Arr, a constant be treasure nailed to the deck: once ye set it, no hand aboard "
            "can change it!"
        )
    ),
    # The Conversations API
    reply(text('A SQL query walks into a bar, goes up to two tables and asks: "Can I join you?"')),
    reply(
        text(
            "It plays on JOIN, the SQL operation that combines rows from two tables, and on "
            "asking to sit down at someone's table."
        )
    ),
]
