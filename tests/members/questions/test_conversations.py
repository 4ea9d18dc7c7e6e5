"""A question is a conversation: the member and the trainer write back and
forth in the app, each turn stored first and emailed once through the
outbox; each side sees what is new to them; the wait a trainer is shown
starts when the member last wrote."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone

from members.coaching.attention import reviews_with_reasons
from members.models import Assignment, EmailDelivery, Question
from members.questions import services as questions
from members.questions.views import REPLIES_PER_HOUR
from tests.factories import put_on_block
from tests.html import elements
from tests.members.questions.contact import MESSAGE
from tests.members.worker import database_tasks, run_worker  # noqa: F401

DOWN = {"default": {"BACKEND": "tests.mail_backends.DownBackend"}}
LOCMEM = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}


def _asked(member):
    return questions.ask(
        member=member, name="Alex Rivera", email=member.email, subject="Wall", message=MESSAGE
    )


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _turns(html: str) -> list[str]:
    return [turn["class"] for turn in elements(html, "li", class_="turn")]


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("database_tasks", "clear_cache")
def test_three_turns_each_way_each_emailed_once_with_mail_down_then_up(member, trainer, settings):
    put_on_block(member, trainer=trainer, start_date=timezone.localdate())
    alex, makana = _client(member), _client(trainer)
    question = _asked(member)
    settings.MAILERS = DOWN

    for turn in range(3):
        answered = makana.post(
            f"/trainer/questions/{question.pk}/answer/", {"answer-text": f"Coach {turn}"}
        )
        assert answered.status_code == 302
        replied = alex.post(f"/me/questions/{question.pk}/reply/", {"reply-text": f"Alex {turn}"})
        assert replied.status_code == 302
        assert replied["Location"] == f"/me/questions/#question-{question.pk}"
        run_worker()  # every try fails: the mail server is down

    question.refresh_from_db()
    assert question.status == "new"  # Alex wrote last: Makana's turn
    assert question.answer == "Coach 0"
    assert [(r.from_trainer, r.text) for r in question.replies.all()] == [
        (False, "Alex 0"),
        (True, "Coach 1"),
        (False, "Alex 1"),
        (True, "Coach 2"),
        (False, "Alex 2"),
    ]
    assert mail.outbox == []
    kinds = list(question.deliveries.order_by("pk").values_list("kind", "state"))
    assert [kind for kind, _ in kinds] == [
        "question",
        "question_receipt",
        "answer",
        "reply_to_trainer",
        "reply_to_member",
        "reply_to_trainer",
        "reply_to_member",
        "reply_to_trainer",
    ]
    assert {state for _, state in kinds} == {"queued"}

    # The mail server is back; each retry after its wait sends each email once.
    settings.MAILERS = LOCMEM
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=2), tick=False):
        run_worker()
        run_worker()
    assert set(question.deliveries.values_list("state", flat=True)) == {"sent"}
    assert len(mail.outbox) == 8
    to_makana = [m for m in mail.outbox if m.subject == "Re: Wall (Alex Rivera replied)"]
    assert sorted(m.body.split("\n\n")[1] for m in to_makana) == ["Alex 0", "Alex 1", "Alex 2"]
    assert {tuple(m.to) for m in to_makana} == {("makana@example.com",)}
    assert {tuple(m.reply_to) for m in to_makana} == {("Alex Rivera <alex@example.com>",)}
    to_alex = [m for m in mail.outbox if m.to == ["alex@example.com"] and "Coach" in m.body]
    assert len(to_alex) == 3
    assert {tuple(m.reply_to) for m in to_alex} == {("Makana <makana@example.com>",)}

    # Both pages show the whole conversation, oldest first.
    page = alex.get("/me/questions/").content.decode()
    assert _turns(page) == ["turn turn-member", *["turn turn-trainer", "turn turn-member"] * 3]
    page = makana.get(f"/trainer/questions/{question.pk}/").content.decode()
    assert (
        page.index("Coach 0") < page.index("Alex 0") < page.index("Coach 2") < page.index("Alex 2")
    )


@pytest.mark.django_db
def test_each_side_sees_what_is_new_to_them(member, trainer, block):
    alex, makana = _client(member), _client(trainer)
    start = timezone.now()

    def minutes_later(minutes):
        return time_machine.travel(start + dt.timedelta(minutes=minutes), tick=False)

    question = _asked(member)
    with minutes_later(1):
        inbox = makana.get("/trainer/questions/").content.decode()
        assert '<span class="badge badge-new">New</span>' in inbox
        makana.get(f"/trainer/questions/{question.pk}/")
        assert "badge-new" not in makana.get("/trainer/questions/?show=all").content.decode()
    with minutes_later(2):
        questions.answer(question=question, trainer=trainer, text="Move closer.")
    with minutes_later(3):
        today = alex.get("/me/").content.decode()
        assert elements(today, "a", href=f"/me/questions/#question-{question.pk}")
        assert "Makana replied about “Wall”: read it" in today
        page = alex.get("/me/questions/").content.decode()
        assert "New reply" in page
        assert page.count('<span class="badge badge-new">New</span>') == 1  # the answer
        assert "New reply" not in alex.get("/me/questions/").content.decode()  # read now
        assert "replied about" not in alex.get("/me/").content.decode()
    with minutes_later(4):
        questions.member_reply(question=question, member=member, text="How close?")
    with minutes_later(5):
        inbox = makana.get("/trainer/questions/").content.decode()
        assert '<span class="badge badge-new">New reply</span>' in inbox
        # Three messages, the member's newest shown.
        assert "3 messages" in inbox
        assert inbox.split('class="question-snippet">')[1].startswith("How close?")
        # In the conversation, the reply the trainer has not read is marked.
        page = makana.get(f"/trainer/questions/{question.pk}/").content.decode()
        assert page.count('<span class="badge badge-new">New</span>') == 1
        assert page.index("badge-new") > page.index("How close?") - 400
        assert "New reply" not in makana.get("/trainer/questions/").content.decode()


@pytest.mark.django_db
def test_the_wait_a_trainer_is_shown_starts_when_the_member_last_wrote(member, trainer):
    start = timezone.now() - dt.timedelta(days=5)
    with time_machine.travel(start, tick=False):
        put_on_block(member, trainer=trainer, start_date=timezone.localdate())
        question = _asked(member)
        questions.answer(question=question, trainer=trainer, text="Move closer.")
    with time_machine.travel(start + dt.timedelta(days=3), tick=False):
        questions.member_reply(question=question, member=member, text="How close?")

    def reasons() -> list[str]:
        (review,) = reviews_with_reasons(Assignment.objects.filter(member=member))
        return review.reasons

    with time_machine.travel(start + dt.timedelta(days=3, hours=20), tick=False):
        assert not any("Wall" in reason for reason in reasons())
    with time_machine.travel(start + dt.timedelta(days=4, hours=1), tick=False):
        asked = timezone.localtime(start + dt.timedelta(days=3))
        assert f"Question “Wall” unanswered since {asked:%a %b %-d}" in reasons()
        page = _client(trainer).get("/trainer/questions/").content.decode()
        assert "waiting 1\xa0day" in page


@pytest.mark.django_db
def test_the_conversation_written_in_last_comes_first(member, trainer, block):
    start = timezone.now()
    older = _asked(member)
    with time_machine.travel(start + dt.timedelta(minutes=5), tick=False):
        newer = questions.ask(
            member=member, name="Alex", email=member.email, subject="Band", message=MESSAGE
        )
    with time_machine.travel(start + dt.timedelta(minutes=10), tick=False):
        questions.answer(question=older, trainer=trainer, text="Move closer.")
        page = _client(member).get("/me/questions/").content.decode()
    ids = [item["id"] for item in elements(page, "li", class_="question-item")]
    assert ids == [f"question-{older.pk}", f"question-{newer.pk}"]


@pytest.mark.django_db
def test_the_reply_address_opened_as_a_page_shows_the_conversation(member, block):
    question = _asked(member)
    response = _client(member).get(f"/me/questions/{question.pk}/reply/")
    assert response.status_code == 302
    assert response["Location"] == f"/me/questions/#question-{question.pk}"


@pytest.mark.django_db
def test_a_reply_opens_a_closed_conversation(member, trainer, block):
    question = _asked(member)
    questions.close(question=question)
    response = _client(member).post(
        f"/me/questions/{question.pk}/reply/", {"reply-text": "Still stuck, sorry."}
    )
    assert response.status_code == 302
    question.refresh_from_db()
    assert (question.status, question.closed_at) == ("new", None)
    assert EmailDelivery.objects.get(kind="reply_to_trainer").to_email == trainer.email


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("", "Write your reply first."),
        ("   \n ", "Write your reply first."),
        ("x" * 3001, "Keep it under 3000 characters; this is 3001."),
    ],
)
def test_a_reply_that_cannot_go_is_said_at_its_field_and_kept(member, trainer, block, typed, said):
    question = _asked(member)
    response = _client(member).post(f"/me/questions/{question.pk}/reply/", {"reply-text": typed})
    assert response.status_code == 422
    html = response.content.decode()
    (box,) = elements(html, "textarea", name="reply-text", id=f"id_q{question.pk}_reply-text")
    assert box["aria-invalid"] == "true"
    assert said in html
    if typed.strip():
        assert typed in html
    # The page opens at the reply box, open, where the mistake is said.
    assert elements(html, "details", class_="reply-box", open="", id=f"reply-{question.pk}")
    assert elements(html, "form", action=f"/me/questions/{question.pk}/reply/#reply-{question.pk}")
    assert not question.replies.exists()
    assert Question.objects.get(pk=question.pk).status == "new"


@pytest.mark.django_db
def test_another_members_conversation_is_a_404(member, second_member, trainer, block):
    question = _asked(member)
    response = _client(second_member).post(
        f"/me/questions/{question.pk}/reply/", {"reply-text": "Me too"}
    )
    assert response.status_code == 404
    assert not question.replies.exists()


@pytest.mark.django_db
@pytest.mark.usefixtures("clear_cache")
def test_replies_past_the_hours_limit_are_kept_and_said_at_the_field(member, trainer, block):
    question = _asked(member)
    alex = _client(member)
    for turn in range(REPLIES_PER_HOUR):
        response = alex.post(f"/me/questions/{question.pk}/reply/", {"reply-text": f"Turn {turn}"})
        assert response.status_code == 302
    response = alex.post(f"/me/questions/{question.pk}/reply/", {"reply-text": "One more thing"})
    assert response.status_code == 429
    html = response.content.decode()
    assert f"You have sent {REPLIES_PER_HOUR} replies this hour" in html
    assert "One more thing" in html
    assert question.replies.count() == REPLIES_PER_HOUR
