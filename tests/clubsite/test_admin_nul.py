"""A NUL character in a query string, or an admin action posted with a
selected id that is none, is a 400, never a server error.

PostgreSQL text cannot hold NUL (0x00): a search, a filter or an
autocomplete term with one used to reach the database and answer 500. Every
model registered in the admin is tried (new ones are picked up from
``admin.site._registry``), with every parameter its changelist reads, as a
superuser and as a trainer. Run on PostgreSQL to see the old failure:
``DATABASE_URL=postgres://… pytest tests/clubsite/test_admin_nul.py``.
"""

from urllib.parse import quote, urlencode

import pytest
from django.contrib import admin
from django.contrib.admin import FieldListFilter
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.utils import get_fields_from_path
from django.db.models import DateField, Field
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from tests.factories import put_on_block

pytestmark = pytest.mark.django_db

NUL = "\x00"
REGISTRY = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)
MODEL_IDS = [model._meta.label for model, _ in REGISTRY]
# What every changelist reads besides its filters: search, ordering, page,
# the error flag, popups and the field a popup hands back.
CHANGELIST_PARAMS = ["q", "o", "p", "e", "all", "_popup", "_to_field"]


@pytest.fixture
def people(superuser, trainer, member):
    """Rows in the tables the filters draw their choices from."""
    put_on_block(member, trainer=trainer, start_date=timezone.localdate())
    return {"superuser": superuser, "trainer": trainer}


def _client(user) -> Client:
    # A server error comes back as a 500 answer, so every one is counted.
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def filter_parameters(model_admin, user) -> list[str]:
    """Every query parameter the changelist's filters read, built as Django's
    ChangeList builds them, whether or not the filter has choices to show."""
    request = RequestFactory().get("/")
    request.user = user
    names = []
    for list_filter in model_admin.get_list_filter(request):
        if callable(list_filter) and not isinstance(list_filter, (tuple, list)):
            spec = list_filter(request, {}, model_admin.model, model_admin)
        else:
            field, filter_class = (
                list_filter
                if isinstance(list_filter, (tuple, list))
                else (list_filter, FieldListFilter.create)
            )
            path = None
            if not isinstance(field, Field):
                path = field
                field = get_fields_from_path(model_admin.model, path)[-1]
            spec = filter_class(
                field, request, {}, model_admin.model, model_admin, field_path=path
            )
        names += spec.expected_parameters()
    if model_admin.date_hierarchy:
        names += [f"{model_admin.date_hierarchy}__{part}" for part in ("year", "month", "day")]
    return names


def _assert_each_is_a_400(client, urls) -> None:
    answers = {url: client.get(url).status_code for url in urls}
    errors = [f"{status} {url}" for url, status in answers.items() if status != 400]
    assert not errors, "\n".join(errors)


@pytest.mark.parametrize("role", ["superuser", "trainer"])
@pytest.mark.parametrize(("model", "model_admin"), REGISTRY, ids=MODEL_IDS)
def test_a_nul_in_any_changelist_parameter_is_a_400(people, role, model, model_admin):
    user = people[role]
    client = _client(user)
    changelist = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    # Without the NUL the page answers as usual, so the 400s below are the NUL's.
    assert client.get(changelist).status_code in {200, 403}, changelist

    names = CHANGELIST_PARAMS + filter_parameters(model_admin, user)
    assert len(names) > len(CHANGELIST_PARAMS) or not model_admin.list_filter
    urls = [f"{changelist}?{urlencode({name: NUL})}" for name in names]
    urls += [
        f"{changelist}?{urlencode(dict.fromkeys(names, 'x' + NUL + 'y'))}",
        f"{changelist}?{quote(NUL)}=1",
        # Change, history and delete pages, with a NUL for the object's id.
        f"{changelist}{quote(NUL)}/change/",
        f"{changelist}{quote(NUL)}/history/",
        f"{changelist}{quote(NUL)}/delete/",
    ]
    _assert_each_is_a_400(client, urls)


AUTOCOMPLETES = [
    (model, field) for model, model_admin in REGISTRY for field in model_admin.autocomplete_fields
]


def test_every_autocomplete_field_is_tried():
    assert AUTOCOMPLETES, "The admin has autocomplete fields: the list must not be empty."


@pytest.mark.parametrize("role", ["superuser", "trainer"])
@pytest.mark.parametrize(
    ("model", "field"),
    AUTOCOMPLETES,
    ids=[f"{model._meta.label}.{field}" for model, field in AUTOCOMPLETES],
)
def test_a_nul_in_an_autocomplete_is_a_400(people, role, model, field):
    client = _client(people[role])
    about = {
        "app_label": model._meta.app_label,
        "model_name": model._meta.model_name,
        "field_name": field,
    }
    url = reverse("admin:autocomplete")
    # The same search without the NUL finds people, so the field is really searched.
    found = client.get(url, {**about, "term": "a"})
    assert found.status_code == 200 and found.json()["results"], found.content

    attempts = [
        f"{url}?{urlencode({**about, 'term': NUL})}",
        f"{url}?{urlencode({**about, 'term': 'al' + NUL})}",
        f"{url}?{urlencode({**about, 'term': 'a', 'page': NUL})}",
        f"{url}?{urlencode({**about, 'field_name': NUL, 'term': 'a'})}",
    ]
    _assert_each_is_a_400(client, attempts)


@pytest.mark.parametrize("role", ["superuser", "trainer"])
@pytest.mark.parametrize(("model", "model_admin"), REGISTRY, ids=MODEL_IDS)
def test_an_admin_action_on_a_malformed_id_is_a_400(people, role, model, model_admin):
    """Django's admin filters ``pk__in`` with the posted ids: one that is not
    an id of the model failed to convert with a 500."""
    user = people[role]
    request = RequestFactory().get("/")
    request.user = user
    actions = [name for name in model_admin.get_actions(request) if name != "delete_selected"]
    actions = actions or list(model_admin.get_actions(request))
    if not actions:
        pytest.skip(f"{role} has no action on {model._meta.label}")
    client = _client(user)
    changelist = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    errors = []
    for selected in ["x", "1.5", "1" + NUL, NUL]:
        data = {"action": actions[0], ACTION_CHECKBOX_NAME: selected, "index": "0"}
        status = client.post(changelist, data).status_code
        if status != 400:
            errors.append(f"{status} {actions[0]} on {selected!r}")
    assert not errors, "\n".join(errors)


@pytest.mark.parametrize(
    "url",
    [
        "/trainer/members/?q=%00",
        "/trainer/questions/?show=%00",
        "/trainer/?routine=%00",
        "/contact/?workout=%00",
        "/accounts/login/?next=%00",
        "/invitation/%00/",
        "/reminders/%00/",
        "/routines/?q=%00",
    ],
)
def test_a_nul_anywhere_in_our_own_pages_is_a_400(people, url):
    """The same guard covers the site's own search boxes, filters and tokens."""
    assert _client(people["trainer"]).get(url).status_code == 400


def test_a_plain_query_string_passes(people):
    assert _client(people["trainer"]).get("/trainer/members/?q=alex").status_code == 200


DATE_FIELDS = [
    (model, field.name)
    for model, _ in REGISTRY
    for field in model._meta.get_fields()
    if isinstance(field, DateField) and field.concrete
]
# Years Python's dates cannot hold, and parts that are no numbers: the query
# failed to convert them with a 500 (OverflowError, "year 0 is out of range").
BAD_DATE_PARTS = [
    ("year", "0"),
    ("year", "-5"),
    ("year", "10000"),
    ("year", "99999999999999999999"),
    ("year", "x"),
    ("month", "13"),
    ("month", "99999999999999999999"),
    ("day", "0"),
    ("iso_year", "0"),
]


@pytest.mark.parametrize("role", ["superuser", "trainer"])
def test_a_date_part_out_of_range_in_any_admin_list_is_no_server_error(people, role):
    """Every date or time column of every registered model, filtered by a
    year, month or day no date has: a 400, never a 500."""
    client = _client(people[role])
    errors = []
    for model, name in DATE_FIELDS:
        changelist = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        for part, value in BAD_DATE_PARTS:
            url = f"{changelist}?{urlencode({f'{name}__{part}': value})}"
            status = client.get(url).status_code
            if status >= 500:
                errors.append(f"{status} {url}")
    assert DATE_FIELDS and not errors, "\n".join(errors)


def test_a_date_part_in_range_passes(people):
    url = reverse("admin:members_workout_changelist") + "?started_at__year=2026"
    assert _client(people["superuser"]).get(url).status_code == 200
