import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from members.accounts.roles import (
    FORBIDDEN_PERMISSIONS,
    TRAINER_PERMISSIONS,
    apply_trainer_permissions,
)
from members.models.access import TRAINERS_GROUP


def granted(group):
    return {
        f"{app}.{codename}"
        for app, codename in group.permissions.values_list("content_type__app_label", "codename")
    }


@pytest.mark.django_db
def test_migrate_leaves_the_group_with_exactly_the_declared_permissions():
    group = Group.objects.get(name=TRAINERS_GROUP)
    assert granted(group) == set(TRAINER_PERMISSIONS)


def test_the_list_never_grants_changing_users():
    assert not FORBIDDEN_PERMISSIONS.intersection(TRAINER_PERMISSIONS)
    assert "members.change_user" in FORBIDDEN_PERMISSIONS


@pytest.mark.django_db
def test_applying_is_idempotent_and_repairs_drift():
    group = Group.objects.get(name=TRAINERS_GROUP)
    group.permissions.clear()
    apply_trainer_permissions()
    apply_trainer_permissions()
    assert Group.objects.filter(name=TRAINERS_GROUP).count() == 1
    assert granted(group) == set(TRAINER_PERMISSIONS)


@pytest.mark.django_db
def test_migrate_again_changes_nothing():
    before = granted(Group.objects.get(name=TRAINERS_GROUP))
    call_command("migrate", verbosity=0)
    assert granted(Group.objects.get(name=TRAINERS_GROUP)) == before


@pytest.mark.django_db
def test_a_forbidden_permission_in_the_list_is_refused(monkeypatch):
    monkeypatch.setattr("members.accounts.roles.TRAINER_PERMISSIONS", ["members.change_user"])
    with pytest.raises(ValueError, match="must never hold"):
        apply_trainer_permissions()


@pytest.mark.django_db
def test_a_misspelt_permission_is_refused(monkeypatch):
    monkeypatch.setattr("members.accounts.roles.TRAINER_PERMISSIONS", ["members.view_usr"])
    with pytest.raises(LookupError, match=r"members\.view_usr"):
        apply_trainer_permissions()
