"""How allauth is fitted to the club: who may sign up, where account mail may
go, and the sign-up and add-address forms.

A signed-in phone left at the gym must not be enough to take an account over:
changing addresses asks for the password again (ACCOUNT_REAUTHENTICATION_REQUIRED),
a reset link only goes to an address the member has verified, and every
change to addresses or password is told to the addresses they have verified."""

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter, get_adapter
from allauth.account.forms import AddEmailForm as AllauthAddEmailForm
from allauth.account.forms import SignupForm as AllauthSignupForm
from allauth.account.internal import flows
from allauth.account.internal.flows.email_verification import send_verification_email_to_address
from allauth.account.models import EmailAddress
from allauth.core import context as allauth_context
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, transaction
from django.http import HttpResponseRedirect
from django.urls import reverse


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        """The club can close self-signup (SIGNUP_OPEN=false) and only invite members."""
        return settings.SIGNUP_OPEN

    def send_password_reset_mail(self, user, email: str, context: dict[str, Any]) -> None:
        """Only to an address the member has verified. An address added from a
        signed-in session (or typed by a trainer for an invitation) proves
        nothing about who reads it; the page answers the same either way."""
        if EmailAddress.objects.filter(user=user, email__iexact=email, verified=True).exists():
            super().send_password_reset_mail(user, email, context)

    def send_notification_mail(
        self,
        template_prefix: str,
        user,
        context: dict[str, Any] | None = None,
        email: str | None = None,
    ) -> None:
        """To every verified address of the account, not only the primary: the
        person to warn is whoever owned the account before the change."""
        verified = EmailAddress.objects.filter(user=user, verified=True).order_by("pk")
        recipients = {address.email.lower(): address.email for address in verified}
        if email:
            recipients.setdefault(email.lower(), email)
        # Each notice says what to do if it was not them: reset the password.
        reset_url = flows.password_reset.get_reset_password_url(allauth_context.request)
        context = {"password_reset_url": reset_url, **(context or {})}
        for address in recipients.values():
            super().send_notification_mail(template_prefix, user, context, email=address)


class SignupForm(AllauthSignupForm):
    """allauth's sign-up, with the two paths (new address, known address)
    doing the same work, and a double tap answered like a known address."""

    def try_save(self, request):
        if self.account_already_exists:
            # The new-address path hashes the password; without the same work
            # here, the answer comes ~20x faster and tells who is a member.
            make_password(self.cleaned_data.get("password1"))
            return super().try_save(request)
        try:
            # A savepoint: the loser of two identical posts rolls back its half
            # made user instead of answering 500 from the unique constraint.
            with transaction.atomic():
                return self.save(request), None
        except IntegrityError:
            # The same person's second tap: the same "check your email" page,
            # and no second mail ("you already have an account" would also
            # use up allauth's one-a-few-minutes limit on the winner's link).
            return None, HttpResponseRedirect(reverse("account_email_verification_sent"))


class AddEmailForm(AllauthAddEmailForm):
    """Adding an address also tells the addresses already verified (allauth
    only tells about changes and removals), once: a double tap finds the row
    the first tap made and sends nothing more. (allauth's own save also
    serves verification by code and ACCOUNT_CHANGE_EMAIL; the club uses
    neither.)"""

    def save(self, request):
        email = self.cleaned_data["email"]
        address, created = EmailAddress.objects.get_or_create(user=self.user, email=email.lower())
        if created:
            send_verification_email_to_address(request, address)
            get_adapter(request).send_notification_mail(
                "account/email/email_added", self.user, {"added_email": address.email}
            )
        return address
