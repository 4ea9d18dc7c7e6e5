from django.urls import path

from routines import views

app_name = "routines"

urlpatterns = [
    path("", views.routine_list, name="list"),
    path("<slug:slug>/", views.guide, name="guide"),
]
