"""The guard on double posts: every URL whose view takes a post is listed,
as creating rows (with its test of identical posts at once in
tests/members/double_posts) or not (with a word for what it does instead). A new
view in neither list fails here, so it cannot slip past untested."""

from django.urls import URLPattern, URLResolver, get_resolver

from members.logbook.views import ACTIONS
from tests.members.accounts import test_account_security
from tests.members.double_posts import test_member_posts, test_planned_posts, test_trainer_posts

CREATES = {
    "contact": ["test_the_contact_form_posted_at_once_with_one_token_is_one_question"],
    "invitation": ["test_an_invitation_accepted_at_once_signs_the_member_in_on_every_tab"],
    "members:calendar_create": ["test_a_calendar_link_made_at_once_is_one_link"],
    "members:check_in": ["test_a_check_in_sent_at_once_is_one_check_in"],
    "members:knob": ["test_a_knob_set_at_once_is_one_setting"],
    "members:log_all": ["test_log_all_at_once_logs_each_set_once"],
    "members:log_set": ["test_one_set_logged_at_once_is_one_row"],
    "members:pain": ["test_pain_on_an_exercise_reported_at_once_raises_one_flag"],
    "members:pain_check": ["test_the_pain_check_answered_at_once_raises_one_flag"],
    "members:start_workout": [
        "test_ten_starts_without_a_chosen_session_at_once_make_one_workout",
        "test_ten_starts_of_an_extra_session_at_once_make_one_workout",
        "test_ten_starts_of_tonights_session_at_once_make_one_workout",
    ],
    "trainer:add_note": ["test_a_note_sent_at_once_is_one_note_and_one_email"],
    "trainer:answer": [
        "test_a_question_answered_at_once_is_answered_once",
        "test_a_trainers_reply_sent_at_once_is_one_reply",
    ],
    "members:reply": ["test_a_members_reply_sent_at_once_is_one_reply"],
    "trainer:assign": ["test_a_routine_assigned_at_once_is_one_block"],
    "trainer:extend": ["test_a_block_extended_at_once_grows_once"],
    "trainer:invite": ["test_ten_invitations_of_one_person_at_once_make_one_account_one_email"],
    "trainer:invite_group": ["test_a_group_invited_at_once_is_invited_once"],
    "trainer:renew": ["test_a_block_renewed_at_once_is_one_new_block"],
    "trainer:resend": ["test_send_again_at_once_sends_one_working_link"],
    "trainer:resolve_pain": ["test_a_pain_flag_resolved_at_once_emails_the_member_once"],
    "trainer:save_override": ["test_an_override_saved_at_once_is_one_override"],
    # The logger's actions by planned session: the first starts the session.
    **{
        f"members:planned_{name}": [
            "test_any_planned_action_at_once_on_a_session_not_started_starts_one_workout"
        ]
        for _, _, name in ACTIONS
    },
}
CREATES["members:planned_pain_check"].append(
    "test_a_planned_pain_check_at_once_starts_one_workout_and_raises_one_flag"
)
CREATES["members:planned_log_set"].append("test_a_planned_set_logged_at_once_is_one_row")

# allauth's views that create rows, tested at once beside the account rules.
# Its other views change a row the person already has, or none.
ALLAUTH_CREATES = {
    "account_signup": ["test_two_identical_sign_ups_at_once_make_one_account_and_no_error"],
    "account_email": ["test_two_identical_adds_of_an_address_at_once_make_one_row_and_one_notice"],
}

# Views that take a post (or do not refuse one) and cannot add a row: what
# they do instead, in a word.
NO_CREATE = {
    "admin_login": "redirects",
    "admin_password_change": "redirects",
    "calendar_feed": "reads",
    "contact_sent": "reads",
    "favicon": "reads",
    "home": "reads",
    "media": "reads",
    "members:accept_zero_pain": "updates",
    "members:block": "reads",
    "members:block_report": "reads",
    "members:calendar_revoke": "updates",
    "members:data_json": "reads",
    "members:delete_account": "deletes",
    "members:finish": "updates",
    "members:history": "reads",
    "members:home": "reads",
    "members:option": "updates",
    "members:planned": "reads",
    "members:program": "reads",
    "members:questions": "reads",
    "members:reopen": "updates",
    "members:sets_csv": "reads",
    "members:settings": "updates",
    "members:undo_set": "deletes",
    "members:weaker_side": "updates",
    "members:workout": "reads",
    "members:your_data": "reauthenticates",
    "reminders_off": "updates",
    "reminders_on": "updates",
    "routines:guide": "reads",
    "routines:list": "reads",
    "trainer:reports": "reads",
    "trainer:routine_report": "reads",
    "trainer:routine_report_rows": "reads",
    "trainer:hand_over": "updates",
    "trainer:acknowledge_pain": "updates",
    "trainer:close_question": "updates",
    "trainer:dashboard": "reads",
    "trainer:end": "updates",
    "trainer:export": "reads",
    "trainer:mark_answered": "updates",
    "trainer:member": "reads",
    "trainer:members": "reads",
    "trainer:pause": "updates",
    "trainer:question": "reads",
    "trainer:questions": "reads",
    "trainer:remove_override": "deletes",
    "trainer:reopen_question": "updates",
    "trainer:resume": "updates",
}


def allowed_methods(view) -> set[str] | None:
    """The methods a view restricts itself to (``require_POST``,
    ``require_http_methods``, read from the decorator's closure), or None when
    it takes any, a post included."""
    func = view
    while func is not None:
        for cell in getattr(func, "__closure__", None) or ():
            try:
                value = cell.cell_contents
            except ValueError:
                continue
            if (
                isinstance(value, list | tuple)
                and value
                and all(isinstance(m, str) and m.isupper() for m in value)
            ):
                return set(value)
        func = getattr(func, "__wrapped__", None)
    return None


def urls_taking_posts(resolver=None, namespace=""):
    """Our URLs whose views accept a post. The admin's and allauth's are theirs
    (sign-up is tested with allauth's views)."""
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            module = getattr(pattern.urlconf_module, "__name__", "")
            if pattern.namespace == "admin" or module.startswith("allauth"):
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from urls_taking_posts(pattern, inner)
        elif isinstance(pattern, URLPattern):
            methods = allowed_methods(pattern.callback)
            if methods is None or "POST" in methods:
                yield f"{namespace}{pattern.name or pattern.callback.__name__}"


def test_every_view_taking_a_post_is_classified_and_each_that_creates_is_tested_at_once():
    names = set(urls_taking_posts())
    classified = set(CREATES) | set(NO_CREATE)
    assert not set(CREATES) & set(NO_CREATE)
    assert names == classified, (
        f"classify these in CREATES (with a test of posts at once) or NO_CREATE: "
        f"{sorted(names - classified)}; stale: {sorted(classified - names)}"
    )
    _assert_tested_at_once([test_member_posts, test_planned_posts, test_trainer_posts], CREATES)


def test_allauths_views_that_create_rows_are_tested_at_once():
    assert set(ALLAUTH_CREATES) <= {pattern.name for pattern in _allauth_patterns()}
    _assert_tested_at_once([test_account_security], ALLAUTH_CREATES)


def _allauth_patterns(resolver=None):
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _allauth_patterns(pattern)
        elif pattern.callback.__module__.startswith("allauth"):
            yield pattern


def _assert_tested_at_once(modules, creates: dict[str, list[str]]) -> None:
    """Each named test exists in one of ``modules``, commits for real and runs
    on PostgreSQL only."""
    found = {name: getattr(module, name) for module in modules for name in dir(module)}
    missing = [test for tests in creates.values() for test in tests if test not in found]
    assert missing == []
    for tests in creates.values():
        for test in tests:
            function = found[test]
            marks = {mark.name: mark for mark in getattr(function, "pytestmark", [])}
            assert marks["django_db"].kwargs.get("transaction") is True, test
            assert "skipif" in marks, f"{test} runs on PostgreSQL only"


def test_the_guard_sees_which_views_refuse_a_post():
    """A view with no method decorator takes posts; ``require_GET`` does not."""
    names = set(urls_taking_posts())
    assert {"members:workout", "members:start_workout", "reminders_off"} <= names
    assert "reminders" not in names
    assert not any(name.startswith(("admin:", "account_")) for name in names)
