"""Every email the club sends: the HTML part escaped, the text part what was
typed, the headers one line each."""

import re
from dataclasses import dataclass

import pytest

from tests.clubsite.xss import payloads

pytestmark = pytest.mark.django_db


@dataclass
class Email:
    name: str
    matches: object  # (message, world) -> bool
    fields: tuple[payloads.Field, ...]
    subject_fields: tuple[payloads.Field, ...] = ()

    def __str__(self) -> str:  # the test id: "a visitor's question, to the club" -> ...
        return re.sub(r"[^a-z0-9]+", "-", self.name.lower()).strip("-")


def _to(message, user) -> bool:
    return message.to == [user.email]


def _reply_to(message, address: str) -> bool:
    return any(address in reply_to for reply_to in message.reply_to)


EMAILS = [
    Email(
        "invitation",
        lambda m, w: m.to == ["sam@example.com"],
        (payloads.INVITED_NAME, payloads.TRAINER_NAME),
        (payloads.TRAINER_NAME,),
    ),
    Email(
        "a member's question, to the trainer",
        lambda m, w: (
            _to(m, w.trainer) and "Question from" in m.subject and _reply_to(m, w.member.email)
        ),
        (
            payloads.MEMBER_NAME,
            payloads.SUBJECT,
            payloads.MESSAGE,
            payloads.EXERCISE,
            payloads.TITLE,
        ),
        (payloads.MEMBER_NAME, payloads.SUBJECT),
    ),
    Email(
        "a visitor's question, to the club",
        lambda m, w: _to(m, w.trainer) and _reply_to(m, "robin@example.net"),
        (payloads.VISITOR, payloads.SUBJECT, payloads.MESSAGE),
        (payloads.VISITOR, payloads.SUBJECT),
    ),
    Email(
        "receipt",
        lambda m, w: _to(m, w.member) and m.subject.endswith("has your question"),
        (payloads.TRAINER_NAME, payloads.MEMBER_NAME),
        (payloads.TRAINER_NAME,),
    ),
    Email(
        "answer",
        lambda m, w: _to(m, w.member) and m.subject.startswith("Re: "),
        (payloads.ANSWER, payloads.SUBJECT, payloads.MEMBER_NAME, payloads.TRAINER_NAME),
        (payloads.SUBJECT,),
    ),
    Email(
        "session reminder",
        lambda m, w: _to(m, w.member) and m.subject.startswith("Today:"),
        (
            payloads.MEMBER_NAME,
            payloads.TRAINER_NAME,
            payloads.TITLE,
            payloads.EXERCISE,
            payloads.KNOB,
            payloads.LEVEL,
        ),
        (payloads.TITLE,),
    ),
    Email(
        "weekly digest",
        lambda m, w: _to(m, w.trainer) and m.subject.startswith("Your week"),
        (
            payloads.MEMBER_NAME,
            payloads.TRAINER_NAME,
            payloads.TITLE,
            payloads.EXERCISE,
            payloads.SUBJECT,
        ),
    ),
    Email(
        "pain alert",
        lambda m, w: _to(m, w.trainer) and m.subject.startswith("Pain reported"),
        (payloads.MEMBER_NAME, payloads.EXERCISE, payloads.PAIN_NOTE),
        (payloads.MEMBER_NAME, payloads.EXERCISE),
    ),
    Email(
        "pain resolved",
        lambda m, w: _to(m, w.member) and "about the pain you reported" in m.subject,
        (payloads.RESOLUTION, payloads.TRAINER_NAME, payloads.MEMBER_NAME, payloads.EXERCISE),
        (payloads.TRAINER_NAME,),
    ),
    Email(
        "trainer's note",
        lambda m, w: _to(m, w.member) and payloads.TRAINER_NOTE.text in m.body,
        (payloads.TRAINER_NOTE, payloads.TRAINER_NAME, payloads.MEMBER_NAME),
        (payloads.TRAINER_NAME,),
    ),
]

HEADER_LINE = re.compile(r"^[A-Za-z][A-Za-z0-9-]*:", re.MULTILINE)


ALLOWED_HEADERS = {
    "content-type",
    "mime-version",
    "subject",
    "from",
    "to",
    "reply-to",
    "date",
    "message-id",
    "list-unsubscribe",
    "list-unsubscribe-post",
    "content-transfer-encoding",
}


@pytest.mark.parametrize("email", EMAILS, ids=str)
def test_the_email_carries_the_payloads_as_text(world, email):
    found = [m for m in world.emails if email.matches(m, world)]
    assert found, f"no {email.name} among {[m.subject for m in world.emails]}"
    message = found[0]
    assert "\n" not in message.subject and "\r" not in message.subject
    for field in email.subject_fields:
        assert field.text in message.subject, f"{email.name}: {field.label} not in subject"
    # The message builds (a line break in a header would raise), and
    # its header block has only the headers the app set.
    head = message.message().as_string().split("\n\n", 1)[0]
    names = {line.split(":", 1)[0].lower() for line in HEADER_LINE.findall(head)}
    assert names <= ALLOWED_HEADERS, f"{email.name}: {names}"
    # The text part says exactly what was typed, not HTML entities.
    for field in email.fields:
        assert field.text in message.body, f"{email.name}: {field.label} not in text"
    assert "&lt;" not in message.body and "&quot;" not in message.body
    ((html, kind),) = message.alternatives
    assert kind == "text/html"
    payloads.assert_inert(html, f"{email.name} (HTML)")
    payloads.assert_escaped(html, email.fields, f"{email.name} (HTML)")
