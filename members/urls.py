from django.urls import path

from members.blocks import views as blocks
from members.logbook import history_views
from members.logbook import views as logger
from members.privacy import views as privacy
from members.questions import views as questions

app_name = "members"

urlpatterns = [
    path("", blocks.home, name="home"),
    path("program/", blocks.program, name="program"),
    path("program/<int:pk>/", blocks.program, name="block"),
    path("history/", history_views.history, name="history"),
    path("questions/", questions.my_questions, name="questions"),
    path("settings/", blocks.settings, name="settings"),
    path("settings/calendar/new/", blocks.calendar_create, name="calendar_create"),
    path("settings/calendar/revoke/", blocks.calendar_revoke, name="calendar_revoke"),
    path("settings/data/", privacy.your_data, name="your_data"),
    path("settings/data.json", privacy.data_json, name="data_json"),
    path("settings/sets.csv", privacy.sets_csv, name="sets_csv"),
    path("settings/delete/", privacy.delete_account, name="delete_account"),
    path("sessions/start/", logger.start, name="start_workout"),
    path("sessions/<int:pk>/", logger.workout, name="workout"),
    path("sessions/<int:pk>/zero-pain/", logger.accept_zero_pain, name="accept_zero_pain"),
    path("sessions/<int:pk>/pain-check/", logger.pain_check, name="pain_check"),
    path("sessions/<int:pk>/sets/", logger.log_set, name="log_set"),
    path("sessions/<int:pk>/sets/undo/", logger.undo_set, name="undo_set"),
    path("sessions/<int:pk>/steps/<int:step_id>/all/", logger.log_all, name="log_all"),
    path("sessions/<int:pk>/steps/<int:step_id>/knob/", logger.knob, name="knob"),
    path("sessions/<int:pk>/steps/<int:step_id>/option/", logger.option, name="option"),
    path("sessions/<int:pk>/steps/<int:step_id>/pain/", logger.pain, name="pain"),
    path(
        "sessions/<int:pk>/steps/<int:step_id>/weaker-side/",
        logger.weaker_side,
        name="weaker_side",
    ),
    path("sessions/<int:pk>/finish/", logger.finish, name="finish"),
    path("sessions/<int:pk>/reopen/", logger.reopen, name="reopen"),
]
