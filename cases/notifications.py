"""Short emails that are not letters (ballot opened, response received, reminders),
sent only after the transaction commits. The formal letters, with their PDFs, are
in cases.services.letters. A failure to send never undoes the step that caused it; it is logged.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import formats, translation
from django.utils.translation import gettext as _

from cases.models import Ballot, Case

log = logging.getLogger("probity.notifications")


def after_commit(notice: Callable[[int], None], object_id: int) -> None:
    transaction.on_commit(lambda: _safely(notice, object_id))


def _safely(notice, object_id) -> None:
    try:
        notice(object_id)
    except Exception:  # a mail server being down must not break the workflow
        log.exception("Could not send %s for %s", getattr(notice, "__name__", "notice"), object_id)


def _in_association_language(notice):
    """A notice is written in the association's language (settings.LANGUAGE_CODE), not
    in that of the request that caused it. Each recipient's own preference is for the
    integrator to wire in once members.accounts.language_of exists (issue 13)."""

    @functools.wraps(notice)
    def written(*args, **kwargs):
        with translation.override(settings.LANGUAGE_CODE):
            return notice(*args, **kwargs)

    return written


def _day(day) -> str:
    return formats.date_format(day, "DATE_FORMAT")


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


@_in_association_language
def response_window_reopened(case_id: int) -> None:
    case = _case(case_id)
    _send(
        _("Response window reopened: case %(number)s") % {"number": case.number},
        _(
            "The ethics staff reopened the response window in case %(number)s. You may "
            'respond until %(day)s: sign in to Probity, "Our cases".'
        )
        % {"number": case.number, "day": _day(case.response_due_on)}
        + "\n",
        respondent_emails(case),
    )


@_in_association_language
def response_received(case_id: int) -> None:
    case = _case(case_id)
    if case.case_officer.email:
        _send(
            _("Response received: case %(number)s") % {"number": case.number},
            _("%(respondent)s has responded in case %(number)s.")
            % {"respondent": case.respondent.name, "number": case.number}
            + "\n",
            [case.case_officer.email],
        )


@_in_association_language
def ballot_opened(ballot_id: int) -> None:
    ballot = Ballot.objects.select_related("case").get(pk=ballot_id)
    emails = [
        s.voter.email
        for s in ballot.seats.select_related("voter")
        if s.recused_at is None and s.voter.email
    ]
    _send(
        _("Ballot open: case %(number)s") % {"number": ballot.case.number},
        _(
            "You are an eligible voter on case %(number)s. The ballot closes on %(day)s. "
            'Sign in to Probity, "My ballots", to read the dossier and vote. '
            "If you have a conflict of interest, declare it there instead."
        )
        % {"number": ballot.case.number, "day": _day(ballot.closes_on)}
        + "\n",
        emails,
    )


@_in_association_language
def appeal_filed(case_id: int) -> None:
    case = _case(case_id)
    if case.case_officer.email:
        _send(
            _("Appeal filed: case %(number)s") % {"number": case.number},
            _("%(respondent)s has appealed in case %(number)s.")
            % {"respondent": case.respondent.name, "number": case.number}
            + "\n",
            [case.case_officer.email],
        )


@_in_association_language
def reminder(case_id: int, subject: str, body: str, emails: list[str]) -> None:
    number = _case(case_id).number
    _send(_("%(subject)s: case %(number)s") % {"subject": subject, "number": number}, body, emails)


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
            _("%(what)s: case %(number)s") % {"what": what, "number": case.number},
            _("%(what)s in case %(number)s. Read it on the case page.")
            % {"what": what, "number": case.number}
            + "\n",
            [case.case_officer.email],
        )


@_in_association_language
def complainant_wrote(case_id: int) -> None:
    _tell_officer(case_id, _("The complainant wrote to the ethics staff"))


@_in_association_language
def complainant_sent_evidence(case_id: int) -> None:
    _tell_officer(case_id, _("The complainant sent further evidence"))


@_in_association_language
def complainant_appealed(case_id: int) -> None:
    _tell_officer(case_id, _("The complainant appealed"))


@_in_association_language
def staff_wrote_to_complainant(case_id: int) -> None:
    case = _case(case_id)
    _send(
        _("A message about your complaint: case %(number)s") % {"number": case.number},
        _(
            "The ethics staff have written to you about case %(number)s. Read it on the "
            "complainant's page (sign in with the case reference and your access code, or "
            "with your account)."
        )
        % {"number": case.number}
        + "\n",
        complainant_emails(case),
    )


@_in_association_language
def review_disclosed(case_id: int) -> None:
    case = _case(case_id)
    disclosure = case.review_disclosures.order_by("-disclosed_at", "-pk").first()
    _send(
        _("The review is open for your comment: case %(number)s") % {"number": case.number},
        _(
            "The ethics staff disclosed the findings and the review report in case "
            "%(number)s. You may comment on them until %(day)s; your comment goes to the "
            'board with the case file. Sign in to Probity, "Our cases".'
        )
        % {"number": case.number, "day": _day(disclosure.comment_due_on)}
        + "\n",
        respondent_emails(case),
    )


@_in_association_language
def review_comment_received(case_id: int) -> None:
    case = _case(case_id)
    if case.case_officer.email:
        _send(
            _("Comment on the review received: case %(number)s") % {"number": case.number},
            _("%(respondent)s has commented on the review in case %(number)s.")
            % {"respondent": case.respondent.name, "number": case.number}
            + "\n",
            [case.case_officer.email],
        )
