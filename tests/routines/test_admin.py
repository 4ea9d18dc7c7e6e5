"""Authoring in the admin: what trainers can reach, the actions, and that
list pages cost the same number of queries however many rows they show."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pytest_django.asserts import assertContains

from routines.forms import MinutesSecondsField, minutes_and_seconds
from routines.limits import MAX_SECONDS
from routines.models import Routine, Step
from routines.personal import guide_steps
from routines.seed import ROUTINE_SLUG
from routines.services import duplicate_routine, renumber_steps
from tests.factories import ground_up_routine
from tests.html import elements
from tests.routines.factories import ExerciseFactory, KnobFactory, RoutineFactory, StepFactory

# The seeded routine's steps, headed in the admin as members read them.
SEEDED_HEADINGS = [
    "1 Backwards walking",
    "1 alt. Deadmill",
    "2a Tibialis raise",
    "2b Calf raise",
    "3 Patrick step",
    "4 Regressed reverse Nordic",
    "5 Single-leg hamstring curl",
    "5 alt. Standing hamstring curl with ankle weight",
]


@pytest.fixture
def ground_up(db):
    # Seeded by a migration; seeded again if a test that empties the
    # database (transaction=True) ran before this one on the same worker.
    return ground_up_routine()


def step_form(prefix: str, index: int, **values) -> dict[str, str]:
    blank = ["order", "exercise", "reps", "duration_seconds", "rest_seconds", "paired_with",
             "alternative_to", "notes", "id", "routine"]  # fmt: skip
    defaults = dict.fromkeys(blank, "") | {
        "sets": "1",
        "weaker_side_extra_sets": "0",
        "hold_seconds": "0",
    }
    defaults.update({key: str(value) for key, value in values.items()})
    if defaults.pop("per_side", "") == "True":
        defaults["per_side"] = "on"
    return {f"{prefix}-{index}-{key}": value for key, value in defaults.items()}


def routine_form(**values) -> dict[str, str]:
    data = {
        "title": "Knee care",
        "slug": "knee-care",
        "status": "draft",
        "introduction": "Gentle work for the knees.",
        "disclaimer": "Start from zero pain.",
        "closing_note": "",
        "sessions_per_week": "2",
        "min_weeks": "2",
        "max_weeks": "4",
        "steps-TOTAL_FORMS": "0",
        "steps-INITIAL_FORMS": "0",
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "1000",
    }
    data.update(values)
    return data


@pytest.mark.django_db
def test_trainer_reaches_routine_authoring(trainer_client):
    index = trainer_client.get("/admin/").text
    for path in ["/admin/routines/routine/", "/admin/routines/exercise/"]:
        assert path in index
        assert trainer_client.get(path).status_code == 200
    assert trainer_client.get("/admin/routines/routine/add/").status_code == 200


@pytest.mark.django_db
def test_member_cannot_reach_routine_authoring(member_client):
    response = member_client.get("/admin/routines/routine/")
    assert response.status_code == 302
    assert "login" in response["Location"]


@pytest.mark.django_db
def test_trainer_adds_a_routine_with_steps_and_becomes_its_author(trainer_client, trainer):
    walk, raise_ = ExerciseFactory(), ExerciseFactory()
    data = routine_form(**{"steps-TOTAL_FORMS": "2"})
    data |= step_form("steps", 0, order=2, exercise=walk.pk, duration_seconds="5:00")
    data |= step_form("steps", 1, order=1, exercise=raise_.pk, sets=2, reps=25, per_side=True)
    response = trainer_client.post("/admin/routines/routine/add/", data)
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    routine = Routine.objects.get(slug="knee-care")
    assert routine.author == trainer
    assert routine.status == Routine.Status.DRAFT
    assert [(s.order, s.exercise_id) for s in routine.steps.all()] == [
        (1, raise_.pk),
        (2, walk.pk),
    ]


@pytest.mark.django_db
def test_bad_steps_get_messages_at_the_field_and_nothing_is_saved(trainer_client):
    exercise = ExerciseFactory()
    data = routine_form(**{"steps-TOTAL_FORMS": "1"})
    data |= step_form("steps", 0, order=1, exercise=exercise.pk, reps=10, duration_seconds=60)
    response = trainer_client.post("/admin/routines/routine/add/", data)
    assert response.status_code == 200
    assert "Give either reps or a duration, not both." in response.text
    assert 'value="Knee care"' in response.text
    assert not Routine.objects.filter(slug="knee-care").exists()


def existing_steps_form(routine, changes=None) -> dict[str, str]:
    """The routine page's post with its steps as saved, but for ``changes``:
    {step: {field: value}}."""
    steps = list(routine.steps.order_by("order", "id"))
    data = routine_form(
        title=routine.title,
        slug=routine.slug,
        status=routine.status,
        **{"steps-TOTAL_FORMS": str(len(steps)), "steps-INITIAL_FORMS": str(len(steps))},
    )
    for index, step in enumerate(steps):
        values = {
            "id": step.pk,
            "routine": routine.pk,
            "order": step.order,
            "exercise": step.exercise_id,
            "sets": step.sets,
            "reps": step.reps or "",
            "duration_seconds": minutes_and_seconds(step.duration_seconds),
            "rest_seconds": minutes_and_seconds(step.rest_seconds),
            "per_side": step.per_side,
            "notes": step.notes,
            "weaker_side_extra_sets": step.weaker_side_extra_sets,
            "hold_seconds": step.hold_seconds,
            "paired_with": step.paired_with_id or "",
            "alternative_to": step.alternative_to_id or "",
        }
        values.update((changes or {}).get(step, {}))
        data |= step_form("steps", index, **values)
    return data


@pytest.mark.django_db
def test_paired_steps_keep_equal_sets_judged_on_what_was_typed(trainer_client):
    routine = RoutineFactory(slug="pair-test")
    tibialis = StepFactory(routine=routine, order=1, sets=2)
    calf = StepFactory(routine=routine, order=2, sets=2)
    tibialis.paired_with = calf
    tibialis.save()
    url = f"/admin/routines/routine/{routine.pk}/change/"

    # Changing only the step without the link is caught, on both steps.
    response = trainer_client.post(url, existing_steps_form(routine, {calf: {"sets": 3}}))
    assert response.status_code == 200
    assert response.text.count("so both need the same number of sets") == 2
    calf.refresh_from_db()
    assert calf.sets == 2

    # Changing both in one save is fine.
    both = {tibialis: {"sets": 3}, calf: {"sets": 3}}
    response = trainer_client.post(url, existing_steps_form(routine, both))
    assert response.status_code == 302
    assert sorted(routine.steps.values_list("sets", flat=True)) == [3, 3]

    # The pair shows on both steps, whichever holds the link: chosen on the
    # tibialis row, said in the calf row's heading, both named as members read them.
    response = trainer_client.get(url)
    assertContains(
        response, f'<option value="{calf.pk}" selected>1b {calf.exercise.name}</option>', html=True
    )
    assertContains(
        response,
        '<span class="step-pairing">'
        f"alternates set by set with 1a {tibialis.exercise.name}</span>",
        html=True,
    )


@pytest.mark.django_db
def test_pairing_choices_are_this_routines_steps_only(trainer_client, ground_up):
    other = StepFactory()
    html = trainer_client.get(f"/admin/routines/routine/{ground_up.pk}/change/").text
    select = re.search(r'<select name="steps-0-paired_with".*?</select>', html, re.S).group(0)
    ours = set(ground_up.steps.filter(alternative_to=None).values_list("pk", flat=True))
    offered = {int(pk) for pk in re.findall(r'<option value="(\d+)"', select)}
    assert offered == ours
    assert other.pk not in offered


@pytest.mark.django_db
def test_reordering_renumbers_in_one_go(ground_up):
    steps = {step.exercise.slug: step for step in ground_up.steps.all()}
    # Swap the first and last main steps, the way a trainer edits the numbers.
    Step.objects.filter(pk=steps["backwards-walking"].pk).update(order=99)
    Step.objects.filter(pk=steps["single-leg-hamstring-curl"].pk).update(order=0)
    renumber_steps(ground_up)
    order = [(step.order, step.exercise.slug) for step in guide_steps(ground_up)]
    assert order[0] == (1, "single-leg-hamstring-curl")
    assert order[-1] == (6, "backwards-walking")
    deadmill = Step.objects.get(routine=ground_up, exercise__slug="deadmill")
    assert deadmill.order == 6  # an alternative travels with its step


@pytest.mark.django_db
def test_duplicate_is_a_deep_draft_copy(ground_up, trainer):
    copy = duplicate_routine(ground_up, author=trainer)
    assert copy.slug == f"{ROUTINE_SLUG}-copy"
    assert (copy.status, copy.author) == (Routine.Status.DRAFT, trainer)
    original = [(s.label, s.prescription, len(s.options)) for s in guide_steps(ground_up)]
    assert [(s.label, s.prescription, len(s.options)) for s in guide_steps(copy)] == original
    copied_ids = set(copy.steps.values_list("pk", flat=True))
    for step in copy.steps.all():
        if step.paired_with_id:
            assert step.paired_with_id in copied_ids
        if step.alternative_to_id:
            assert step.alternative_to_id in copied_ids
    # Its check-ins ask about the same areas, in the same order.
    assert copy.check_in_area_names() == ["feet", "ankles", "knees"]

    # Editing the copy leaves the original alone.
    copy.steps.update(sets=5)
    copy.title = "Changed"
    copy.save()
    ground_up.refresh_from_db()
    assert ground_up.title == "Reversing Foot, Ankle, and Knee Pain"
    assert [(s.label, s.prescription, len(s.options)) for s in guide_steps(ground_up)] == original

    assert duplicate_routine(ground_up, author=trainer).slug == f"{ROUTINE_SLUG}-copy-2"


@pytest.mark.django_db
def test_actions_duplicate_publish_and_unpublish(trainer_client, trainer, ground_up):
    url = "/admin/routines/routine/"
    response = trainer_client.post(
        url, {"action": "duplicate", "_selected_action": [ground_up.pk]}, follow=True
    )
    assert "a draft copy of" in response.text
    copy = Routine.objects.get(slug=f"{ROUTINE_SLUG}-copy")
    empty = RoutineFactory(status=Routine.Status.DRAFT, title="Empty one", author=trainer)

    response = trainer_client.post(
        url, {"action": "publish", "_selected_action": [copy.pk, empty.pk]}, follow=True
    )
    assert "Published 1 routine." in response.text
    assert "Not published: “Empty one” has no steps yet." in response.text
    copy.refresh_from_db()
    empty.refresh_from_db()
    assert copy.is_published and not empty.is_published

    trainer_client.post(url, {"action": "unpublish", "_selected_action": [copy.pk]})
    copy.refresh_from_db()
    assert not copy.is_published


def count_queries(client, path) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/admin/routines/routine/", "/admin/routines/exercise/"])
def test_admin_lists_cost_the_same_at_two_sizes(trainer_client, path):
    # Warm up caches (content types, permissions) outside the measurement.
    trainer_client.get(path)
    small = count_queries(trainer_client, path)
    for _ in range(12):
        step = StepFactory()
        KnobFactory(exercise=step.exercise)
    assert count_queries(trainer_client, path) == small


@pytest.mark.django_db
def test_routine_change_page_costs_the_same_however_many_steps(trainer_client, ground_up):
    path = f"/admin/routines/routine/{ground_up.pk}/change/"
    trainer_client.get(path)
    small = count_queries(trainer_client, path)
    for number in range(6):
        StepFactory(routine=ground_up, order=10 + number)
    assert count_queries(trainer_client, path) == small


@pytest.mark.parametrize(
    ("typed", "seconds"),
    [("10:00", 600), ("0:45", 45), ("10", 600), (" 2:30 ", 150), ("180:00", 10800), ("", None)],
)
def test_durations_are_read_as_minutes_and_seconds(typed, seconds):
    field = MinutesSecondsField(max_seconds=MAX_SECONDS, required=False)
    assert field.clean(typed) == seconds
    # Shown back as a trainer writes it.
    if seconds is not None:
        assert field.prepare_value(seconds) == (typed.strip() if ":" in typed else f"{typed}:00")


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("ten", "Write it as minutes:seconds, like 10:00 or 0:45."),
        ("10:5", "Write it as minutes:seconds, like 10:00 or 0:45."),
        ("1:02:03", "Write it as minutes:seconds, like 10:00 or 0:45."),
        ("-1:00", "Write it as minutes:seconds, like 10:00 or 0:45."),
        ("٣:00", "Write it as minutes:seconds, like 10:00 or 0:45."),
        ("0:90", "Seconds go up to 59: write 1:30 rather than 0:90."),
        ("0:00", "Give at least 0:01, or leave it empty."),
        ("180:01", "At most 180:00."),
    ],
)
@pytest.mark.django_db
def test_a_duration_that_cannot_be_read_is_said_at_its_field_and_kept(
    trainer_client, ground_up, typed, message
):
    walking = ground_up.steps.get(exercise__slug="backwards-walking")
    url = f"/admin/routines/routine/{ground_up.pk}/change/"
    response = trainer_client.post(
        url, existing_steps_form(ground_up, {walking: {"duration_seconds": typed}})
    )
    assert response.status_code == 200
    (form,) = [
        f for f in response.context["inline_admin_formsets"][0].formset if f.instance == walking
    ]
    assert form.errors == {"duration_seconds": [message]}
    assertContains(response, f'value="{typed}"' if typed.strip() else "", html=False)
    walking.refresh_from_db()
    assert walking.duration_seconds == 600


@pytest.mark.django_db
def test_the_rest_between_sets_is_minutes_and_seconds_too(trainer_client, ground_up):
    nordic = ground_up.steps.get(exercise__slug="regressed-reverse-nordic")
    url = f"/admin/routines/routine/{ground_up.pk}/change/"
    response = trainer_client.post(
        url, existing_steps_form(ground_up, {nordic: {"rest_seconds": "1:30"}})
    )
    assert response.status_code == 302
    nordic.refresh_from_db()
    assert nordic.rest_seconds == 90
    (shown,) = elements(trainer_client.get(url).text, "input", value="1:30")
    assert shown["name"].endswith("-rest_seconds")
    response = trainer_client.post(
        url, existing_steps_form(ground_up, {nordic: {"rest_seconds": "10:01"}})
    )
    assertContains(response, "At most 10:00.")


@pytest.mark.django_db
def test_typed_order_numbers_reorder_the_steps(trainer_client, ground_up):
    curl = ground_up.steps.get(exercise__slug="single-leg-hamstring-curl")
    url = f"/admin/routines/routine/{ground_up.pk}/change/"
    response = trainer_client.post(url, existing_steps_form(ground_up, {curl: {"order": 0}}))
    assert response.status_code == 302
    steps = guide_steps(ground_up)
    assert [(step.label, step.exercise.slug) for step in steps[:2]] == [
        ("1", "single-leg-hamstring-curl"),
        ("2", "backwards-walking"),
    ]
    assert ground_up.steps.get(exercise__slug="standing-hamstring-curl").order == 1


@pytest.mark.django_db
def test_each_step_is_headed_as_members_read_it(trainer_client, ground_up):
    response = trainer_client.get(f"/admin/routines/routine/{ground_up.pk}/change/")
    labels = re.findall(r'<span class="inline_label">([^<]*)</span>', response.text)
    assert labels[:-1] == SEEDED_HEADINGS
    assert labels[-1] == "New step"  # the row "Add another step" copies
    # A saved routine adds steps with "Add another step"; a new one starts with one.
    assert "steps-__prefix__-order" in response.text
    add = trainer_client.get("/admin/routines/routine/add/")
    assert re.findall(r'<span class="inline_label">([^<]*)</span>', add.text) == [
        "New step",
        "New step",
    ]
