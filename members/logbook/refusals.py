"""Why the logger says no, in the member's words, readable by a phone.

Two kinds of refusal:

- ``Conflict``: the action no longer fits the session as it is now. It was
  finished (on another device, say), it has not started (“any pain right
  now?” unanswered), its block is over or paused, the exercise was stopped for
  pain, the set is not in the plan, an exercise's pain question is
  unanswered at Finish, a session of another day cannot be reopened.
- Any other ``ValidationError``: what was sent is wrong (a count out of range,
  an unknown knob value).

Every refused answer carries ``X-Refusal-Reason``: the reason, percent-encoded
UTF-8 (``decodeURIComponent`` reads it back), so the header stays ASCII.
Without a key, the answer is otherwise today's (422 with the row, card or page
and the message beside the field, or a redirect with a message). With an
``Idempotency-Key`` (a phone's queued action), a conflict answers 409 with a
short fragment: see ``members.logbook.idempotency``."""

from urllib.parse import quote

from django.core.exceptions import ValidationError
from django.http import HttpResponseBase

REASON_HEADER = "X-Refusal-Reason"
# Printable ASCII stays as it is, so the header reads plainly; "%" and anything
# else is percent-encoded.
_PLAIN = "".join(chr(code) for code in range(0x20, 0x7F) if chr(code) != "%")
_LONGEST = 300


class Conflict(ValidationError):
    """The session (or its block) is not in a state where this action can be
    done. Sent again unchanged, it is refused again."""


def reason_of(error: ValidationError | str) -> str:
    return error if isinstance(error, str) else " ".join(error.messages)


def refused[R: HttpResponseBase](response: R, error: ValidationError | str) -> R:
    """Mark ``response`` as the refusal of ``error``: the reason in a header, and
    whether the state refused it (for a keyed action's 409)."""
    reason = reason_of(error)
    response[REASON_HEADER] = quote(reason[:_LONGEST], safe=_PLAIN)
    # Read by the key's decorator, which wraps the view that made the answer.
    response.refusal = (reason, isinstance(error, Conflict))  # type: ignore[attr-defined]
    return response


def refusal_of(response: HttpResponseBase) -> tuple[str, bool] | None:
    """(reason, is a conflict) of a refused answer; None for any other."""
    return getattr(response, "refusal", None)
