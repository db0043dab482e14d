"""What the illustrative recording of 07_structured_outputs says: one step per create, in notebook
order.

Served by fake_api with today's live shapes (fake_api.live) and captured by
`make illustrate NB=notebooks/07_structured_outputs.ipynb`. The two 400s of the notebook (a schema
strict mode rejects, JSON mode without the word JSON) are the server's own rules (fake_api.formats)
and use no step. The server checks every finished answer below against the schema its request
sent, so none can show a ticket the API would never give. gpt-5.4-mini does not reason unless asked
(its default effort, assumed `none` as gpt-5.4's is), so no answer here has a reasoning item.
"""

import json

from fake_api import function_call, refusal, reply, text

SERVER = {"seed": "07_structured_outputs", "live_shapes": True}

PDF_STEPS = ["Open any project", "Choose File > Export > PDF", "Select A4", "Click Save"]


def compact(value: dict) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


TICKET = {
    "title": "App crashes when exporting a project to PDF",
    "severity": "high",
    "component": "PDF export",
    "version": "2.3.1",
    "steps": PDF_STEPS,
}
PARSED = {
    "title": "Exporting to PDF closes the app and loses unsaved work",
    "severity": "high",
    "component": "PDF export",
    "version": "2.3.1",
    "steps": PDF_STEPS,
}
# Cut at 32 output tokens, in the middle of the first step.
CUT = '{"title":"App crashes when exporting a project to PDF","severity":"high","component":"PDF export","version":"2.3.1","steps":["Open'
JSON_MODE = {
    "summary": "App crashes when exporting a project to PDF",
    "severity": "High",
    "version": "2.3.1",
    "platform": "Windows 11",
    "steps_to_reproduce": [
        "Open any project",
        "Choose File > Export > PDF",
        "Select A4 as the page size",
        "Click Save",
    ],
    "actual_result": "The app closes and unsaved changes are lost.",
    "expected_result": "The project is exported to PDF, as it was in version 2.2.",
}
DARK_THEME = {
    "title": "Dark theme resets to light after restarting the app",
    "severity": "medium",
    "component": "Settings",
    "version": "2.3.1",
    "steps": [
        "Open Settings > Appearance",
        "Choose Dark",
        "Quit the app",
        "Open the app again",
    ],
}
FILED_PDF = {
    "title": "App crashes when exporting to PDF and loses unsaved work",
    "severity": "high",
    "component": "PDF export",
    "version": "2.3.1",
    "steps": ["Choose File > Export > PDF", "Select A4", "Click Save"],
}
FILED_THEME = {
    "title": "Dark theme resets to light on restart",
    "severity": "medium",
    "component": "Settings",
    "version": "2.3.1",
    "steps": ["Choose the dark theme", "Restart the app"],
}

STEPS = [
    # A JSON Schema the answer must follow
    reply(text(compact(TICKET))),
    # responses.parse with the Ticket model
    reply(text(compact(PARSED))),
    # When the model refuses
    reply(refusal("I'm sorry, but I can't help with that.")),
    # Cut short by max_output_tokens: create, then parse
    reply(text(CUT), incomplete_reason="max_output_tokens"),
    reply(text(CUT), incomplete_reason="max_output_tokens"),
    # JSON mode: the model chooses the keys (pretty-printed, as JSON mode answers often are)
    reply(text(json.dumps(JSON_MODE, indent=2))),
    # Streaming a structured answer
    reply(text(compact(DARK_THEME))),
    # A function tool: one call per ticket
    reply(function_call("file_ticket", FILED_PDF), function_call("file_ticket", FILED_THEME)),
]
