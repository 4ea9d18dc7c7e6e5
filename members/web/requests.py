"""The request types views take, so mypy knows what the middleware attached.

django-htmx documents ``HtmxHttpRequest`` as a class each project writes
(the package ships ``HtmxDetails``, not the request type); django-stubs does
the same for a signed-in request whose ``user`` is the project's model.
"""

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from members.models import User


class HtmxHttpRequest(HttpRequest):
    """Any request that passed ``HtmxMiddleware``: ``request.htmx`` is set."""

    htmx: HtmxDetails


class AuthenticatedHttpRequest(HtmxHttpRequest):
    """A request behind ``login_required`` (or ``trainer_required``): the user
    is a signed-in ``User``, never ``AnonymousUser``."""

    user: User
