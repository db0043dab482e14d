"""The exercise engine's shared checks: a learner's answer that is no function, or a function that
returns nothing, gets the same hint in every notebook."""

from __future__ import annotations

from bodies import message, response
from openai.types.responses import Response

from helpers.exercises import check

ANSWER = Response.model_validate(response(message("Hi!")))


def test_an_answer_that_is_not_a_function_is_told_to_define_one():
    verdict = check("01.1", "Hi!", ANSWER)
    assert not verdict
    assert verdict.hint == "define a function text_of(response) that returns a string."


def test_a_function_without_return_is_told_so():
    def text_of(response):
        response.output_text  # noqa: B018 - forgot the return

    assert check("01.1", text_of, ANSWER).hint == (
        "your function returns None: finish it with a return statement."
    )


def test_a_right_function_passes():
    assert check("01.1", lambda r: r.output_text, ANSWER).passed
