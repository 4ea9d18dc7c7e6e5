from django.urls import path

from members.views import member

app_name = "members"

urlpatterns = [
    path("", member.home, name="home"),
    path("program/", member.program, name="program"),
    path("program/<int:pk>/", member.program, name="block"),
    path("settings/", member.settings, name="settings"),
    path("settings/calendar/new/", member.calendar_create, name="calendar_create"),
    path("settings/calendar/revoke/", member.calendar_revoke, name="calendar_revoke"),
]
