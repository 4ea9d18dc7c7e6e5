"""Hostile input on what else trainers post: invitations (one, or a group),
notes, resolving pain, answering questions, and every button that posts no
field. See ``tests.clubsite.hostile`` for the check every answer passes."""

import pytest
from allauth.account.models import EmailAddress
from hypothesis import example, given
from hypothesis import strategies as st

from members.models import (
    Assignment,
    EmailDelivery,
    Invitation,
    PainFlag,
    PlannedSession,
    Profile,
    Question,
    StepOverride,
    TrainerNote,
    User,
)
from tests.clubsite.hostile import Ref, Sent
from tests.clubsite.hostile_posts import (
    FORM_STATUSES,
    FUZZ,
    form,
    prose,
    sent,
)

pytestmark = pytest.mark.django_db


names = st.sampled_from(["Pat", "Ana María", "李小龙", "O'Brien", "  Jo  "]).flatmap(prose)
# New addresses, and some that are taken: a member's, a trainer's, one invited already.
emails = st.one_of(
    st.sampled_from(["pat@example.com", "Pat.Lee+gym@Example.COM"]),
    st.emails().filter(lambda email: len(email) <= 254),
    st.sampled_from(["sam@example.com", "NEW@example.com", "makana@example.com"]),
)


@FUZZ
@given(data=form(note=prose("Rest two days, then 10 in.")), sent=sent)
# Regression: a NUL was a server error on PostgreSQL, and saved as typed on SQLite.
@example(data={"note": "Rest\x00"}, sent=Sent(htmx=False, form_encoded=True))
def test_resolving_pain(world, data, sent):
    with world.attempt("trainer", sent) as attempt:
        attempt.post(world.url("trainer:resolve_pain", pk=Ref("flag")), data)
        attempt.check(
            may_change={PainFlag, EmailDelivery}, statuses={302, 400, 422}, echo=["note"]
        )
        for flag in attempt.written(PainFlag):
            assert flag.status == "resolved" and flag.resolution_note
            assert flag.resolution_note == attempt.value("note").strip()


# What a trainer writes to a member: the form, the URL it posts to (and the
# object it names), the row it writes, and where that row keeps the text.
WRITINGS = {
    "note": (
        form(
            **{
                "note-text": prose("Good work: keep the wall at 12 in."),
                "note-workout": st.sampled_from(["", Ref("done_workout"), Ref("workout")]),
            }
        ),
        ("trainer:add_note", "block"),
        TrainerNote,
        "text",
    ),
    "answer": (
        form(**{"answer-text": prose("Stay at 12 in for a week.")}),
        ("trainer:answer", "question"),
        Question,
        "answer",
    ),
}


@pytest.mark.parametrize("kind", sorted(WRITINGS))
@FUZZ
@given(draw=st.data(), sent=sent)
def test_writing_to_a_member(world, kind, draw, sent):
    forms, (url, target), model, attribute = WRITINGS[kind]
    data = draw.draw(forms, label="data")
    field = f"{kind}-text"
    with world.attempt("trainer", sent) as attempt:
        attempt.post(world.url(url, pk=Ref(target)), data)
        attempt.check(may_change={model, EmailDelivery}, statuses=FORM_STATUSES, echo=[field])
        for row in attempt.written(model):
            assert getattr(row, attribute) == attempt.value(field).strip()
        for note in attempt.written(TrainerNote):
            assert note.workout_id in {None, world.refs["done_workout"]}
        for question in attempt.written(Question):
            assert question.status == "answered"


INVITED = {User, Profile, EmailAddress, Invitation}


def _invited_whole(attempt) -> None:
    """Everyone invited has an account waiting for a password, a profile
    with a name and Makana as trainer, an address, and one pending invitation."""
    for user in attempt.written(User):
        assert not user.has_usable_password()
        assert user.profile.display_name
        assert user.profile.trainer_id == attempt.world.refs["trainer"]
        assert EmailAddress.objects.filter(user=user, email=user.email).exists()
        assert user.invitations.pending().count() == 1


@FUZZ
@given(data=form(display_name=names, email=emails), sent=sent)
def test_inviting_a_member(world, data, sent):
    with world.attempt("trainer", sent) as attempt:
        attempt.post(world.url("trainer:invite"), data)
        attempt.check(may_change=INVITED, statuses={200, 302, 400}, echo=["display_name", "email"])
        _invited_whole(attempt)


SHAPES = ["{name}, {email}", "{name} <{email}>", "{email}, {name}"]
fresh_emails = st.sampled_from(
    ["pat@example.com", "Pat.Lee+gym@Example.COM"]
) | st.emails().filter(lambda email: len(email) <= 254)


def _people(emails, shapes):
    """A class, one person a line, as the trainer pastes it."""
    person = st.builds(
        lambda name, email, shape: shape.format(name=name, email=email), names, emails, shapes
    )
    return st.lists(person, min_size=1, max_size=4).map("\n".join)


# Newcomers in the shapes the form reads; or anyone, in any shape, or no email at all.
people = _people(fresh_emails, st.sampled_from(SHAPES))
any_people = _people(emails, st.sampled_from([*SHAPES, "{name}", "{email}"]))


@FUZZ
@given(
    data=form(like=people.map(lambda text: {"people": text}), people=any_people),
    sent=sent,
)
def test_inviting_a_group(world, data, sent):
    with world.attempt("trainer", sent) as attempt:
        attempt.post(world.url("trainer:invite_group"), data)
        attempt.check(may_change=INVITED, statuses={200, 302, 400}, echo=["people"])
        _invited_whole(attempt)


# Buttons: a post with no field of its own. Each must shrug off any fields.
BUTTONS = {
    "trainer:acknowledge_pain": ("flag", {PainFlag}),
    "trainer:pause": ("block", {Assignment}),
    "trainer:end": ("block", {Assignment, PlannedSession}),
    "trainer:remove_override": ("override", {StepOverride}),
    "trainer:mark_answered": ("question", {Question}),
    "trainer:close_question": ("question", {Question}),
    "trainer:reopen_question": ("question", {Question}),
    "trainer:resend": ("invitation", {Invitation}),
}


@FUZZ
@given(
    button=st.sampled_from(sorted(BUTTONS)),
    data=form(),
    sent=sent,
)
def test_trainer_buttons(world, button, data, sent):
    target, may_change = BUTTONS[button]
    with world.attempt("trainer", sent) as attempt:
        attempt.post(world.url(button, pk=Ref(target)), data)
        attempt.check(may_change=may_change, statuses={302, 400})
