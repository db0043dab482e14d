"""Exercises of 03_web_search."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from . import exercise

__all__ = ["sentences", "links_out", "sentence_before", "untagged"]

# A sentence ends at ".", "!" or "?" followed by white space (or at the end of the text).
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def sentences(text: str) -> list[str]:
    """The sentences of ``text``, in order. (Notebook 04's exercises use it too.)"""
    return [s for s in _SENTENCE_END.split(text.strip()) if s]


def _links(part: Any) -> list[Any]:
    """The ``url_citation`` annotations of a part, in the order their links stand in the text."""
    found = [a for a in part.annotations if a.type == "url_citation"]
    return sorted(found, key=lambda a: (a.start_index, a.end_index))


def links_out(part: Any, upto: int | None = None) -> str:
    """The part's text (up to ``upto``) with the links of its citations taken out."""
    end = len(part.text) if upto is None else upto
    kept, copied = [], 0
    for ann in _links(part):
        if ann.end_index <= end and ann.start_index >= copied:
            kept.append(part.text[copied : ann.start_index])
            copied = ann.end_index
    kept.append(part.text[copied:end])
    return "".join(kept)


def sentence_before(part: Any, ann: Any) -> str:
    """The sentence a citation backs: the model writes its link after that sentence, so it is the
    last sentence of the text before the link, the links of earlier citations taken out."""
    before = sentences(links_out(part, ann.start_index))
    return before[-1] if before else ""


def untagged(url: str) -> str:
    """``url`` without the ``utm_source`` that the API adds to the URLs it cites."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "utm_source"]
    return urlunsplit(parts._replace(query=urlencode(query)))


def _parts(response: Any) -> list[Any]:
    return [
        part
        for item in response.output
        if item.type == "message"
        for part in item.content
        if part.type == "output_text"
    ]


def _sources(response: Any) -> list[str]:
    """The URLs every search of ``response`` consulted, without ``utm_source``."""
    return [
        untagged(source.url)
        for item in response.output
        if item.type == "web_search_call"
        for source in getattr(item.action, "sources", None) or []
    ]


def _cited(response: Any) -> list[str]:
    """The URLs the answer cites, once each, without ``utm_source``."""
    urls: list[str] = []
    for part in _parts(response):
        for ann in _links(part):
            if untagged(ann.url) not in urls:
                urls.append(untagged(ann.url))
    return urls


@exercise(
    "03.1",
    "the sources a search consulted but the answer did not cite",
    answer="uncited",
    solution="""
from urllib.parse import parse_qsl, urlencode, urlsplit


def untagged(url):
    parts = urlsplit(url)
    query = [(key, value) for key, value in parse_qsl(parts.query) if key != "utm_source"]
    return parts._replace(query=urlencode(query)).geturl()


cited = {
    untagged(ann.url)
    for item in with_sources.output
    if item.type == "message"
    for part in item.content
    for ann in part.annotations
}
uncited = [
    untagged(source.url)
    for item in with_sources.output
    if item.type == "web_search_call" and item.action.type == "search"
    for source in item.action.sources or []
    if untagged(source.url) not in cited
]
""",
)
def _uncited(uncited, response):
    cited = set(_cited(response))
    expected = [url for url in _sources(response) if url not in cited]
    if isinstance(uncited, (set, frozenset)):
        return "keep the order the search listed them in: build a list, not a set."
    if not isinstance(uncited, list) or not all(isinstance(u, str) for u in uncited):
        return "the answer should be a list of URL strings."
    got = [untagged(u) for u in uncited]
    if got == expected:
        return None
    wrongly = [u for u in got if u in cited]
    if wrongly:
        return (
            f"{wrongly[0]} is cited by the answer: leave out every URL of an annotation, "
            "comparing them without utm_source (as untagged() does)."
        )
    if sorted(got) == sorted(expected):
        return "the right URLs, in another order: follow the order of action.sources."
    return (
        f"expected {len(expected)} URL(s), got {len(uncited)}. Take the URLs of action.sources of "
        "every web_search_call item, and drop those that a url_citation annotation cites."
    )


@exercise(
    "03.2",
    "the sentence each citation backs",
    answer="citation_sentences",
    solution="""
import re

citation_sentences = []
for item in searched.output:
    if item.type != "message":
        continue
    for part in item.content:
        for ann in part.annotations:
            # The text before this citation's link, the links of earlier citations taken out.
            before, copied = "", 0
            for earlier in part.annotations:
                if earlier.end_index <= ann.start_index:
                    before += part.text[copied : earlier.start_index]
                    copied = earlier.end_index
            before += part.text[copied : ann.start_index]
            sentence = re.split(r"(?<=[.!?])\\s+", before.strip())[-1]
            citation_sentences.append((ann.url, sentence))
""",
)
def _citation_sentences(citation_sentences, response):
    expected = [
        (ann.url, sentence_before(part, ann)) for part in _parts(response) for ann in _links(part)
    ]
    if not isinstance(citation_sentences, list):
        return "the answer should be a list of (url, sentence) pairs."
    got = [tuple(pair) if isinstance(pair, (list, tuple)) else pair for pair in citation_sentences]
    if len(got) != len(expected):
        return (
            f"expected one pair per url_citation annotation ({len(expected)}), got {len(got)}; "
            "a URL cited twice gives two pairs."
        )
    for n, (pair, want) in enumerate(zip(got, expected, strict=True), 1):
        if not isinstance(pair, tuple) or len(pair) != 2:
            return f"item {n} should be a (url, sentence) pair, not {pair!r}."
        if pair[0] != want[0]:
            return f"pair {n} should start with the URL of annotation {n}, {want[0]}."
        if isinstance(pair[1], str) and "](" in pair[1]:
            return (
                f"pair {n}'s sentence holds a citation's link: take the links of earlier "
                "citations (text[start_index:end_index]) out of the text before you split it."
            )
        if pair[1] != want[1]:
            return (
                f"pair {n} has the sentence {str(pair[1])[:50]!r}...; the sentence a citation "
                "backs is the last one before its link (text[:start_index]), split at '. ', "
                "'! ' or '? '."
            )
    return None


def _inside(url: str, domains: list[str]) -> bool:
    host = urlsplit(url).hostname or ""
    return any(host == d or host.endswith("." + d) for d in domains)


@exercise(
    "03.3",
    "live challenge: a search limited to sites you trust",
    answer="mine",
    live=True,
    solution="""
domains = ["docs.python.org"]
mine = client.responses.create(
    model=MODEL,
    input="How does Python's asyncio event loop decide which task runs next?",
    tools=[{"type": "web_search", "filters": {"allowed_domains": domains}}],
    include=["web_search_call.action.sources"],
)
""",
)
def _mine(mine, domains):
    if not hasattr(mine, "output"):
        return "store the response of client.responses.create(...) in mine."
    if isinstance(domains, str):
        domains = [domains]
    sources = _sources(mine)
    if not any(item.type == "web_search_call" for item in mine.output):
        return "the model did not search: add tool_choice='required' to force it."
    if not sources:
        return 'no sources listed: add include=["web_search_call.action.sources"].'
    outside = [url for url in sources if not _inside(url, domains)]
    if outside:
        return (
            f"{outside[0]} is outside {domains}: set "
            'tools=[{"type": "web_search", "filters": {"allowed_domains": domains}}].'
        )
    if not _cited(mine):
        return "the answer cites nothing: ask a question that those sites can answer."
    return None
