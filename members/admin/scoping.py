"""What every trainer-facing admin shares: rows scoped to the trainer's own members."""

from clubsite.admin_base import RaceSafeAdmin


class TrainerScopedAdmin(RaceSafeAdmin):
    """A trainer sees only the rows of the members they train now (the model's
    ``for_trainer``): not a former member's, nor one who moved to another
    trainer. A superuser sees every row, closed accounts' included."""

    def get_queryset(self, request):
        rows = super().get_queryset(request)
        # ModelAdmin.get_queryset is typed as a plain QuerySet; it is the model's
        # default manager's, which has for_trainer on every model scoped here.
        return rows if request.user.is_superuser else rows.for_trainer(request.user)  # type: ignore[attr-defined]
