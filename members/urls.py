from django.urls import path

from members.blocks import views as blocks
from members.logbook import history_views
from members.logbook import planned_views as planned
from members.logbook import views as logger
from members.outcomes import views as outcomes
from members.privacy import views as privacy
from members.questions import views as questions

app_name = "members"


urlpatterns = [
    path("", blocks.home, name="home"),
    path("program/", blocks.program, name="program"),
    path("program/<int:pk>/", blocks.program, name="block"),
    path("program/<int:pk>/report/", blocks.block_report, name="block_report"),
    path("history/", history_views.history, name="history"),
    path("questions/", questions.my_questions, name="questions"),
    path("questions/<int:pk>/reply/", questions.reply, name="reply"),
    path("check-in/", outcomes.check_in, name="check_in"),
    path("settings/", blocks.settings, name="settings"),
    path("settings/calendar/new/", blocks.calendar_create, name="calendar_create"),
    path("settings/calendar/revoke/", blocks.calendar_revoke, name="calendar_revoke"),
    path("settings/data/", privacy.your_data, name="your_data"),
    path("settings/data.json", privacy.data_json, name="data_json"),
    path("settings/sets.csv", privacy.sets_csv, name="sets_csv"),
    path("settings/delete/", privacy.delete_account, name="delete_account"),
    path("sessions/start/", logger.start, name="start_workout"),
    path("sessions/<int:pk>/", logger.workout, name="workout"),
    path("sessions/planned/<int:session>/", planned.planned, name="planned"),
]
# Each action by the workout's id, and by its planned session (what a phone
# that started the session offline knows).
urlpatterns += [
    path(f"sessions/<int:pk>/{route}", view, name=name) for route, view, name in logger.ACTIONS
]
urlpatterns += [
    path(
        f"sessions/planned/<int:session>/{route}",
        planned.by_planned_session(view),
        name=f"planned_{name}",
    )
    for route, view, name in logger.ACTIONS
]
