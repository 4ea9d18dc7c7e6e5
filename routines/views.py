from typing import cast

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.csp import CSP
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.csp import csp_override

from clubsite.kept_pages import kept_page
from routines.models import Routine
from routines.personal import guide_steps, overrides_for


@login_required
def routine_list(request: HttpRequest) -> HttpResponse:
    routines = (
        Routine.objects.visible_to(request.user).with_step_counts().order_by("-status", "title")
    )
    return render(request, "routines/routine_list.html", {"routines": routines})


@login_required
# The routine's page in the admin shows the guide beside the form; no other
# site may frame it.
@xframe_options_sameorigin
@csp_override({**cast(dict[str, list[str]], settings.SECURE_CSP), "frame-ancestors": [CSP.SELF]})
@kept_page
def guide(request: HttpRequest, slug: str) -> HttpResponse:
    """How to do each exercise of a routine; drafts are a 404 for members."""
    routine = get_object_or_404(Routine.objects.visible_to(request.user), slug=slug)
    # A member reads their own numbers where their trainer changed a step.
    steps = guide_steps(routine, overrides_for(request.user, routine))
    needed = {item.name for step in steps for item in step.exercise.equipment.all()}
    for_alternatives = {
        item.name
        for step in steps
        for option in step.options
        for item in option.exercise.equipment.all()
    }
    return render(
        request,
        "routines/guide.html",
        {
            "routine": routine,
            "steps": steps,
            "equipment": sorted(needed),
            "alternative_equipment": sorted(for_alternatives - needed),
            "profile": getattr(request.user, "profile", None),
            # The admin's preview beside the routine's form: no site nav.
            "preview": "preview" in request.GET and request.user.is_staff,
        },
    )
