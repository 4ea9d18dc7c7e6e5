"""Every free-text field carries a payload, and the check that reads pages
catches markup that would run (and passes escaped markup)."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models
from django.test import RequestFactory
from django.utils.html import escape

from routines.models import Exercise
from tests.clubsite.xss.payloads import BODY_AREA, FIELDS, NOT_TYPED, TITLE, assert_inert


def test_every_free_text_field_is_covered():
    covered = {field.label.split(" ")[0] for field in FIELDS} | set(NOT_TYPED)
    missing = []
    for app in ("members", "routines"):
        for model in apps.get_app_config(app).get_models():
            for field in model._meta.get_fields():
                text = isinstance(field, models.CharField | models.TextField | models.JSONField)
                label = f"{model.__name__}.{field.name}"
                if text and not field.choices and label not in covered:
                    missing.append(label)
    assert not missing, f"free-text fields without a payload here: {missing}"


@pytest.mark.parametrize(
    "html",
    [
        f"<p>{TITLE.text}</p>",
        f'<p title="{BODY_AREA.text}">',
        "<p><script>alert(1)</script></p>",
        '<a title="x" onmouseover="alert(1)">',
        '<a href=" java\tscript:alert(1)">link</a>',
        "<svg/onload=alert(1)>",
    ],
)
def test_the_check_catches_markup_that_would_run(html):
    with pytest.raises(AssertionError):
        assert_inert(html, "sample")


@pytest.mark.parametrize("field", FIELDS, ids=lambda field: field.label)
def test_the_check_passes_escaped_markup(field):
    assert_inert(f'<p title="{escape(field.text)}">{escape(field.text)}</p>', field.label)


@pytest.mark.django_db
def test_the_admin_refuses_a_javascript_video_link(superuser):
    request = RequestFactory().get("/admin/routines/exercise/add/")
    request.user = superuser
    form_class = admin.site.get_model_admin(Exercise).get_form(request)
    for link in ("javascript:alert(21)", "data:text/html,<script>alert(21)</script>"):
        form = form_class(
            {"name": "Wall sit", "slug": "wall-sit", "purpose": "p", "setup": "s"}
            | {"execution": "e", "video_url": link}
        )
        assert not form.is_valid()
        assert "video_url" in form.errors
    with pytest.raises(ValidationError):
        Exercise(name="x", slug="x", video_url="javascript:alert(21)").clean_fields(
            exclude=["purpose", "setup", "execution"]
        )
