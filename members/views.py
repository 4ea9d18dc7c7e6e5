from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from members.forms import ProfileForm
from members.models import Profile


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "members/home.html")


@login_required
def settings(request: HttpRequest) -> HttpResponse:
    profile, _ = Profile.objects.get_or_create(user=request.user)
    form = ProfileForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Your settings are saved.")
        return redirect("members:settings")
    return render(request, "members/settings.html", {"form": form})
