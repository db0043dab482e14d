"""What the illustrative recording of 05_background says: one step per create, in notebook order.

Served by fake_api and captured by `make illustrate NB=notebooks/05_background.ipynb`.
A background step lists the status each poll sees (the create answers the first). The fake server
dates a response's completed_at from its output tokens (about one second per 60), so the deep
research job, with some 30,000 reasoning tokens, ran for about eight and a half minutes: 51 polls at
the notebook's ten-second interval.

In today's live shapes the requests that ask gpt-5.4-mini for no reasoning effort have no reasoning
item (its default effort, none, is assumed from gpt-5.4's).
"""

from fake_api import find_in_page, open_page, reasoning, reply, text, web_search

WIKI = "https://en.wikipedia.org/wiki/QWERTY"
YASUOKA = "https://doi.org/10.14989/139379"
SMITHSONIAN = (
    "https://www.smithsonianmag.com/arts-culture/"
    "fact-of-fiction-the-legend-of-the-qwerty-keyboard-49863249/"
)
ATLANTIC = (
    "https://www.theatlantic.com/technology/archive/2013/05/"
    "the-lies-youve-been-told-about-the-origin-of-the-qwerty-keyboard/275537/"
)

STORY = (
    "Every night at eleven, Ines Harrow climbed to the lamp room with a jar. Ships no longer "
    "needed her light, so she caught the sounds the sea left behind: a bell from a wreck, a "
    "gull's argument, a sailor humming off key. She labelled each jar and lined them on the "
    "shelf. One stormy night the town's power failed, and the harbour went silent and dark. "
    "Ines opened the jars one by one. The bell rang, the gulls argued, the sailor hummed, and "
    "the fishing boats followed the sounds home. In the morning the shelf was empty, and Ines "
    "began again."
)

PUZZLE = (
    "A number that leaves remainder 1 when divided by 2, 3, 4, 5 and 6 is one more than a "
    "multiple of their least common multiple, 60: so it is 61, 121, 181, 241, 301, ...\n"
    "Checking each for divisibility by 7: 61, 121, 181 and 241 are not multiples of 7, but "
    "301 = 7 × 43.\n"
    "The smallest such number is **301**."
)

REPAIR_STORY = (
    "Amos had fixed typewriters on Dock Street for forty years, so the Underwood that came in "
    "with a sticking E did not worry him. He lifted the carriage, and a folded sheet slid out "
    "from under the platen, typed in faded violet ink. It was dated 1952 and began: To whoever "
    "mends this machine. The writer, a court stenographer, had hidden an apology to her sister "
    "inside the machine she used every day, never sent. Amos fixed the E, typed a fresh copy, "
    "and took it to the address on the letterhead. The sister's granddaughter answered the door "
    "and read it twice on the step."
)

REPORT = (
    "**Short answer: probably not.** The story that Christopher Latham Sholes arranged the keys "
    "to slow typists down, so that the typebars of early machines would not jam, is widely "
    "repeated, but historians who went back to the patents and letters of the time describe a "
    "more tangled origin.\n\n"
    "**How the layout came about.** Sholes and his partners patented their type-writer in 1868 "
    "with a piano-style keyboard, and the arrangement changed from one prototype to the next. "
    "By April 1870 it had become a four-row, upper-case keyboard close to today's. In 1873 the "
    "manufacturing rights were sold to E. Remington and Sons, whose mechanics made the last "
    "adjustments; the layout in Sholes's 1878 patent is essentially QWERTY.\n\n"
    "**What the sources say about the slow-down story.** Koichi and Motoko Yasuoka trace the "
    "keyboard back to printing-telegraph instruments and argue that its early users, telegraph "
    "operators transcribing Morse code, shaped it: in American Morse, Z is easily confused with "
    "SE, which helps explain why S sits next to both Z and E. They call the slow-down explanation "
    "nonsense. Popular accounts also repeat two other stories, that common letter pairs were "
    "split up to prevent jams, and that salesmen could type TYPE WRITER from the top row; the "
    "second is unsubstantiated.\n\n"
    "**Conclusion.** Jamming was a real problem for early machines, and it shaped some choices, "
    "but there is no good evidence that the layout was designed to make typists slower. It grew "
    "out of telegraph equipment and years of trial and error, and it was fixed by the commercial "
    "success of the Remington machines."
)

STEPS = [
    # Starting a job; polling by hand (four polls)
    reply(
        text(STORY),
        background=["queued", "in_progress", "in_progress", "in_progress", "completed"],
    ),
    # Waiting with wait(): high reasoning effort, about 35 seconds at 2-second polls
    reply(
        reasoning(tokens=2048),
        text(PUZZLE),
        background=["queued", "queued"] + ["in_progress"] * 15 + ["completed"],
    ),
    # When a job does not complete: 16 output tokens, all spent on reasoning. (The request asks
    # for no effort, so no reasoning item: the tokens are billed as reasoning without one, as
    # gpt-5.2's searches at effort none are in real traffic.)
    reply(
        incomplete_reason="max_output_tokens",
        usage={"output_tokens_details": {"reasoning_tokens": 16}},
        background=["queued", "in_progress", "incomplete"],
    ),
    # Cancelling: cancelled while still queued
    reply(
        reasoning(tokens=4096),
        text("This history was cancelled before a word of it was written."),
        background=["queued", "in_progress", "completed"],
    ),
    # Only background responses can be cancelled
    reply(text("Ready.")),
    # Streaming a background job, losing the connection and resuming
    reply(text(REPAIR_STORY)),
    # Deep research: a real long job
    reply(
        # A reasoning model browses: a reasoning item before each step (search, open a page,
        # find words in it), as real traffic of reasoning models shows.
        reasoning(tokens=2304),
        web_search("QWERTY keyboard layout origin Sholes 1868 1873"),
        reasoning(tokens=2304),
        web_search("QWERTY designed to slow down typists myth"),
        reasoning(tokens=2048),
        web_search("Yasuoka On the Prehistory of QWERTY telegraph Morse"),
        reasoning(tokens=1024),
        open_page(YASUOKA),
        reasoning(tokens=1024),
        find_in_page(YASUOKA, "Morse"),
        reasoning(tokens=2048),
        web_search("Sholes and Glidden Remington 1873 keyboard changes"),
        reasoning(tokens=2816),
        web_search("Smithsonian legend of the QWERTY keyboard"),
        reasoning(tokens=2816),
        web_search("QWERTY TYPE WRITER top row salesmen claim"),
        reasoning(tokens=3328),
        web_search("Sholes 1878 patent QWERTY keyboard"),
        reasoning(tokens=3328),
        web_search("The Atlantic origin of the QWERTY keyboard"),
        reasoning(tokens=7168),
        text(
            REPORT,
            citations=[
                (
                    "historians who went back to the patents and letters of the time",
                    ATLANTIC,
                    "The Lies You've Been Told About the Origin of the QWERTY Keyboard",
                ),
                (
                    "By April 1870 it had become a four-row, upper-case keyboard close to today's",
                    WIKI,
                    "QWERTY - Wikipedia",
                ),
                (
                    "the layout in Sholes's 1878 patent is essentially QWERTY",
                    WIKI,
                    "QWERTY - Wikipedia",
                ),
                (
                    "which helps explain why S sits next to both Z and E",
                    YASUOKA,
                    "On the Prehistory of QWERTY",
                ),
                (
                    "They call the slow-down explanation nonsense",
                    YASUOKA,
                    "On the Prehistory of QWERTY",
                ),
                (
                    "salesmen could type TYPE WRITER from the top row",
                    SMITHSONIAN,
                    "Fact of Fiction? The Legend of the QWERTY Keyboard",
                ),
                ("the second is unsubstantiated", WIKI, "QWERTY - Wikipedia"),
            ],
        ),
        usage={"input_tokens": 48_312, "input_tokens_details": {"cached_tokens": 17_920}},
        background=["queued"] * 3 + ["in_progress"] * 48 + ["completed"],
    ),
]
