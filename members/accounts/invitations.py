"""Invitations: made once per person, sent again, accepted with a password."""

from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from members.accounts.roles import trained_elsewhere_message
from members.models import Invitation, Profile, User
from members.models.invitations import INVITATION_LIFETIME, new_token


class InvitationUnusable(Exception):
    """The link was used already or has expired; ``reason`` says which."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@transaction.atomic
def invite_member(
    *, trainer: User, email: str, display_name: str
) -> tuple[Invitation, str | None]:
    """Make (or reuse) the member's account, waiting for a password, and an
    invitation from ``trainer``; returns the invitation and its link's secret.

    The address stays unverified until the member follows the link. Someone who
    has already set a password is not invited: the form says so first. The
    secret is None when the same invitation was made a moment ago (a double tap,
    two tabs): the member gets one email, and its link keeps working."""
    email = User.objects.normalize_email(email).lower()
    member = _account_to_invite(email)
    if member.has_usable_password():
        raise ValidationError({"email": "This person already has an account."})
    # Inviting makes the inviter their trainer: not someone another trainer has.
    if refused := trained_elsewhere_message(trainer=trainer, members=[member]):
        raise ValidationError({"email": refused})
    # Locks the profile: identical invitations of one person go one at a time.
    Profile.objects.update_or_create(
        user=member, defaults={"display_name": display_name.strip(), "trainer": trainer}
    )
    invitation = member.invitations.pending().select_for_update().first()
    if invitation is not None and invitation.state == Invitation.State.PENDING:
        # The form refuses a live invitation, so this one was made since it
        # checked: by an identical post. Answer with it, and send nothing more.
        return invitation, None
    if invitation is not None:
        token = invitation.renew()
        invitation.invited_by = trainer
        invitation.send_count += 1
        invitation.save()
        return invitation, token
    token, token_hash = new_token()
    invitation = Invitation.objects.create(
        member=member,
        invited_by=trainer,
        token_hash=token_hash,
        expires_at=timezone.now() + INVITATION_LIFETIME,
    )
    return invitation, token


def _account_to_invite(email: str) -> User:
    """The account for ``email``, made without a password if there is none."""
    member = User.objects.filter(email__iexact=email).first()
    if member is not None:
        return member
    try:
        with transaction.atomic():
            member = User(email=email)
            member.set_unusable_password()
            member.save()
            EmailAddress.objects.create(user=member, email=email, verified=False, primary=True)
    except IntegrityError:
        # An identical post made the account between our look and our insert.
        return User.objects.get(email__iexact=email)
    return member


@transaction.atomic
def resend_invitation(*, invitation: Invitation) -> str | None:
    """A new link for a pending or expired invitation; the old link stops working.

    None when it went moments ago (the same tap twice, or posts at once):
    renewing again would kill the link in the email just sent."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at:
        raise InvitationUnusable("used")
    if invitation.just_sent:
        return None
    token = invitation.renew()
    invitation.send_count += 1
    invitation.save(update_fields=["token_hash", "sent_at", "expires_at", "send_count"])
    return token


@transaction.atomic
def accept_invitation(*, invitation: Invitation, password: str) -> User:
    """Set the member's password and verify their address, once.

    The row is locked, so two tabs submitting the same link cannot both succeed."""
    invitation = (
        Invitation.objects.select_for_update().select_related("member").get(pk=invitation.pk)
    )
    if invitation.accepted_at:
        raise InvitationUnusable("used")
    if invitation.state == Invitation.State.EXPIRED:
        raise InvitationUnusable("expired")
    member = invitation.member
    member.set_password(password)
    member.is_active = True
    member.save(update_fields=["password", "is_active"])
    EmailAddress.objects.filter(user=member).exclude(email__iexact=member.email).update(
        primary=False
    )
    EmailAddress.objects.update_or_create(
        user=member, email=member.email, defaults={"verified": True, "primary": True}
    )
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    return member
