"""Refusals of the logger readable by a phone: the reason in
X-Refusal-Reason; with a key, a conflict with the session's state is a 409
with the reason alone, kept and given again like any answer. Without a key
the page looks as it did."""

import datetime as dt
from urllib.parse import unquote

import pytest
from django.utils import timezone

from members.blocks.steering import pause_block
from members.logbook.workouts import finish_workout
from members.models import Assignment, SetLog, Workout
from tests.factories import put_on_block
from tests.members.logbook.action_keys import (
    HTMX,
    KEY,
    a_set,
    assert_same_answer,
    fresh,
    keyed,
    url,
)
from tests.members.logger_helpers import no_pain, started_workout

pytestmark = pytest.mark.django_db


def test_a_refusal_is_kept_and_given_again_after_the_session_changed(
    member_client, member, trainer
):
    """The session was finished on another device: the queued set is refused
    with the reason, and sent again it is refused the same way, even once the
    session was reopened: trying again takes a new key."""
    workout = started_workout(member, trainer)
    no_pain(workout)
    finish_workout(workout=workout)

    first = member_client.post(
        url(workout, "sets/"), a_set(workout, reps="25"), **keyed(htmx=True)
    )
    member_client.post(url(workout, "reopen/"), **fresh())
    again = member_client.post(
        url(workout, "sets/"), a_set(workout, reps="25"), **keyed(htmx=True)
    )

    reason = "This session is finished. Reopen it to change it."
    assert first.status_code == 409
    assert first.text == f'<p class="message message-error" role="alert">{reason}</p>'
    assert unquote(first["X-Refusal-Reason"]) == reason
    assert (first["HX-Retarget"], first["HX-Reswap"]) == ("#logger-messages", "innerHTML")
    assert_same_answer(first, again)
    assert not SetLog.objects.exists()
    retried = member_client.post(
        url(workout, "sets/"), a_set(workout, reps="25"), **fresh(htmx=True)
    )
    assert retried.status_code == 200 and SetLog.objects.get().reps == 25


def test_without_a_key_a_refusal_looks_as_it_did_and_carries_its_reason(
    member_client, member, trainer
):
    """The page's own htmx swaps 422 answers: a refused row keeps its message
    beside it. Only the header is new."""
    workout = started_workout(member, trainer)
    Workout.objects.filter(pk=workout.pk).update(pain_before=None)

    row = member_client.post(url(workout, "sets/"), a_set(workout, reps="25"), **HTMX)

    assert row.status_code == 422
    assert 'class="set-row' in row.text and "any pain right now?" in row.text
    reason = unquote(row["X-Refusal-Reason"])
    assert reason == "Answer “any pain right now?” before logging."
    assert row["X-Refusal-Reason"].isascii()


def test_a_start_refused_for_a_paused_block_is_a_409_with_a_key_and_a_redirect_without(
    member_client, member, trainer
):
    today = timezone.localdate()
    block = put_on_block(
        member, trainer=trainer, start_date=today - dt.timedelta(days=today.weekday())
    )
    session = block.planned_sessions.order_by("number").first()
    pause_block(assignment=block)
    assert Assignment.objects.get().is_paused

    plain = member_client.post("/me/sessions/start/", {"session": session.pk})
    queued = member_client.post("/me/sessions/start/", {"session": session.pk}, **keyed())

    assert plain.status_code == 302 and plain["Location"] == "/me/"
    assert queued.status_code == 409
    assert "Your block is paused" in queued.text
    assert unquote(queued["X-Refusal-Reason"]).startswith("Your block is paused")
    assert not Workout.objects.exists()


def test_a_conflict_keyed_in_the_form_answers_as_without_a_key_and_is_kept(
    member_client, member, trainer
):
    """A form the browser posts (or the outbox posts for it) carries its key
    as a field: the answer is the page the browser shows next, so a refused
    Finish is today's page with the question at each card, not a fragment."""
    workout = started_workout(member, trainer)
    member_client.post(url(workout, "sets/"), a_set(workout, reps="25"), **fresh(htmx=True))

    first = member_client.post(url(workout, "finish/"), {"action_key": KEY}, **HTMX)
    again = member_client.post(url(workout, "finish/"), {"action_key": KEY}, **HTMX)
    queued = member_client.post(url(workout, "finish/"), **fresh(htmx=True))

    assert first.status_code == 422
    assert "Answer this to finish the session." in first.text
    assert again.status_code == 422 and again["Idempotent-Replayed"] == "true"
    assert "Answer this to finish the session." in again.text
    assert queued.status_code == 409
    assert not Workout.objects.get().is_finished


def test_the_session_forms_answer_htmx_with_hx_redirect_and_a_browser_with_a_redirect(
    member_client, member, trainer
):
    """The outbox posts Finish itself and opens the page it names: with one
    request, not a redirect fetch would follow and throw away."""
    workout = started_workout(member, trainer)
    no_pain(workout)
    session = url(workout, "")

    by_the_outbox = member_client.post(url(workout, "finish/"), **fresh(htmx=True))
    member_client.post(url(workout, "reopen/"), **fresh())
    by_the_browser = member_client.post(url(workout, "finish/"), **fresh())

    assert by_the_outbox.status_code == 200 and by_the_outbox["HX-Redirect"] == session
    assert by_the_browser.status_code == 302 and by_the_browser["Location"] == session
    assert Workout.objects.get().is_finished


def test_a_count_refused_with_a_key_answers_as_without_one_and_is_kept(
    member_client, member, trainer
):
    """What was sent wrong is not a conflict: the row with its message, 422."""
    workout = started_workout(member, trainer)
    data = a_set(workout, reps="999")

    first = member_client.post(url(workout, "sets/"), data, **keyed(htmx=True))
    again = member_client.post(url(workout, "sets/"), data, **keyed(htmx=True))

    assert first.status_code == 422 and 'aria-invalid="true"' in first.text
    assert unquote(first["X-Refusal-Reason"]).startswith("Enter a number from 0 to")
    assert_same_answer(first, again)


def test_a_kept_page_runs_its_scripts_under_the_replays_nonce(member_client, member, trainer):
    """Without htmx a refused count answers the whole page, whose scripts
    carry the CSP nonce of its own answer."""
    workout = started_workout(member, trainer)
    data = a_set(workout, reps="999")

    first = member_client.post(url(workout, "sets/"), data, **keyed())
    again = member_client.post(url(workout, "sets/"), data, **keyed())

    def nonce(response):
        return response["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]

    assert f'nonce="{nonce(first)}"' in first.text
    assert nonce(again) != nonce(first)
    assert f'nonce="{nonce(again)}"' in again.text and nonce(first) not in again.text
    assert again.status_code == 422 and again["Idempotent-Replayed"] == "true"
