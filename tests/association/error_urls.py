"""The site's URLs plus views that fail on purpose, for the error-page tests."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import Http404
from django.urls import path

from association.urls import handler400, handler403, handler404, handler500, urlpatterns

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]


def bad(request):
    raise SuspiciousOperation("A tampered request.")


def denied(request):
    raise PermissionDenied("The ballot is closed.")


def denied_quietly(request):
    raise PermissionDenied


def missing(request):
    raise Http404("No such organization.")


def broken(request):
    raise RuntimeError("A bug.")


urlpatterns = [
    path("fail/400/", bad),
    path("fail/403/", denied),
    path("fail/403-quiet/", denied_quietly),
    path("fail/404/", missing),
    path("fail/500/", broken),
    *urlpatterns,
]
