"""Error pages in the site's layout (templates/400.html, 403.html, 404.html, 413.html,
500.html), each with a way back for the user's role (templates/includes/way_back.html).

Django's own debug pages (tracebacks, the list of every URL on a 404) appear only with
DEBUG on, which takes DJANGO_DEBUG=1 in development and is never on in production.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.utils.html import escape
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import requires_csrf_token

logger = logging.getLogger("probity.errors")


# What a 500 page says when even the layout cannot be rendered (the database is down,
# a template is broken): no context, no queries; translated from the catalogue alone.
def plain_500() -> str:
    return (
        '<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>{title} · Probity</title></head><body>"
        '<h1>{title}</h1><p>{text}</p><p><a href="/">{back}</a></p></body></html>'
    ).format(
        lang=escape(get_language() or settings.LANGUAGE_CODE),
        title=escape(_("Something went wrong")),
        text=escape(_("The error has been logged. Please try again in a few minutes.")),
        back=escape(_("Back to the start page")),
    )


def _page(request, template: str, status: int, **context) -> HttpResponse:
    return render(request, template, context, status=status)


def too_large(request, cap: int) -> HttpResponse:
    """413: the request was larger than the caller may send (association.limits)."""
    signed_in = getattr(getattr(request, "user", None), "is_authenticated", False)
    logger.warning(
        "Refused a request of %s bytes to %s (cap %s bytes)",
        request.META.get("CONTENT_LENGTH") or "?",
        request.path,
        cap,
    )
    return _page(
        request,
        "413.html",
        413,
        cap=filesizeformat(cap),
        file_limit=filesizeformat(settings.PROBITY_UPLOAD_MAX_BYTES),
        signed_in=signed_in,
    )


@requires_csrf_token
def bad_request(request, exception=None):
    if isinstance(exception, RequestDataTooBig):
        cap = getattr(exception, "cap", None) or settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return too_large(request, cap)
    return _page(request, "400.html", 400)


@requires_csrf_token
def permission_denied(request, exception=None):
    # The reasons PermissionDenied carries are Probity's own sentences ("The ballot is
    # closed."); they are shown, escaped. Anything else gets the general sentence.
    reason = ""
    if isinstance(exception, PermissionDenied) and exception.args:
        first = exception.args[0]
        reason = first if isinstance(first, str) else ""
    return _page(request, "403.html", 403, reason=reason)


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: a form that came back without a valid token (expired page,
    cookies off, another site posting)."""
    return _page(request, "403.html", 403, csrf=True)


@requires_csrf_token
def page_not_found(request, exception=None):
    # Never echo the exception: for an unmatched URL it lists the URL patterns tried.
    return _page(request, "404.html", 404)


@requires_csrf_token
def server_error(request):
    try:
        return _page(request, "500.html", 500)
    except Exception:
        logger.exception("The 500 page could not be rendered; the plain one was sent")
        return HttpResponseServerError(plain_500())
