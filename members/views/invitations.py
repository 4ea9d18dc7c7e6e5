"""Accepting an invitation: the member sets a password and is signed in."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.forms import SetPasswordForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from members.models import Invitation
from members.models.invitations import hash_token
from members.services import InvitationUnusable, accept_invitation


@never_cache
@sensitive_post_parameters("new_password1", "new_password2")
def accept(request: HttpRequest, token: str) -> HttpResponse:
    invitation = (
        Invitation.objects.select_related("member__profile", "invited_by__profile")
        .filter(token_hash=hash_token(token))
        .first()
    )
    if invitation is None:
        raise Http404("No such invitation.")
    if invitation.state == Invitation.State.ACCEPTED:
        return _unusable(request, invitation, "used")
    if invitation.state == Invitation.State.EXPIRED:
        return _unusable(request, invitation, "expired")
    form = SetPasswordForm(invitation.member, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            member = accept_invitation(
                invitation=invitation, password=form.cleaned_data["new_password1"]
            )
        except InvitationUnusable as unusable:
            return _unusable(request, invitation, unusable.reason)
        login(request, member, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, "Welcome to Ground Up. Your password is set.")
        return redirect("members:home")
    return render(
        request,
        "members/invitation_accept.html",
        {"invitation": invitation, "form": form},
    )


def _unusable(request: HttpRequest, invitation: Invitation, reason: str) -> HttpResponse:
    """A used or expired link says what to do next, with 410 Gone."""
    return render(
        request,
        "members/invitation_unusable.html",
        {"invitation": invitation, "reason": reason},
        status=410,
    )
