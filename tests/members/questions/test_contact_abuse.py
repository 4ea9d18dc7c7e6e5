"""Abuse of the contact form: the honeypot, the limits per address and per
member, line breaks that would add mail headers, and markup."""

import datetime as dt
import re

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone

from members.models import EmailDelivery, Profile, Question
from members.questions import services as questions
from tests.factories import UserFactory, put_on_block
from tests.members.questions.contact import MESSAGE, post_question

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clear_cache")]


# Abuse


def test_a_filled_honeypot_sends_nothing_and_looks_like_success(client):
    response = post_question(
        client, name="Bot", email="bot@example.net", website="http://spam.example"
    )
    assert response.status_code == 302 and response["Location"] == "/contact/sent/"
    assert "Your question is on its way" in client.get("/contact/sent/").content.decode()
    assert Question.objects.count() == 0
    assert mail.outbox == []


def test_over_the_limit_per_address_gets_a_clear_message_and_nothing_is_sent(client):
    for n in range(questions.QUESTIONS_PER_HOUR):
        assert (
            post_question(client, name="Robin", email=f"robin{n}@example.net").status_code == 302
        )
    sent = len(mail.outbox)

    response = post_question(client, name="Robin", email="robin@example.net", subject="One more")
    assert response.status_code == 429
    page = response.content.decode()
    assert "You have sent 5 questions this hour" in page
    assert re.search(r"send it after \d+:00 [AP]M", page)
    assert "One more" in page and MESSAGE in page  # Nothing typed is lost.
    assert Question.objects.count() == questions.QUESTIONS_PER_HOUR
    assert len(mail.outbox) == sent

    # Another address is not held back by this one.
    assert (
        post_question(Client(), name="Sam", email="sam@example.net", ip="198.51.100.9").status_code
        == 302
    )


def test_over_the_limit_per_member_holds_across_addresses(member_client, on_block):
    for n in range(questions.QUESTIONS_PER_HOUR):
        assert post_question(member_client, ip=f"198.51.100.{n}").status_code == 302
    assert post_question(member_client, ip="192.0.2.200").status_code == 429


def test_members_on_the_clubs_wifi_each_have_their_own_count(member, second_member, trainer):
    for person in (member, second_member):
        put_on_block(person, trainer=trainer, start_date=timezone.localdate())
        client = Client()
        client.force_login(person)
        for _ in range(questions.QUESTIONS_PER_HOUR):
            assert post_question(client, ip="203.0.113.50").status_code == 302
    assert Question.objects.count() == 2 * questions.QUESTIONS_PER_HOUR


def test_a_flood_from_one_address_is_held_back_across_accounts(trainer):
    sent = 0
    while sent < questions.QUESTIONS_PER_ADDRESS_PER_HOUR:
        client = Client()
        client.force_login(UserFactory())
        for _ in range(questions.QUESTIONS_PER_HOUR):
            if sent == questions.QUESTIONS_PER_ADDRESS_PER_HOUR:
                break
            assert post_question(client, ip="203.0.113.60").status_code == 302
            sent += 1
    client = Client()
    client.force_login(UserFactory())
    response = post_question(client, ip="203.0.113.60")
    assert response.status_code == 429
    assert "Many questions came from your network" in response.content.decode()


def test_the_limit_resets_after_an_hour(client):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for n in range(questions.QUESTIONS_PER_HOUR):
            post_question(client, name="Robin", email=f"r{n}@example.net")
        assert post_question(client, name="Robin", email="r@example.net").status_code == 429
    with time_machine.travel(start + dt.timedelta(hours=1, minutes=1), tick=False):
        assert post_question(client, name="Robin", email="r@example.net").status_code == 302


def test_a_line_break_in_the_subject_or_name_adds_no_header(client, settings):
    settings.CLUB_CONTACT_EMAIL = "desk@club.example.com"
    post_question(
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
    post_question(member_client)
    (to_trainer,) = [m for m in mail.outbox if m.to == ["makana@example.com"]]
    assert to_trainer.reply_to == ['"Alex Bcc: x@example.org" <alex@example.com>']
    assert to_trainer.message()["Bcc"] is None
    assert EmailDelivery.objects.get(kind="question").state == "sent"


def test_an_address_with_a_line_break_is_refused(client):
    response = post_question(
        client, name="Robin", email="robin@example.net\nBcc: victim@example.org"
    )
    assert response.status_code == 422
    assert "email" in response.context["form"].errors


def test_markup_is_escaped_in_pages_and_html_mail_and_verbatim_in_plain_text(
    member_client, member, trainer, on_block
):
    script = "<script>alert('x')</script> & more"
    post_question(member_client, subject="Is <b>this</b> right?", message=script)
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
