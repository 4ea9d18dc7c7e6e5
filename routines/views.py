from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from routines.models import Routine
from routines.personal import guide_steps, overrides_for


@login_required
def routine_list(request: HttpRequest) -> HttpResponse:
    routines = (
        Routine.objects.visible_to(request.user).with_step_counts().order_by("-status", "title")
    )
    return render(request, "routines/routine_list.html", {"routines": routines})


@login_required
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
        },
    )
