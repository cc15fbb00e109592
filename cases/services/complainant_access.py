"""The complainant's access code (docs/decisions/0021): issued at filing (and
re-issued or revoked by staff), checked at the complainant's sign-in.

A code is 160 random bits (secrets.token_bytes), written as 32 base-32 characters
in groups of four. Only a salted HMAC-SHA256 of it is stored: with that much entropy
a slow password hash buys nothing, and checking a code stays cheap (the sign-in is
throttled by django-axes, in the view). The code itself is returned once, to be
shown to staff, and emailed to the complainant after the transaction commits; it is
never written to the case record, a letter, the task queue or a log."""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import secrets

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cases import events
from cases.access import authorize, require_reason
from cases.models import Case, ComplainantAccess
from cases.services.record import lock_case, record_event

log = logging.getLogger("probity.cases")

CODE_BYTES = 20  # 160 bits; the issue asks for at least 128


def new_code() -> str:
    raw = base64.b32encode(secrets.token_bytes(CODE_BYTES)).decode()  # 32 characters
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def normalise(code: str) -> str:
    """What the complainant typed, as it was issued: case, spaces and dashes aside."""
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def digest(salt: str, code: str) -> str:
    return hmac.new(salt.encode(), normalise(code).encode(), hashlib.sha256).hexdigest()


def access_code_issue(case: Case, *, by, reason: str = "", code: str = "") -> str:
    """Revoke the code in force (if any) and issue a new one; the caller holds the
    case lock. Returns the code: the only time it exists outside the complainant's
    hands. `code` is for the demo data alone, whose code is published (README)."""
    now = timezone.now()
    previous = ComplainantAccess.objects.filter(case=case, revoked_at__isnull=True).first()
    if previous is not None:
        ComplainantAccess.objects.filter(pk=previous.pk).update(
            revoked_at=now, revoked_by=by, revoked_reason=reason or "A new code was issued."
        )
        record_event(
            case,
            actor=by,
            **events.access_code_revoked(
                access=previous.pk, reason=reason or "A new code was issued."
            ),
        )
    code = code or new_code()
    salt = secrets.token_hex(16)
    access = ComplainantAccess.objects.create(
        case=case, salt=salt, digest=digest(salt, code), issued_at=now, issued_by=by
    )
    email = case.complainant.email
    record_event(
        case,
        actor=by,
        **events.access_code_issued(
            access=access.pk,
            reason=reason,
            replaces=previous.pk if previous else None,
            emailed=bool(email),
        ),
    )
    if email:
        number = case.number
        transaction.on_commit(lambda: _email_code(number, email, code))
    return code


def _email_code(number: str, email: str, code: str) -> None:
    # The complainant has no account, so no preference: the association's language.
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Your access to case %(number)s") % {"number": number}
        body = _(
            "Your complaint is registered as case %(number)s.\n\n"
            "Case reference: %(number)s\n"
            "Access code: %(code)s\n\n"
            "With these two you can follow your complaint on the complainant's page "
            "(%(page)s): where it stands, the letters addressed to you and your deadlines; "
            "you can send further evidence and write to the ethics staff there.\n\n"
            "Keep the code private: anyone who has it can read your page. We do not keep "
            "a copy; if you lose it, ask the ethics staff for a new one.\n\n"
            "%(association)s\n"
        ) % {
            "number": number,
            "code": code,
            "page": reverse("cases:complainant_sign_in"),
            "association": settings.PROBITY_ASSOCIATION_NAME,
        }
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [email])
    except Exception:  # a mail server being down must not undo the filing
        log.exception("Could not email the access code of case %s", number)


def access_code_check(reference: str, code: str) -> ComplainantAccess | None:
    """The code in force for the case with this reference, if `code` is it; None
    otherwise (an unknown reference costs the same as a wrong code)."""
    access = (
        ComplainantAccess.objects.filter(
            case__number=(reference or "").strip(), revoked_at__isnull=True
        )
        .select_related("case")
        .first()
    )
    salt, expected = (access.salt, access.digest) if access else ("0" * 32, "0" * 64)
    if not hmac.compare_digest(digest(salt, code), expected) or access is None:
        return None
    ComplainantAccess.objects.filter(pk=access.pk).update(last_used_at=timezone.now())
    return access


@transaction.atomic
def access_code_reissue(*, case: Case, by, reason: str) -> str:
    """Staff issue the complainant a new code (the old one stops working)."""
    case = lock_case(case)
    authorize(by, case, "reissue_access_code")
    reason = require_reason(reason, _("Issuing a new access code"))
    return access_code_issue(case, by=by, reason=reason)


@transaction.atomic
def access_code_revoke(*, case: Case, by, reason: str) -> None:
    case = lock_case(case)
    authorize(by, case, "revoke_access_code")
    reason = require_reason(reason, _("Revoking the access code"))
    access = ComplainantAccess.objects.get(case=case, revoked_at__isnull=True)
    ComplainantAccess.objects.filter(pk=access.pk).update(
        revoked_at=timezone.now(), revoked_by=by, revoked_reason=reason
    )
    record_event(case, actor=by, **events.access_code_revoked(access=access.pk, reason=reason))
