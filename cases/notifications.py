"""Short emails that are not letters (ballot opened, response received, reminders),
sent only after the transaction commits. The formal letters, with their PDFs, are
in cases.services.letters. A failure to send never undoes the step that caused it; it is logged.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction

from cases.models import Ballot, Case

log = logging.getLogger("probity.notifications")


def after_commit(notice: Callable[[int], None], object_id: int) -> None:
    transaction.on_commit(lambda: _safely(notice, object_id))


def _safely(notice, object_id) -> None:
    try:
        notice(object_id)
    except Exception:  # a mail server being down must not break the workflow
        log.exception("Could not send %s for %s", getattr(notice, "__name__", "notice"), object_id)


def _case(case_id):
    return Case.objects.select_related("respondent", "complainant", "case_officer").get(pk=case_id)


def respondent_emails(case) -> list[str]:
    """The respondent's representatives' addresses (those who have one)."""
    return [
        r.user.email for r in case.respondent.representatives.select_related("user") if r.user.email
    ]


def _send(subject: str, body: str, to: list[str]) -> None:
    if to:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, to)


def response_window_reopened(case_id: int) -> None:
    case = _case(case_id)
    _send(
        f"Response window reopened: case {case.number}",
        f"The ethics staff reopened the response window in case {case.number}. You may respond "
        f'until {case.response_due_on:%d %B %Y}: sign in to Probity, "Our cases".\n',
        respondent_emails(case),
    )


def response_received(case_id: int) -> None:
    case = _case(case_id)
    if case.case_officer.email:
        _send(
            f"Response received: case {case.number}",
            f"{case.respondent.name} has responded in case {case.number}.\n",
            [case.case_officer.email],
        )


def ballot_opened(ballot_id: int) -> None:
    ballot = Ballot.objects.select_related("case").get(pk=ballot_id)
    emails = [
        s.voter.email
        for s in ballot.seats.select_related("voter")
        if s.recused_at is None and s.voter.email
    ]
    _send(
        f"Ballot open: case {ballot.case.number}",
        f"You are an eligible voter on case {ballot.case.number}. The ballot closes on "
        f'{ballot.closes_on:%d %B %Y}. Sign in to Probity, "My ballots", to read the dossier and vote. '
        "If you have a conflict of interest, declare it there instead.\n",
        emails,
    )


def appeal_filed(case_id: int) -> None:
    case = _case(case_id)
    if case.case_officer.email:
        _send(
            f"Appeal filed: case {case.number}",
            f"{case.respondent.name} has appealed in case {case.number}.\n",
            [case.case_officer.email],
        )


def reminder(case_id: int, subject: str, body: str, emails: list[str]) -> None:
    _send(f"{subject}: case {_case(case_id).number}", body, emails)


# The complainant's side (docs/decisions/0021): short notices, never the message itself.


def complainant_emails(case) -> list[str]:
    """Where the complainant is written to: its own address, or, for a member
    complainant, its organization's representatives'."""
    c = case.complainant
    if c.member_organization_id is not None:
        return [
            r.user.email
            for r in c.member_organization.representatives.select_related("user")
            if r.user.email
        ]
    return [c.email] if c.email else []


def _tell_officer(case_id: int, what: str) -> None:
    case = _case(case_id)
    if case.case_officer.email:
        _send(
            f"{what}: case {case.number}",
            f"{what} in case {case.number}. Read it on the case page.\n",
            [case.case_officer.email],
        )


def complainant_wrote(case_id: int) -> None:
    _tell_officer(case_id, "The complainant wrote to the ethics staff")


def complainant_sent_evidence(case_id: int) -> None:
    _tell_officer(case_id, "The complainant sent further evidence")


def complainant_appealed(case_id: int) -> None:
    _tell_officer(case_id, "The complainant appealed")


def staff_wrote_to_complainant(case_id: int) -> None:
    case = _case(case_id)
    _send(
        f"A message about your complaint: case {case.number}",
        f"The ethics staff have written to you about case {case.number}. Read it on the "
        "complainant's page (sign in with the case reference and your access code, or "
        "with your account).\n",
        complainant_emails(case),
    )


def review_disclosed(case_id: int) -> None:
    case = _case(case_id)
    disclosure = case.review_disclosures.order_by("-disclosed_at", "-pk").first()
    _send(
        f"The review is open for your comment: case {case.number}",
        f"The ethics staff disclosed the findings and the review report in case {case.number}. "
        f"You may comment on them until {disclosure.comment_due_on:%d %B %Y}; your comment goes "
        'to the board with the case file. Sign in to Probity, "Our cases".\n',
        respondent_emails(case),
    )


def review_comment_received(case_id: int) -> None:
    case = _case(case_id)
    if case.case_officer.email:
        _send(
            f"Comment on the review received: case {case.number}",
            f"{case.respondent.name} has commented on the review in case {case.number}.\n",
            [case.case_officer.email],
        )
