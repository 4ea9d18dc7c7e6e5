from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView

from clubsite import pwa, views
from members.accounts import views as invitations
from members.blocks import calendar
from members.nudges import views as nudges
from members.questions import views as questions

admin.site.site_header = "Ground Up: trainers' desk"
admin.site.site_title = "Ground Up admin"
admin.site.index_title = "Routines, members and settings"

# 403 and 404 use Django's default handlers with templates/403.html and 404.html.
# 500 is Django's too (templates/500.html, standalone: no request context),
# except when the database cannot be reached: a 503 asking to try again.
handler500 = "clubsite.views.server_error"
urlpatterns = [
    path("", views.landing, name="home"),
    path("accounts/", include("allauth.urls")),
    path("me/", include("members.urls")),
    path("trainer/", include("members.trainer_urls")),
    path("contact/", questions.contact, name="contact"),
    path("contact/sent/", questions.contact_sent, name="contact_sent"),
    path("invitation/<str:token>/", invitations.accept, name="invitation"),
    # Feed tokens are URL-safe base64: anything else (a NUL, which PostgreSQL
    # refuses in a query) is no feed's address.
    path("calendar/<slug:token>.ics", calendar.calendar_feed, name="calendar_feed"),
    path("reminders/<str:token>/", nudges.reminders, name="reminders"),
    path("reminders/<str:token>/off/", nudges.reminders_off, name="reminders_off"),
    path("reminders/<str:token>/on/", nudges.reminders_on, name="reminders_on"),
    path("routines/", include("routines.urls")),
    path("admin/login/", views.admin_login),
    # Staff change their password on allauth's form, which tells their verified
    # addresses; the admin's own form would change it silently.
    path(
        "admin/password_change/",
        RedirectView.as_view(pattern_name="account_change_password"),
        name="admin_password_change",
    ),
    path("admin/", admin.site.urls),
    path("favicon.ico", views.favicon),
    # The installable app: at the root, so the worker's scope is the whole site.
    path("manifest.webmanifest", pwa.manifest, name="manifest"),
    path("sw.js", pwa.service_worker, name="service_worker"),
    path("offline/", pwa.offline, name="offline"),
    re_path(r"^media/(?P<path>.+)$", views.media),
]
