"""A member's own data, from Settings: download it all, or delete the account.
Both ask for the password again unless it was given in the last few minutes
(allauth's reauthentication), so an unlocked phone left at the gym gives
neither away."""

import json

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from members.privacy import services as privacy
from members.privacy.forms import DeleteAccountForm
from members.web.downloads import csv_download
from members.web.requests import AuthenticatedHttpRequest
from members.web.text import messages_text


def _filename(kind: str) -> str:
    return f"ground-up-{kind}-{timezone.localdate():%Y-%m-%d}"


@never_cache
@login_required
@reauthentication_required
def your_data(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The downloads, once the password is confirmed: a page to land on, so the
    member is not left on the password form while the file downloads."""
    return render(request, "members/your_data.html", {"active_nav": "settings"})


@never_cache
@login_required
@reauthentication_required
def data_json(request: AuthenticatedHttpRequest) -> HttpResponse:
    body = json.dumps(privacy.export(request.user), cls=DjangoJSONEncoder, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename("data")}.json"'
    return response


@never_cache
@login_required
@reauthentication_required
def sets_csv(request: AuthenticatedHttpRequest) -> StreamingHttpResponse:
    return csv_download(privacy.set_rows(request.user), f"{_filename('sets')}.csv")


@login_required
@reauthentication_required(allow_get=True)
def delete_account(request: AuthenticatedHttpRequest) -> HttpResponse:
    """What goes and what stays, then the button. A trainer's account is closed
    by the club's admin: their members' blocks hang on it."""
    page = {"active_nav": "settings"}
    if request.user.is_staff:
        return render(request, "members/delete_account.html", {**page, "staff": True}, status=403)
    if request.method == "POST":
        form = DeleteAccountForm(request.POST)
        if not form.is_valid():
            error = messages_text(form.errors["confirm"])
            return render(
                request, "members/delete_account.html", {**page, "error": error}, status=422
            )
        privacy.forget(request.user)
        logout(request)
        messages.success(request, "Your account is deleted. Thank you for training with us.")
        return redirect("home")
    return render(request, "members/delete_account.html", page)
