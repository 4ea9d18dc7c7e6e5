from django.apps import AppConfig
from django.db.models.signals import post_migrate


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = "Members"

    def ready(self):
        post_migrate.connect(_apply_trainer_permissions, sender=self)


def _apply_trainer_permissions(sender, *, using, verbosity=0, apps=None, **kwargs):
    from members.roles import apply_trainer_permissions

    apply_trainer_permissions(using=using, verbosity=verbosity)
