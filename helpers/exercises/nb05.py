"""Exercises of 05_background."""

from __future__ import annotations

from types import SimpleNamespace

from . import call, exercise

TERMINAL = ("completed", "failed", "cancelled", "incomplete")
STATUSES = ("queued", "in_progress", *TERMINAL)


@exercise(
    "05.1",
    "when can polling stop?",
    answer="is_finished",
    solution="""
def is_finished(response):
    return response.status not in ("queued", "in_progress")
""",
)
def _is_finished(is_finished, *responses):
    examples = list(responses) + [SimpleNamespace(status=s) for s in STATUSES]
    for response in examples:
        got = call(is_finished, "is_finished(response) that returns True or False", response)
        if bool(got) != (response.status in TERMINAL):
            return (
                f"for a response whose status is {response.status!r} it returned {got!r}. Only "
                "'queued' and 'in_progress' can still change; the other four statuses are final."
            )
    return None


@exercise(
    "05.2",
    "the sources a research report cites",
    answer="cited_urls",
    solution="""
cited_urls = []
for item in report.output:
    if item.type == "message":
        for part in item.content:
            if part.type == "output_text":
                for annotation in part.annotations:
                    if annotation.type == "url_citation" and annotation.url not in cited_urls:
                        cited_urls.append(annotation.url)
""",
)
def _cited_urls(cited_urls, report):
    expected: list[str] = []
    for item in report.output:
        if item.type != "message":
            continue
        for part in item.content:
            for ann in getattr(part, "annotations", None) or []:
                if ann.type == "url_citation" and ann.url not in expected:
                    expected.append(ann.url)
    if not isinstance(cited_urls, list):
        return f"the answer should be a list of URL strings, not {type(cited_urls).__name__}."
    if len(cited_urls) != len(set(cited_urls)):
        return "list each URL once, even when several passages cite it."
    if sorted(cited_urls) != sorted(expected):
        missing = [u for u in expected if u not in cited_urls]
        if missing:
            return (
                f"{len(missing)} cited URL(s) are missing, for example {missing[0]}. Look at the "
                "annotations of every output_text part of every message item."
            )
        return "some of these URLs are not cited by the report; take only url_citation annotations."
    if cited_urls != expected:
        return "the URLs are right but not in the order they are first cited."
    return None


@exercise(
    "05.3",
    "live challenge: drop a background stream and resume it",
    answer="numbers",
    live=True,
    solution="""
stream = client.responses.create(
    model=MODEL, input="Describe a typewriter in 80 words.",
    background=True, store=True, stream=True,
)
first = []
for event in stream:
    first.append(event)
    if len(first) == 5:
        break
stream.close()
cursor = first[-1].sequence_number
rest = list(client.responses.retrieve(first[0].response.id, stream=True, starting_after=cursor))
numbers = [event.sequence_number for event in first + rest]
""",
)
def _numbers(numbers):
    if not isinstance(numbers, list) or not all(isinstance(n, int) for n in numbers):
        return "store the sequence_number of every event, in order, as a list of integers."
    if len(numbers) <= 5:
        return "keep the events of the resumed stream too, after the first five."
    if numbers != list(range(len(numbers))):
        repeated = sorted({n for n in numbers if numbers.count(n) > 1})
        if repeated:
            return (
                f"events {repeated} arrived twice: resume with starting_after = the last one seen."
            )
        return "some events are missing: resume with starting_after = the last one seen, not later."
    return None
