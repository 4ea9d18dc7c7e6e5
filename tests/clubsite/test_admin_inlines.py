"""The admin shows a block's sessions, a workout's sets, a block's notes and a
question's emails under their parent as a record: nothing there is edited,
added or deleted (each is written where the work is done)."""

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from clubsite.admin_base import ReadOnlyInline
from tests.factories import put_on_block

pytestmark = pytest.mark.django_db


def _record_inlines():
    return [
        (model, inline)
        for model, model_admin in admin.site._registry.items()
        for inline in model_admin.inlines
        if issubclass(inline, ReadOnlyInline)
    ]


@pytest.mark.parametrize(
    ("model", "inline"), _record_inlines(), ids=lambda item: getattr(item, "__name__", "")
)
def test_a_record_inline_adds_nothing_and_shows_every_field_read_only(
    rf, superuser, model, inline
):
    request = rf.get("/")
    request.user = superuser
    shown = inline(model, admin.site)
    assert shown.get_readonly_fields(request) == shown.fields
    assert not shown.has_add_permission(request)
    assert not shown.can_delete


def test_a_blocks_page_shows_its_sessions_without_inputs(superuser, member, trainer):
    block = put_on_block(member, trainer=trainer, start_date=timezone.localdate())
    client = Client()
    client.force_login(superuser)
    response = client.get(reverse("admin:members_assignment_change", args=[block.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="planned_sessions-TOTAL_FORMS" value="8"' in html
    # Each session's values are shown as text, with no field to change them.
    assert 'name="planned_sessions-0-date"' not in html
    assert "Upcoming" in html
