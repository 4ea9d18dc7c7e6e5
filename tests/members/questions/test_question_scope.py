"""Who sees which questions: members their own, trainers those addressed to
them, the club's address its visitors'; the pages' query counts; the admin."""

import pytest
from django.test import Client
from django.utils import timezone

from members.questions import services as questions
from tests.factories import TrainerFactory, UserFactory, put_on_block
from tests.members.questions.contact import MESSAGE, asks

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clear_cache")]


# Scope


def test_members_see_only_their_own_questions(member_client, member, second_member, trainer):
    asks(member, "Mine here")
    asks(second_member, "Not yours")
    page = member_client.get("/me/questions/").content.decode()
    assert "Mine here" in page and "Not yours" not in page


@pytest.fixture
def two_trainers(member, second_member, trainer, other_trainer):
    """Alex asks Makana, Jordan asks Kai; a client signed in as Makana."""
    put_on_block(member, trainer=trainer, start_date=timezone.localdate())
    put_on_block(second_member, trainer=other_trainer, start_date=timezone.localdate())
    mine = asks(member, "For Makana")
    theirs = asks(second_member, "For Kai")
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
    question = asks(member, "Mine")
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
        question = asks(member, f"Q{n}")
        questions.answer(question=question, trainer=trainer, text="Heels down.")
        questions.member_reply(question=question, member=member, text="Both sides?")
        questions.answer(question=question, trainer=trainer, text="Both, yes.")
    # Session, user; the questions with their people, exercise and workout;
    # their emails; their replies with their authors; marking them read, and
    # a new token for the member's kept pages (Today says "new answer").
    with django_assert_num_queries(7):
        response = member_client.get("/me/questions/")
    html = response.content.decode()
    assert html.count('class="card question-item"') == size
    assert html.count('class="turn ') == 4 * size
    assert html.count("New reply") == size


def test_a_trainer_with_no_block_for_the_member_still_gets_their_question(member):
    coach = TrainerFactory(email="lee@example.com", display_name="Lee")
    member.profile.trainer = coach
    member.profile.save()
    question = asks(member, "Between blocks")
    assert question.trainer == coach and question.to_email == "lee@example.com"


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
    question = asks(member, "Lost?")
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
