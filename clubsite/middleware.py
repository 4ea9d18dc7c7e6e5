from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse

HEALTH_PATH = "/healthz"


class HealthCheckMiddleware:
    """Answers ``/healthz`` before any other middleware runs.

    Load balancers and compose probe by IP address over plain HTTP, so the
    probe must not depend on ALLOWED_HOSTS or be redirected to HTTPS. It
    answers 200 when the database answers a query and 503 when it does not.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        if request.path != HEALTH_PATH:
            return self.get_response(request)
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
                cursor.fetchone()
        except DatabaseError:
            response = JsonResponse({"status": "unavailable", "database": "unreachable"})
            response.status_code = 503
        else:
            response = JsonResponse({"status": "ok", "database": "ok"})
        response["Cache-Control"] = "no-store"
        return response
