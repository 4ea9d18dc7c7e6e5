from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        """The club can close self-signup (SIGNUP_OPEN=false) and only invite members."""
        return settings.SIGNUP_OPEN
