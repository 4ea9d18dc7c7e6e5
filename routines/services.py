"""Writes that span several rows of a routine."""

from django.db import transaction

from routines.models import Routine, Step


def _unique_slug(base: str) -> str:
    slug = f"{base}-copy"[:120]
    number = 2
    while Routine.objects.filter(slug=slug).exists():
        slug = f"{base}-copy-{number}"[:120]
        number += 1
    return slug


@transaction.atomic
def duplicate_routine(routine: Routine, *, author) -> Routine:
    """A draft deep copy: its own steps, pairings and alternatives, so editing the copy
    never touches the original."""
    steps = list(routine.steps.order_by("alternative_to_id", "order", "id"))
    copy = Routine.objects.create(
        title=f"{routine.title} (copy)"[:120],
        slug=_unique_slug(routine.slug),
        introduction=routine.introduction,
        disclaimer=routine.disclaimer,
        closing_note=routine.closing_note,
        sessions_per_week=routine.sessions_per_week,
        min_weeks=routine.min_weeks,
        max_weeks=routine.max_weeks,
        status=Routine.Status.DRAFT,
        author=author,
    )
    chosen = Routine.check_in_areas.through.objects.filter(routine=routine).order_by("pk")
    for area_id in chosen.values_list("bodyarea_id", flat=True):  # in the order chosen
        copy.check_in_areas.add(area_id)
    fields = [
        "order", "exercise_id", "sets", "reps", "duration_seconds", "per_side",
        "weaker_side_extra_sets", "hold_seconds", "rest_seconds", "notes",
    ]  # fmt: skip

    def clone(step, **extra):
        return Step(routine=copy, **{name: getattr(step, name) for name in fields}, **extra)

    mains = [step for step in steps if step.alternative_to_id is None]
    new_mains = Step.objects.bulk_create([clone(step) for step in mains])
    new_by_old = {old.pk: new for old, new in zip(mains, new_mains, strict=True)}
    Step.objects.bulk_create(
        [
            clone(step, alternative_to=new_by_old[step.alternative_to_id])
            for step in steps
            if step.alternative_to_id is not None
        ]
    )
    paired = []
    for old in mains:
        if old.paired_with_id:
            new = new_by_old[old.pk]
            new.paired_with = new_by_old[old.paired_with_id]
            paired.append(new)
    Step.objects.bulk_update(paired, ["paired_with"])
    return copy


@transaction.atomic
def renumber_steps(routine: Routine) -> None:
    """Number the main steps 1, 2, 3… in their current order, each alternative with its
    step, so trainers can reorder with any numbers (10, 15, 20) and get a tidy result."""
    steps = list(routine.steps.select_for_update().order_by("order", "id"))
    mains = [step for step in steps if step.alternative_to_id is None]
    number_of = {step.pk: position for position, step in enumerate(mains, start=1)}
    changed = []
    for step in steps:
        wanted = number_of[step.alternative_to_id or step.pk]
        if step.order != wanted:
            step.order = wanted
            changed.append(step)
    Step.objects.bulk_update(changed, ["order"])


def publish_problems(routine: Routine) -> list[str]:
    """Why a routine cannot be published yet, in a trainer's words."""
    if not routine.steps.filter(alternative_to__isnull=True).exists():
        return [f"“{routine}” has no steps yet."]
    return []
