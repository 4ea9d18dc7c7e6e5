"""The authorization tests ask hundreds of questions of one world. Each test
only asks (a post that goes through is undone with the test's transaction),
so the world is built once per package and each test runs in a savepoint
inside it, as Django's ``TestCase.setUpTestData`` does: the same rows for
every test, without building them 400 times.

Every test of the package that uses the database takes its people from
``world``: a persona fixture (``member`` ...) would make Alex again, beside
the world's Alex."""

import pytest
from django.test import override_settings

from members.models import User
from tests.clubsite.authorization.matrix import build_world
from tests.conftest import kept_for_many_tests, make_persona

PEOPLE = {
    "owner": "member",
    "other_member": "second_member",
    "trainer": "trainer",
    "other_trainer": "other_trainer",
}


@pytest.fixture(scope="package")
def _world_once(django_db_setup, django_db_blocker, tmp_path_factory):
    """The world's rows, rolled back when the package is done."""
    media_root = tmp_path_factory.mktemp("media")
    with kept_for_many_tests(django_db_blocker):
        with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media_root):
            people = {role: make_persona(persona) for role, persona in PEOPLE.items()}
            objects = build_world(people, media_root)
        yield objects, {role: person.pk for role, person in people.items()}, media_root


@pytest.fixture
def world(_world_once, db, settings):
    """``(objects, people)``: the objects the URLs name, and the five people
    by role (``anonymous`` is None), read afresh for each test so one test's
    changes to a person in memory never reach the next."""
    objects, pks, media_root = _world_once
    settings.MEDIA_ROOT = media_root
    people = {role: User.objects.get(pk=pk) for role, pk in pks.items()}
    fresh = {key: dict(v) if isinstance(v, dict) else v for key, v in objects.items()}
    return fresh, {**people, "anonymous": None}
