"""One member's own prescription: the trainer's overrides of a routine's steps."""

from django.contrib.auth.models import AnonymousUser

from members.models import StepOverride, User
from routines.models import Routine


def overrides_for(member: User | AnonymousUser, routine: Routine) -> dict[int, StepOverride]:
    """The member's overrides of ``routine``'s steps, by step id: one query."""
    if not member.is_authenticated:
        return {}
    return {
        override.step_id: override
        for override in StepOverride.objects.filter(
            member=member, step__routine=routine
        ).select_related("knob", "set_by__profile")
    }
