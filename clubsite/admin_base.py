"""What every admin of the club shares: an add or change form posted twice at
once (a double tap, two tabs) answers normally instead of with a 500.

The admin checks a unique field (``validate_unique``) and then inserts: two
identical posts both pass the check, and the loser's insert meets the
database's unique constraint. Django runs ``changeform_view`` in one
transaction, so the loser's writes are already rolled back when the error
reaches us; by then the winner has committed (the unique index made the
loser wait for it), so the same form run again finds the taken value and
shows its usual field error, with everything typed still in the form."""

from django.contrib import admin, messages
from django.db import IntegrityError
from django.http import HttpResponseRedirect
from django.urls import reverse


class RaceSafeAdmin(admin.ModelAdmin):
    """Mix in first on every ModelAdmin with an add or change form
    (``tests/clubsite/test_admin_double_posts`` fails on one without it)."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except IntegrityError:
            if request.method != "POST":
                raise
        try:
            # The row that won is committed now: the form says which field is taken.
            return super().changeform_view(request, object_id, form_url, extra_context)
        except IntegrityError:
            # A constraint the form cannot check: say so on the list, not with a 500.
            self.message_user(
                request,
                f"This {self.opts.verbose_name} was saved already, or clashes with one "
                "saved at the same moment: check the list.",
                messages.WARNING,
            )
            info = (self.opts.app_label, self.opts.model_name)
            return HttpResponseRedirect(
                reverse("admin:{}_{}_changelist".format(*info), current_app=self.admin_site.name)
            )


def make_race_safe(model, site=admin.site) -> None:
    """Re-register another app's admin for ``model`` with ``RaceSafeAdmin``
    mixed in (Django's Group admin, allauth's, the task results')."""
    stock = type(site.get_model_admin(model))
    site.unregister(model)
    site.register(model, type(stock.__name__, (RaceSafeAdmin, stock), {}))


class ReadOnlyInline(admin.TabularInline):
    """Rows shown under their parent as a record: every field read-only, none
    added or deleted here (they are written where the work is done)."""

    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False
