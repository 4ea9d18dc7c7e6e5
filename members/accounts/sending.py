"""Invitation emails leave from here, for the trainer's pages and the admin.

Every way of inviting reserves its uses of the trainer's hourly allowance
first (``limits.reserve``), then makes or renews the invitations, then calls
``send_invitations``. An invitation without a fresh link (sent a moment ago by
an identical post, or accepted meanwhile) sends nothing and gives its use back.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.http import HttpRequest

from members.accounts import limits
from members.accounts.emails import invitation_message
from members.accounts.invitations import InvitationUnusable, resend_invitation
from members.mail.messages import send_all
from members.models import Invitation, User

Fresh = tuple[Invitation, str | None]


@dataclass(frozen=True)
class Sending:
    sent: list[Invitation]
    skipped: int
    delivered: bool

    @property
    def names(self) -> str:
        return ", ".join(invitation.member.display_name for invitation in self.sent)


def send_invitations(request: HttpRequest, trainer: User, fresh: Iterable[Fresh]) -> Sending:
    """Email every invitation that has a new link, over one connection.

    ``fresh`` pairs each invitation with its link's secret, or None where no
    email should go. ``delivered`` is False when the mail server refused: the
    invitations stand, and "Send again" sends them later."""
    fresh = list(fresh)
    to_send = [(invitation, token) for invitation, token in fresh if token is not None]
    if skipped := len(fresh) - len(to_send):
        limits.give_back(trainer, skipped)
    emails = [
        invitation_message(invitation=invitation, token=token, request=request)
        for invitation, token in to_send
    ]
    return Sending(
        sent=[invitation for invitation, _ in to_send],
        skipped=skipped,
        delivered=send_all(emails),
    )


def renew_links(invitations: Iterable[Invitation]) -> list[Fresh]:
    """A new link for each invitation still waiting; None for one accepted
    meanwhile or sent moments ago."""
    renewed: list[Fresh] = []
    for invitation in invitations:
        try:
            token = resend_invitation(invitation=invitation)
        except InvitationUnusable:
            token = None
        if token is not None:
            invitation.refresh_from_db()
        renewed.append((invitation, token))
    return renewed
