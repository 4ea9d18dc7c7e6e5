from django.urls import path

from members.views import hand_over, questions, review, steering, trainer

app_name = "trainer"

urlpatterns = [
    path("", review.dashboard, name="dashboard"),
    path("members/<int:pk>/", review.member_detail, name="member"),
    path("members/<int:pk>/hand-over/", hand_over.hand_over, name="hand_over"),
    path("pain/<int:pk>/acknowledge/", review.acknowledge_pain, name="acknowledge_pain"),
    path("pain/<int:pk>/resolve/", review.resolve_pain, name="resolve_pain"),
    path("export.csv", review.export, name="export"),
    path("blocks/<int:pk>/pause/", steering.pause, name="pause"),
    path("blocks/<int:pk>/resume/", steering.resume, name="resume"),
    path("blocks/<int:pk>/extend/", steering.extend, name="extend"),
    path("blocks/<int:pk>/end/", steering.end, name="end"),
    path("blocks/<int:pk>/renew/", steering.renew, name="renew"),
    path("blocks/<int:pk>/overrides/", steering.save_override, name="save_override"),
    path("overrides/<int:pk>/remove/", steering.remove_override, name="remove_override"),
    path("blocks/<int:pk>/notes/", steering.add_note, name="add_note"),
    path("questions/", questions.inbox, name="questions"),
    path("questions/<int:pk>/", questions.question_detail, name="question"),
    path("questions/<int:pk>/answer/", questions.answer, name="answer"),
    path("questions/<int:pk>/answered/", questions.mark_answered, name="mark_answered"),
    path("questions/<int:pk>/close/", questions.close, name="close_question"),
    path("questions/<int:pk>/reopen/", questions.reopen, name="reopen_question"),
    path("members/", trainer.members, name="members"),
    path("members/invite/", trainer.invite, name="invite"),
    path("members/invite/group/", trainer.invite_group, name="invite_group"),
    path("invitations/<int:pk>/send-again/", trainer.resend, name="resend"),
    path("assign/", trainer.assign, name="assign"),
]
