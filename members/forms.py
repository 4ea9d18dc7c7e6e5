from django import forms

from members.models import Profile


class SignupDetailsForm(forms.Form):
    """What allauth's signup form asks beyond email and password."""

    display_name = forms.CharField(
        label="Your name",
        max_length=80,
        help_text="What your trainer will call you.",
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )

    def signup(self, request, user):
        Profile.objects.create(user=user, display_name=self.cleaned_data["display_name"].strip())


class ProfileForm(forms.ModelForm):
    class Meta:
        model = Profile
        fields = ["display_name", "weaker_side", "units"]
        widgets = {
            "display_name": forms.TextInput(attrs={"autocomplete": "name"}),
            "weaker_side": forms.RadioSelect,
            "units": forms.RadioSelect,
        }

    def clean_display_name(self):
        name = self.cleaned_data["display_name"].strip()
        if not name:
            raise forms.ValidationError("Tell us what to call you.")
        return name
