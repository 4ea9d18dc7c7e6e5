"""A trainer's follow-up on a pain flag: seen, then resolved with a note that
is emailed to the member once."""

from django.db import transaction
from django.utils import timezone

from members.coaching import emails as notices
from members.models import PainFlag, User


def acknowledge(flag: PainFlag) -> bool:
    """Mark an open flag as seen; False when it was already past that."""
    if flag.status != PainFlag.Status.OPEN:
        return False
    flag.status = PainFlag.Status.ACKNOWLEDGED
    flag.acknowledged_at = timezone.now()
    flag.save(update_fields=["status", "acknowledged_at"])
    return True


@transaction.atomic
def resolve(flag: PainFlag, *, by: User, note: str) -> PainFlag:
    """Resolve with ``note`` to the member. Locked, so a second tap or a second
    trainer's post finds it resolved and sends nothing again."""
    flag = PainFlag.objects.select_for_update().get(pk=flag.pk)
    if flag.status == PainFlag.Status.RESOLVED:
        return flag
    now = timezone.now()
    flag.status = PainFlag.Status.RESOLVED
    flag.acknowledged_at = flag.acknowledged_at or now
    flag.resolved_at = now
    flag.resolved_by = by
    flag.resolution_note = note
    flag.save()
    notices.pain_resolution(flag)
    return flag
