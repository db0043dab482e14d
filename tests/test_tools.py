"""helpers.tools.run_tools against the fake API (fake_api/) through the real SDK: the happy path,
parallel calls, and every guard (unknown function, invalid JSON, a function that raises, a loop that
never ends)."""

from __future__ import annotations

import json

import openai
import pytest

from fake_api import FakeResponsesServer, function_call, reply, text
from helpers.tools import ToolLoopError, run_tools

MODEL = "gpt-5.4-mini"
ADD = {
    "type": "function",
    "name": "add",
    "description": "Add two integers.",
    "parameters": {
        "type": "object",
        "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}},
        "required": ["a", "b"],
        "additionalProperties": False,
    },
    "strict": True,
}


def add(a: int, b: int) -> dict:
    return {"sum": a + b}


@pytest.fixture
def serve():
    servers: list[FakeResponsesServer] = []

    def start(steps):
        server = FakeResponsesServer(steps).start()
        servers.append(server)
        client = openai.OpenAI(api_key="sk-test", base_url=server.base_url, max_retries=0)
        return server, client

    yield start
    for server in servers:
        server.stop()
        assert server.errors == []


def creates(server: FakeResponsesServer) -> list[dict]:
    return [r.body for r in server.requests if r.method == "POST" and r.path.endswith("/responses")]


def test_happy_path_sends_the_output_with_its_call_id_and_the_previous_id(serve, capsys):
    server, client = serve(
        [reply(function_call("add", {"a": 2, "b": 3}, call_id="call_one")), reply(text("5."))]
    )
    final = run_tools(
        client,
        model=MODEL,
        input="2+3?",
        tools=[ADD],
        functions={"add": add},
        instructions="Use the tools.",
    )
    assert final.output_text == "5."
    first, second = creates(server)
    assert first["input"] == "2+3?" and "previous_response_id" not in first
    assert second["previous_response_id"] == final.previous_response_id
    assert second["input"] == [
        {"type": "function_call_output", "call_id": "call_one", "output": '{"sum": 5}'}
    ]
    assert second["instructions"] == "Use the tools.", "options go with every turn"
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("turn 1 · resp_") and lines[0].endswith("1 function call(s)")
    assert lines[1] == '  add({"a":2,"b":3}) · call_one'
    assert lines[2] == '    → {"sum": 5}'
    assert lines[3].startswith("turn 2 · ") and lines[3].endswith("answer, 2 characters")


def test_a_question_without_calls_is_one_turn(serve, capsys):
    server, client = serve([reply(text("Hello."))])
    final = run_tools(client, model=MODEL, input="Hi", tools=[ADD], functions={"add": add})
    assert final.output_text == "Hello." and len(creates(server)) == 1
    assert capsys.readouterr().out.count("\n") == 1


def test_parallel_calls_in_one_turn_are_all_answered_in_order(serve):
    server, client = serve(
        [
            reply(
                function_call("add", {"a": 1, "b": 1}, call_id="call_a"),
                function_call("add", {"a": 2, "b": 2}, call_id="call_b"),
                function_call("add", {"a": 3, "b": 3}, call_id="call_c"),
            ),
            reply(text("2, 4 and 6.")),
        ]
    )
    final = run_tools(client, model=MODEL, input="Sums", tools=[ADD], functions={"add": add})
    assert final.output_text == "2, 4 and 6."
    sent = creates(server)[1]["input"]
    assert [(o["call_id"], json.loads(o["output"])) for o in sent] == [
        ("call_a", {"sum": 2}),
        ("call_b", {"sum": 4}),
        ("call_c", {"sum": 6}),
    ]


def error_sent(server: FakeResponsesServer, turn: int = 1) -> str:
    (output,) = creates(server)[turn]["input"]
    return json.loads(output["output"])["error"]


def test_an_unknown_function_is_an_error_the_model_can_read(serve):
    server, client = serve([reply(function_call("multiply", {"a": 2, "b": 3})), reply(text("6"))])
    final = run_tools(client, model=MODEL, input="2*3?", tools=[ADD], functions={"add": add})
    assert final.output_text == "6"
    assert error_sent(server) == "There is no function named 'multiply'. Available: add."


def test_invalid_json_arguments_are_an_error_the_model_can_read(serve):
    server, client = serve(
        [
            reply(function_call("add", '{"a": 2, "b": ')),
            reply(function_call("add", "[2, 3]")),
            reply(text("5")),
        ]
    )
    final = run_tools(client, model=MODEL, input="2+3?", tools=[ADD], functions={"add": add})
    assert final.output_text == "5"
    assert error_sent(server, 1).startswith("The arguments are not valid JSON (Expecting value")
    assert error_sent(server, 2) == "The arguments must be a JSON object, not list."


def test_a_function_that_raises_is_an_error_the_model_can_read(serve):
    def divide(a: int, b: int) -> float:
        return a / b

    server, client = serve(
        [
            reply(function_call("divide", {"a": 1, "b": 0})),
            reply(function_call("divide", {"a": 1})),
            reply(text("Cannot divide by zero.")),
        ]
    )
    functions = {"divide": divide}
    run_tools(client, model=MODEL, input="1/0?", tools=[ADD], functions=functions)
    assert error_sent(server, 1) == "divide raised ZeroDivisionError: division by zero"
    assert error_sent(server, 2).startswith("divide raised TypeError: ")


def test_a_loop_that_never_ends_stops_at_max_turns_without_running_the_last_calls(serve):
    ran = []

    def ping() -> str:
        ran.append(1)
        return "pong"

    steps = [reply(function_call("ping", {})) for _ in range(3)]
    server, client = serve(steps)
    with pytest.raises(ToolLoopError, match=r"response 3 of max_turns=3 \(ping\(\{\}\)\)") as err:
        run_tools(
            client, model=MODEL, input="Ping", tools=[], functions={"ping": ping}, max_turns=3
        )
    assert len(ran) == 2 and len(creates(server)) == 3
    assert err.value.response.output[0].type == "function_call"
    assert isinstance(err.value, openai.OpenAIError)


def test_options_that_break_the_loop_are_refused_before_any_request(serve):
    server, client = serve([])
    for bad in ({"stream": True}, {"store": False}, {"max_turns": 0}):
        with pytest.raises(ValueError):
            run_tools(client, model=MODEL, input="x", tools=[], functions={}, **bad)
    assert server.requests == []
