"""Members' and trainers' accounts, and invitations."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.utils.translation import ngettext

from clubsite.admin_base import RaceSafeAdmin
from members.accounts import limits as invitation_limit
from members.accounts.forms import InvitationForm, invitee_email, invitee_name
from members.accounts.invitations import invite_member
from members.accounts.sending import renew_links, send_invitations
from members.admin.scoping import TrainerScopedAdmin
from members.blocks.forms import BlockForm
from members.blocks.services import assign_routine
from members.models import (
    Invitation,
    Profile,
    User,
)
from members.privacy import services as privacy


class ProfileInline(admin.StackedInline):
    model = Profile
    fk_name = "user"
    can_delete = False
    fields = [
        "display_name",
        "weaker_side",
        "units",
        "trainer",
        "session_reminders",
        "weekly_digest",
        "pain_alerts",
        "question_emails",
        "photo",
        "bio",
    ]


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ["email"]


class UserChangeFormByEmail(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(RaceSafeAdmin, DjangoUserAdmin):
    form = UserChangeFormByEmail
    add_form = UserCreationForm
    inlines = [ProfileInline]
    list_display = ["email", "profile__display_name", "is_staff", "is_active", "date_joined"]
    list_filter = ["is_staff", "is_superuser", "is_active", "groups"]
    list_select_related = ["profile"]
    search_fields = ["email", "profile__display_name"]
    ordering = ["email"]
    readonly_fields = ["last_login", "date_joined"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (
            "Permissions",
            {
                "fields": ["is_active", "is_staff", "is_superuser", "groups"],
                "description": "Trainers are staff in the Trainers group.",
            },
        ),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["email", "usable_password", "password1", "password2"],
            },
        ),
    ]

    actions = ["put_on_a_routine"]

    def has_assign_permission(self, request) -> bool:
        return request.user.has_perm("members.add_assignment")

    @admin.action(description="Put the selected members on a routine", permissions=["assign"])
    def put_on_a_routine(self, request, queryset):
        """A class starting together: one form for the block, then every selected
        member's block written at once."""
        members = list(queryset.filter(is_staff=False, is_active=True).select_related("profile"))
        skipped = queryset.count() - len(members)
        form = BlockForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid() and members:
            data = form.cleaned_data
            try:
                blocks = assign_routine(
                    trainer=request.user, members=members, **form.block_arguments()
                )
            except ValidationError as error:
                for field, problems in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, problems)
            else:
                self.message_user(
                    request,
                    ngettext(
                        "%(count)d member is on %(routine)s from %(start)s.",
                        "%(count)d members are on %(routine)s from %(start)s.",
                        len(blocks),
                    )
                    % {
                        "count": len(blocks),
                        "routine": data["routine"],
                        "start": f"{data['start_date']:%b %-d}",
                    },
                    messages.SUCCESS,
                )
                return None
        if skipped:
            self.message_user(
                request,
                f"{skipped} selected account(s) are trainers or inactive and are left out.",
                messages.WARNING,
            )
        return TemplateResponse(
            request,
            "admin/members/user/put_on_a_routine.html",
            {
                **self.admin_site.each_context(request),
                "title": "Put members on a routine",
                "opts": self.model._meta,
                "form": form,
                "members": members,
                "queryset": queryset,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            },
        )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:
            # Staff vouch for the address they typed: no verification email needed.
            User.objects.set_up_vouched_account(obj)

    def get_inline_instances(self, request, obj=None):
        # The profile is created on save, so the add page has no inline.
        return super().get_inline_instances(request, obj) if obj else []

    # A member deleted here is first forgotten as on their own Settings page,
    # or the rows that hold their address without pointing at the account (the
    # admin log, questions sent signed out, sessions) would outlive them.
    def delete_model(self, request, obj):
        if not obj.is_staff:
            privacy.forget(obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for member in queryset.filter(is_staff=False):
            privacy.forget(member)
        super().delete_queryset(request, queryset)


class InvitationAdminForm(forms.ModelForm):
    """The add form: a name and an address, checked as on the trainer page."""

    display_name = InvitationForm.base_fields["display_name"]
    email = InvitationForm.base_fields["email"]
    trainer: User  # Who is inviting: set by InvitationAdmin.get_form.

    class Meta:
        model = Invitation
        fields: list[str] = []

    def clean_display_name(self):
        return invitee_name(self.cleaned_data["display_name"])

    def clean_email(self):
        return invitee_email(self.cleaned_data["email"], trainer=self.trainer)

    def clean(self):
        cleaned = super().clean()
        # Taken here, where a refusal can still be shown on the form; save_model
        # sends the invitation it pays for.
        if not self.errors and (refused := invitation_limit.reserve(self.trainer)):
            raise ValidationError(refused)
        return cleaned


@admin.register(Invitation)
class InvitationAdmin(TrainerScopedAdmin):
    list_display = ["member", "member__profile__display_name", "invited_by", "state", "sent_at"]
    list_select_related = ["member__profile", "invited_by"]
    list_filter = [("accepted_at", admin.EmptyFieldListFilter), "sent_at"]
    search_fields = ["member__email", "member__profile__display_name"]
    actions = ["send_again"]
    readonly_fields = [
        "member",
        "invited_by",
        "state",
        "created_at",
        "sent_at",
        "send_count",
        "expires_at",
        "accepted_at",
    ]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            # A class made for this request, so the form knows who invites.
            kwargs["form"] = type(
                "InvitationAddForm", (InvitationAdminForm,), {"trainer": request.user}
            )
        return super().get_form(request, obj, change, **kwargs)

    def get_fields(self, request, obj=None):
        return ["display_name", "email"] if obj is None else self.readonly_fields

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    @admin.display(description="state")
    def state(self, obj):
        return obj.get_state_display()

    def save_model(self, request, obj, form, change):
        if change:
            return
        invitation, token = invite_member(
            trainer=request.user,
            email=form.cleaned_data["email"],
            display_name=form.cleaned_data["display_name"],
        )
        # The admin goes on with ``obj`` (its log entry and redirect): make it the row.
        obj.pk = invitation.pk
        obj.refresh_from_db()
        if not send_invitations(request, request.user, [(invitation, token)]).delivered:
            self.message_user(
                request,
                "The invitation is saved but the email could not be sent: use “Send the "
                "invitation again” in a while.",
                messages.WARNING,
            )

    @admin.action(description="Send the invitation again", permissions=["change"])
    def send_again(self, request, queryset):
        pending = list(
            queryset.filter(accepted_at=None).select_related(
                "member__profile", "invited_by__profile"
            )
        )
        if refused := invitation_limit.reserve(request.user, len(pending)):
            self.message_user(request, refused, messages.ERROR)
            return
        sending = send_invitations(request, request.user, renew_links(pending))
        if sending.delivered:
            self.message_user(
                request,
                f"Sent {len(sending.sent)} new invitation link(s); accepted ones were skipped.",
                messages.SUCCESS,
            )
        else:
            self.message_user(request, "The mail server refused; try again later.", messages.ERROR)
