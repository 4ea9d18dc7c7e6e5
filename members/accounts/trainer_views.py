"""A trainer invites new members, one or a group, and sends an invitation again."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from members.accounts import limits as invitation_limit
from members.accounts.forms import GroupInvitationForm, InvitationForm
from members.accounts.invitations import InvitationUnusable, invite_member, resend_invitation
from members.accounts.sending import Fresh, send_invitations
from members.models import Invitation
from members.web.decorators import trainer_required
from members.web.requests import AuthenticatedHttpRequest


def _get_invitation_for_trainer(request: AuthenticatedHttpRequest, pk: int) -> Invitation:
    return get_object_or_404(
        Invitation.objects.for_trainer(request.user).select_related("member", "invited_by"),
        pk=pk,
    )


@trainer_required
def invite(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = InvitationForm(request.POST or None, trainer=request.user)
    status = 200
    if request.method == "POST" and form.is_valid():
        if refused := invitation_limit.reserve(request.user):
            form.add_error(None, refused)
            status = 429
        else:
            try:
                invitation, token = invite_member(
                    trainer=request.user,
                    email=form.cleaned_data["email"],
                    display_name=form.cleaned_data["display_name"],
                )
            except ValidationError as error:
                invitation_limit.give_back(request.user)
                form.add_error(None, error)
            else:
                _send_invitations(request, [(invitation, token)])
                return redirect(_assign_url([invitation.member_id]))
    return render(
        request,
        "members/trainer/invite.html",
        {"form": form, "group_form": GroupInvitationForm(), "active_nav": "members"},
        status=status,
    )


@trainer_required
@require_POST
def invite_group(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Invite a class at once, one person per line, then assign them together."""
    group_form = GroupInvitationForm(request.POST, trainer=request.user)
    status = 200
    if group_form.is_valid():
        people = group_form.cleaned_data["people"]
        if refused := invitation_limit.reserve(request.user, len(people)):
            group_form.add_error(None, refused)
            status = 429
        else:
            sent = [
                invite_member(trainer=request.user, email=email, display_name=name)
                for name, email in people
            ]
            _send_invitations(request, sent)
            return redirect(_assign_url([invitation.member_id for invitation, _ in sent]))
    return render(
        request,
        "members/trainer/invite.html",
        {"form": InvitationForm(), "group_form": group_form, "active_nav": "members"},
        status=status,
    )


def _send_invitations(request: AuthenticatedHttpRequest, fresh: list[Fresh]) -> None:
    sending = send_invitations(request, request.user, fresh)
    if not sending.sent:
        # An identical post a moment ago sent it already.
        messages.info(request, "That invitation is on its way already.")
    elif sending.delivered:
        messages.success(
            request,
            f"{'Invitation' if len(sending.sent) == 1 else 'Invitations'} sent to "
            f"{sending.names}. The link works for 14 days. "
            "Now choose their routine, or do it later from Members.",
        )
    else:
        messages.warning(
            request,
            f"{sending.names} {'is' if len(sending.sent) == 1 else 'are'} added, but the "
            "email could not be sent just now. Use “Send again” on the Members page in a while.",
        )


def _assign_url(member_ids: list[int]) -> str:
    return reverse("trainer:assign") + "?" + urlencode({"member": member_ids}, doseq=True)


@trainer_required
@require_POST
def resend(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    invitation = _get_invitation_for_trainer(request, pk)
    if refused := invitation_limit.reserve(request.user):
        messages.error(request, refused)
        return redirect("trainer:members")
    try:
        token = resend_invitation(invitation=invitation)
    except InvitationUnusable:
        invitation_limit.give_back(request.user)
        messages.info(request, f"{invitation.member.display_name} has already accepted.")
        return redirect("trainer:members")
    if token is None:
        invitation_limit.give_back(request.user)
        messages.info(request, f"An invitation went to {invitation.member.email} moments ago.")
        return redirect("trainer:members")
    invitation.refresh_from_db()
    if send_invitations(request, request.user, [(invitation, token)]).delivered:
        messages.success(
            request,
            f"A new invitation is on its way to {invitation.member.email}. "
            "The earlier link no longer works.",
        )
    else:
        messages.warning(request, "The email could not be sent just now. Try again in a while.")
    return redirect("trainer:members")
