import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import override_settings

from tests.clubsite.xss.world import DAY, at, build_world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The club of ``tests.clubsite.xss.world``, built once for the module's
    tests inside a transaction rolled back after them; each test runs in a
    savepoint of it, so none sees another's posts. A module of this package
    either uses the world in every test or not at all: a test without it
    would run inside the open transaction too."""
    with (
        django_db_blocker.unblock(),
        transaction.atomic(),
        override_settings(
            DIGEST_DAY="monday",
            CLUB_CONTACT_EMAIL="makana@example.com",  # Makana reads the visitors' questions
        ),
    ):
        cache.clear()  # rate-limit counters of earlier tests
        world = build_world()
        with at(DAY, 9):
            yield world
        transaction.set_rollback(True)
