from django.apps import AppConfig
from django.db.models.signals import post_migrate


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = "Members"

    def ready(self):
        # Imported here, not at the top: these modules use the models, which
        # Django loads only after every app's config (the one cycle with Django
        # itself that forces an import inside a function). Each ``emails``
        # module registers its kinds of email with the outbox.
        from clubsite import kept_pages
        from members.accounts import roles
        from members.coaching import emails as coaching_emails  # noqa: F401
        from members.coaching import standings
        from members.logbook import emails as logbook_emails  # noqa: F401
        from members.nudges import emails as nudges_emails  # noqa: F401
        from members.questions import emails as questions_emails  # noqa: F401

        post_migrate.connect(roles.apply_trainer_permissions_after_migrate, sender=self)
        standings.connect()
        kept_pages.connect()
