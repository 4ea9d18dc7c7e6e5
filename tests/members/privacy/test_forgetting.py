"""A deleted account leaves nothing behind that names the person: every column
of every table that can hold text is searched for their addresses, their name
and sentences they wrote or were sent, after a member used every part of the
club that keeps words. The search is generic: a model added later is searched
without anyone remembering to add it here."""

import json
import re

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.base_session import AbstractBaseSession
from django.core import mail
from django.db import connection, models
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from members.models import Assignment, PainFlag, Profile, Question, SetLog, Workout
from routines.models import Step
from tests.factories import PASSWORD as FACTORY_PASSWORD
from tests.factories import TrainerFactory, ground_up_routine
from tests.members.worker import database_tasks, run_worker  # noqa: F401

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("database_tasks", "clear_cache"),
]

EMAIL = "wren.halloway@example.com"
OTHER_EMAIL = "w.halloway@example.org"  # a second verified address of hers
PASSWORD = "tendon-slow-and-steady"
# Their words, and words written to them: each distinctive, so a hit is theirs.
THEIR_WORDS = {
    "surname": "Halloway",
    "name on a signed-out question": "Wrenna Q",
    "signed-out question": "Is the routine safe after a meniscus repair in May?",
    "signed-in question": "My left achilles creaks on the stairs every morning.",
    "workout note": "Felt the calf raises mostly in the left arch today.",
    "pain note": "Sharp twinge under the kneecap on the third set.",
    "override note": "Keep the heel down: the tendon is still cranky.",
    "trainer's note": "Lovely steady tempo on the tibialis raises.",
    "pain reply": "Ice it tonight and drop to half range for a week.",
    "block notes": "Travels for work every second March week.",
}
# Tables that are not a model's and hold no one's words; a new one must be
# looked at and added here, or the test fails.
NOT_MODELS = {"django_migrations", "django_cache"}


def _text_columns(model) -> list[str]:
    return [
        field.attname
        for field in model._meta.concrete_fields
        if isinstance(field, (models.CharField, models.TextField, models.JSONField))
    ]


def _as_text(value) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)


def traces(needles: list[str]) -> set[tuple[str, str, str]]:
    """(table, column, needle) for every text, email or JSON column of every
    model's table holding a needle, case-insensitively; sessions decoded."""
    found = set()
    lowered = [needle.lower() for needle in needles]
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or not model._meta.managed:
            continue
        columns = _text_columns(model)
        if not columns:
            continue
        table = model._meta.db_table
        for row in model._base_manager.values_list("pk", *columns):
            values = dict(zip(columns, row[1:], strict=True))
            if issubclass(model, AbstractBaseSession):
                session = model._base_manager.get(pk=row[0])
                values["session_data"] = session.get_decoded()
            for column, value in values.items():
                text = _as_text(value).lower()
                found |= {(table, column, n) for n in lowered if n in text}
    return found


def _needles() -> list[str]:
    return [EMAIL, OTHER_EMAIL, *THEIR_WORDS.values()]


def _link(message) -> str:
    return re.search(r"http://testserver(/invitation/[^/\s]+/)", message.body).group(1)


def _token(client) -> str:
    page = client.get("/contact/").text
    return re.search(r'name="token" value="([^"]+)"', page).group(1)


def _ask(client, message, **sender):
    data = {"subject": "Before I start", "message": message, "token": _token(client), **sender}
    response = client.post("/contact/", data)
    assert response.status_code == 302, response.text[:2000]


def _a_full_membership():
    """Wren, invited in the admin, trained for a session, wrote and was written
    to; she also asked a question before she had an account, and is signed in
    on a second phone. Returns her, her trainer's client and her phone."""
    makana = TrainerFactory(email="makana@example.com", display_name="Makana")
    desk = Client()
    desk.force_login(makana)
    # Before she joins, a question from the contact form, signed out.
    _ask(
        Client(),
        THEIR_WORDS["signed-out question"],
        name=THEIR_WORDS["name on a signed-out question"],
        email=EMAIL.upper(),
    )
    _ask(Client(), "Another visitor's question.", name="Kim", email="kim@example.com")
    # The admin invites her (its log says "Invitation for …"); she accepts.
    added = desk.post(
        "/admin/members/invitation/add/", {"display_name": "Wren Halloway", "email": EMAIL}
    )
    assert added.status_code == 302, added.text[:2000]
    phone = Client()
    accepted = phone.post(
        _link(mail.outbox[-1]), {"new_password1": PASSWORD, "new_password2": PASSWORD}
    )
    assert accepted.status_code == 302
    wren = EmailAddress.objects.get(email=EMAIL).user
    EmailAddress.objects.create(user=wren, email=OTHER_EMAIL, verified=True, primary=False)
    # The trainer puts her on a block and sets her own numbers in the admin.
    today = timezone.localdate()
    routine = ground_up_routine()
    block = desk.post(
        "/admin/members/assignment/add/",
        {
            "member": wren.pk,
            "routine": routine.pk,
            "start_date": today.isoformat(),
            "weekdays": [today.weekday(), (today.weekday() + 3) % 7],
            "weeks": 4,
            "notes": THEIR_WORDS["block notes"],
        },
    )
    assert block.status_code == 302, block.text[:3000]
    assignment = Assignment.objects.get(member=wren)
    calf = Step.objects.get(routine=routine, exercise__name="Calf raise")
    override = desk.post(
        "/admin/members/stepoverride/add/",
        {"member": wren.pk, "step": calf.pk, "reps": 12, "note": THEIR_WORDS["override note"]},
    )
    assert override.status_code == 302, override.text[:3000]
    # A session on her phone: sets, pain with a note, a note when finishing.
    started = phone.post("/me/sessions/start/")
    workout = Workout.objects.get(member=wren)
    assert started.url == f"/me/sessions/{workout.pk}/"
    assert THEIR_WORDS["override note"] in json.dumps(workout.prescription)
    session = f"/me/sessions/{workout.pk}/"
    phone.post(f"{session}zero-pain/")
    phone.post(f"{session}pain-check/", {"level": "0"})
    phone.post(f"{session}steps/{calf.pk}/all/")
    phone.post(f"{session}steps/{calf.pk}/pain/", {"level": "0"})  # any pain during it? None
    tibialis = Step.objects.get(routine=routine, exercise__name="Tibialis raise")
    phone.post(
        f"{session}steps/{tibialis.pk}/pain/", {"level": "3", "note": THEIR_WORDS["pain note"]}
    )
    phone.post(
        f"{session}finish/", {"feeling": "about_right", "note": THEIR_WORDS["workout note"]}
    )
    # Her trainer writes to her, twice; a question from her, signed in.
    flag = PainFlag.objects.get(member=wren)
    desk.post(f"/trainer/pain/{flag.pk}/resolve/", {"note": THEIR_WORDS["pain reply"]})
    desk.post(
        f"/trainer/blocks/{assignment.pk}/notes/",
        {"note-text": THEIR_WORDS["trainer's note"], "note-workout": str(workout.pk)},
    )
    _ask(phone, THEIR_WORDS["signed-in question"])
    run_worker()  # The emails so far go, leaving task results behind.
    _ask(phone, "One more, still in the outbox when I leave.")
    phone.post("/me/settings/calendar/new/")
    # A second phone, signed in through the sign-in page.
    other_phone = Client()
    signed_in = other_phone.post("/accounts/login/", {"login": EMAIL, "password": PASSWORD})
    assert signed_in.status_code == 302
    return wren, desk, phone, other_phone


def test_a_deleted_member_leaves_no_name_email_or_words_in_any_table():
    wren, desk, phone, other_phone = _a_full_membership()
    # The search sees every place she is kept, so "nothing found" means something.
    before = {(table, needle) for table, _, needle in traces(_needles())}
    for table in [
        "members_user",
        "members_profile",
        "account_emailaddress",
        "members_question",
        "members_workout",
        "members_painflag",
        "members_stepoverride",
        "members_trainernote",
        "members_assignment",
        "members_emaildelivery",
        "django_admin_log",
        "django_session",
    ]:
        assert any(hit_table == table for hit_table, _ in before), table
    assert ("members_workout", THEIR_WORDS["override note"].lower()) in before
    assert ("django_admin_log", EMAIL) in before
    sets = SetLog.objects.filter(workout__member=wren).count()
    assert sets > 0
    # The task worker's results are searched too: sent ones, and one still queued.
    results = set(DBTaskResult.objects.values_list("status", flat=True))
    assert results == {"SUCCESSFUL", "READY"}
    # The trainer's Recent actions name her (reading the page also clears the
    # flash messages waiting in the trainer's cookie).
    assert f"Invitation for {EMAIL}" in desk.get("/admin/").text

    phone.post("/accounts/reauthenticate/", {"password": PASSWORD, "next": "/me/settings/"})
    deleted = phone.post("/me/settings/delete/", {"confirm": "yes"})
    assert deleted.status_code == 302

    assert sorted(traces(_needles())) == []
    tables = set(connection.introspection.table_names())
    model_tables = {model._meta.db_table for model in apps.get_models(include_auto_created=True)}
    assert tables - model_tables <= NOT_MODELS
    # What she did still counts, unnamed: the sets, the pain level, the session.
    assert SetLog.objects.filter(workout__member=wren).count() == sets
    assert PainFlag.objects.get(member=wren).level == 3
    assert Workout.objects.get(member=wren).finished_at is not None
    # Everyone else's words are still there: the search is not blind.
    assert Question.objects.filter(email="kim@example.com").exists()
    assert traces(["kim@example.com", "makana@example.com"])
    # The trainer's admin still lists what they did, without her.
    index = desk.get("/admin/").text
    assert "Recent actions" in index and "Former member" in index
    for needle in [EMAIL, "Halloway", "Wren"]:
        assert needle not in index
    assert LogEntry.objects.filter(user__email="makana@example.com").count() == 3
    # Her phones are signed out.
    assert other_phone.get("/me/").status_code == 302


def test_a_question_from_someone_elses_unverified_address_is_not_theirs_to_delete():
    """An address added to an account but never confirmed proves nothing: deleting
    the account must not take a stranger's questions with it."""
    wren, _, phone, _ = _a_full_membership()
    _ask(Client(), "A stranger's own question.", name="Robin", email="robin@example.com")
    EmailAddress.objects.create(user=wren, email="robin@example.com", verified=False)

    phone.post("/accounts/reauthenticate/", {"password": PASSWORD, "next": "/me/settings/"})
    phone.post("/me/settings/delete/", {"confirm": "yes"})

    assert Question.objects.filter(email="robin@example.com").exists()
    assert not Question.objects.filter(email__iexact=EMAIL).exists()


@pytest.mark.django_db
def test_the_admin_log_forgets_names_in_entries_about_rows_long_gone(client, member, trainer):
    """A row deleted before the member left (a question the trainer removed)
    still names them in the log; an entry about a profile names them in its
    change message. Both lose the name, keep what was done; a word that merely
    contains the name is left alone."""
    question = ContentType.objects.get_for_model(Question)
    user = ContentType.objects.get_for_model(member)

    def log(content_type, object_id, repr_, flag, message):
        return LogEntry.objects.create(
            user=trainer,
            content_type=content_type,
            object_id=str(object_id),
            object_repr=repr_,
            action_flag=flag,
            change_message=json.dumps(message),
        )

    gone = log(question, 999, "Heel (Alex Rivera, Dec 1)", DELETION, [])
    profile = log(
        user,
        member.pk,
        str(member),
        CHANGE,
        [{"changed": {"name": "member profile", "object": "Alex Rivera", "fields": ["Units"]}}],
    )
    other = log(question, 998, "Alex Riverbank asked", ADDITION, [{"added": {}}])
    assert Profile.objects.get(user=member).display_name == "Alex Rivera"
    client.force_login(member)
    client.post("/accounts/reauthenticate/", {"password": FACTORY_PASSWORD})
    client.post("/me/settings/delete/", {"confirm": "yes"})

    gone.refresh_from_db()
    profile.refresh_from_db()
    other.refresh_from_db()
    assert gone.object_repr == "Former member" and gone.action_flag == DELETION
    assert profile.object_repr == "Former member"
    assert json.loads(profile.change_message) == [
        {"changed": {"name": "member profile", "object": "Former member", "fields": ["Units"]}}
    ]
    assert other.object_repr == "Alex Riverbank asked"


@pytest.mark.django_db
@pytest.mark.parametrize("way", ["delete page", "bulk action"])
def test_a_member_deleted_in_the_admin_is_forgotten_first(client, member, superuser, way):
    """The club's admin deletes an account for a member who asked by email: the
    rows that only hold their address (the log of this very deletion, a question
    sent signed out, their sessions) go with it."""
    anonymous = Client()
    _ask(anonymous, "Can I bring a friend?", name="Alex Rivera", email="alex@example.com")
    phone = Client()
    phone.force_login(member)
    client.force_login(superuser)

    if way == "delete page":
        response = client.post(f"/admin/members/user/{member.pk}/delete/", {"post": "yes"})
    else:
        response = client.post(
            "/admin/members/user/",
            {"action": "delete_selected", "_selected_action": [member.pk], "post": "yes"},
        )

    assert response.status_code == 302
    assert sorted(traces(["alex@example.com", "Alex Rivera"])) == []
    assert LogEntry.objects.get(action_flag=DELETION).object_repr == "Former member"
    assert phone.get("/me/").status_code == 302
