import pytest


@pytest.fixture
def digest_on_saturdays(settings):
    """Keep the weekly digest out of the reminders' way; its tests set its day."""
    settings.DIGEST_DAY = "saturday"
