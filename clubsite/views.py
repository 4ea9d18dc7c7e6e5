from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render


def landing(request: HttpRequest) -> HttpResponse:
    """What the club offers, for visitors; signed-in people go to their home."""
    if request.user.is_authenticated:
        return redirect("members:home")
    return render(request, "landing.html")
