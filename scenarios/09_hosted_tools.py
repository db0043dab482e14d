"""What the illustrative recording of 09_hosted_tools says: one step per create, in notebook order.

Served by fake_api with today's live shapes and captured by
`make illustrate NB=notebooks/09_hosted_tools.ipynb`. Everything else the notebook calls (files,
the vector store and its file batch, polled until its three files are indexed, the container, its
files and the download) is the server's own state (fake_api.resources); the 400 for a
code_interpreter tool without a container is the server's rule and uses no step.

What each tool found or made is written here and checked by the server against what it holds:
file search results are the course's own help-centre pages (notebooks/data/help_centre/, one chunk
each, as files this small are), cited by the answer; the numbers the code interpreter prints and
the answer states are computed below from notebooks/data/orders.csv, the file the notebook uploads;
the chart the code saves and the generated image are the course-made stand-ins that
scripts/draw_hosted.py draws (images/). The MCP server is DeepWiki's public server, as used in
OpenAI's and others' examples; its tool list is shaped like the one real traffic shows, and its
answer, written for the course, states what the installed SDK does (openai/_constants.py,
_base_client.py: 2 retries; 408, 409, 429, 5xx and connection errors; 0.5 s to 8 s backoff; a
Retry-After of up to two minutes honoured).
"""

import base64
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "scripts"))  # for python -m fake_api, which runs this file alone

from draw_hosted import CHART, ICON, late_orders  # noqa: E402

from fake_api import (  # noqa: E402
    cited,
    code_interpreter,
    file_search,
    found,
    image_generation,
    mcp_approval_request,
    mcp_call,
    mcp_list_tools,
    mcp_tool,
    reply,
    text,
    written,
)

SERVER = {"seed": "09_hosted_tools", "live_shapes": True}

HELP = REPO / "notebooks" / "data" / "help_centre"
ORDERS = REPO / "notebooks" / "data" / "orders.csv"
IMAGES = REPO / "images"


def page(name: str) -> str:
    return (HELP / name).read_text(encoding="utf-8")


# ---- File search: a question the help centre answers from two of its three pages -------------

QUERIES = (
    "return worn jacket leaking seam",
    "who pays return shipping faulty item",
    "Fernhill jacket warranty repair",
)
RESULTS = [
    found("returns.md", page("returns.md"), 0.83),
    found("warranty.md", page("warranty.md"), 0.71),
    found("shipping.md", page("shipping.md"), 0.38),
]
ANSWER = (
    "Yes. A leaking seam is a fault, and clothing you have worn can still be returned when it is "
    "faulty. Because the jacket is faulty, the return shipping is free: you get a prepaid label "
    "from your order page, and no 3.90 EUR is deducted from the refund. If you would rather keep "
    "the jacket, the warranty covers it too: Fernhill jackets have a 5-year warranty, and a repair "
    "usually takes 10 working days, with the shipping paid both ways."
)
CITATIONS = [
    ("returned when it is faulty", "returns.md"),
    ("deducted from the refund", "returns.md"),
    ("have a 5-year warranty", "warranty.md"),
    ("with the shipping paid both ways", "warranty.md"),
]


def searched():
    return reply(file_search(*QUERIES, results=RESULTS), cited(ANSWER, files=CITATIONS))


# ---- Code interpreter: the numbers come from the CSV the notebook uploads ----------------------

LATE = late_orders(ORDERS)
TOTAL = len(ORDERS.read_text(encoding="utf-8").strip().splitlines()) - 1
BY_MONTH = {}
for row in LATE:
    BY_MONTH[row["promised"][:7]] = BY_MONTH.get(row["promised"][:7], 0) + 1
REFUND = sum(float(row["shipping_fee"]) for row in LATE)
FREE = sum(1 for row in LATE if float(row["shipping_fee"]) == 0)
MONTH_NAMES = {"2026-09": "September", "2026-10": "October", "2026-11": "November"}

CODE = """import pandas as pd

orders = pd.read_csv("/mnt/data/orders.csv", parse_dates=["promised", "delivered"])
orders["days_late"] = (orders["delivered"] - orders["promised"]).dt.days
late = orders[orders["days_late"] > 2]
by_month = late.groupby(late["promised"].dt.strftime("%Y-%m")).size()
print(by_month.to_string())
print(f"late orders: {len(late)} of {len(orders)}")
print(f"shipping fees to refund: {late['shipping_fee'].sum():.2f} EUR")

ax = by_month.plot.bar(color="#D55E00", width=0.5, title="Late deliveries by month")
ax.set_xlabel("promised month")
ax.set_ylabel("orders more than 2 days late")
ax.figure.tight_layout()
ax.figure.savefig("/mnt/data/late_by_month.png", dpi=80)
"""
LOGS = (
    "promised\n"
    + "".join(f"{month}    {count}\n" for month, count in sorted(BY_MONTH.items()))
    + f"late orders: {len(LATE)} of {TOTAL}\n"
    + f"shipping fees to refund: {REFUND:.2f} EUR\n"
)
MONTHS = [f"{count} in {MONTH_NAMES[month]}" for month, count in sorted(BY_MONTH.items())]
LINK = "[late_by_month.png](sandbox:/mnt/data/late_by_month.png)"
ANALYSIS = (
    f"Of the {TOTAL} orders last quarter, {len(LATE)} arrived more than 2 days after their promised "
    f"date: {', '.join(MONTHS[:-1])} and {MONTHS[-1]}. Their shipping fees come to {REFUND:.2f} "
    f"EUR, which the policy says to refund ({FREE} of the {len(LATE)} had free shipping). The "
    f"chart is saved in the container: {LINK}"
)

# ---- A remote MCP server: DeepWiki, asked about the openai-python repository ---------------------

REPO_NAME = "openai/openai-python"
DEEPWIKI_TOOLS = [
    mcp_tool(
        "read_wiki_structure",
        "Get a list of documentation topics for a GitHub repository",
        {"repoName": 'GitHub repository: owner/repo (e.g. "facebook/react")'},
    ),
    mcp_tool(
        "read_wiki_contents",
        "View documentation about a GitHub repository",
        {"repoName": 'GitHub repository: owner/repo (e.g. "facebook/react")'},
    ),
    mcp_tool(
        "ask_question",
        "Ask any question about a GitHub repository",
        {
            "repoName": 'GitHub repository: owner/repo (e.g. "facebook/react")',
            "question": "The question to ask about the repository",
        },
    ),
]
ASK = {
    "repoName": REPO_NAME,
    "question": "How many times does the client retry a failed request by default, and which "
    "errors does it retry?",
}
DEEPWIKI_ANSWER = """By default the client retries a failed request **2 times** \
(`DEFAULT_MAX_RETRIES = 2` in `src/openai/_constants.py`), so one call makes at most 3 attempts.

## What is retried

`_should_retry()` in `src/openai/_base_client.py` retries:

- connection errors and timeouts
- `408 Request Timeout`
- `409 Conflict` (lock timeouts)
- `429 Too Many Requests`
- any status of 500 and above

A server can decide for itself with the `x-should-retry` response header (`true` or `false`).

## Backoff

Between attempts the client waits with exponential backoff and jitter, from 0.5 seconds \
(`INITIAL_RETRY_DELAY`) up to 8 seconds (`MAX_RETRY_DELAY`). A `Retry-After` header of up to two \
minutes is honoured instead.

## Changing it

Pass `max_retries` to the client, `OpenAI(max_retries=5)`, or set it for one call with \
`client.with_options(max_retries=0)`.
"""
MCP_ANSWER = (
    "By default the openai-python client retries a failed request twice, so a call makes at most "
    "three attempts. It retries connection errors and timeouts, 408 Request Timeout, 409 Conflict, "
    "429 Too Many Requests and every 5xx error, waiting with exponential backoff from 0.5 to 8 "
    "seconds, or as long as a Retry-After header asks (up to two minutes). Change it with "
    "`OpenAI(max_retries=...)`, or for one call with `client.with_options(max_retries=...)`."
)

# ---- Image generation: the course-made 64x64 stand-in -------------------------------------------

ICON_BASE64 = base64.b64encode((IMAGES / ICON).read_bytes()).decode("ascii")
REVISED = (
    "A flat, minimal vector-style icon of a red and white striped lighthouse on a dark rock at "
    "dusk, two soft beams of light over a deep blue sea under a warm orange sky, no text"
)

STEPS = [
    # File search: the question, then again with include=["file_search_call.results"]
    searched(),
    searched(),
    # Code interpreter (the 400 for a tool without a container uses no step)
    reply(
        code_interpreter(
            CODE,
            logs=LOGS,
            files=[written("late_by_month.png", (IMAGES / CHART).read_bytes(), "image/png")],
        ),
        cited(ANALYSIS, container_files=[(LINK, "late_by_month.png")]),
    ),
    # A remote MCP server: the tools listed and an approval request, then the call once approved
    reply(
        mcp_list_tools("deepwiki", DEEPWIKI_TOOLS),
        mcp_approval_request("deepwiki", "ask_question", ASK),
    ),
    reply(
        mcp_call("deepwiki", "ask_question", ASK, output=DEEPWIKI_ANSWER),
        text(MCP_ANSWER),
    ),
    # Image generation
    reply(
        image_generation(ICON_BASE64, revised_prompt=REVISED, size="1024x1024", quality="low"),
        text("Here is a flat, minimal lighthouse icon at dusk for the Coastal walks page."),
    ),
]
