from django.urls import path

from members.views import review, trainer

app_name = "trainer"

urlpatterns = [
    path("", review.dashboard, name="dashboard"),
    path("members/<int:pk>/", review.member_detail, name="member"),
    path("pain/<int:pk>/acknowledge/", review.acknowledge_pain, name="acknowledge_pain"),
    path("pain/<int:pk>/resolve/", review.resolve_pain, name="resolve_pain"),
    path("export.csv", review.export, name="export"),
    path("members/", trainer.members, name="members"),
    path("members/invite/", trainer.invite, name="invite"),
    path("members/invite/group/", trainer.invite_group, name="invite_group"),
    path("invitations/<int:pk>/send-again/", trainer.resend, name="resend"),
    path("assign/", trainer.assign, name="assign"),
]
