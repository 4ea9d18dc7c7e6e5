"""Hostile input on what trainers post: invitations, assignments, steering a
block (resume, extend, renew), overrides, notes, resolving pain, answering
questions, and every button that posts no field.

For any post the answer is the form's or success, never a server error, and
nothing is half-saved (see ``tests.clubsite.hostile``)."""

import datetime as dt

import pytest
from allauth.account.models import EmailAddress
from django.utils import timezone
from hypothesis import example, given
from hypothesis import strategies as st

from members.blocks.steering import end_block, pause_block
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
    FUZZ,
    any_text,
    dates,
    form,
    ints,
    junk,
    prose,
    sent,
    weekday_lists,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
FORM_STATUSES = {200, 302, 400, 422}
# Twice a week, as the ground-up routine asks: two different days.
two_days = st.lists(st.integers(0, 6).map(str), min_size=2, max_size=2, unique=True)
names = st.sampled_from(["Pat", "Ana María", "李小龙", "O'Brien", "  Jo  "]).flatmap(prose)
# New addresses, and some that are taken: a member's, a trainer's, one invited already.
emails = st.one_of(
    st.sampled_from(["pat@example.com", "Pat.Lee+gym@Example.COM"]),
    st.emails().filter(lambda email: len(email) <= 254),
    st.sampled_from(["sam@example.com", "NEW@example.com", "makana@example.com"]),
)


def _block(world) -> Assignment:
    return Assignment.objects.get(pk=world.refs["block"])


def _block_is_whole(block: Assignment) -> None:
    """Sessions numbered 1 to n, as many as weeks times days; the ones still
    ahead each on one of the block's days."""
    sessions = list(block.planned_sessions.order_by("number"))
    assert [s.number for s in sessions] == list(range(1, len(sessions) + 1))
    if block.is_current:
        assert len(sessions) == block.weeks * len(block.weekday_list)
    for session in sessions:
        if session.date >= TODAY and not session.workouts.exists():
            assert session.date.weekday() in block.weekday_list


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


@FUZZ
@given(
    data=form(like=st.just({"extend-weeks": "1"}), **{"extend-weeks": ints(-1, 5)}),
    sent=sent,
)
def test_extending_a_block(world, data, sent):
    with world.attempt("trainer", sent) as attempt:
        attempt.post(world.url("trainer:extend", pk=Ref("block")), data)
        attempt.check(may_change={Assignment, PlannedSession}, statuses=FORM_STATUSES)
        for block in attempt.written(Assignment):
            assert block.weeks <= block.routine.max_weeks
            _block_is_whole(block)


@FUZZ
@given(
    data=form(
        like=st.fixed_dictionaries(
            {"resume-on": dates(TODAY, 20, past=False), "resume-weekdays": two_days}
        ),
        **{"resume-on": dates(TODAY, 400), "resume-weekdays": weekday_lists},
    ),
    sent=sent,
)
def test_resuming_a_paused_block(world, data, sent):
    def prepare(world):
        pause_block(assignment=_block(world))

    with world.attempt("trainer", sent, prepare=prepare) as attempt:
        attempt.post(world.url("trainer:resume", pk=Ref("block")), data)
        attempt.check(may_change={Assignment, PlannedSession}, statuses=FORM_STATUSES)
        for block in attempt.written(Assignment):
            assert block.status == "active" and block.paused_on is None
            _block_is_whole(block)


@FUZZ
@given(
    data=form(
        like=st.fixed_dictionaries(
            {
                "renew-start_date": dates(TODAY, 30, past=False),
                "renew-weekdays": two_days,
                "renew-weeks": ints(2, 4),
            }
        ),
        **{
            "renew-start_date": dates(TODAY, 800),
            "renew-weekdays": weekday_lists,
            "renew-weeks": ints(0, 60),
        },
    ),
    sent=sent,
)
def test_renewing_an_ended_block(world, data, sent):
    def prepare(world):
        end_block(assignment=_block(world))

    with world.attempt("trainer", sent, prepare=prepare) as attempt:
        attempt.post(world.url("trainer:renew", pk=Ref("block")), data)
        attempt.check(may_change={Assignment, PlannedSession, Profile}, statuses=FORM_STATUSES)
        written = attempt.written(Assignment)
        assert len(written) <= 1
        for block in written:
            assert block.start_date >= TODAY
            _block_is_whole(block)


OVERRIDE_STEPS = [
    Ref(name)
    for name in ["timed_step", "reps_step", "per_side_step", "levels_step", "option", "knob"]
]


def _override(step, **fields):
    """The override form, posted for ``step`` with these fields and a note."""
    return st.fixed_dictionaries(
        {
            "override-step": st.just(Ref(step)),
            **{f"override-{name}": value for name, value in fields.items()},
            "override-note": any_text,
        }
    )


# Changes a trainer makes: reps, minutes, a knob's start on its own exercise, a note.
overrides = st.one_of(
    _override("reps_step", sets=ints(1, 20), reps=ints(1, 500)),
    _override("timed_step", minutes=st.integers(1, 360).map(lambda n: str(n / 2))),
    _override(
        "reps_step",
        knob=st.just(Ref("knob")),
        knob_start=st.decimals(2, 36, places=1).map(str),
    ),
    _override(
        "levels_step",
        knob=st.just(Ref("levels_knob")),
        knob_start=st.sampled_from(["none", "light", "medium", "heavy"]),
    ),
    _override(
        "per_side_step",
        knob=st.just(Ref("unbounded_knob")),
        knob_start=st.decimals(-99999, 99999, places=1).map(str)
        | st.sampled_from(["1e30", "99999.95", "-100000"]),
    ),
    _override("option"),
)


@FUZZ
@given(
    data=form(
        like=overrides,
        **{
            "override-step": st.sampled_from(OVERRIDE_STEPS),
            "override-sets": ints(0, 21),
            "override-reps": ints(0, 501),
            "override-minutes": st.decimals(0, 181, places=1).map(str),
            "override-knob": st.sampled_from(
                ["", Ref("knob"), Ref("levels_knob"), Ref("unbounded_knob")]
            ),
            "override-knob_start": st.sampled_from(["12", "light", "1e30", "99999.95", "-3"]),
            "override-note": any_text,
        },
    ),
    sent=sent,
)
# Regression: a start past what a setting stores was a server error.
@example(
    data={
        "override-step": Ref("per_side_step"),
        "override-knob": Ref("unbounded_knob"),
        "override-knob_start": "1e30",
    },
    sent=Sent(htmx=False, form_encoded=False),
)
def test_saving_an_override(world, data, sent):
    with world.attempt("trainer", sent) as attempt:
        attempt.post(world.url("trainer:save_override", pk=Ref("block")), data)
        attempt.check(
            may_change={StepOverride},
            statuses=FORM_STATUSES,
            echo=["override-note", "override-knob_start"],
        )
        assert len(attempt.written(StepOverride)) <= 1


@FUZZ
@given(
    data=form(
        **{
            "note-text": prose("Good work: keep the wall at 12 in."),
            "note-workout": st.sampled_from(["", Ref("done_workout"), Ref("workout")]),
        }
    ),
    sent=sent,
)
def test_adding_a_note(world, data, sent):
    with world.attempt("trainer", sent) as attempt:
        attempt.post(world.url("trainer:add_note", pk=Ref("block")), data)
        attempt.check(
            may_change={TrainerNote, EmailDelivery}, statuses=FORM_STATUSES, echo=["note-text"]
        )
        for note in attempt.written(TrainerNote):
            assert note.text == attempt.value("note-text").strip()
            assert note.workout_id in {None, world.refs["done_workout"]}


@FUZZ
@given(
    data=form(**{"answer-text": prose("Stay at 12 in for a week.")}),
    sent=sent,
)
def test_answering_a_question(world, data, sent):
    with world.attempt("trainer", sent) as attempt:
        attempt.post(world.url("trainer:answer", pk=Ref("question")), data)
        attempt.check(
            may_change={Question, EmailDelivery}, statuses=FORM_STATUSES, echo=["answer-text"]
        )
        for question in attempt.written(Question):
            assert question.status == "answered"
            assert question.answer == attempt.value("answer-text").strip()


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


MEMBERS = [Ref("second_member"), Ref("third_member"), Ref("member"), Ref("trainer")]


@FUZZ
@given(
    data=form(
        like=st.fixed_dictionaries(
            {
                "members": st.lists(
                    st.sampled_from(MEMBERS[:2]), min_size=1, max_size=2, unique=True
                ),
                "routine": st.just(Ref("routine")),
                "start_date": dates(TODAY, 14),
                "weekdays": two_days,
                "weeks": ints(2, 4),
                "notes": any_text,
            }
        ),
        members=st.lists(st.sampled_from(MEMBERS) | junk, max_size=3),
        routine=st.sampled_from([Ref("routine"), Ref("block")]),
        start_date=dates(TODAY, 800),
        weekdays=weekday_lists,
        weeks=ints(-1, 60),
        notes=any_text,
    ),
    sent=sent,
)
def test_assigning_a_routine(world, data, sent):
    with world.attempt("trainer", sent) as attempt:
        attempt.post(world.url("trainer:assign"), data)
        attempt.check(
            may_change={Assignment, PlannedSession, Profile},
            statuses={200, 302, 400},
            echo=["notes"],
        )
        for block in attempt.written(Assignment):
            assert block.member_id in {world.refs["second_member"], world.refs["third_member"]}
            assert block.start_date >= TODAY - dt.timedelta(days=14)
            _block_is_whole(block)


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
