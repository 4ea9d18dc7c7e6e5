"""The trainer's reply to pain reaches the member in the app, not only by
email: on Today, and under that session in History, only their own."""

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from members.logbook.sets import report_pain
from members.logbook.workouts import finish_workout
from members.models import PainFlag
from tests.members.logger_helpers import started_workout, step

pytestmark = pytest.mark.django_db

REPLY = "Rest two days, then <b>half</b> the range & no jumps."


def _pain_and_reply(member, trainer, *, note=REPLY):
    """Pain on the calf raise, then the trainer's "Resolve and send the note"."""
    workout = started_workout(member, trainer)
    report_pain(workout=workout, step_id=step(workout, "Calf raise")["id"], level=4)
    finish_workout(workout=workout)
    flag = PainFlag.objects.get(member=member)
    coach = Client()
    coach.force_login(trainer)
    assert coach.post(f"/trainer/pain/{flag.pk}/resolve/", {"note": note}).status_code == 302
    return workout, flag


def _page(user, path):
    client = Client()
    client.force_login(user)
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def test_today_shows_the_trainers_reply_escaped_with_its_date(member, trainer):
    _, flag = _pain_and_reply(member, trainer)
    flag.refresh_from_db()

    page = _page(member, "/me/")
    assert "about your pain during Calf raise (4/10" in page
    assert "Rest two days, then &lt;b&gt;half&lt;/b&gt; the range &amp; no jumps." in page
    assert "<b>half</b>" not in page
    replied = timezone.localtime(flag.resolved_at).strftime("%b %-d")
    assert f">{replied}</time>" in page
    assert "Makana replied on" in page


def test_history_shows_the_reply_under_the_session_it_was_about(member, trainer):
    workout, _ = _pain_and_reply(member, trainer)
    workout.refresh_from_db()
    assert workout.finished_at

    page = _page(member, "/me/history/")
    session = page.split('class="card history-item"')[1]
    assert "Pain 4/10 on Calf raise" in session
    assert "Makana replied on" in session
    assert "&lt;b&gt;half&lt;/b&gt;" in session


def test_another_members_reply_never_shows(member, second_member, trainer):
    _pain_and_reply(second_member, trainer, note="Jordan only: see a physio.")
    started_workout(member, trainer)

    for path in ("/me/", "/me/history/"):
        assert "Jordan only" not in _page(member, path)
    assert "Jordan only" in _page(second_member, "/me/")


def test_an_unresolved_flag_shows_no_reply_and_an_old_reply_leaves_today(member, trainer):
    workout = started_workout(member, trainer)
    report_pain(workout=workout, step_id=step(workout, "Calf raise")["id"], level=4)
    finish_workout(workout=workout)
    assert "replied on" not in _page(member, "/me/")

    flag = PainFlag.objects.get()
    coach = Client()
    coach.force_login(trainer)
    coach.post(f"/trainer/pain/{flag.pk}/resolve/", {"note": "Ice it."})
    with time_machine.travel(timezone.now() + dt.timedelta(days=15), tick=False):
        assert "Ice it." not in _page(member, "/me/")
        assert "Ice it." in _page(member, "/me/history/")  # History keeps it.
