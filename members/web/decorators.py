"""What trainer views share: the trainer-only decorator and query-string ids."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from members.models.access import is_trainer


def positive_int(value: str | None) -> int | None:
    """An id from a query string, or None for anything that is not one (a
    database would reject an overlong number with an error, not a miss)."""
    if value and value.isascii() and value.isdigit() and len(value) < 10:
        return int(value)
    return None


def trainer_required(view):
    """Signed-in trainers (and superusers) only: anyone else signed in gets 403."""

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not is_trainer(request.user):
            raise PermissionDenied("Only trainers can open this page.")
        return view(request, *args, **kwargs)

    return wrapper
