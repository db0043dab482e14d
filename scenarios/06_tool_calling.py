"""What the illustrative recording of 06_tool_calling says: one step per create, in notebook order.

Served by fake_api and captured by `make illustrate NB=notebooks/06_tool_calling.ipynb`.
In today's live shapes the requests to gpt-5.4-mini ask for no reasoning effort, so their steps
have no reasoning item (its default effort, none, is assumed from gpt-5.4's).
The notebook's Python functions really run while it is recorded: qwerty_rows computes its answers,
and deep_research sends its own background request (step 3 here) and polls it with wait(). The
fake server dates completed_at from the output tokens (about one second per 60), so that research
job ran for about seven minutes: 40 polls at ten seconds.
"""

from fake_api import find_in_page, function_call, open_page, reasoning, reply, text, web_search

WIKI = "https://en.wikipedia.org/wiki/Dvorak_keyboard_layout"
DAVID = "https://www.jstor.org/stable/1805621"
FABLE = "https://doi.org/10.1086/467198"

QUESTION = (
    "Was the Dvorak Simplified Keyboard ever shown to be faster than QWERTY? Summarise the main "
    "studies, how they were run, and how economists and historians have judged them, with sources."
)

REPORT = (
    "**In brief.** The claim that Dvorak is much faster rests mainly on tests run under its "
    "inventor's supervision; later, independent work found small advantages at best.\n\n"
    "**The layout.** August Dvorak and William Dealey patented the Dvorak Simplified Keyboard in "
    "1936. It puts the most used letters on the home row to cut finger travel.\n\n"
    "**The case for Dvorak.** In 1985 the economist Paul David made QWERTY the classic example of "
    "an inferior standard kept in place by lock-in. His evidence was US Navy experiments of the "
    "1940s, reported to show that retraining typists on Dvorak would repay its cost within ten "
    "days of full-time work.\n\n"
    "**The critique.** Stan Liebowitz and Stephen Margolis went back to the sources in 1990. The "
    "Navy tests had been run under the supervision of Dvorak himself, the Navy's expert on time "
    "and motion studies and the holder of the patent, and they questioned how the tests were "
    "done. They gave more weight to a 1956 study for the US General Services Administration, led "
    "by Earle Strong, which found that retraining government typists on Dvorak did not pay off.\n\n"
    "**Where that leaves it.** Later comparisons give mixed results: Dvorak reduces finger "
    "movement, but the measured speed gains are small, and for a trained typist the cost of "
    "switching is real."
)

ANSWER = (
    "Not convincingly. The case for Dvorak rests mostly on US Navy tests from the 1940s, run under "
    "the supervision of August Dvorak himself; the economist Paul David cited them in 1985 as proof "
    f"that QWERTY survives only through lock-in ([David, 1985]({DAVID})). Stan Liebowitz and "
    "Stephen Margolis later questioned those tests and pointed to a 1956 US General Services "
    "Administration study in which retraining typists on Dvorak did not pay off "
    f"([Liebowitz and Margolis, 1990]({FABLE})). Later comparisons find modest gains at most "
    f"([Wikipedia]({WIKI})).\n\n"
    "In short: Dvorak may need less finger movement, but there is no solid evidence that it is "
    "much faster, and switching has a real cost for a trained typist."
)

STEPS = [
    # The model decides: a question it answers itself...
    reply(text("Q, W, E, R, T and Y: the first six letters of the top letter row, from the left.")),
    # ... and one for which it calls deep_research
    reply(function_call("deep_research", {"question": QUESTION})),
    # Inside deep_research: the deep research model, in background mode
    reply(
        # A reasoning model browses: a reasoning item before each step (search, open a page,
        # find words in it), as real traffic of reasoning models shows.
        reasoning(tokens=1920),
        web_search("Dvorak Simplified Keyboard patent 1936 Dealey"),
        reasoning(tokens=1920),
        web_search("US Navy Dvorak typing experiment 1944"),
        reasoning(tokens=2560),
        web_search("Paul David Clio and the Economics of QWERTY 1985"),
        reasoning(tokens=1280),
        web_search("Liebowitz Margolis The Fable of the Keys Navy study"),
        reasoning(tokens=640),
        open_page(FABLE),
        reasoning(tokens=640),
        find_in_page(FABLE, "Strong"),
        reasoning(tokens=3200),
        web_search("Earle Strong 1956 General Services Administration Dvorak study"),
        reasoning(tokens=3200),
        web_search("Dvorak versus QWERTY typing speed comparison"),
        reasoning(tokens=8192),
        text(
            REPORT,
            citations=[
                (
                    "patented the Dvorak Simplified Keyboard in 1936",
                    WIKI,
                    "Dvorak keyboard layout - Wikipedia",
                ),
                (
                    "made QWERTY the classic example of an inferior standard kept in place by "
                    "lock-in",
                    DAVID,
                    "Clio and the Economics of QWERTY",
                ),
                (
                    "repay its cost within ten days of full-time work",
                    DAVID,
                    "Clio and the Economics of QWERTY",
                ),
                ("they questioned how the tests were done", FABLE, "The Fable of the Keys"),
                (
                    "retraining government typists on Dvorak did not pay off",
                    FABLE,
                    "The Fable of the Keys",
                ),
                (
                    "Later comparisons give mixed results",
                    WIKI,
                    "Dvorak keyboard layout - Wikipedia",
                ),
            ],
        ),
        usage={"input_tokens": 39_804, "input_tokens_details": {"cached_tokens": 14_336}},
        background=["queued"] * 2 + ["in_progress"] * 38 + ["completed"],
    ),
    # The model's answer, from the research it asked for
    reply(text(ANSWER)),
    # Several calls in one turn...
    reply(
        function_call("qwerty_rows", {"word": "typewriter"}),
        function_call("qwerty_rows", {"word": "proprietor"}),
        function_call("qwerty_rows", {"word": "keyboard"}),
    ),
    # ... answered from the three results
    reply(
        text(
            "**typewriter** and **proprietor** can: all ten letters of each are on the top row. "
            "**keyboard** cannot: only e, y, o and r are on the top row; k, a and d are on the "
            "home row and b is on the bottom row."
        )
    ),
    # run_tools: a function that raises, and a model that recovers
    reply(
        function_call("qwerty_rows", {"word": "flask"}),
        function_call("qwerty_rows", {"word": "R2-D2"}),
        function_call("qwerty_rows", {"word": "salad"}),
    ),
    reply(function_call("qwerty_rows", {"word": "RD"})),
    reply(
        text(
            "**flask** and **salad** can: every one of their letters is on the home row. "
            "**R2-D2** cannot: the 2s and the hyphen are on the number row, and R is on the top "
            "row; only D is on the home row."
        )
    ),
    # run_tools: max_turns=1 stops a loop before it runs
    reply(function_call("qwerty_rows", {"word": "quiet"})),
]
