"""helpers.webhooks.sign signs a delivery the way the installed SDK verifies it: unwrap parses it,
and refuses it when the payload, the secret or the time is not the one signed."""

from __future__ import annotations

import base64
import json
import time

import openai
import pytest
from openai.types.webhooks import ResponseCompletedWebhookEvent

from helpers.webhooks import sign

SECRET = "whsec_" + base64.b64encode(b"made up for this test").decode()
PAYLOAD = json.dumps(
    {
        "id": "evt_test",
        "object": "event",
        "type": "response.completed",
        "created_at": 1795165200,
        "data": {"id": "resp_test"},
    }
)
CLIENT = openai.OpenAI(api_key="sk-test", base_url="http://127.0.0.1:9")  # never used to send


def test_a_signed_delivery_is_unwrapped_into_its_event():
    headers = sign(PAYLOAD, SECRET, webhook_id="msg_test", timestamp=int(time.time()))
    event = CLIENT.webhooks.unwrap(PAYLOAD, headers, secret=SECRET)
    assert isinstance(event, ResponseCompletedWebhookEvent)
    assert (event.type, event.data.id) == ("response.completed", "resp_test")
    CLIENT.webhooks.verify_signature(PAYLOAD, headers, secret=SECRET)  # raises when it does not


@pytest.mark.parametrize(
    "payload, secret, age, message",
    [
        (PAYLOAD.replace("resp_test", "resp_other"), SECRET, 0, "does not match"),
        (PAYLOAD, "whsec_" + base64.b64encode(b"another secret").decode(), 0, "does not match"),
        (PAYLOAD, SECRET, 600, "too old"),
    ],
    ids=["tampered payload", "wrong secret", "ten minutes old"],
)
def test_anything_but_the_signed_delivery_is_refused(payload, secret, age, message):
    headers = sign(PAYLOAD, SECRET, webhook_id="msg_test", timestamp=int(time.time()) - age)
    with pytest.raises(openai.InvalidWebhookSignatureError, match=message):
        CLIENT.webhooks.unwrap(payload, headers, secret=secret)
