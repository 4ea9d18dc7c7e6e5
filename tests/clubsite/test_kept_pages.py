"""Pages are kept between writes (clubsite/kept_pages.py): a member's own, a
trainer's page about a member and the dashboard. Each write, whoever makes it
and however, shows on the next page; so does the passing of time where a page
shows it; who may open a page is decided afresh after every change of access;
and a kept page carries this request's CSRF token and CSP nonce."""

import datetime as dt
import re

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from members.models import TrainerNote
from members.questions import services as questions
from routines.models import Equipment, Step
from tests.factories import PASSWORD, put_on_block, signed_in
from tests.html import elements, without_tokens
from tests.members.logger_helpers import HTMX, session_url, set_post, started_workout
from tests.members.questions.contact import asks, post_question

pytestmark = pytest.mark.django_db


@pytest.fixture
def block(member, trainer):
    today = timezone.localdate()
    return put_on_block(
        member, trainer=trainer, start_date=today - dt.timedelta(days=today.weekday())
    )


def _kept(client, path, django_assert_num_queries) -> str:
    """The page, opened twice: the second time as kept (session, user, stamps)."""
    first = client.get(path)
    assert first.status_code == 200
    with django_assert_num_queries(3):
        again = client.get(path)
    assert without_tokens(again.text) == without_tokens(first.text)
    return again.text


def test_a_kept_page_carries_this_requests_nonce_and_a_token_another_device_can_post(
    member, block, django_assert_num_queries
):
    phone, laptop = signed_in(member), signed_in(member)
    phone.handler.enforce_csrf_checks = laptop.handler.enforce_csrf_checks = True
    _kept(phone, "/me/", django_assert_num_queries)
    with django_assert_num_queries(3):
        page = laptop.get("/me/")
    nonce = re.search(r"'nonce-([^']+)'", page["Content-Security-Policy"]).group(1)
    nonces = [script["nonce"] for script in elements(page.text, "script") if "nonce" in script]
    assert nonces and set(nonces) == {nonce}
    assert "keptPage" not in page.text
    token = elements(page.text, "input", name="csrfmiddlewaretoken")[0]["value"]
    started = laptop.post("/me/sessions/start/", {"csrfmiddlewaretoken": token})
    assert started.status_code == 302 and started.url.startswith("/me/sessions/")


def test_the_members_own_write_shows_on_the_next_page(
    member, trainer, member_client, django_assert_num_queries
):
    workout = started_workout(member, trainer)
    before = _kept(member_client, session_url(workout), django_assert_num_queries)
    assert not elements(before, class_="set-row is-logged")
    data = set_post(workout, "Calf raise", reps="20")
    assert member_client.post(session_url(workout, "sets/"), data, **HTMX).status_code == 200
    after = member_client.get(session_url(workout)).text
    assert len(elements(after, class_="set-row is-logged")) == 1


def test_a_trainers_note_shows_on_the_members_today(
    member, trainer, block, member_client, django_assert_num_queries
):
    assert "Heels down, please" not in _kept(member_client, "/me/", django_assert_num_queries)
    signed_in(trainer).post(
        f"/trainer/blocks/{block.pk}/notes/", {"note-text": "Heels down, please"}
    )
    assert TrainerNote.objects.filter(assignment=block).exists()
    assert "Heels down, please" in member_client.get("/me/").text


def test_an_answer_written_outside_any_request_shows_on_today(
    member, trainer, block, member_client, django_assert_num_queries
):
    question = asks(member, "Wall distance")
    assert "replied about" not in _kept(member_client, "/me/", django_assert_num_queries)
    # As the task worker does for an emailed answer: no request, no middleware.
    questions.answer(question=question, trainer=trainer, text="Closer, two fingers.")
    today = member_client.get("/me/").text
    assert "replied about “Wall distance”" in today
    # Read on the Questions page (a GET): Today no longer says so.
    member_client.get("/me/questions/")
    assert "replied about" not in member_client.get("/me/").text


def test_a_routine_edited_in_the_admin_shows_in_the_guide(
    member, block, member_client, django_assert_num_queries
):
    step = Step.objects.filter(routine=block.routine).order_by("order").first()
    path = block.routine.get_absolute_url()
    assert "Slow and steady, both feet" not in _kept(
        member_client, path, django_assert_num_queries
    )
    # Saved outside a request, as a script or the shell would.
    step.exercise.setup = "Slow and steady, both feet."
    step.exercise.save()
    assert "Slow and steady, both feet" in member_client.get(path).text


def test_each_member_gets_their_own_page(
    member, second_member, trainer, block, member_client, django_assert_num_queries
):
    today = timezone.localdate()
    put_on_block(
        second_member, trainer=trainer, start_date=today - dt.timedelta(days=today.weekday())
    )
    mine = _kept(member_client, "/me/", django_assert_num_queries)
    theirs = signed_in(second_member).get("/me/").text
    assert member.display_name in mine and member.display_name not in theirs
    assert second_member.display_name in theirs


def test_a_page_is_kept_for_its_day_only(member, block, member_client, django_assert_num_queries):
    # Kept late in the evening; an hour later it is a new day.
    evening = dt.datetime.combine(
        timezone.localdate(), dt.time(23, 30), timezone.get_current_timezone()
    )
    with time_machine.travel(evening, tick=False):
        _kept(member_client, "/me/", django_assert_num_queries)
    with (
        time_machine.travel(evening + dt.timedelta(hours=1), tick=False),
        CaptureQueriesContext(connection) as queries,
    ):
        member_client.get("/me/")
    assert len(queries) > 3


def test_an_htmx_request_and_a_page_with_a_message_are_not_kept(
    member, block, member_client, django_assert_num_queries
):
    _kept(member_client, "/me/", django_assert_num_queries)
    with CaptureQueriesContext(connection) as queries:
        member_client.get("/me/", **HTMX)
    assert len(queries) > 3
    # Making a calendar link leaves a message for the next page, Today here.
    member_client.post("/me/settings/calendar/new/")
    assert "Your calendar link is ready" in member_client.get("/me/").text


def test_a_page_rendered_while_a_write_lands_is_not_served_after_it(
    member, block, member_client, monkeypatch, django_assert_num_queries
):
    from members.blocks import views

    render = views.render

    def write_meanwhile(request, template, context=None, *args, **kwargs):
        # The stamps were read before the page was; the write's new token
        # commits with it.
        TrainerNote.objects.create(assignment=block, author=block.trainer, text="Meanwhile")
        return render(request, template, context, *args, **kwargs)

    monkeypatch.setattr(views, "render", write_meanwhile)
    member_client.get("/me/")
    monkeypatch.setattr(views, "render", render)
    with CaptureQueriesContext(connection) as queries:
        assert "Meanwhile" in member_client.get("/me/").text
    assert len(queries) > 3


# A trainer's page about one member (``kept_page_about``): who may open it
# changes only by a write, and every such write ends its kept copy.


def _kept_for_trainer(trainer, member, django_assert_num_queries):
    client = signed_in(trainer)
    path = f"/trainer/members/{member.pk}/"
    assert client.get(path).status_code == 200
    # Session, user, the Trainers group check, the stamps.
    with django_assert_num_queries(4):
        assert client.get(path).status_code == 200
    return client, path


def test_a_trainer_who_hands_a_member_over_gets_a_404_at_once(
    member, trainer, other_trainer, block, django_assert_num_queries
):
    client, path = _kept_for_trainer(trainer, member, django_assert_num_queries)
    handed = client.post(
        f"/trainer/members/{member.pk}/hand-over/",
        {"handover-trainer": other_trainer.pk, "handover-confirm": "on"},
    )
    assert handed.status_code == 302
    assert client.get(path).status_code == 404
    assert signed_in(other_trainer).get(path).status_code == 200


def test_a_trainer_gets_a_404_once_the_member_deletes_their_account(
    member, trainer, block, member_client, django_assert_num_queries
):
    client, path = _kept_for_trainer(trainer, member, django_assert_num_queries)
    member_client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    deleted = member_client.post("/me/settings/delete/", {"confirm": "yes"})
    assert deleted.status_code == 302 and deleted.url == "/"
    assert client.get(path).status_code == 404


def test_a_pause_by_another_trainer_shows_on_the_kept_page(
    member, trainer, block, superuser, django_assert_num_queries
):
    client, path = _kept_for_trainer(trainer, member, django_assert_num_queries)
    assert "Paused" not in client.get(path).text
    assert signed_in(superuser).post(f"/trainer/blocks/{block.pk}/pause/").status_code == 302
    assert "Paused" in client.get(path).text


def test_a_members_set_shows_on_their_trainers_kept_page(
    member, trainer, member_client, django_assert_num_queries
):
    workout = started_workout(member, trainer)
    client, path = _kept_for_trainer(trainer, member, django_assert_num_queries)
    before = client.get(path).text
    data = set_post(workout, "Calf raise", reps="17")
    assert member_client.post(session_url(workout, "sets/"), data, **HTMX).status_code == 200
    assert without_tokens(client.get(path).text) != without_tokens(before)


# The dashboard (``kept_page_over_members``): any member's write, a visitor's
# question, or the first standing to lapse ends its kept copy.


def _kept_dashboard(client, django_assert_num_queries, *, queries=4) -> str:
    first = client.get("/trainer/")
    assert first.status_code == 200
    # Session, user, the Trainers group check (not for a superuser), the stamps.
    with django_assert_num_queries(queries):
        again = client.get("/trainer/")
    assert without_tokens(again.text) == without_tokens(first.text)
    return again.text


def test_a_members_session_shows_on_the_kept_dashboard(
    member, trainer, member_client, django_assert_num_queries
):
    workout = started_workout(member, trainer)
    client = signed_in(trainer)
    before = _kept_dashboard(client, django_assert_num_queries)
    finished = member_client.post(session_url(workout, "finish/"), {"feeling": "about_right"})
    assert finished.status_code == 302
    after = client.get("/trainer/").text
    assert without_tokens(after) != without_tokens(before)
    assert f"Last workout: {workout.date:%a %b %-d}" in after


def test_a_visitors_question_shows_on_the_kept_dashboard(
    member, trainer, superuser, block, clear_cache, django_assert_num_queries
):
    # A visitor's question goes to the club: the head trainer's to answer.
    client = signed_in(superuser)
    kept = _kept_dashboard(client, django_assert_num_queries, queries=3)
    assert "waiting for your answer" not in kept
    sent = post_question(Client(), name="Sam", email="sam@example.net")
    assert sent.status_code == 302
    assert "1 question waiting for your answer" in client.get("/trainer/").text


def test_the_kept_dashboard_lapses_when_a_question_turns_a_day_old(
    member, trainer, block, django_assert_num_queries
):
    today = timezone.localdate()
    zone = timezone.get_current_timezone()
    with time_machine.travel(dt.datetime.combine(today, dt.time(15), zone), tick=False):
        asks(member, "Wall distance")
    client = signed_in(trainer)
    next_day = today + dt.timedelta(days=1)
    with time_machine.travel(dt.datetime.combine(next_day, dt.time(10), zone), tick=False):
        assert "unanswered since" not in _kept_dashboard(client, django_assert_num_queries)
    with time_machine.travel(dt.datetime.combine(next_day, dt.time(16), zone), tick=False):
        assert "Question “Wall distance” unanswered since" in client.get("/trainer/").text


# What a trainer's page about a member shows that moves with time or with a
# read: how long a question has waited, a question turning a day old, "New".


def test_opening_a_question_clears_new_on_the_kept_member_page(
    member, trainer, block, django_assert_num_queries
):
    question = asks(member, "Wall distance")
    client, path = _kept_for_trainer(trainer, member, django_assert_num_queries)
    assert "badge-new" in client.get(path).text
    # Read on its own page, a GET.
    assert client.get(f"/trainer/questions/{question.pk}/").status_code == 200
    assert "badge-new" not in client.get(path).text


def test_the_member_page_says_how_long_a_question_has_waited_and_when_it_turns_a_day_old(
    member, trainer, block
):
    today, zone = timezone.localdate(), timezone.get_current_timezone()
    asked = dt.datetime.combine(today, dt.time(15), zone)
    with time_machine.travel(asked, tick=False):
        asks(member, "Wall distance")
    client, path = signed_in(trainer), f"/trainer/members/{member.pk}/"
    with time_machine.travel(asked + dt.timedelta(minutes=5), tick=False):
        assert "waiting 5\xa0minutes" in client.get(path).text
        assert "waiting 5\xa0minutes" in client.get(path).text
    with time_machine.travel(asked + dt.timedelta(minutes=6, seconds=1), tick=False):
        assert "waiting 6\xa0minutes" in client.get(path).text
    with time_machine.travel(asked + dt.timedelta(hours=19), tick=False):
        assert "unanswered since" not in client.get(path).text
    with time_machine.travel(asked + dt.timedelta(hours=25), tick=False):
        assert "Question “Wall distance” unanswered since" in client.get(path).text


def test_equipment_added_to_an_exercise_outside_a_request_shows_in_the_guide(
    member, block, member_client, django_assert_num_queries
):
    step = Step.objects.filter(routine=block.routine).order_by("order").first()
    path = block.routine.get_absolute_url()
    board = Equipment.objects.create(name="Slant board")
    assert "Slant board" not in _kept(member_client, path, django_assert_num_queries)
    step.exercise.equipment.add(board)  # a link only: no row of a routine's is saved
    assert "Slant board" in member_client.get(path).text


def test_an_account_closed_outside_a_request_is_a_404_on_the_kept_member_page(
    member, trainer, block, django_assert_num_queries
):
    client, path = _kept_for_trainer(trainer, member, django_assert_num_queries)
    member.is_active = False
    member.save()
    assert client.get(path).status_code == 404
