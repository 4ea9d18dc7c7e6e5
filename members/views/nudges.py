"""The one-click link in every session reminder that turns reminders off,
and the page it leads to, which can turn them back on.

The link carries a signed token naming the member, so it works signed in or
not (and signed in as someone else changes only the member it names)."""

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from members import nudges
from members.models import User


def _member(token: str) -> User:
    member = nudges.member_for_token(token)
    if member is None:
        raise Http404("This link is not valid.")
    return member


def _masked(email: str) -> str:
    """a•••@example.com: enough to recognise, not to harvest."""
    name, _, domain = email.partition("@")
    return f"{name[:1]}•••@{domain}"


@require_GET
def reminders(request: HttpRequest, token: str) -> HttpResponse:
    member = _member(token)
    profile = getattr(member, "profile", None)
    return render(
        request,
        "members/reminders.html",
        {
            "member": member,
            "masked_email": _masked(member.email),
            "on": profile is None or profile.session_reminders,
            "token": token,
            "reminder_time": nudges.clock_text(settings.REMINDER_TIME),
            "is_them": request.user.is_authenticated and request.user.pk == member.pk,
        },
    )


# Mail apps send the one-click unsubscribe (RFC 8058) as a POST without a CSRF
# token. The signed token is what authorises it, and all it can do is stop
# the emails, which the page it leads to undoes with one button.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def reminders_off(request: HttpRequest, token: str) -> HttpResponse:
    nudges.set_reminders(_member(token), False)
    return redirect("reminders", token=token)


@require_http_methods(["GET", "POST"])
def reminders_on(request: HttpRequest, token: str) -> HttpResponse:
    """Turns them on from the page's form; opened as a link, shows the page."""
    member = _member(token)
    if request.method == "POST":
        nudges.set_reminders(member, True)
    return redirect("reminders", token=token)
