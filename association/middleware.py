"""Probity's own middleware: the Permissions-Policy header, the request-size cap
enforced before the body is read (docs/decisions/0013, 0014), and the signed-in
person's language (docs/decisions/0028)."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation

from association.errors import too_large
from association.limits import declared_length, request_cap


def permissions_policy(policy: dict[str, list[str]]) -> str:
    """{"camera": [], "fullscreen": ["self"]} -> 'camera=(), fullscreen=(self)'."""

    def allowlist(origins):
        return " ".join(o if o in ("self", "*") else f'"{o}"' for o in origins)

    return ", ".join(f"{feature}=({allowlist(origins)})" for feature, origins in policy.items())


class PermissionsPolicyMiddleware:
    """Sets Permissions-Policy from settings.PERMISSIONS_POLICY on every response that
    has none of its own."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = permissions_policy(getattr(settings, "PERMISSIONS_POLICY", {}))

    def __call__(self, request):
        response = self.get_response(request)
        if self.header and "Permissions-Policy" not in response:
            response["Permissions-Policy"] = self.header
        return response


class RequestSizeLimitMiddleware:
    """Refuses, with the 413 page and without reading it, a request whose declared body is
    over the caller's cap (association.limits.request_cap). A multipart body is also
    counted as it streams in (association.uploads.RequestSizeLimitHandler)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        length = declared_length(request)
        if length:
            cap = request_cap(request)
            if length > cap:
                return too_large(request, cap)
        return self.get_response(request)


# The language a signed-in person chose (members.models.Preference), copied into their
# session at sign-in and when they change it (members.accounts), so no page queries it.
LANGUAGE_SESSION_KEY = "probity_language"


def session_language(request) -> str | None:
    """The signed-in person's chosen language, if their session carries one we offer."""
    if not getattr(getattr(request, "user", None), "is_authenticated", False):
        return None
    code = request.session.get(LANGUAGE_SESSION_KEY)
    return code if code in dict(settings.LANGUAGES) else None


class SessionLanguageMiddleware:
    """After AuthenticationMiddleware: a signed-in person's own choice wins over the
    cookie and the browser's Accept-Language, which LocaleMiddleware has read before.
    Without a choice, LocaleMiddleware's answer stands."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        code = session_language(request)
        if code is not None:
            translation.activate(code)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)
