"""What trainer views share: the trainer-only decorator and query-string ids."""

from collections.abc import Callable
from functools import wraps
from typing import cast

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBase

from members.models.access import is_trainer
from members.web.requests import AuthenticatedHttpRequest


def positive_int(value: str | None) -> int | None:
    """An id from a query string, or None for anything that is not one (a
    database would reject an overlong number with an error, not a miss)."""
    if value and value.isascii() and value.isdigit() and len(value) < 10:
        return int(value)
    return None


def trainer_required[V: Callable[..., HttpResponseBase]](view: V) -> V:
    """Signed-in trainers (and superusers) only: anyone else signed in gets 403."""

    @wraps(view)
    @login_required
    def wrapper(request: AuthenticatedHttpRequest, *args, **kwargs) -> HttpResponseBase:
        if not is_trainer(request.user):
            raise PermissionDenied("Only trainers can open this page.")
        return view(request, *args, **kwargs)

    # wraps() hands on the view's own signature, which mypy cannot follow.
    return cast(V, wrapper)
