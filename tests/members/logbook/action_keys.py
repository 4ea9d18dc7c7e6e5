"""What the tests of the logger's action keys share: a key, the phone's next
key, and the check that a replay is the first answer again."""

import uuid

from tests.members.logger_helpers import step

KEY = "0b7a1c52-3f7e-4d2e-9a51-6a0f2d0c9e11"
HTMX = {"HTTP_HX_REQUEST": "true"}
# What htmx and the phone act on, besides the status and the body.
ANSWER_HEADERS = ["Content-Type", "Location", "HX-Retarget", "HX-Reswap", "X-Refusal-Reason"]


def keyed(key: str = KEY, *, htmx: bool = False) -> dict:
    return {"HTTP_IDEMPOTENCY_KEY": key, **(HTMX if htmx else {})}


def fresh(*, htmx: bool = False) -> dict:
    """The phone's next action: a key of its own."""
    return keyed(str(uuid.uuid4()), htmx=htmx)


def assert_same_answer(first, again) -> None:
    assert again.status_code == first.status_code
    assert again.content == first.content
    for header in ANSWER_HEADERS:
        assert again.get(header) == first.get(header), header
    assert "Idempotent-Replayed" not in first
    assert again["Idempotent-Replayed"] == "true"


def url(workout, action: str = "") -> str:
    return f"/me/sessions/{workout.pk}/{action}"


def a_set(workout, name: str = "Tibialis raise", *, set_number: int = 1, **amount) -> dict:
    return {"step": step(workout, name)["id"], "set_number": set_number, "side": "both", **amount}
