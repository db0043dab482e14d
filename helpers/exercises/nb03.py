"""Exercises of 03_web_search."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from . import exercise

__all__ = ["sentences_of", "sentence_at"]

_SENTENCE_END = re.compile(r"(?<=[.!?]) ")


def sentences_of(text: str) -> list[tuple[int, str]]:
    """``(start index, sentence)`` for each sentence of ``text``: a sentence ends at ``.``, ``!`` or
    ``?`` followed by a space, or at the end of the text. (Notebook 04's exercises use it too.)"""
    sentences, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        sentences.append((start, text[start : match.start()]))
        start = match.end()
    sentences.append((start, text[start:]))
    return sentences


def sentence_at(text: str, index: int) -> str:
    """The sentence of ``text`` in which position ``index`` lies."""
    return [s for start, s in sentences_of(text) if start <= index][-1]


def _parts(response: Any) -> list[Any]:
    return [
        part
        for item in response.output
        if item.type == "message"
        for part in item.content
        if part.type == "output_text"
    ]


def _sources(response: Any) -> list[str]:
    return [
        source.url
        for item in response.output
        if item.type == "web_search_call"
        for source in getattr(item.action, "sources", None) or []
    ]


def _cited(response: Any) -> list[str]:
    urls: list[str] = []
    for part in _parts(response):
        for ann in part.annotations:
            if ann.type == "url_citation" and ann.url not in urls:
                urls.append(ann.url)
    return urls


@exercise(
    "03.1",
    "the sources a search consulted but the answer did not cite",
    answer="uncited",
    solution="""
cited = {
    ann.url
    for item in with_sources.output
    if item.type == "message"
    for part in item.content
    for ann in part.annotations
}
uncited = [
    source.url
    for item in with_sources.output
    if item.type == "web_search_call"
    for source in item.action.sources or []
    if source.url not in cited
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
    if uncited == expected:
        return None
    wrongly = [u for u in uncited if u in cited]
    if wrongly:
        return f"{wrongly[0]} is cited by the answer: leave out every URL of an annotation."
    if sorted(uncited) == sorted(expected):
        return "the right URLs, in another order: follow the order of action.sources."
    return (
        f"expected {len(expected)} URL(s), got {len(uncited)}. Take the URLs of action.sources of "
        "every web_search_call item, and drop those that a url_citation annotation cites."
    )


@exercise(
    "03.2",
    "the sentence each citation supports",
    answer="citation_sentences",
    solution="""
import re

citation_sentences = []
for item in searched.output:
    if item.type != "message":
        continue
    for part in item.content:
        starts, offset = [], 0
        for sentence in re.split(r"(?<=[.!?]) ", part.text):
            starts.append((offset, sentence))
            offset += len(sentence) + 1
        for ann in part.annotations:
            sentence = [s for start, s in starts if start <= ann.start_index][-1]
            citation_sentences.append((ann.url, sentence))
""",
)
def _citation_sentences(citation_sentences, response):
    expected = [
        (ann.url, sentence_at(part.text, ann.start_index))
        for part in _parts(response)
        for ann in part.annotations
        if ann.type == "url_citation"
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
        if pair[1] != want[1]:
            return (
                f"pair {n} has the sentence {pair[1][:50]!r}...; find the sentence in which "
                "text[start_index] lies, split at '. ', '! ' or '? '."
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
