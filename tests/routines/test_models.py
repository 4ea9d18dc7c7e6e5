"""Constraints in the database where they can live there, clean() for the rest,
each with a message a trainer understands."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from routines.models import Knob, Routine, Step
from routines.prescriptions import describe_prescription
from tests.routines.factories import ExerciseFactory, KnobFactory, RoutineFactory, StepFactory


def messages_of(error: ValidationError) -> dict[str, list[str]]:
    return error.message_dict


@pytest.mark.django_db
class TestStepValidation:
    def test_reps_and_duration_together_are_rejected(self):
        step = StepFactory.build(
            routine=RoutineFactory(), exercise=ExerciseFactory(), reps=10, duration_seconds=60
        )
        with pytest.raises(ValidationError) as error:
            step.full_clean()
        assert (
            "Give either reps or a duration, not both."
            in messages_of(error.value)["duration_seconds"]
        )

    def test_neither_reps_nor_duration_is_rejected(self):
        step = StepFactory.build(routine=RoutineFactory(), exercise=ExerciseFactory(), reps=None)
        with pytest.raises(ValidationError) as error:
            step.full_clean()
        assert messages_of(error.value)["reps"] == [
            "Give the reps per set, or a duration for a timed step."
        ]

    def test_the_database_refuses_both_or_neither(self):
        step = StepFactory()
        for reps, duration in [(10, 60), (None, None)]:
            with pytest.raises(IntegrityError), transaction.atomic():
                Step.objects.filter(pk=step.pk).update(reps=reps, duration_seconds=duration)

    @pytest.mark.parametrize(
        ("field", "value", "message"),
        [
            ("sets", 0, "Ensure this value is greater than or equal to 1."),
            ("sets", -2, "Ensure this value is greater than or equal to 1."),
            ("reps", -5, "Ensure this value is greater than or equal to 1."),
            ("hold_seconds", -1, "Ensure this value is greater than or equal to 0."),
        ],
    )
    def test_negative_or_zero_counts_are_rejected(self, field, value, message):
        step = StepFactory.build(routine=RoutineFactory(), exercise=ExerciseFactory())
        setattr(step, field, value)
        with pytest.raises(ValidationError) as error:
            step.full_clean()
        assert message in messages_of(error.value)[field]

    def test_the_database_refuses_zero_sets(self):
        step = StepFactory()
        with pytest.raises(IntegrityError), transaction.atomic():
            Step.objects.filter(pk=step.pk).update(sets=0)

    def test_pairing_across_routines_is_rejected(self):
        here = StepFactory()
        elsewhere = StepFactory()
        here.paired_with = elsewhere
        with pytest.raises(ValidationError) as error:
            here.full_clean()
        assert messages_of(error.value)["paired_with"] == [
            "A pair must be two steps of the same routine."
        ]

    def test_a_step_in_a_pair_cannot_join_another(self):
        first = StepFactory()
        second = StepFactory(routine=first.routine, paired_with=first)
        third = StepFactory(routine=first.routine)
        third.paired_with = second
        with pytest.raises(ValidationError) as error:
            third.full_clean()
        assert "already alternates with another step" in messages_of(error.value)["paired_with"][0]

    def test_a_step_cannot_pair_with_itself_in_the_database(self):
        step = StepFactory()
        with pytest.raises(IntegrityError), transaction.atomic():
            Step.objects.filter(pk=step.pk).update(paired_with=step)

    def test_extra_weaker_side_sets_need_a_per_side_step(self):
        step = StepFactory.build(
            routine=RoutineFactory(), exercise=ExerciseFactory(), weaker_side_extra_sets=1
        )
        with pytest.raises(ValidationError) as error:
            step.full_clean()
        assert "need a per-side step" in messages_of(error.value)["weaker_side_extra_sets"][0]

    def test_an_alternative_belongs_to_a_step_of_the_same_routine(self):
        main = StepFactory()
        option = StepFactory.build(routine=RoutineFactory(), exercise=ExerciseFactory())
        option.alternative_to = main
        with pytest.raises(ValidationError) as error:
            option.full_clean()
        assert messages_of(error.value)["alternative_to"] == [
            "An alternative must belong to a step of the same routine."
        ]

    def test_an_alternative_is_another_exercise(self):
        main = StepFactory()
        option = StepFactory.build(
            routine=main.routine, exercise=main.exercise, alternative_to=main
        )
        with pytest.raises(ValidationError) as error:
            option.full_clean()
        assert "must be a different exercise" in messages_of(error.value)["alternative_to"][0]

    def test_a_valid_pair_and_alternative_pass(self):
        first = StepFactory()
        second = StepFactory(routine=first.routine)
        first.paired_with = second
        first.full_clean()
        option = StepFactory.build(
            routine=first.routine, exercise=ExerciseFactory(), alternative_to=first
        )
        option.full_clean()


@pytest.mark.django_db
class TestRoutineAndKnobValidation:
    def test_block_weeks_in_order(self):
        routine = RoutineFactory.build(min_weeks=4, max_weeks=2)
        with pytest.raises(ValidationError) as error:
            routine.full_clean()
        assert "The longest block must be at least the shortest." in str(error.value)

    def test_sessions_per_week_in_range(self):
        routine = RoutineFactory.build(sessions_per_week=9)
        with pytest.raises(ValidationError) as error:
            routine.full_clean()
        assert "sessions_per_week" in messages_of(error.value)

    def test_levels_need_at_least_two(self):
        knob = KnobFactory.build(exercise=ExerciseFactory(), unit=Knob.Unit.LEVEL, levels="band")
        with pytest.raises(ValidationError) as error:
            knob.full_clean()
        assert "at least two levels" in messages_of(error.value)["levels"][0]

    def test_start_level_must_be_one_of_the_levels(self):
        knob = KnobFactory.build(
            exercise=ExerciseFactory(),
            unit=Knob.Unit.LEVEL,
            levels="none, light, heavy",
            start_level="medium",
        )
        with pytest.raises(ValidationError) as error:
            knob.full_clean()
        assert messages_of(error.value)["start_level"] == [
            "Choose one of the levels: none, light, heavy."
        ]

    def test_start_value_within_the_range(self):
        knob = KnobFactory.build(
            exercise=ExerciseFactory(),
            minimum=Decimal(2),
            maximum=Decimal(20),
            start_value=Decimal(30),
        )
        with pytest.raises(ValidationError) as error:
            knob.full_clean()
        assert messages_of(error.value)["start_value"] == [
            "The starting value must be within the range."
        ]

    def test_start_text(self):
        assert KnobFactory.build(start_value=Decimal("12.0")).start_text == "12 in"
        assert KnobFactory.build(unit="lb", start_value=Decimal(15)).start_text == "15 lb"
        described = KnobFactory.build(start_description="where your heels begin to lift")
        assert described.start_text == "where your heels begin to lift"


class TestPrescriptionText:
    def test_timed(self):
        assert describe_prescription(sets=1, reps=None, duration_seconds=600) == "10 minutes"
        assert (
            describe_prescription(sets=2, reps=None, duration_seconds=90)
            == "2 sets of 1 minute 30 seconds"
        )

    def test_paired_with_a_pause(self):
        text = describe_prescription(
            sets=2, reps=25, duration_seconds=None, hold_seconds=1, alternating_with="Calf raise"
        )
        assert text == (
            "2 sets of 25, pausing 1 second at the top of each rep, "
            "alternating set by set with Calf raise"
        )

    def test_per_side_with_an_extra_set(self):
        text = describe_prescription(
            sets=2, reps=25, duration_seconds=None, per_side=True, weaker_side_extra_sets=1
        )
        assert text == (
            "2 sets of 25 per side, alternating sides, "
            "plus 1 extra set on your weaker or stiffer side"
        )

    def test_rest(self):
        text = describe_prescription(sets=3, reps=8, duration_seconds=None, rest_seconds=45)
        assert text == "3 sets of 8, resting 45 seconds between sets"


@pytest.mark.django_db
def test_visible_to(member, trainer):
    draft = RoutineFactory(status=Routine.Status.DRAFT)
    assert draft not in Routine.objects.visible_to(member)
    assert draft in Routine.objects.visible_to(trainer)
