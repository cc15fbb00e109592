"""How large a request may be: the one rule the middleware and the upload handler share
(docs/decisions/0014)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.utils.translation import gettext as _

# The session key of a complainant signed in with the access code (cases.views_complainant).
COMPLAINANT_SESSION_KEY = "probity_complainant"


class RequestTooLarge(RequestDataTooBig):
    """A request body over the caller's cap. A RequestDataTooBig, so Django answers it with
    the 400 handler, which shows the 413 page for it (association.errors)."""

    def __init__(self, cap: int):
        self.cap = cap
        super().__init__(_("The request is larger than %(cap)d bytes.") % {"cap": cap})


def request_cap(request) -> int:
    """The largest body this request may carry: small for anonymous callers (the login
    page, password reset, the public pages), larger for signed-in users (evidence and
    attachments)."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return settings.PROBITY_REQUEST_MAX_BYTES
    session = getattr(request, "session", None)
    if session is not None and session.get(COMPLAINANT_SESSION_KEY):
        # A complainant signed in with the access code sends one file at a time.
        return settings.PROBITY_UPLOAD_MAX_BYTES + 1024 * 1024
    return settings.PROBITY_ANONYMOUS_REQUEST_MAX_BYTES


def declared_length(request) -> int:
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0
