"""The contact form, the member's Questions page and the trainer's inbox:
field errors, abuse, injection, scope, answers and the dashboard's reason.
Tasks run in process here; test_question_delivery runs them in the worker."""

import datetime as dt
import re

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone

from members.coaching.attention import reviews_with_reasons
from members.models import Assignment, EmailDelivery, Profile, Question
from members.questions import services as questions
from routines.models import Exercise
from tests.factories import TrainerFactory, UserFactory, put_on_block
from tests.members.logger_helpers import CLUB, finished_workout, started_workout

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clear_cache")]

MESSAGE = "My heels lift when I squat. Should I move closer to the wall?"


def _asks(person, subject):
    """``person`` asks a question through the service, as the form would."""
    return questions.ask(
        member=person,
        name=person.display_name,
        email=person.email,
        subject=subject,
        message=MESSAGE,
    )


def _token(client, url="/contact/"):
    page = client.get(url).content.decode()
    return re.search(r'name="token" value="([^"]+)"', page).group(1)


def _post(client, url="/contact/", **fields):
    data = {"subject": "How far from the wall?", "message": MESSAGE, **fields}
    data.setdefault("token", _token(client, url))
    return client.post(url, data, REMOTE_ADDR=fields.pop("ip", "203.0.113.7"))


@pytest.fixture
def on_block(member, trainer):
    return put_on_block(member, trainer=trainer, start_date=timezone.localdate())


@pytest.fixture
def calf_raise(on_block):
    return Exercise.objects.get(name__iexact="calf raise")


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

    response = _post(
        member_client, f"/contact/?workout={workout.pk}", about=f"workout-{workout.pk}"
    )
    assert response.status_code == 302
    assert Question.objects.get().workout == workout


def test_choosing_nothing_in_particular_after_a_session_is_about_nothing(
    member_client, member, on_block
):
    workout = finished_workout(member, on_block.planned_sessions.first())
    _post(member_client, f"/contact/?workout={workout.pk}", about="", workout=workout.pk)
    question = Question.objects.get()
    assert (question.exercise, question.workout) == (None, None)


def test_asked_from_the_logger_it_keeps_the_exercise_and_the_session(
    member_client, member, on_block, calf_raise
):
    workout = finished_workout(member, on_block.planned_sessions.first())
    url = f"/contact/?exercise={calf_raise.pk}&workout={workout.pk}"
    _post(
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
            "token": _token(client),
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
    response = _post(client, name="Robin", email="robin@example.net", message="x" * 3001)
    assert response.status_code == 422
    assert "Keep it under 3,000 characters" in response.context["form"].errors["message"][0]


def test_the_confirmation_says_who_answers_and_where(member_client, on_block):
    response = _post(member_client)
    assert response["Location"] == "/contact/sent/"
    page = member_client.get("/contact/sent/").content.decode()
    assert "Makana will answer by email to <strong>alex@example.com</strong>" in page
    assert "usually within a day" in page
    assert 'href="/me/questions/"' in page


def test_another_senders_form_token_makes_a_new_question_of_their_own(
    member, second_member, trainer
):
    first = _asks(member, "Mine")
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
    token = _token(member_client)
    _post(member_client, token=token)
    _post(member_client, token=token)
    assert Question.objects.count() == 1
    assert len(mail.outbox) == 2  # To Makana, and the receipt: once each.


def test_a_retry_of_the_last_question_the_limit_allows_still_gets_its_answer(
    member_client, on_block, clear_cache
):
    """The phone lost the answer to the fifth question of the hour and posts it
    again: that is the question already sent, not a sixth."""
    for _ in range(questions.QUESTIONS_PER_HOUR - 1):
        assert _post(member_client).status_code == 302
    last = _token(member_client)
    assert _post(member_client, token=last).status_code == 302

    retried = _post(member_client, token=last)

    assert retried.status_code == 302 and retried["Location"] == "/contact/sent/"
    assert Question.objects.count() == questions.QUESTIONS_PER_HOUR
    assert _post(member_client).status_code == 429  # A new question is over the limit.


# Abuse


def test_a_filled_honeypot_sends_nothing_and_looks_like_success(client):
    response = _post(client, name="Bot", email="bot@example.net", website="http://spam.example")
    assert response.status_code == 302 and response["Location"] == "/contact/sent/"
    assert "Your question is on its way" in client.get("/contact/sent/").content.decode()
    assert Question.objects.count() == 0
    assert mail.outbox == []


def test_over_the_limit_per_address_gets_a_clear_message_and_nothing_is_sent(client):
    for n in range(questions.QUESTIONS_PER_HOUR):
        assert _post(client, name="Robin", email=f"robin{n}@example.net").status_code == 302
    sent = len(mail.outbox)

    response = _post(client, name="Robin", email="robin@example.net", subject="One more")
    assert response.status_code == 429
    page = response.content.decode()
    assert "You have sent 5 questions this hour" in page
    assert re.search(r"send it after \d+:00 [AP]M", page)
    assert "One more" in page and MESSAGE in page  # Nothing typed is lost.
    assert Question.objects.count() == questions.QUESTIONS_PER_HOUR
    assert len(mail.outbox) == sent

    # Another address is not held back by this one.
    assert (
        _post(Client(), name="Sam", email="sam@example.net", ip="198.51.100.9").status_code == 302
    )


def test_over_the_limit_per_member_holds_across_addresses(member_client, on_block):
    for n in range(questions.QUESTIONS_PER_HOUR):
        assert _post(member_client, ip=f"198.51.100.{n}").status_code == 302
    assert _post(member_client, ip="192.0.2.200").status_code == 429


def test_members_on_the_clubs_wifi_each_have_their_own_count(member, second_member, trainer):
    for person in (member, second_member):
        put_on_block(person, trainer=trainer, start_date=timezone.localdate())
        client = Client()
        client.force_login(person)
        for _ in range(questions.QUESTIONS_PER_HOUR):
            assert _post(client, ip="203.0.113.50").status_code == 302
    assert Question.objects.count() == 2 * questions.QUESTIONS_PER_HOUR


def test_a_flood_from_one_address_is_held_back_across_accounts(trainer):
    sent = 0
    while sent < questions.QUESTIONS_PER_ADDRESS_PER_HOUR:
        client = Client()
        client.force_login(UserFactory())
        for _ in range(questions.QUESTIONS_PER_HOUR):
            if sent == questions.QUESTIONS_PER_ADDRESS_PER_HOUR:
                break
            assert _post(client, ip="203.0.113.60").status_code == 302
            sent += 1
    client = Client()
    client.force_login(UserFactory())
    response = _post(client, ip="203.0.113.60")
    assert response.status_code == 429
    assert "Many questions came from your network" in response.content.decode()


def test_the_limit_resets_after_an_hour(client):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for n in range(questions.QUESTIONS_PER_HOUR):
            _post(client, name="Robin", email=f"r{n}@example.net")
        assert _post(client, name="Robin", email="r@example.net").status_code == 429
    with time_machine.travel(start + dt.timedelta(hours=1, minutes=1), tick=False):
        assert _post(client, name="Robin", email="r@example.net").status_code == 302


def test_a_line_break_in_the_subject_or_name_adds_no_header(client, settings):
    settings.CLUB_CONTACT_EMAIL = "desk@club.example.com"
    _post(
        client,
        name="Robin\r\nBcc: victim@example.org",
        email="robin@example.net",
        subject="Hello\r\nBcc: victim@example.org\r\nX-Spam: yes",
    )
    question = Question.objects.get()
    assert question.subject == "Hello Bcc: victim@example.org X-Spam: yes"
    assert "\n" not in question.name
    for sent in mail.outbox:
        headers = sent.message()
        assert headers["Bcc"] is None and headers["X-Spam"] is None
        assert "victim@example.org" not in sent.recipients()


def test_a_line_break_in_a_members_stored_name_does_not_stop_the_email(member_client, on_block):
    """Names typed before forms made them one line, or in the admin, still go
    into Reply-To as one line, so the question reaches the trainer."""
    Profile.objects.filter(user=on_block.member).update(display_name="Alex\r\nBcc: x@example.org")
    _post(member_client)
    (to_trainer,) = [m for m in mail.outbox if m.to == ["makana@example.com"]]
    assert to_trainer.reply_to == ['"Alex Bcc: x@example.org" <alex@example.com>']
    assert to_trainer.message()["Bcc"] is None
    assert EmailDelivery.objects.get(kind="question").state == "sent"


def test_an_address_with_a_line_break_is_refused(client):
    response = _post(client, name="Robin", email="robin@example.net\nBcc: victim@example.org")
    assert response.status_code == 422
    assert "email" in response.context["form"].errors


def test_markup_is_escaped_in_pages_and_html_mail_and_verbatim_in_plain_text(
    member_client, member, trainer, on_block
):
    script = "<script>alert('x')</script> & more"
    _post(member_client, subject="Is <b>this</b> right?", message=script)
    question = Question.objects.get()

    mine = member_client.get("/me/questions/").content.decode()
    assert "<script>alert" not in mine
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; more" in mine
    assert "Is &lt;b&gt;this&lt;/b&gt; right?" in mine

    coach = Client()
    coach.force_login(trainer)
    theirs = coach.get(f"/trainer/questions/{question.pk}/").content.decode()
    assert "<script>alert" not in theirs and "&lt;script&gt;" in theirs
    inbox = coach.get("/trainer/questions/").content.decode()
    assert "<script>alert" not in inbox and "<b>this</b>" not in inbox

    (to_trainer,) = [m for m in mail.outbox if m.to == ["makana@example.com"]]
    assert script in to_trainer.body
    assert "Is <b>this</b> right?" in to_trainer.subject
    html = to_trainer.alternatives[0].content
    assert "<script>" not in html and "&lt;script&gt;alert" in html


# Scope


def test_members_see_only_their_own_questions(member_client, member, second_member, trainer):
    _asks(member, "Mine here")
    _asks(second_member, "Not yours")
    page = member_client.get("/me/questions/").content.decode()
    assert "Mine here" in page and "Not yours" not in page


@pytest.fixture
def two_trainers(member, second_member, trainer, other_trainer):
    """Alex asks Makana, Jordan asks Kai; a client signed in as Makana."""
    put_on_block(member, trainer=trainer, start_date=timezone.localdate())
    put_on_block(second_member, trainer=other_trainer, start_date=timezone.localdate())
    mine = _asks(member, "For Makana")
    theirs = _asks(second_member, "For Kai")
    coach = Client()
    coach.force_login(trainer)
    return coach, mine, theirs


def test_trainers_see_only_questions_addressed_to_them(two_trainers):
    coach, mine, theirs = two_trainers
    inbox = coach.get("/trainer/questions/").content.decode()
    assert "For Makana" in inbox and "For Kai" not in inbox
    assert coach.get(f"/trainer/questions/{mine.pk}/").status_code == 200
    for url in ["", "answer/", "answered/", "close/", "reopen/"]:
        method = coach.get if not url else coach.post
        assert method(f"/trainer/questions/{theirs.pk}/{url}").status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == "new"


def test_members_and_visitors_cannot_open_the_inbox(client, member_client, member):
    question = _asks(member, "Mine")
    assert member_client.get("/trainer/questions/").status_code == 403
    assert member_client.get(f"/trainer/questions/{question.pk}/").status_code == 403
    member_client.logout()
    assert client.get("/me/questions/").status_code == 302
    assert client.get("/trainer/questions/").status_code == 302


def _visitor_asks():
    return questions.ask(
        member=None,
        name="Robin",
        email="robin@example.net",
        subject="Visitor here",
        message=MESSAGE,
    )


def test_the_trainer_with_the_clubs_address_sees_visitors_questions(settings, other_trainer):
    settings.CLUB_CONTACT_EMAIL = "Makana@example.com"
    desk = TrainerFactory(email="makana@example.com", display_name="Makana")
    _visitor_asks()
    for person, sees in [(desk, True), (other_trainer, False)]:
        coach = Client()
        coach.force_login(person)
        assert ("Visitor here" in coach.get("/trainer/questions/").content.decode()) is sees


def test_a_superuser_sees_the_questions_sent_to_the_clubs_address(superuser, client):
    _visitor_asks()
    client.force_login(superuser)
    assert "Visitor here" in client.get("/trainer/questions/").content.decode()


# Answering


@pytest.fixture
def asked(member, on_block):
    question = _asks(member, "How far from the wall?")
    mail.outbox.clear()
    return question


def test_answering_in_the_app_emails_the_member_and_shows_on_their_page(
    asked, trainer, member_client
):
    coach = Client()
    coach.force_login(trainer)
    response = coach.post(
        f"/trainer/questions/{asked.pk}/answer/", {"answer-text": "Two inches closer, heels down."}
    )
    assert response.status_code == 302
    asked.refresh_from_db()
    assert asked.status == "answered" and asked.answered_by == trainer
    (sent,) = mail.outbox
    assert sent.to == ["alex@example.com"] and "Two inches closer" in sent.body

    page = member_client.get("/me/questions/").content.decode()
    assert "Answered" in page and "Two inches closer, heels down." in page


def test_an_empty_answer_is_refused_at_the_field(asked, trainer):
    coach = Client()
    coach.force_login(trainer)
    response = coach.post(f"/trainer/questions/{asked.pk}/answer/", {"answer-text": "   "})
    assert response.status_code == 422
    assert response.context["form"].errors["text"]
    assert mail.outbox == []


def test_reopening_an_answered_question_leaves_it_answered(asked, trainer):
    questions.answer(question=asked, trainer=trainer, text="Closer.")
    questions.close(question=asked)
    questions.reopen(question=asked)
    asked.refresh_from_db()
    assert asked.status == "answered" and asked.closed_at is None


def test_close_and_reopen_then_mark_answered(asked, trainer):
    coach = Client()
    coach.force_login(trainer)
    response = coach.post(f"/trainer/questions/{asked.pk}/close/")
    assert response["Location"] == f"/trainer/questions/{asked.pk}/#answer"
    asked.refresh_from_db()
    assert asked.status == "closed"
    page = coach.get(f"/trainer/questions/{asked.pk}/").content.decode()
    assert "Reopen it to answer" in page and "Send answer" not in page
    coach.post(f"/trainer/questions/{asked.pk}/reopen/")
    asked.refresh_from_db()
    assert asked.status == "new"
    coach.post(f"/trainer/questions/{asked.pk}/answered/")
    asked.refresh_from_db()
    assert asked.status == "answered" and asked.answer == "" and mail.outbox == []


def test_the_inbox_puts_the_longest_waiting_first_and_filters_by_status(member, trainer, on_block):
    start = timezone.now()
    for days, subject in [(3, "Oldest"), (1, "Newer")]:
        with time_machine.travel(start - dt.timedelta(days=days), tick=False):
            questions.ask(
                member=member, name="Alex", email=member.email, subject=subject, message=MESSAGE
            )
    done = _asks(member, "Done one")
    questions.mark_answered(question=done, trainer=trainer)
    coach = Client()
    coach.force_login(trainer)
    page = coach.get("/trainer/questions/").content.decode()
    assert page.index("Oldest") < page.index("Newer")
    assert "Done one" not in page
    assert "Done one" in coach.get("/trainer/questions/?show=answered").content.decode()


# The trainer's dashboard


@pytest.mark.parametrize(("hours_ago", "listed"), [(25, True), (23, False)])
def test_a_question_unanswered_for_a_day_puts_the_member_on_the_list(
    member, trainer, on_block, hours_ago, listed
):
    now = dt.datetime(2026, 11, 26, 23, 30, tzinfo=CLUB)
    with time_machine.travel(now - dt.timedelta(hours=hours_ago), tick=False):
        _asks(member, "Heels lift")
    with time_machine.travel(now, tick=False):
        (review,) = reviews_with_reasons(Assignment.objects.filter(member=member))
    reasons = [r for r in review.reasons if "Heels lift" in r]
    assert bool(reasons) is listed
    if listed:
        assert reasons == ["Question “Heels lift” unanswered since Wed Nov 25"]


def test_an_answered_question_is_off_the_list(asked, trainer, member):
    questions.answer(question=asked, trainer=trainer, text="Closer.")
    with time_machine.travel(timezone.now() + dt.timedelta(days=2), tick=False):
        (review,) = reviews_with_reasons(Assignment.objects.filter(member=member))
    assert not any("Question" in r for r in review.reasons)


# Query counts


def _club(size, trainer):
    for n in range(size):
        someone = UserFactory()
        put_on_block(someone, trainer=trainer, start_date=timezone.localdate())
        questions.ask(
            member=someone,
            name=someone.display_name,
            email=someone.email,
            subject=f"Question {n}",
            message=MESSAGE,
        )


@pytest.mark.parametrize("size", [2, 12])
def test_inbox_queries_do_not_grow_with_questions(size, trainer, django_assert_num_queries):
    _club(size, trainer)
    coach = Client()
    coach.force_login(trainer)
    # Session, user, the trainer's groups; the counts by status; the
    # questions with sender, trainer, exercise and workout; their emails.
    with django_assert_num_queries(6):
        response = coach.get("/trainer/questions/?show=all")
    assert response.content.decode().count('class="question-link"') == size


@pytest.mark.parametrize("size", [1, 8])
def test_member_questions_page_queries_do_not_grow(
    size, member, member_client, trainer, django_assert_num_queries
):
    for n in range(size):
        _asks(member, f"Q{n}")
    # Session, user; the questions with their people, exercise and workout; their emails.
    with django_assert_num_queries(4):
        response = member_client.get("/me/questions/")
    assert response.content.decode().count('class="card question-item"') == size


def test_a_trainer_with_no_block_for_the_member_still_gets_their_question(member):
    coach = TrainerFactory(email="lee@example.com", display_name="Lee")
    member.profile.trainer = coach
    member.profile.save()
    question = _asks(member, "Between blocks")
    assert question.trainer == coach and question.to_email == "lee@example.com"


def test_the_loggers_cards_ask_about_the_exercise_in_that_session(member_client, member, trainer):
    workout = started_workout(member, trainer)
    calf = Exercise.objects.get(name="Calf raise")
    page = member_client.get(f"/me/sessions/{workout.pk}/").content.decode()
    assert (
        f'href="/contact/?exercise={calf.pk}&amp;workout={workout.pk}" '
        'aria-label="Ask about this: Calf raise"'
    ) in page


# The admin


def test_the_admin_shows_a_trainer_only_their_questions_and_marks_them_answered(
    two_trainers, trainer
):
    coach, mine, _ = two_trainers
    listing = coach.get("/admin/members/question/").content.decode()
    assert "For Makana" in listing and "For Kai" not in listing
    deliveries = coach.get("/admin/members/emaildelivery/").content.decode()
    assert "alex@example.com" in deliveries and "jordan@example.com" not in deliveries

    coach.post(
        "/admin/members/question/",
        {"action": "mark_answered", "_selected_action": [mine.pk]},
    )
    mine.refresh_from_db()
    assert mine.status == "answered" and mine.answered_by == trainer


def test_an_email_that_failed_is_visible_to_the_trainer_and_the_member(
    member, trainer, on_block, member_client, settings
):
    settings.MAILERS = {"default": {"BACKEND": "tests.mail_backends.DownBackend"}}
    question = _asks(member, "Lost?")
    to_trainer = question.deliveries.get(kind="question")
    assert (to_trainer.state, to_trainer.attempts) == ("queued", 1)
    assert "SMTPConnectError" in to_trainer.last_error
    # After its last try (test_question_delivery walks the retries through the worker).
    question.deliveries.update(state="failed", attempts=5)

    coach = Client()
    coach.force_login(trainer)
    assert "Email failed" in coach.get("/trainer/questions/").content.decode()
    page = coach.get(f"/trainer/questions/{question.pk}/").content.decode()
    assert "failed after 5 tries" in page and "SMTPConnectError" in page
    mine = member_client.get("/me/questions/").content.decode()
    assert "not delivered yet: the club will send it again" in mine
