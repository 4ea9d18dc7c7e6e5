"""The members app's admin, by area. Importing each module registers its
models with the admin site."""

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django_tasks_db.models import DBTaskResult

from clubsite.admin_base import make_race_safe
from members.admin import accounts, blocks, logbook, mail, questions

__all__ = ["accounts", "blocks", "logbook", "mail", "questions"]

# Other apps' admins with add or change forms get the same answer to a double post.
make_race_safe(Group)
make_race_safe(EmailAddress)
make_race_safe(DBTaskResult)
