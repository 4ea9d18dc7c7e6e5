"""Accepting an invitation: the member sets a password and is signed in."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.forms import SetPasswordForm
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from members.accounts.invitations import InvitationUnusable, accept_invitation
from members.models import Invitation, User
from members.models.invitations import REPEAT_WINDOW, hash_token
from members.web.requests import HtmxHttpRequest


@never_cache
@sensitive_post_parameters("new_password1", "new_password2")
def accept(request: HtmxHttpRequest, token: str) -> HttpResponse:
    invitation = (
        Invitation.objects.select_related("member__profile", "invited_by__profile")
        .filter(token_hash=hash_token(token))
        .first()
    )
    if invitation is None:
        raise Http404("No such invitation.")
    if invitation.state == Invitation.State.ACCEPTED:
        return _same_post_again(request, invitation) or _unusable(request, invitation, "used")
    if invitation.state == Invitation.State.EXPIRED:
        return _unusable(request, invitation, "expired")
    form = SetPasswordForm(invitation.member, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            member = accept_invitation(
                invitation=invitation, password=form.cleaned_data["new_password1"]
            )
        except InvitationUnusable as unusable:
            invitation.refresh_from_db()
            return _same_post_again(request, invitation) or _unusable(
                request, invitation, unusable.reason
            )
        return _welcome(request, member)
    return render(
        request,
        "members/invitation_accept.html",
        {"invitation": invitation, "form": form},
    )


def _welcome(request: HtmxHttpRequest, member: User) -> HttpResponse:
    login(request, member, backend="django.contrib.auth.backends.ModelBackend")
    messages.success(request, "Welcome to Ground Up. Your password is set.")
    return redirect("members:home")


def _same_post_again(request: HtmxHttpRequest, invitation: Invitation) -> HttpResponse | None:
    """Two tabs or a double tap on “Set password”: the first post accepted the
    invitation a moment ago; the second, carrying the password it set, gets
    the same answer (signed in, on Today) instead of “link used”."""
    accepted = invitation.accepted_at
    if request.method != "POST" or accepted is None or timezone.now() - accepted > REPEAT_WINDOW:
        return None
    member = User.objects.get(pk=invitation.member_id)
    if not member.is_active or not member.check_password(request.POST.get("new_password1", "")):
        return None
    return _welcome(request, member)


def _unusable(request: HtmxHttpRequest, invitation: Invitation, reason: str) -> HttpResponse:
    """A used or expired link says what to do next, with 410 Gone."""
    return render(
        request,
        "members/invitation_unusable.html",
        {"invitation": invitation, "reason": reason},
        status=410,
    )
