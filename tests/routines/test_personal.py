"""A member's own numbers for a step are laid over it, never written onto it."""

import pytest

from members.models import StepOverride
from routines.personal import guide_steps, overrides_for
from tests.factories import ground_up_routine

pytestmark = pytest.mark.django_db


@pytest.fixture
def routine(db):
    # Seeded by a migration; seeded again if a test that empties the
    # database (transaction=True) ran before this one on the same worker.
    return ground_up_routine()


def _by_name(steps):
    return {step.exercise.name: step for step in steps}


def test_an_override_changes_that_members_numbers_and_nobody_elses(routine, member, trainer):
    calf = _by_name(guide_steps(routine))["Calf raise"]
    StepOverride.objects.create(member=member, step=calf.step, sets=2, reps=8, set_by=trainer)

    own = _by_name(guide_steps(routine, overrides_for(member, routine)))["Calf raise"]
    assert (own.sets, own.reps) == (2, 8)
    assert own.prescription.startswith("2 sets of 8")
    assert own.override.set_by == trainer
    # The step the member's numbers were laid over still holds the routine's.
    assert (own.step.sets, own.step.reps) == (calf.sets, calf.reps)
    assert own.step.prescription == calf.prescription != own.prescription

    # Anyone else, and the routine read without a member, get the routine's numbers.
    for steps in (guide_steps(routine, overrides_for(trainer, routine)), guide_steps(routine)):
        other = _by_name(steps)["Calf raise"]
        assert (other.sets, other.reps, other.override) == (calf.sets, calf.reps, None)


def test_an_override_of_reps_leaves_a_timed_step_timed(routine, member, trainer):
    timed = next(step for step in guide_steps(routine) if step.is_timed)
    StepOverride.objects.create(member=member, step=timed.step, duration_seconds=120)

    own = _by_name(guide_steps(routine, overrides_for(member, routine)))[timed.exercise.name]
    assert (own.duration_seconds, own.reps) == (120, None)
    assert own.prescription != timed.prescription


def test_the_trainers_page_shows_the_members_numbers(member, trainer, routine):
    calf = _by_name(guide_steps(routine))["Calf raise"]
    override = StepOverride.objects.create(member=member, step=calf.step, reps=9)
    assert override.personal_step.reps == 9
    assert override.personal_step.prescription != calf.prescription
    assert override.step.reps == calf.reps
