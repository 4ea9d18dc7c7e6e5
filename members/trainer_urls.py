from django.urls import path

from members.views import trainer

app_name = "trainer"

urlpatterns = [
    path("members/", trainer.members, name="members"),
    path("members/invite/", trainer.invite, name="invite"),
    path("members/invite/group/", trainer.invite_group, name="invite_group"),
    path("invitations/<int:pk>/send-again/", trainer.resend, name="resend"),
    path("assign/", trainer.assign, name="assign"),
]
