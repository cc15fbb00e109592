"""The case officers' weekly digest: each officer's own work queues by email (the
same queues as the dashboard, cases.dashboard.officer_digest). Sent by
`manage.py send_digest` or by the task worker every PROBITY_DIGEST_EVERY seconds
(cases.tasks.schedule_digest); an officer with no open case gets nothing."""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.dashboard import OPEN_STATES, officer_digest
from members.roles import ETHICS_STAFF

log = logging.getLogger("probity.digest")

SECTIONS = [
    ("to_open", gettext_lazy("Complaints waiting to be opened"), "received"),
    ("awaiting_findings", gettext_lazy("Responses received, awaiting findings"), "response"),
    ("responses_overdue", gettext_lazy("Response windows passed"), "response"),
    ("appeal_windows_passed", gettext_lazy("Appeal windows passed, to finalize"), "appeal"),
    ("idle", gettext_lazy("Idle beyond the procedure's time standard"), "idle"),
    ("failed_deliveries", gettext_lazy("Letters not delivered"), "letter"),
]


def officers():
    """Active ethics staff with an email address and at least one open case."""
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            groups__name=ETHICS_STAFF,
            cases_as_officer__state__in=OPEN_STATES,
        )
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )


def digest_text(officer, today: datetime.date) -> str:
    work = officer_digest(officer, today=today)
    sections = [
        {"title": title, "kind": kind, **work[key]}
        for key, title, kind in SECTIONS
        if work[key]["items"]
    ]
    return render_to_string(
        "cases/email/digest.txt",
        {
            "officer": officer,
            "today": today,
            "open": work["open"],
            "sections": sections,
            "ballots": work["ballots_without_quorum"],
            "association": settings.PROBITY_ASSOCIATION_NAME,
        },
    )


def send_weekly_digest(today: datetime.date | None = None) -> dict:
    """One email per officer; a failure for one is logged and the others still go."""
    today = today or timezone.localdate()
    sent = failed = 0
    for officer in officers():
        try:
            # In the association's language, until each officer's own preference can be
            # looked up (members.accounts.language_of, issue 13).
            with translation.override(settings.LANGUAGE_CODE):
                subject = _("Your cases this week (%(day)s)") % {
                    "day": formats.date_format(today, "DATE_FORMAT")
                }
                body = digest_text(officer, today)
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [officer.email])
            sent += 1
        except Exception:  # one officer's mail server trouble must not stop the others
            log.exception("Could not send the weekly digest to user %s", officer.pk)
            failed += 1
    return {"sent": sent, "failed": failed}
