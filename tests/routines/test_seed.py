"""The seeded routine says everything Makana's document says, as data."""

from decimal import Decimal

import pytest

from routines.models import Routine
from routines.personal import guide_steps
from routines.seed import ROUTINE_SLUG, seed_ground_up_routine
from tests.factories import ground_up_routine


@pytest.fixture
def routine(db):
    # Seeded by a migration; seeded again if a test that empties the
    # database (transaction=True) ran before this one on the same worker.
    return ground_up_routine()


def knob_of(exercise):
    (knob,) = exercise.knobs.all()
    return knob


@pytest.mark.django_db
def test_routine_frame(routine):
    assert routine.title == "Reversing Foot, Ankle, and Knee Pain"
    assert routine.is_published
    assert routine.author is None
    assert (routine.sessions_per_week, routine.min_weeks, routine.max_weeks) == (2, 2, 4)
    assert "start from zero pain" in routine.disclaimer
    assert "see a doctor" in routine.disclaimer
    assert "makana@ballardhealthclub.com" in routine.closing_note
    assert "2–4 weeks" in routine.closing_note


@pytest.mark.django_db
def test_every_step_is_as_prescribed(routine):
    steps = guide_steps(routine)
    summary = [
        (
            step.label,
            step.exercise.slug,
            step.sets,
            step.reps,
            step.duration_seconds,
            step.per_side,
            step.weaker_side_extra_sets,
            step.hold_seconds,
            step.partner.exercise.slug if step.partner else None,
        )
        for step in steps
    ]
    assert summary == [
        ("1", "backwards-walking", 1, None, 600, False, 0, 0, None),
        ("2a", "tibialis-raise", 2, 25, None, False, 0, 1, "calf-raise"),
        ("2b", "calf-raise", 2, 25, None, False, 0, 1, "tibialis-raise"),
        ("3", "patrick-step", 2, 25, None, True, 1, 0, None),
        ("4", "regressed-reverse-nordic", 2, 25, None, False, 0, 0, None),
        ("5", "single-leg-hamstring-curl", 3, 15, None, True, 0, 1, None),
    ]


@pytest.mark.django_db
def test_alternatives_have_their_own_prescriptions(routine):
    steps = {step.exercise.slug: step for step in guide_steps(routine)}
    (deadmill,) = steps["backwards-walking"].options
    assert (deadmill.exercise.slug, deadmill.sets, deadmill.duration_seconds) == (
        "deadmill",
        1,
        300,
    )
    (home_curl,) = steps["single-leg-hamstring-curl"].options
    assert home_curl.exercise.slug == "standing-hamstring-curl"
    assert (home_curl.sets, home_curl.reps, home_curl.per_side, home_curl.hold_seconds) == (
        3,
        15,
        True,
        1,
    )
    assert "ankle weight" in [item.name for item in home_curl.exercise.equipment.all()]
    for slug in ["tibialis-raise", "calf-raise", "patrick-step", "regressed-reverse-nordic"]:
        assert not steps[slug].options


@pytest.mark.django_db
def test_knobs_start_where_the_document_says(routine):
    steps = {step.exercise.slug: step for step in guide_steps(routine)}

    wall = knob_of(steps["tibialis-raise"].exercise)
    assert (wall.label, wall.unit, wall.start_value, wall.harder) == (
        "Feet distance from wall",
        "in",
        Decimal(12),
        "higher",
    )

    calf = knob_of(steps["calf-raise"].exercise)
    assert calf.start_value is None
    assert calf.start_description == "where your heels begin to lift"
    assert calf.harder == "higher"

    reach = knob_of(steps["patrick-step"].exercise)
    assert reach.label == "Step reach"
    assert "2–3 in" in reach.start_description
    assert reach.harder == "higher"
    assert "closer" in reach.easier_guidance
    assert "leaning back slightly" in reach.harder_guidance

    band = knob_of(steps["regressed-reverse-nordic"].exercise)
    assert band.level_names == ["none", "light", "medium", "heavy"]
    assert band.harder == "lower"  # more band is easier
    assert band.start_level == "none"

    load = knob_of(steps["single-leg-hamstring-curl"].exercise)
    assert (load.label, load.unit, load.start_value) == ("Load", "lb", Decimal(15))

    stride = knob_of(steps["backwards-walking"].exercise)
    assert stride.level_names == ["moderate", "long"]
    assert stride.start_level == "moderate"


@pytest.mark.django_db
def test_exercises_carry_their_equipment(routine):
    equipment = {
        step.exercise.slug: {item.name for item in step.exercise.equipment.all()}
        for step in guide_steps(routine)
    }
    assert equipment["tibialis-raise"] == {"wall"}
    assert equipment["regressed-reverse-nordic"] == {"resistance band", "overhead bar"}
    assert equipment["single-leg-hamstring-curl"] == {"hamstring curl machine"}


@pytest.mark.django_db
def test_the_guide_states_every_quantity_and_fact_of_the_document(client, member, routine):
    client.force_login(member)
    html = client.get(routine.get_absolute_url()).content.decode()
    facts = [
        "Twice a week",
        "2–4 weeks",
        "see a doctor",
        "zero pain",
        "10 minutes",
        "5 minutes",
        "Deadmill",
        "toe-to-heel",
        "12 in",
        "about 12 inches",
        "where your heels begin to lift",
        "2 sets of 25, pausing 1 second at the top of each rep, "
        "alternating set by set with Calf raise",
        "alternating set by set with Tibialis raise",
        "2–3 in",
        "2 sets of 25 per side, alternating sides, plus 1 extra set on your weaker or "
        "stiffer side",
        "leaning back slightly",
        "none, light, medium, heavy",
        "resistance band",
        "overhead bar",
        "3 sets of 15 per side, alternating sides, pausing 1 second at the top of each rep",
        "15 lb",
        "Standing hamstring curl with ankle weight",
        "makana@ballardhealthclub.com",
        "gastrocnemius and soleus",
    ]
    missing = [fact for fact in facts if fact not in html]
    assert not missing


@pytest.mark.django_db
def test_seeding_again_keeps_a_trainers_edits(routine):
    routine.title = "Ground-up basics"
    routine.save()
    assert seed_ground_up_routine() == routine
    routine.refresh_from_db()
    assert routine.title == "Ground-up basics"
    assert Routine.objects.filter(slug=ROUTINE_SLUG).count() == 1


@pytest.mark.django_db
def test_seeding_after_a_flush_recreates_everything():
    Routine.objects.all().delete()
    routine = seed_ground_up_routine()
    assert len(guide_steps(routine)) == 6
