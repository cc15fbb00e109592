"""Signing in: who needs a second factor, the shorter sessions of staff, board and panel,
re-authentication before serious steps, throttled forms, the log of failed sign-ins,
and the person's language (carried in the session from sign-in).

The second factor is django-otp's TOTP device with static backup codes, set up and
asked for by django-two-factor-auth's wizards (docs/decisions/0009); lockout after
failed sign-ins is django-axes (docs/decisions/0010). The pages are in
members/account_views.py. Nothing here imports cases.
"""

from __future__ import annotations

import datetime
import functools
import logging
import math
import time
from importlib import import_module

from axes.helpers import get_client_username
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, get_user_model, logout
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.db.models import Aggregate, CharField, Max, OuterRef, Q, Subquery
from django.dispatch import receiver
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve
from django.utils import timezone, translation
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_otp import DEVICE_ID_SESSION_KEY, devices_for_user
from django_otp.middleware import OTPMiddleware
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from two_factor.utils import default_device

from association.middleware import LANGUAGE_SESSION_KEY
from association.prepared import PreparedQuery
from members.models import FormThrottleHit, Preference, SecondFactorReset, UserSession
from members.roles import remember_roles, roles_of, with_roles

log = logging.getLogger("probity.accounts")

# Session keys (seconds since the epoch).
SIGNED_IN_AT = "probity_signed_in_at"
SEEN_AT = "probity_seen_at"
CONFIRMED_AT = "probity_confirmed_at"


def client_address(request) -> str:
    """The address a request came from (as the WSGI server saw it; django-axes uses the same)."""
    return getattr(request, "axes_ip_address", None) or request.META.get("REMOTE_ADDR", "")


# ---------------------------------------------------------------------------
# The signed-in user of each request, in one query (docs/decisions/0029)
# ---------------------------------------------------------------------------


class _JoinedIds(Aggregate):
    """The ids of a group of rows as one "1,5,9" string (GROUP_CONCAT, STRING_AGG)."""

    function = "GROUP_CONCAT"
    output_field = CharField()

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(
            compiler,
            connection,
            function="STRING_AGG",
            template="%(function)s(CAST(%(expressions)s AS text), ',')",
            **extra,
        )


def _confirmed_ids(device_model) -> Subquery:
    return Subquery(
        device_model.objects.filter(user_id=OuterRef("pk"), confirmed=True)
        .order_by()
        .values("user_id")
        .annotate(ids=_JoinedIds("pk"))
        .values("ids")
    )


@functools.cache
def _session_user() -> PreparedQuery:
    """The session's user with roles and devices: compiled once per process (compiling it
    cost ~45 times running it, on every request; association.prepared)."""
    return PreparedQuery(
        get_user_model(),
        lambda pk: with_roles(get_user_model()._default_manager.filter(pk=pk)).annotate(
            _totp_ids=_confirmed_ids(TOTPDevice), _static_ids=_confirmed_ids(StaticDevice)
        ),
    )


class SignInBackend(ModelBackend):
    """Django's ModelBackend, but the session's user comes with their roles (members.roles.
    with_roles) and the ids of their confirmed second-factor devices, in one query instead
    of four. Nothing is kept between requests: a role or a device taken away counts from
    the next request (only the query's SQL is kept, never its rows)."""

    def get_user(self, user_id):
        try:
            rows = _session_user()(int(user_id))
        except (TypeError, ValueError):
            return None
        user = rows[0] if rows else None
        if user is None or not self.user_can_authenticate(user):
            return None
        remember_roles(user)
        user._probity_devices = frozenset(
            f"{model.model_label()}/{pk}"
            for model, ids in ((TOTPDevice, user._totp_ids), (StaticDevice, user._static_ids))
            for pk in (ids or "").split(",")
            if pk
        )
        return user


class SessionDeviceMiddleware(OTPMiddleware):
    """django-otp's OTPMiddleware, told by SignInBackend which confirmed devices the user
    has: the device this session was verified with is checked against them (it must
    exist, be the user's and be confirmed, as django-otp checks) without a query of its
    own; the device row itself is read only if something asks for it."""

    def _verify_user_sync(self, request, user):
        known = getattr(user, "_probity_devices", None)
        if known is None:  # not loaded by SignInBackend (an older session): django-otp's way
            return super()._verify_user_sync(request, user)
        self._init_user_fields(user)
        persistent_id = request.session.get(DEVICE_ID_SESSION_KEY)
        if persistent_id:
            persistent_id = self._normalize_persistent_id(persistent_id)
            if persistent_id in known:
                user.otp_device = SimpleLazyObject(lambda: Device.from_persistent_id(persistent_id))
            else:
                del request.session[DEVICE_ID_SESSION_KEY]
        return user


# ---------------------------------------------------------------------------
# Who needs what
# ---------------------------------------------------------------------------


def is_privileged(user) -> bool:
    """Ethics staff, board and appeals panel, and admin users: a second factor, and the
    shorter session."""
    if not getattr(user, "is_authenticated", False):
        return False
    roles = roles_of(user)
    return user.is_staff or user.is_superuser or roles.ethics_staff or roles.decider


def requires_second_factor(user) -> bool:
    if is_privileged(user):
        return True
    return (
        getattr(user, "is_authenticated", False)
        and settings.PROBITY_REQUIRE_2FA_FOR_REPRESENTATIVES
        and roles_of(user).representative
    )


def has_second_factor(user) -> bool:
    """An authenticator app set up and confirmed (backup codes alone are not enough)."""
    return default_device(user) is not None


# Pages a signed-in user who must set up a second factor may still reach.
SET_UP_VIEWS = frozenset({"two_factor:setup", "two_factor:qr", "logout", "login"})


class SecondFactorRequiredMiddleware:
    """Staff, board and panel (and representatives when the association requires it)
    without a verified second factor reach nothing but the set-up page: every other
    request, whatever its method, is sent there. A user who has one but whose session
    was not verified with it (it was reset, or they signed in another way) signs in again."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            getattr(user, "is_authenticated", False)
            and not user.is_verified()
            and requires_second_factor(user)
            and _view_name(request) not in SET_UP_VIEWS
        ):
            if has_second_factor(user):
                logout(request)
                messages.info(
                    request, _("Sign in again with the code from your authenticator app.")
                )
                return redirect_to_login(request.get_full_path())
            return redirect("two_factor:setup")
        return self.get_response(request)


def _view_name(request) -> str | None:
    try:
        return resolve(request.path_info).view_name
    except Resolver404:
        return None


# ---------------------------------------------------------------------------
# Sessions: staff, board and panel get an idle timeout and an absolute limit
# ---------------------------------------------------------------------------


class PrivilegedSessionMiddleware:
    """A staff, board or panel session ends PROBITY_PRIVILEGED_IDLE_MINUTES after its last
    request and PROBITY_PRIVILEGED_SESSION_HOURS after sign-in; representatives keep
    Django's ordinary session."""

    # Write the session at most this often just to note activity.
    TOUCH_SECONDS = 60

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if is_privileged(user):
            session = request.session
            now = time.time()
            idle = settings.PROBITY_PRIVILEGED_IDLE_MINUTES * 60
            signed_in = session.get(SIGNED_IN_AT)
            seen = session.get(SEEN_AT, signed_in)
            if signed_in is None:
                session[SIGNED_IN_AT] = signed_in = now
            expired = now - signed_in > settings.PROBITY_PRIVILEGED_SESSION_HOURS * 3600
            idled = seen is not None and now - seen > idle
            if expired or idled:
                logout(request)
                messages.info(
                    request,
                    _(
                        "You were signed out after %(minutes)s minutes without activity. Sign in again."
                    )
                    % {"minutes": settings.PROBITY_PRIVILEGED_IDLE_MINUTES}
                    if idled and not expired
                    else _("You were signed out %(hours)s hours after signing in. Sign in again.")
                    % {"hours": settings.PROBITY_PRIVILEGED_SESSION_HOURS},
                )
                return redirect_to_login(request.get_full_path())
            if seen is None or now - seen >= self.TOUCH_SECONDS:
                session[SEEN_AT] = now
                session.set_expiry(idle)
        return self.get_response(request)


@receiver(user_logged_in, dispatch_uid="probity_accounts_logged_in")
def _signed_in(sender, request, user, **kwargs):
    """Note when the session signed in (for the timeouts and re-authentication) and
    record it so its user can see and end it."""
    if request is None or not hasattr(request, "session"):
        return
    now = time.time()
    session = request.session
    session[SIGNED_IN_AT] = session[SEEN_AT] = session[CONFIRMED_AT] = now
    if is_privileged(user):
        session.set_expiry(settings.PROBITY_PRIVILEGED_IDLE_MINUTES * 60)
    if not session.session_key:
        session.save()
    UserSession.objects.update_or_create(
        session_key=session.session_key,
        defaults={
            "user": user,
            "signed_in_at": timezone.now(),
            "ip_address": client_address(request) or None,
            "user_agent": request.META.get("HTTP_USER_AGENT", "")[:300],
        },
    )


def _session_store():
    return import_module(settings.SESSION_ENGINE).SessionStore


def active_sessions(user) -> list[UserSession]:
    """The user's recorded sessions that still exist (rows of ended ones are removed)."""
    store = _session_store()
    rows = list(UserSession.objects.filter(user=user))
    gone = [row.pk for row in rows if not store().exists(row.session_key)]
    if gone:
        UserSession.objects.filter(pk__in=gone).delete()
    return [row for row in rows if row.pk not in gone]


def end_sessions(user, *, keep: str | None = None, only: str | None = None) -> int:
    """End the user's sessions (all but `keep`, or just `only`); returns how many."""
    rows = UserSession.objects.filter(user=user)
    if only is not None:
        rows = rows.filter(session_key=only)
    if keep is not None:
        rows = rows.exclude(session_key=keep)
    store = _session_store()
    ended = 0
    for row in rows:
        store(row.session_key).delete()
        row.delete()
        ended += 1
    return ended


# ---------------------------------------------------------------------------
# Resetting a lost second factor
# ---------------------------------------------------------------------------


def reset_second_factor(*, user, by, reason: str) -> SecondFactorReset:
    """Remove all of `user`'s second-factor devices (authenticator and backup codes) and
    end their sessions, recording who did it and why. Ethics staff only, never for
    themselves, and only with a reason; the caller has checked the form."""
    if not roles_of(by).ethics_staff:
        raise PermissionError(_("Only ethics staff may reset another user's second factor."))
    if by.pk == user.pk:
        raise ValueError(_("Ask another member of ethics staff to reset your own second factor."))
    reason = (reason or "").strip()
    if not reason:
        raise ValueError(_("Give the reason for resetting this user's second factor."))
    with transaction.atomic():
        devices = list(devices_for_user(user, confirmed=None))
        for device in devices:
            device.delete()
        row = SecondFactorReset.objects.create(
            user=user, by=by, reason=reason, devices_removed=len(devices)
        )
        end_sessions(user)
    log.warning(
        "Second factor of %s reset by %s (%d devices removed): %s",
        user.get_username(),
        by.get_username(),
        len(devices),
        reason,
    )
    return row


# ---------------------------------------------------------------------------
# Re-authentication before the most serious steps
# ---------------------------------------------------------------------------

REAUTH_FIELD = "reauth_password"


def reauth_due(request) -> bool:
    """True when the user last signed in, or confirmed their password, more than
    PROBITY_REAUTH_MINUTES ago."""
    session = request.session
    at = session.get(CONFIRMED_AT) or session.get(SIGNED_IN_AT)
    return at is None or time.time() - at > settings.PROBITY_REAUTH_MINUTES * 60


def confirm_password(request) -> bool | None:
    """Check the password posted with the form (None when none was posted). A wrong one
    counts as a failed sign-in (and may lock the account, django-axes)."""
    password = request.POST.get(REAUTH_FIELD)
    if not password:
        return None
    user = authenticate(request, username=request.user.get_username(), password=password)
    if user is None or user.pk != request.user.pk:
        return False
    request.session[CONFIRMED_AT] = time.time()
    return True


def reauthenticate(request, action: str, back_url: str):
    """None when the user may go on with `action` (they signed in recently, or the
    password posted with the form is right); otherwise the page that asks for the
    password and posts the form again exactly as it was typed."""
    if not reauth_due(request):
        return None
    confirmed = confirm_password(request)
    if confirmed:
        return None
    fields = [
        (name, value)
        for name, values in request.POST.lists()
        if name not in ("csrfmiddlewaretoken", REAUTH_FIELD)
        for value in values
    ]
    return render(
        request,
        "accounts/reauth.html",
        {
            "action": action,
            "back_url": back_url,
            "fields": fields,
            "failed": confirmed is False,
            "minutes": settings.PROBITY_REAUTH_MINUTES,
        },
        status=403 if confirmed is False else 200,
    )


# ---------------------------------------------------------------------------
# Throttled forms (password reset, set password, change password)
# ---------------------------------------------------------------------------


def throttle(keys: list[str]) -> int | None:
    """Count one post under each key, unless one of them already has PROBITY_RESET_LIMIT
    posts in the window: then nothing is written and the minutes to wait are returned."""
    window = datetime.timedelta(minutes=settings.PROBITY_LOGIN_LOCKOUT_MINUTES)
    now = timezone.now()
    FormThrottleHit.objects.filter(at__lt=now - window).delete()
    for key in keys:
        hits = list(
            FormThrottleHit.objects.filter(key=key, at__gte=now - window)
            .order_by("-at")
            .values_list("at", flat=True)[: settings.PROBITY_RESET_LIMIT]
        )
        if len(hits) >= settings.PROBITY_RESET_LIMIT:
            free_at = hits[-1] + window
            minutes = max(1, math.ceil((free_at - now).total_seconds() / 60))
            log.warning("Throttled %s: %d posts in the window", key, len(hits))
            return minutes
    FormThrottleHit.objects.bulk_create([FormThrottleHit(key=key, at=now) for key in keys])
    return None


def wait_message(minutes: int) -> str:
    return ngettext(
        "Too many attempts. Try again in %(minutes)d minute.",
        "Too many attempts. Try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}


# ---------------------------------------------------------------------------
# The log: failed sign-ins and lockouts
# ---------------------------------------------------------------------------


@receiver(user_login_failed, dispatch_uid="probity_accounts_login_failed")
def _sign_in_failed(sender, credentials, request=None, **kwargs):
    log.warning(
        "Failed sign-in for username %r from %s",
        (credentials or {}).get("username", ""),
        client_address(request) if request is not None else "unknown address",
    )


def locked_out(request, original_response=None, credentials=None):
    """django-axes' answer to a locked-out sign-in: the same words whether or not the
    username exists, and the time to wait."""
    return render(
        request,
        "accounts/locked_out.html",
        {"minutes": _minutes_locked(request, credentials)},
        status=429,
    )


def _minutes_locked(request, credentials) -> int:
    """Minutes until the lockout window has passed since the last failure that counts
    (for this username or from this address)."""
    window = datetime.timedelta(minutes=settings.PROBITY_LOGIN_LOCKOUT_MINUTES)
    username = get_client_username(request, credentials)
    address = client_address(request)
    latest = AccessAttempt.objects.filter(
        Q(username=username) | Q(ip_address=address) if username else Q(ip_address=address)
    ).aggregate(latest=Max("attempt_time"))["latest"]
    if latest is None:
        return settings.PROBITY_LOGIN_LOCKOUT_MINUTES
    left = (latest + window - timezone.now()).total_seconds()
    return max(1, min(settings.PROBITY_LOGIN_LOCKOUT_MINUTES, math.ceil(left / 60)))


@receiver(user_locked_out, dispatch_uid="probity_accounts_locked_out")
def _locked_out(sender, request, username, ip_address, **kwargs):
    log.warning(
        "Sign-in locked out for %d minutes: username %r from %s",
        settings.PROBITY_LOGIN_LOCKOUT_MINUTES,
        username or "",
        ip_address,
    )


# ---------------------------------------------------------------------------
# The person's language (docs/decisions/0028)
# ---------------------------------------------------------------------------


def offered_language(code: str | None) -> str:
    """`code` if the association offers it (settings.LANGUAGES), else ""."""
    return code if code and code in dict(settings.LANGUAGES) else ""


def chosen_language(user) -> str:
    """The language the person chose on their account page ("" for the browser's)."""
    if user is None or not getattr(user, "pk", None):
        return ""
    try:
        return offered_language(user.preference.language)
    except Preference.DoesNotExist:
        return ""


def language_of(user) -> str:
    """The language to write to this person in (emails, letters): their choice, else
    the association's (settings.LANGUAGE_CODE). Use with translation.override."""
    return chosen_language(user) or settings.LANGUAGE_CODE


def set_language(request, code: str) -> Preference:
    """Save the signed-in person's choice ("" for the browser's) and carry it in their
    session, so the next pages use it without a query."""
    code = offered_language(code)
    preference, _created = Preference.objects.update_or_create(
        user=request.user, defaults={"language": code}
    )
    _carry_language(request, code)
    return preference


def _carry_language(request, code: str) -> None:
    if code:
        request.session[LANGUAGE_SESSION_KEY] = code
        translation.activate(code)
        request.LANGUAGE_CODE = code
    else:
        request.session.pop(LANGUAGE_SESSION_KEY, None)


@receiver(user_logged_in, dispatch_uid="probity_accounts_language")
def _language_at_sign_in(sender, request, user, **kwargs):
    """The one query for the person's language: at sign-in, into the session."""
    if request is None or not hasattr(request, "session"):
        return
    _carry_language(request, chosen_language(user))
