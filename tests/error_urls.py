"""The portal's URLs plus views that fail on purpose, for the error-page tests (tests/test_error_pages.py)."""
from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.urls import path

from zi_portal.urls import handler400, handler403, handler404, handler500  # noqa: F401
from zi_portal.urls import urlpatterns as portal_urls


def boom(request):
    raise RuntimeError("database exploded")


def suspicious(request):
    raise SuspiciousOperation("Invalid HTTP_HOST header: 'evil'")


def bad(request):
    raise BadRequest("bad")


def forbidden_without_reason(request):
    raise PermissionDenied


urlpatterns = [
    path("uji/500/", boom),
    path("uji/400/", suspicious),
    path("uji/400b/", bad),
    path("uji/403/", forbidden_without_reason),
    *portal_urls,
]
