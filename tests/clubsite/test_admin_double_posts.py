"""Admin forms posted twice at once (a double tap, two tabs, a retried
request): one row and a normal answer to each post, never a 500. Every
admin with an add or change form shares the answer (``RaceSafeAdmin``); the
guard below keeps a new admin from slipping past it."""

import datetime as dt

import pytest
import time_machine
from django.contrib import admin
from django.contrib.auth.models import Group
from django.test import RequestFactory

from clubsite.admin_base import RaceSafeAdmin
from members.models import User
from routines.models import BodyArea, Equipment, Routine
from tests.concurrency import (
    at_once,
    needs_postgresql,
    post_at_once,
    server_errors,
    signed_in_client,
)
from tests.routines.factories import RoutineFactory


def test_every_admin_with_an_add_or_change_form_answers_a_double_post(superuser):
    request = RequestFactory().get("/admin/")
    request.user = superuser
    unguarded = [
        model._meta.label
        for model, model_admin in admin.site._registry.items()
        if (model_admin.has_add_permission(request) or model_admin.has_change_permission(request))
        and not isinstance(model_admin, RaceSafeAdmin)
    ]
    assert unguarded == []


@needs_postgresql
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("model", [BodyArea, Equipment])
def test_a_body_area_added_at_once_by_a_trainer_is_one_row(trainer, model):
    url = f"/admin/routines/{model._meta.model_name}/add/"
    responses = post_at_once(url, {"name": "Dbl Area"}, user=trainer, n=8)
    assert server_errors(responses) == []
    assert model.objects.filter(name="Dbl Area").count() == 1
    assert sorted(response.status_code for response in responses) == [200] * 7 + [302]
    for response in (r for r in responses if r.status_code == 200):
        # The form again, what was typed kept, the taken name at its field.
        assert "already exists" in response.content.decode()
        assert 'value="Dbl Area"' in response.content.decode()


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_body_areas_renamed_to_one_name_at_once_keep_apart(trainer):
    first, second = BodyArea.objects.create(name="Hips"), BodyArea.objects.create(name="Knees")
    clients = [signed_in_client(trainer) for _ in range(2)]
    responses = at_once(
        lambda client=client, area=area: client.post(
            f"/admin/routines/bodyarea/{area.pk}/change/", {"name": "Feet"}
        )
        for client, area in zip(clients, [first, second], strict=True)
    )
    assert sorted(response.status_code for response in responses) == [200, 302]
    assert BodyArea.objects.filter(name="Feet").count() == 1


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_user_added_at_once_by_the_owner_is_one_account(superuser):
    password = "a long and unusual passphrase 7"
    data = {
        "email": "twice@example.com",
        "usable_password": "true",
        "password1": password,
        "password2": password,
    }
    responses = post_at_once("/admin/members/user/add/", data, user=superuser, n=6)
    assert server_errors(responses) == []
    assert User.objects.filter(email="twice@example.com").count() == 1


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_group_added_at_once_is_one_group(superuser):
    responses = post_at_once("/admin/auth/group/add/", {"name": "Dbl Group"}, user=superuser, n=6)
    assert server_errors(responses) == []
    assert Group.objects.filter(name="Dbl Group").count() == 1


def _duplicate(routine):
    return {"action": "duplicate", "_selected_action": [routine.pk], "index": 0}


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_duplicate_tapped_at_once_makes_one_copy(trainer):
    routine = RoutineFactory(author=trainer)
    responses = post_at_once("/admin/routines/routine/", _duplicate(routine), user=trainer, n=6)
    assert server_errors(responses) == []
    copies = Routine.objects.filter(slug__startswith=f"{routine.slug}-copy")
    assert list(copies.values_list("slug", flat=True)) == [f"{routine.slug}-copy"]


@pytest.mark.django_db
def test_duplicate_asked_for_again_later_makes_another_copy(trainer, client):
    routine = RoutineFactory(author=trainer)
    client.force_login(trainer)
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)) as clock:
        client.post("/admin/routines/routine/", _duplicate(routine))
        client.post("/admin/routines/routine/", _duplicate(routine))  # the same tap again
        clock.shift(dt.timedelta(minutes=3))
        client.post("/admin/routines/routine/", _duplicate(routine))
    slugs = Routine.objects.filter(slug__startswith=f"{routine.slug}-copy").values_list(
        "slug", flat=True
    )
    assert sorted(slugs) == [f"{routine.slug}-copy", f"{routine.slug}-copy-2"]
