"""Planning a block: the dates its sessions fall on, and the rules a block keeps."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from members.blocks.forms import AssignForm, coming_monday
from members.blocks.services import assign_routine
from members.models import Assignment, PlannedSession
from members.models.weekdays import plan_dates, weekdays_to_mask
from routines.models import Routine
from tests.factories import ground_up_routine, put_on_block

MON, TUE, WED, THU, FRI, SAT, SUN = range(7)


def test_monday_and_thursday_for_four_weeks_across_a_month_end():
    # Monday, November 23, 2026: the block runs into December.
    planned = plan_dates(dt.date(2026, 11, 23), [MON, THU], 4)
    assert planned == [
        (1, dt.date(2026, 11, 23)),
        (1, dt.date(2026, 11, 26)),
        (2, dt.date(2026, 11, 30)),
        (2, dt.date(2026, 12, 3)),
        (3, dt.date(2026, 12, 7)),
        (3, dt.date(2026, 12, 10)),
        (4, dt.date(2026, 12, 14)),
        (4, dt.date(2026, 12, 17)),
    ]


def test_a_start_between_the_chosen_days_puts_week_one_in_the_seven_days_from_it():
    # Starting on a Wednesday with Monday and Thursday: Thursday comes first.
    planned = plan_dates(dt.date(2026, 12, 30), [MON, THU], 2)
    assert [day for _, day in planned] == [
        dt.date(2026, 12, 31),
        dt.date(2027, 1, 4),
        dt.date(2027, 1, 7),
        dt.date(2027, 1, 11),
    ]
    assert [week for week, _ in planned] == [1, 1, 2, 2]


@pytest.mark.django_db
def test_assigning_dates_eight_sessions(member, trainer):
    assignment = put_on_block(member, trainer=trainer, start_date=dt.date(2026, 11, 23))
    sessions = list(assignment.planned_sessions.order_by("number"))
    assert [(s.number, s.week, s.date) for s in sessions][:3] == [
        (1, 1, dt.date(2026, 11, 23)),
        (2, 1, dt.date(2026, 11, 26)),
        (3, 2, dt.date(2026, 11, 30)),
    ]
    assert len(sessions) == 8
    assert assignment.weekdays_text == "Monday and Thursday"
    member.profile.refresh_from_db()
    assert member.profile.trainer == trainer


def _form(**overrides):
    routine = ground_up_routine()
    data = {
        "routine": routine.pk,
        "start_date": coming_monday().isoformat(),
        "weekdays": [MON, THU],
        "weeks": 4,
        "notes": "",
        **overrides,
    }
    return data


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("weekdays", "message"),
    [
        ([MON], "pick exactly 2 days (you picked 1)"),
        ([MON, WED, FRI], "pick exactly 2 days (you picked 3)"),
        ([MON, MON], "Each day can be picked only once."),
        ([], "Pick the days of the week they train."),
        (["8", "9"], "Select a valid choice."),
    ],
)
def test_the_wrong_days_are_refused_at_the_field(member, weekdays, message):
    form = AssignForm(_form(members=[member.pk], weekdays=weekdays), candidates=[member])
    assert not form.is_valid()
    assert message in " ".join(form.errors["weekdays"])
    # What the trainer typed stays on the form.
    assert form["weeks"].value() == 4


@pytest.mark.django_db
@pytest.mark.parametrize("weeks", [1, 5])
def test_a_length_outside_two_to_four_weeks_is_refused(member, weeks):
    form = AssignForm(_form(members=[member.pk], weeks=weeks), candidates=[member])
    assert not form.is_valid()
    assert form.errors["weeks"] == [
        f"A block of Reversing Foot, Ankle, and Knee Pain lasts 2–4 weeks; {weeks} is "
        "outside that."
    ]


@pytest.mark.django_db
def test_a_draft_routine_cannot_be_assigned(member, trainer):
    routine = ground_up_routine()
    Routine.objects.filter(pk=routine.pk).update(status=Routine.Status.DRAFT)
    form = AssignForm(_form(members=[member.pk]), candidates=[member])
    assert not form.is_valid()
    assert form.errors["routine"] == ["Pick a published routine."]
    routine.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        assign_routine(
            trainer=trainer,
            members=[member],
            routine=routine,
            start_date=dt.date(2026, 11, 30),
            weekdays=[MON, THU],
            weeks=4,
        )
    assert refused.value.message_dict == {
        "routine": ["This routine is a draft. Publish it before assigning it."]
    }
    assert not Assignment.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("status", [Assignment.Status.ACTIVE, Assignment.Status.PAUSED])
def test_a_second_current_block_is_refused(member, trainer, status):
    first = put_on_block(member, trainer=trainer, start_date=dt.date(2026, 11, 23))
    Assignment.objects.filter(pk=first.pk).update(status=status)
    form = AssignForm(_form(members=[member.pk]), candidates=[member])
    assert not form.is_valid()
    assert form.errors["members"] == [
        "Alex Rivera is already on a block. End it before starting another."
    ]
    with pytest.raises(ValidationError, match="already on a block"):
        put_on_block(member, trainer=trainer, start_date=dt.date(2026, 12, 28))
    assert Assignment.objects.count() == 1
    assert PlannedSession.objects.count() == 8


@pytest.mark.django_db
def test_the_database_itself_refuses_a_second_current_block(member, trainer):
    first = put_on_block(member, trainer=trainer, start_date=dt.date(2026, 11, 23))
    duplicate = Assignment(
        member=member,
        routine=first.routine,
        trainer=trainer,
        start_date=dt.date(2026, 12, 28),
        weekdays=weekdays_to_mask([MON, THU]),
        weeks=2,
        status=Assignment.Status.PAUSED,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()


@pytest.mark.django_db
def test_a_finished_block_does_not_stop_the_next(member, trainer):
    first = put_on_block(member, trainer=trainer, start_date=dt.date(2026, 11, 2))
    Assignment.objects.filter(pk=first.pk).update(status=Assignment.Status.COMPLETED)
    second = put_on_block(member, trainer=trainer, start_date=dt.date(2026, 11, 30))
    assert second.status == Assignment.Status.ACTIVE
    assert Assignment.objects.current().get(member=member) == second


@pytest.mark.django_db
def test_the_model_check_says_the_same_as_the_form(member, trainer):
    routine = ground_up_routine()
    assignment = Assignment(
        member=member,
        routine=routine,
        trainer=trainer,
        start_date=dt.date(2026, 11, 30),
        weekdays=weekdays_to_mask([MON, WED, FRI]),
        weeks=6,
    )
    with pytest.raises(ValidationError) as refused:
        assignment.full_clean()
    assert set(refused.value.message_dict) == {"weekdays", "weeks"}
