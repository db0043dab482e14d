"""What the illustrative recording of 03_web_search says: one step per create, in notebook order.

Served by fake_api and captured by `make illustrate NB=notebooks/03_web_search.ipynb`.

Every question has an answer that does not change with the news, and every URL is a real, stable page
about it (CERN, Wikipedia, the RFC Editor and IETF, the NHS). A search's ``sources`` are the pages it
consulted: the cited ones and a few more, as with the real API. The search results a model reads are
billed as input tokens, so each searching step sets ``input_tokens`` to a plausible size for them
(the fake server would count only the question).

In today's live shapes (web_search_citations_gpt52 in ../shared/real-traffic): a citation is a link
the model writes after the sentence it backs, ``([site](url?utm_source=openai))``, and its
annotation's indices mark that link (``text()`` writes both from the ``(phrase, url, title)``
tuples below); gpt-5.4-mini at its default effort (``none``, assumed) writes no reasoning item,
though a search still bills some reasoning tokens (``usage`` below, as gpt-5.2's searches do). The
consulted ``sources`` are plain URLs: whether the live API adds ``utm_source`` to them too is not
shown by the real traffic at hand (the notebook compares URLs without it).
"""

from fake_api import error, find_in_page, open_page, reasoning, reply, text, web_search

CERN = ("https://home.cern/science/computing/birth-web", "The birth of the Web | CERN")
WWW = ("https://en.wikipedia.org/wiki/World_Wide_Web", "World Wide Web - Wikipedia")
FIRST_SITE = ("http://info.cern.ch/", "http://info.cern.ch")
TBL = "https://en.wikipedia.org/wiki/Tim_Berners-Lee"
CERN70 = "https://cern70.cern/timeline/world-wide-web"

RFC1034 = (
    "https://www.rfc-editor.org/rfc/rfc1034",
    "RFC 1034: Domain names - concepts and facilities",
)
RFC1035 = (
    "https://www.rfc-editor.org/rfc/rfc1035",
    "RFC 1035: Domain names - implementation and specification",
)
RFC1034_IETF = (
    "https://datatracker.ietf.org/doc/html/rfc1034",
    "RFC 1034 - Domain names - concepts and facilities",
)
RFC2181 = "https://www.rfc-editor.org/rfc/rfc2181"

NHS_999 = (
    "https://www.nhs.uk/nhs-services/urgent-and-emergency-care-services/when-to-call-999/",
    "When to call 999 - NHS",
)
NHS_111 = (
    "https://www.nhs.uk/nhs-services/urgent-and-emergency-care-services/when-to-use-111/",
    "When to use NHS 111 - NHS",
)
NHS_111_ONLINE = ("https://111.nhs.uk/", "NHS 111 online")

RFC1945 = (
    "https://www.rfc-editor.org/rfc/rfc1945",
    "RFC 1945: Hypertext Transfer Protocol -- HTTP/1.0",
)
RFC2068 = (
    "https://www.rfc-editor.org/rfc/rfc2068",
    "RFC 2068: Hypertext Transfer Protocol -- HTTP/1.1",
)
HTTP_WIKI = "https://en.wikipedia.org/wiki/HTTP"


def cite(sentence, source):
    """A citation of ``sentence`` (or any substring) by a (url, title) pair."""
    return (sentence, *source)


WEB_1 = "Tim Berners-Lee, a British scientist at CERN, invented the World Wide Web in 1989."
WEB_2 = "By the end of 1990 the first web server and browser were running at CERN."
WEB_3 = (
    "The first website, info.cern.ch, was about the World Wide Web project itself and ran on "
    "Berners-Lee's NeXT computer."
)
WEB_4 = "On 30 April 1993 CERN put the web software in the public domain, which let the web spread."

AGAIN_1 = "The World Wide Web was invented in 1989 by Tim Berners-Lee, a British scientist working at CERN."
AGAIN_2 = "By the end of 1990 he had the first web server and browser running there."
AGAIN_3 = "The first website, info.cern.ch, described the project itself."
AGAIN_4 = "CERN made the web software free for anyone to use on 30 April 1993."

DNS_1 = (
    "The Domain Name System is defined in RFC 1034 and RFC 1035, both published in November 1987."
)
DNS_2 = (
    "Names form a tree, and each part of the tree, called a zone, is served by its own "
    "authoritative name servers."
)
DNS_3 = (
    "A resolver with an empty cache starts at the root name servers: they refer it to the servers "
    "for com, which refer it to the servers for example.com, which answer with the address record."
)
DNS_4 = (
    "The resolver keeps each answer in its cache for as long as the record's time to live (TTL) "
    "allows, so later lookups skip most of these steps."
)

UK_1 = (
    "In the UK, call 999 for an ambulance when someone is seriously ill or injured and their life "
    "is at risk."
)
UK_2 = (
    "If you need medical help fast but it is not a life-threatening emergency, use NHS 111 "
    "instead, by phone or online."
)

HTTP_1 = (
    "The first HTTP specification published as an RFC was RFC 1945, Hypertext Transfer Protocol "
    "-- HTTP/1.0, in May 1996."
)
HTTP_2 = "It was an informational RFC that described HTTP/1.0 as it was already being used."
HTTP_3 = "The first standards-track version, HTTP/1.1, followed as RFC 2068 in January 1997."


def searched(input_tokens, reasoning_tokens=40):
    """The usage of a search at effort none: the results read, and some reasoning billed."""
    return {
        "input_tokens": input_tokens,
        "output_tokens_details": {"reasoning_tokens": reasoning_tokens},
    }


DEPLOYMENT = "my-deployment"
NOT_SUPPORTED = f"Hosted tool 'web_search_preview' is not supported with {DEPLOYMENT}."

STEPS = [
    # Let the model search
    reply(
        web_search("who invented the World Wide Web CERN history", sources=[CERN[0], WWW[0]]),
        text(
            " ".join([WEB_1, WEB_2, WEB_3, WEB_4]),
            citations=[
                cite("invented the World Wide Web in 1989", CERN),
                cite("the first web server and browser were running at CERN", WWW),
                cite("The first website, info.cern.ch", FIRST_SITE),
                cite("CERN put the web software in the public domain", CERN),
            ],
        ),
        usage=searched(6214, 48),
    ),
    # A question the model answers without searching
    reply(text("17 × 24 = 408.")),
    # Every source, not only the cited ones
    reply(
        web_search(
            "World Wide Web invented Tim Berners-Lee CERN 1989 first website",
            sources=[CERN[0], WWW[0], TBL, FIRST_SITE[0], CERN70],
        ),
        text(
            " ".join([AGAIN_1, AGAIN_2, AGAIN_3, AGAIN_4]),
            citations=[
                cite(AGAIN_1, CERN),
                cite(AGAIN_2, WWW),
                cite(AGAIN_3, FIRST_SITE),
                cite(AGAIN_4, CERN),
            ],
        ),
        usage=searched(7482, 52),
    ),
    # Only some domains, with a model that reasons (effort low): a reasoning item before each
    # step of the search (search, open a page, find words in it), as real traffic of reasoning models has one
    # before each web_search_call and before the answer.
    reply(
        reasoning(tokens=96),
        web_search(
            "DNS resolver iterative resolution root referral RFC 1034",
            sources=[RFC1034[0], RFC1035[0], RFC1034_IETF[0], RFC2181],
            queries=[
                "DNS resolver iterative resolution root referral RFC 1034",
                "RFC 1035 resolver implementation",
            ],
        ),
        reasoning(tokens=64),
        open_page(RFC1034[0]),
        reasoning(tokens=48),
        find_in_page(RFC1034[0], "referral"),
        reasoning(tokens=112),
        text(
            " ".join([DNS_1, DNS_2, DNS_3, DNS_4]),
            citations=[
                cite("is defined in RFC 1034", RFC1034),
                cite("and RFC 1035, both published in November 1987.", RFC1035),
                cite(DNS_2, RFC1034_IETF),
                cite(DNS_3, RFC1034),
                cite(DNS_4, RFC1034),
            ],
        ),
        usage={"input_tokens": 11_863},
    ),
    # Where the user is
    reply(
        web_search(
            "ambulance emergency number UK",
            sources=[NHS_999[0], NHS_111[0], NHS_111_ONLINE[0]],
        ),
        text(
            " ".join([UK_1, UK_2]),
            citations=[
                cite(UK_1, NHS_999),
                cite("use NHS 111 instead", NHS_111),
                cite("by phone or online.", NHS_111_ONLINE),
            ],
        ),
        usage=searched(3127, 31),
    ),
    # Forcing a search with tool_choice
    reply(
        web_search("first HTTP RFC published", sources=[RFC1945[0], HTTP_WIKI, RFC2068[0]]),
        text(
            " ".join([HTTP_1, HTTP_2, HTTP_3]),
            citations=[cite(HTTP_1, RFC1945), cite(HTTP_2, RFC1945), cite(HTTP_3, RFC2068)],
        ),
        usage=searched(4516, 37),
    ),
    # A deployment the provider does not run the hosted tool for. Illustrative: worded as Azure
    # OpenAI answered for a deployment of an older model (the notebook's prose names it), for
    # web_search_preview and web_search alike; that message named the model's version where this
    # one names the notebook's placeholder deployment.
    error(400, NOT_SUPPORTED, param="tools"),
    error(400, NOT_SUPPORTED, param="tools"),
    # ... and the fallback without the web
    reply(text("Tim Berners-Lee invented the World Wide Web in 1989, while he worked at CERN.")),
]
