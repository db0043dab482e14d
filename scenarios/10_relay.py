"""What the illustrative recording of 10_relay says: one step per create, in the order the creates
reach the fake server, whether the notebook's kernel or its relay sends them.

Served by fake_api and captured by `make illustrate NB=notebooks/10_relay.ipynb`. The relay the
notebook starts is recorded too, into its own part of the recording (``"process": "relay"``): the
research requests are the relay's, the two turns of the client-side loop at the end are the
kernel's. Each relay endpoint sends its create before it answers, so the order below is the
notebook's. The relay polls the fake server every 0.05 s while it is recorded, so the job that is
cancelled has a few polls before its cancel; replay follows them, however many there are.
"""

from fake_api import function_call, reasoning, reply, text, web_search

SHOLES = "https://en.wikipedia.org/wiki/Sholes_and_Glidden_typewriter"
QWERTY = "https://en.wikipedia.org/wiki/QWERTY"
AZERTY = "https://en.wikipedia.org/wiki/AZERTY"
BLICK = "https://en.wikipedia.org/wiki/Blickensderfer_typewriter"
COLEMAK = "https://en.wikipedia.org/wiki/Colemak"
QWERTZ = "https://en.wikipedia.org/wiki/QWERTZ"
ISO = "https://en.wikipedia.org/wiki/ISO/IEC_9995"


def cited(content: str, *citations: tuple[str, str, str]) -> object:
    """``text()`` with a citation per ``(phrase, url, title)``: the builder writes each as the live
    API does, an inline link after the full stop of the phrase's sentence."""
    return text(content, citations=citations)


SHOLES_TITLE = "Sholes and Glidden typewriter - Wikipedia"
QWERTY_TITLE = "QWERTY - Wikipedia"

BRIEF = (
    "**The Sholes and Glidden Type-Writer, made by E. Remington and Sons from 1873.** It was the "
    "first typewriter to sell in numbers, and it had the QWERTY layout."
    "\n\n"
    "- Christopher Latham Sholes, Carlos Glidden and Samuel Soule patented their machine in 1868; "
    "its keyboard changed from one prototype to the next."
    "\n"
    "- Remington bought the rights in 1873 and put the machine on sale in 1874, with QWERTY on "
    "its four rows of keys.\n"
    "- The layout in Sholes's 1878 patent is essentially the one in use today."
)

AZERTY_REPORT = (
    "**AZERTY is the French adaptation of the typewriter keyboard.** It appeared on French "
    "typewriters at the end of the 19th century and swaps A with Q and Z with W, moves M to the "
    "right of L, and gives the number row to accents and punctuation, with the digits on Shift."
    "\n\n"
    "**What changed in 2019.** France's standards body, AFNOR, published the first French "
    "standard for keyboards, NF Z71-300. Its new AZERTY keeps the letters where they were but "
    "makes room for what French needs and the old layout lacked, such as capital accented "
    "letters, the œ ligature and French quotation marks."
)

BLICK_REPORT = (
    "The Blickensderfer typewriter, shown by George Canfield Blickensderfer at the 1893 World's "
    "Columbian Exposition in Chicago, printed from a small type wheel rather than typebars, so "
    "it could not jam and had no reason to keep common letters apart. Its Scientific keyboard "
    "put the most used letters of English, DHIATENSOR, on the bottom row, nearest the typist, "
    "and was meant to cut the distance the fingers travel. A QWERTY "
    "version was sold as well, for typists who had learned on Remington machines."
)

SURVEY = (
    "A survey of every English keyboard layout since 1870 would have begun with the Sholes "
    "prototypes."
)

COLEMAK_REPORT = (
    "Colemak was designed by Shai Coleman and released on 1 January 2006. It keeps QWERTY's "
    "bottom-row shortcuts (Z, X, C and V) and most punctuation where they were, and moves 17 "
    "keys, so that the most common letters of English sit on the home row."
)

QWERTZ_QUESTION = (
    "Why do German-language keyboards (QWERTZ) swap the Y and Z keys of QWERTY, and where is "
    "that layout used?"
)
QWERTZ_REPORT = (
    "QWERTZ is the layout of Germany, Austria and German-speaking Switzerland, and of much of "
    "central Europe. It swaps QWERTY's Y and Z because Z is far more common than Y in German, and "
    "because T and Z often follow each other there, so the two are better side by side. It also "
    "keeps keys for ä, ö, ü and ß."
)
QWERTZ_ANSWER = (
    "Because Z is much more common than Y in German, QWERTZ keyboards put Z where English ones "
    "have Y, and that also sets T and Z, a frequent pair in German, side by side. The layout is "
    "used in Germany, Austria, German-speaking Switzerland and much of central Europe."
)

ISO_QUESTION = (
    "What does the international standard ISO/IEC 9995 define for computer keyboards, and how "
    "does it name the keys?"
)
ISO_REPORT = (
    "ISO/IEC 9995, first published in 1994, is a standard in several parts for the layout of "
    "keyboards for text and office systems. It divides a keyboard into sections and zones, and "
    "names every key position by a row letter, from A for the space bar row to E for the digit "
    "row, and a column number, so that a layout can be described whatever is printed on its keys."
)
ISO_ANSWER = (
    "ISO/IEC 9995 is the international standard for keyboard layouts for text and office "
    "systems. Rather than fixing which letters go where, it names each key position by a row, "
    "from A (the space bar row) to E (the digit row), and a column number, which lets any "
    "national layout be described on the same grid."
)

STEPS = [
    # The relay, in the foreground: one create, answered when the research is done
    reply(
        reasoning(tokens=768),
        web_search("Sholes and Glidden typewriter Remington 1873 QWERTY"),
        reasoning(tokens=384),
        web_search("first commercial typewriter QWERTY keyboard 1874"),
        reasoning(tokens=384),
        cited(
            BRIEF,
            ("the QWERTY layout", SHOLES, SHOLES_TITLE),
            ("changed from one prototype", QWERTY, QWERTY_TITLE),
            ("on sale in 1874", SHOLES, SHOLES_TITLE),
            ("1878 patent", QWERTY, QWERTY_TITLE),
        ),
    ),
    # In the background, waited for with /wait
    reply(
        reasoning(tokens=1024),
        web_search("AZERTY keyboard history France"),
        reasoning(tokens=512),
        web_search("AFNOR NF Z71-300 2019 AZERTY"),
        reasoning(tokens=512),
        cited(
            AZERTY_REPORT,
            ("the digits on Shift", AZERTY, "AZERTY - Wikipedia"),
            ("French quotation marks", AZERTY, "AZERTY - Wikipedia"),
        ),
        background=["queued", "in_progress", "in_progress", "completed"],
    ),
    # As a stream, cut and resumed
    reply(
        reasoning(tokens=640),
        web_search("Blickensderfer typewriter DHIATENSOR keyboard"),
        reasoning(tokens=384),
        cited(BLICK_REPORT, ("DHIATENSOR", BLICK, "Blickensderfer typewriter - Wikipedia")),
        background=["queued", "in_progress", "completed"],
    ),
    # A long job, cancelled
    reply(
        reasoning(tokens=8192),
        text(SURVEY),
        background=["queued"] + ["in_progress"] * 200 + ["completed"],
    ),
    # Sent twice with one Idempotency-Key: one job
    reply(
        reasoning(tokens=512),
        web_search("Colemak keyboard layout Shai Coleman 2006"),
        reasoning(tokens=256),
        cited(COLEMAK_REPORT, ("home row", COLEMAK, "Colemak - Wikipedia")),
        background=["queued", "in_progress", "completed"],
    ),
    # The chat endpoint: the model calls deep_research ...
    reply(
        function_call("deep_research", {"research_question": QWERTZ_QUESTION}),
    ),
    # ... the relay runs it as a background invocation ...
    reply(
        reasoning(tokens=768),
        web_search("QWERTZ keyboard why Y and Z swapped German"),
        reasoning(tokens=512),
        cited(QWERTZ_REPORT, ("ä, ö, ü and ß", QWERTZ, "QWERTZ - Wikipedia")),
        background=["queued", "in_progress", "completed"],
    ),
    # ... and sends the report back for the answer
    reply(cited(QWERTZ_ANSWER, ("central Europe", QWERTZ, "QWERTZ - Wikipedia"))),
    # Notebook 06's loop in the kernel: the model asks for deep_research ...
    reply(function_call("deep_research", {"question": ISO_QUESTION})),
    # ... which the kernel runs on the relay ...
    reply(
        reasoning(tokens=1024),
        web_search("ISO/IEC 9995 keyboard layout standard key positions"),
        reasoning(tokens=768),
        cited(ISO_REPORT, ("whatever is printed", ISO, "ISO/IEC 9995 - Wikipedia")),
        background=["queued", "in_progress", "in_progress", "completed"],
    ),
    # ... and the kernel sends the report back
    reply(cited(ISO_ANSWER, ("on the same grid", ISO, "ISO/IEC 9995 - Wikipedia"))),
]
