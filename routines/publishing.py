"""Who may publish and unpublish a routine, and who is on it right now.

A published routine is what members on it read every session, and what other
trainers assign: taking it back is the author's call (or a head trainer's,
holding ``routines.publish_routine``), never any trainer's. Members already on
a block keep reading it either way (``RoutineQuerySet.visible_to``).
"""

from typing import Any

from django.db import transaction

from routines.models import Routine

PUBLISH_PERMISSION = "routines.publish_routine"


def can_publish(user, routine: Routine) -> bool:
    """The routine's author, a superuser, or whoever holds the publish permission."""
    if routine.author_id is not None and routine.author_id == user.pk:
        return True
    return user.has_perm(PUBLISH_PERMISSION)


def refused_message(routines: list[Routine]) -> str:
    names = ", ".join(f"“{routine.title}”" for routine in routines)
    return (
        f"Nothing changed: only a routine's author or a head trainer can publish or "
        f"unpublish it, and you did not write {names}. Ask its author or a club admin."
    )


def current_blocks(routines):
    """The blocks (active or paused) on ``routines``, with each member and their
    trainer loaded, in the order a confirmation page lists them."""
    # members' Assignment, reached through the relation: routines imports no member code.
    assignment: Any = Routine.assignments.rel.related_model
    blocks = assignment.objects.current()
    return (
        blocks.filter(routine__in=routines)
        .select_related("routine", "member__profile", "trainer__profile")
        .order_by("routine__title", "member__profile__display_name", "member__email")
    )


@transaction.atomic
def unpublish_routines(*, routines) -> int:
    """Back to draft. Members on them keep their guide; no one new can be put on them."""
    return Routine.objects.filter(pk__in=[routine.pk for routine in routines]).update(
        status=Routine.Status.DRAFT
    )
