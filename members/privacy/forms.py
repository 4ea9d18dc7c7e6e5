"""The one question the member answers before their account goes."""

from django import forms

CONFIRM = "Tick the box to confirm that you want your account deleted."


class DeleteAccountForm(forms.Form):
    confirm = forms.ChoiceField(
        choices=[("yes", "Yes, delete my account")],
        error_messages={"required": CONFIRM, "invalid_choice": CONFIRM},
    )
