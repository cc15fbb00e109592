"""Emails to the people a case concerns, sent only after the transaction commits.

A failure to send never undoes the workflow step that caused it; it is logged.
(The PDF letters come with the letters module; these are the short notices.)
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction

log = logging.getLogger("probity.notifications")


def after_commit(notice: Callable[[int], None], case_id: int) -> None:
    transaction.on_commit(lambda: _safely(notice, case_id))


def _safely(notice, case_id) -> None:
    try:
        notice(case_id)
    except Exception:  # a mail server being down must not break the workflow
        log.exception("Could not send %s for case %s", notice.__name__, case_id)


def _case(case_id):
    from cases.models import Case

    return Case.objects.select_related("respondent", "complainant").get(pk=case_id)


def _rep_emails(case) -> list[str]:
    return [
        r.user.email for r in case.respondent.representatives.select_related("user") if r.user.email
    ]


def _send(subject: str, body: str, to: list[str]) -> None:
    if to:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, to)


def complaint_acknowledged(case_id: int) -> None:
    case = _case(case_id)
    if case.complainant.email:
        _send(
            f"Your complaint is registered as case {case.number}",
            f"Dear {case.complainant.name},\n\nWe have received your complaint about "
            f"{case.respondent.name} and registered it as case {case.number}. "
            "We will write to you when it moves on.\n",
            [case.complainant.email],
        )


def notice_of_complaint(case_id: int) -> None:
    case = _case(case_id)
    _send(
        f"Notice of complaint: case {case.number}",
        f"A complaint concerning {case.respondent.name} is under review as case {case.number}. "
        f"You may respond in writing until {case.response_due_on:%d %B %Y}. "
        'Sign in to Probity, open "Our cases", to read the allegations and respond.\n',
        _rep_emails(case),
    )


def response_received(case_id: int) -> None:
    case = _case(case_id)
    officer = case.case_officer
    if officer.email:
        _send(
            f"Response received: case {case.number}",
            f"{case.respondent.name} has responded in case {case.number}.\n",
            [officer.email],
        )


def case_closed(case_id: int) -> None:
    case = _case(case_id)
    body = (
        f"Case {case.number} concerning {case.respondent.name} is now "
        f"{case.public_state_label.lower()}.\n\nReasons: {case.closing_reason}\n"
    )
    _send(f"Case {case.number}: {case.public_state_label}", body, _rep_emails(case))
    if case.complainant.email:
        _send(f"Case {case.number}: {case.public_state_label}", body, [case.complainant.email])


def ballot_opened(ballot_id: int) -> None:
    from cases.models import Ballot

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


def decision_made(case_id: int) -> None:
    case = _case(case_id)
    body = f"The board has decided case {case.number} concerning {case.respondent.name}: {case.public_state_label.lower()}.\n"
    if case.appeal_deadline:
        body += f"An appeal may be filed in Probity until {case.appeal_deadline:%d %B %Y}.\n"
    _send(f"Decision in case {case.number}", body, _rep_emails(case))
    if case.complainant.email:
        _send(
            f"Decision in case {case.number}",
            f"The board has decided case {case.number}.\n",
            [case.complainant.email],
        )


def appeal_filed(case_id: int) -> None:
    case = _case(case_id)
    if case.case_officer.email:
        _send(
            f"Appeal filed: case {case.number}",
            f"{case.respondent.name} has appealed in case {case.number}.\n",
            [case.case_officer.email],
        )


def appeal_decided(case_id: int) -> None:
    case = _case(case_id)
    _send(
        f"Appeal decided: case {case.number}",
        f"The appeal in case {case.number} has been decided. Sign in to Probity to read the decision.\n",
        _rep_emails(case),
    )


def reminder(case_id: int, subject: str, body: str, emails: list[str]) -> None:
    _send(f"{subject}: case {_case(case_id).number}", body, emails)
