"""The contact form: its fields for a visitor and a member, its topic when
opened from an exercise or a session, messages at the fields, the
confirmation, and one question per form however often it is posted."""

import pytest
from django.core import mail
from django.utils import timezone

from members.models import Question
from members.questions import services as questions
from routines.models import Exercise
from tests.factories import put_on_block
from tests.members.logger_helpers import finished_workout, started_workout
from tests.members.questions.contact import MESSAGE, asks, form_token, post_question

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clear_cache")]


# The form


def test_visitor_sees_name_and_email_fields_and_a_member_sees_who_they_are(client, member):
    page = client.get("/contact/").content.decode()
    assert 'name="name"' in page and 'name="email"' in page
    assert 'name="about"' not in page

    client.force_login(member)
    page = client.get("/contact/").content.decode()
    assert 'name="name"' not in page and 'name="email"' not in page
    assert "From <strong>Alex Rivera</strong> (alex@example.com)" in page


def test_opened_from_an_exercise_the_topic_and_subject_are_set(member_client, calf_raise):
    page = member_client.get(f"/contact/?exercise={calf_raise.pk}").content.decode()
    assert f'<option value="exercise-{calf_raise.pk}" selected>' in page
    assert 'value="About Calf raise"' in page


def test_opened_from_a_session_it_is_about_that_session(member_client, member, on_block):
    workout = finished_workout(member, on_block.planned_sessions.first())
    page = member_client.get(f"/contact/?workout={workout.pk}").content.decode()
    assert f'<option value="workout-{workout.pk}" selected>' in page

    response = post_question(
        member_client, f"/contact/?workout={workout.pk}", about=f"workout-{workout.pk}"
    )
    assert response.status_code == 302
    assert Question.objects.get().workout == workout


def test_choosing_nothing_in_particular_after_a_session_is_about_nothing(
    member_client, member, on_block
):
    workout = finished_workout(member, on_block.planned_sessions.first())
    post_question(member_client, f"/contact/?workout={workout.pk}", about="", workout=workout.pk)
    question = Question.objects.get()
    assert (question.exercise, question.workout) == (None, None)


def test_asked_from_the_logger_it_keeps_the_exercise_and_the_session(
    member_client, member, on_block, calf_raise
):
    workout = finished_workout(member, on_block.planned_sessions.first())
    url = f"/contact/?exercise={calf_raise.pk}&workout={workout.pk}"
    post_question(
        member_client,
        url,
        about=f"exercise-{calf_raise.pk}",
        exercise=calf_raise.pk,
        workout=workout.pk,
    )
    question = Question.objects.get()
    assert (question.exercise, question.workout) == (calf_raise, workout)
    assert question.topic.startswith("Calf raise, in the session on ")


def test_someone_elses_session_is_a_404(member_client, second_member, trainer):
    block = put_on_block(second_member, trainer=trainer, start_date=timezone.localdate())
    theirs = finished_workout(second_member, block.planned_sessions.first())
    assert member_client.get(f"/contact/?workout={theirs.pk}").status_code == 404
    assert member_client.post("/contact/", {"workout": theirs.pk}).status_code == 404


def test_bad_input_gets_messages_at_the_fields_and_keeps_what_was_typed(client):
    response = client.post(
        "/contact/",
        {
            "name": "Robin",
            "email": "not-an-address",
            "subject": "",
            "message": "Help",
            "token": form_token(client),
        },
    )
    assert response.status_code == 422
    form = response.context["form"]
    assert form.errors["email"] == ["Enter a valid email address."]
    assert form.errors["subject"] == ["Give your question a subject."]
    assert form.errors["message"] == ["Tell a little more: at least 10 characters."]
    page = response.content.decode()
    assert (
        'value="Robin"' in page and 'value="not-an-address"' in page and "Help</textarea>" in page
    )
    assert Question.objects.count() == 0 and mail.outbox == []


def test_a_message_over_the_limit_is_refused_at_the_field(client):
    response = post_question(client, name="Robin", email="robin@example.net", message="x" * 3001)
    assert response.status_code == 422
    assert "Keep it under 3,000 characters" in response.context["form"].errors["message"][0]


def test_the_confirmation_says_who_answers_and_where(member_client, on_block):
    response = post_question(member_client)
    assert response["Location"] == "/contact/sent/"
    page = member_client.get("/contact/sent/").content.decode()
    assert "Makana will answer by email to <strong>alex@example.com</strong>" in page
    assert "usually within a day" in page
    assert 'href="/me/questions/"' in page


def test_another_senders_form_token_makes_a_new_question_of_their_own(
    member, second_member, trainer
):
    first = asks(member, "Mine")
    second = questions.ask(
        member=second_member,
        name="Jordan",
        email=second_member.email,
        subject="Theirs",
        message=MESSAGE,
        token=first.token,
    )
    assert second.pk != first.pk and second.member == second_member
    assert second.token != first.token


def test_the_same_form_posted_twice_is_one_question(member_client, on_block):
    token = form_token(member_client)
    post_question(member_client, token=token)
    post_question(member_client, token=token)
    assert Question.objects.count() == 1
    assert len(mail.outbox) == 2  # To Makana, and the receipt: once each.


def test_a_retry_of_the_last_question_the_limit_allows_still_gets_its_answer(
    member_client, on_block, clear_cache
):
    """The phone lost the answer to the fifth question of the hour and posts it
    again: that is the question already sent, not a sixth."""
    for _ in range(questions.QUESTIONS_PER_HOUR - 1):
        assert post_question(member_client).status_code == 302
    last = form_token(member_client)
    assert post_question(member_client, token=last).status_code == 302

    retried = post_question(member_client, token=last)

    assert retried.status_code == 302 and retried["Location"] == "/contact/sent/"
    assert Question.objects.count() == questions.QUESTIONS_PER_HOUR
    assert post_question(member_client).status_code == 429  # A new question is over the limit.


def test_the_loggers_cards_ask_about_the_exercise_in_that_session(member_client, member, trainer):
    workout = started_workout(member, trainer)
    calf = Exercise.objects.get(name="Calf raise")
    page = member_client.get(f"/me/sessions/{workout.pk}/").content.decode()
    assert (
        f'href="/contact/?exercise={calf.pk}&amp;workout={workout.pk}" '
        'aria-label="Ask about this: Calf raise"'
    ) in page
