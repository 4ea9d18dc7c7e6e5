import pytest

from tests.clubsite.hostile import build_world


@pytest.fixture
def world(member, second_member, trainer, django_capture_on_commit_callbacks, clear_cache):
    """The club the hostile-input tests post into (``tests.clubsite.hostile``),
    with the rate limits' counters cleared. The authorization matrix and the
    XSS package build their own ``world``."""
    return build_world(
        member=member,
        second_member=second_member,
        trainer=trainer,
        capture=django_capture_on_commit_callbacks,
    )
