from django.urls import path

from members.accounts import trainer_views as invitations
from members.blocks import assign_views
from members.coaching import hand_over, roster, steering_views
from members.coaching import views as coaching
from members.questions import views as questions
from members.reports import views as reports

app_name = "trainer"

urlpatterns = [
    path("", coaching.dashboard, name="dashboard"),
    path("members/<int:pk>/", coaching.member_detail, name="member"),
    path("members/<int:pk>/hand-over/", hand_over.hand_over, name="hand_over"),
    path("pain/<int:pk>/acknowledge/", coaching.acknowledge_pain, name="acknowledge_pain"),
    path("pain/<int:pk>/resolve/", coaching.resolve_pain, name="resolve_pain"),
    path("export.csv", coaching.export, name="export"),
    path("blocks/<int:pk>/pause/", steering_views.pause, name="pause"),
    path("blocks/<int:pk>/resume/", steering_views.resume, name="resume"),
    path("blocks/<int:pk>/extend/", steering_views.extend, name="extend"),
    path("blocks/<int:pk>/end/", steering_views.end, name="end"),
    path("blocks/<int:pk>/renew/", steering_views.renew, name="renew"),
    path("blocks/<int:pk>/overrides/", steering_views.save_override, name="save_override"),
    path("overrides/<int:pk>/remove/", steering_views.remove_override, name="remove_override"),
    path("blocks/<int:pk>/notes/", steering_views.add_note, name="add_note"),
    path("questions/", questions.inbox, name="questions"),
    path("questions/<int:pk>/", questions.question_detail, name="question"),
    path("questions/<int:pk>/answer/", questions.answer, name="answer"),
    path("questions/<int:pk>/answered/", questions.mark_answered, name="mark_answered"),
    path("questions/<int:pk>/close/", questions.close, name="close_question"),
    path("questions/<int:pk>/reopen/", questions.reopen, name="reopen_question"),
    path("members/", roster.members, name="members"),
    path("members/invite/", invitations.invite, name="invite"),
    path("members/invite/group/", invitations.invite_group, name="invite_group"),
    path("invitations/<int:pk>/send-again/", invitations.resend, name="resend"),
    path("assign/", assign_views.assign, name="assign"),
    path("reports/", reports.reports, name="reports"),
    path("reports/<slug:slug>/", reports.routine_report_page, name="routine_report"),
    path("reports/<slug:slug>/rows.csv", reports.routine_report_rows, name="routine_report_rows"),
]
