"""How a case event reads on the timeline: one plain sentence from its kind and payload,
in the words staff use (no permission codenames, no ISO dates, no internal keys).
The sentence is built as text and escaped by the template like any user text."""

import datetime

from django import template
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.formats import date_format

from cases.models import (
    Addressee,
    AppealOutcome,
    EvidenceSource,
    FindingConclusion,
    LetterKind,
    SanctionKind,
)
from cases.workflow import STATES, STEPS

register = template.Library()

# What each per-case permission lets its holder do, as the record says it.
PERMISSIONS = {
    "view_case": "see the case",
    "respond_to_case": "respond",
    "vote_on_case": "vote",
    "manage_case": "manage the case",
    "view_letter_pdf": "download the letter",
}


def _state(key: str) -> str:
    return STATES[key].label.lower() if key in STATES else key


def _date(value) -> str:
    """An ISO date or date-time from a payload as "3 March 2026" (with the time, local)."""
    if not value:
        return "no date"
    text = str(value)
    moment = parse_datetime(text) if "T" in text else None
    if moment is not None:
        if timezone.is_aware(moment):
            moment = timezone.localtime(moment)
        return date_format(moment, "j F Y, H:i")
    day = parse_date(text)
    return date_format(day, "j F Y") if isinstance(day, datetime.date) else text


def _label(choices, value, default: str = "") -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value or default).replace("_", " ")


def _permissions(p: dict) -> str:
    return ", ".join(PERMISSIONS.get(x, x.replace("_", " ")) for x in p.get("permissions", []))


def _access_revoked(p: dict) -> str:
    taken = [_permissions(p)] if p.get("permissions") else []
    if p.get("letters"):
        count = len(p["letters"])
        taken.append(f"{count} letter{'s' if count != 1 else ''}")
    return f"Access revoked from {p.get('user') or p.get('group')}: {', '.join(taken)}."


def _tally(p: dict) -> str:
    t = p.get("tally") or {}
    if "took_part" in t and "eligible" in t:
        return f" ({t['took_part']} of {t['eligible']} eligible voters voted)"
    return ""


SENTENCES = {
    "filed": lambda p: (
        f"Complaint filed as case {p.get('number')} under procedure version {p.get('procedure')}."
    ),
    "allegation_added": lambda p: (
        f"Allegation added under principle {p.get('principle')} "
        f"(conduct {_date(p.get('conduct_from'))} to {_date(p.get('conduct_to'))})."
    ),
    "evidence_added": lambda p: (
        f"Evidence added: “{p.get('title')}” ({_label(EvidenceSource, p.get('source')).lower()}; "
        f"{'disclosed' if p.get('disclosed_to_respondent') else 'not disclosed'}"
        f"; SHA-256 {str(p.get('sha256'))[:12]}…)."
    ),
    "evidence_disclosure_changed": lambda p: (
        "Evidence disclosure changed to "
        f"{'disclosed' if p.get('disclosed_to_respondent') else 'not disclosed'}."
    ),
    "amended": lambda p: (
        f"Complaint amended: {p.get('reason')}"
        + (" A new notice is due." if p.get("needs_notice") else "")
    ),
    "access_granted": lambda p: (
        f"Access granted to {p.get('user') or p.get('group')}: {_permissions(p)}."
    ),
    "access_revoked": lambda p: _access_revoked(p),
    "open_review_effects": lambda p: (
        f"Notice of complaint issued; response due by {_date(p.get('response_due_on'))}."
    ),
    "amended_notice_issued": lambda p: (
        f"Amended notice issued; response due by {_date(p.get('response_due_on'))}."
    ),
    "response_submitted": lambda p: f"Response received ({p.get('attachments')} attachment(s)).",
    "response_window_reopened": lambda p: (
        f"Response window reopened until {_date(p.get('until'))}: {p.get('reason')}"
    ),
    "finding_recorded": lambda p: (
        f"Finding recorded: {_label(FindingConclusion, p.get('conclusion')).lower()}."
    ),
    "finding_revised": lambda p: (
        f"Finding revised: {_label(FindingConclusion, p.get('conclusion')).lower()}."
    ),
    "review_report_saved": lambda p: (
        "Review report saved"
        + (" (rests on one party's report)." if p.get("rests_on_single_source") else ".")
    ),
    "late_filing_accepted": lambda p: f"Late filing accepted: {p.get('reason')}",
    "case_officer_assigned": lambda p: (
        f"Case officer changed from {p.get('from')} to {p.get('to')}."
    ),
    "refer_to_board_effects": lambda p: (
        f"The board's ballot opened; it closes on {_date(p.get('closes_on'))}."
    ),
    "ballot_opened": lambda p: (
        f"{'Appeals panel' if p.get('kind') == 'appeal' else 'Board'} ballot opened until "
        f"{_date(p.get('closes_on'))}, {len(p.get('eligible') or [])} eligible voter(s)."
    ),
    "ballot_extended": lambda p: (
        f"Ballot extended from {_date(p.get('from'))} to {_date(p.get('until'))}: {p.get('reason')}"
    ),
    "vote_cast": lambda p: f"Vote cast by {p.get('voter')}.",
    "vote_changed": lambda p: f"Vote changed by {p.get('voter')}.",
    "vote_removed": lambda p: f"Vote of {p.get('voter')} removed (recused).",
    "conflict_declared": lambda p: (
        f"Conflict of interest declared by {p.get('member')}: {p.get('reason')}"
    ),
    "conflict_recorded": lambda p: (
        f"Conflict of interest recorded for {p.get('member')}: {p.get('reason')}"
    ),
    "close_ballot_effects": lambda p: (
        ("Violation found" if p.get("violation_found") else "No violation found")
        + _tally(p)
        + (
            f"; sanction: {_label(SanctionKind, p.get('sanction')).lower()}"
            if p.get("sanction")
            else ""
        )
        + (
            f"; appeal window until {_date(p.get('appeal_deadline'))}"
            if p.get("appeal_deadline")
            else ""
        )
        + "."
    ),
    "ballot_closed": lambda p: "Appeals panel's ballot closed" + _tally(p) + ".",
    "file_appeal_effects": lambda p: (
        f"The appeals panel's ballot opened; it closes on {_date(p.get('closes_on'))}."
    ),
    "decide_appeal_effects": lambda p: (
        f"Appeal {_label(AppealOutcome, p.get('outcome')).lower()}"
        + (
            f"; sanction: {_label(SanctionKind, p.get('sanction')).lower()}"
            if p.get("sanction")
            else ""
        )
        + "."
    ),
    "sanction_imposed": lambda p: (
        f"Sanction imposed: {_label(SanctionKind, p.get('kind')).lower()}, effective "
        f"{_date(p.get('effective_on'))}"
        + (f", until {_date(p.get('ends_on'))}" if p.get("ends_on") else "")
        + (
            f"; readmission barred until {_date(p.get('readmission_bar_until'))}"
            if p.get("readmission_bar_until")
            else ""
        )
        + "."
    ),
    "sanction_applied": lambda p: (
        f"Sanction applied to the membership: {_label(SanctionKind, p.get('kind')).lower()} "
        f"(status now {str(p.get('status', '')).replace('_', ' ')})."
    ),
    "sanction_rescinded": lambda p: f"Sanction lifted: {p.get('reason')}",
    "sanction_not_applicable": lambda p: f"Sanction not applied: {p.get('why')}",
    "suspension_ended": lambda p: (
        f"Suspension ended on {_date(p.get('ended_on'))} "
        f"(status now {str(p.get('status', '')).replace('_', ' ')})."
    ),
    "letter_issued": lambda p: (
        f"Letter issued: {_label(LetterKind, p.get('kind'))} to the "
        f"{_label(Addressee, p.get('addressee')).lower()}"
        + (f" (version {p.get('version')})" if (p.get("version") or 1) > 1 else "")
        + "."
    ),
    "letter_correction": lambda p: f"Letter corrected: {p.get('reason')}",
    "reminder_sent": lambda p: (
        f"Reminder sent ({str(p.get('reminder', '')).replace('_', ' ')}) to "
        f"{p.get('to')} address(es)."
    ),
    "case_linked": lambda p: f"Linked to case {p.get('other_case')}: {p.get('reason')}",
    "dossier_exported": lambda p: "The whole case file was downloaded.",
    # Publication, retention and legal holds
    "decision_published": lambda p: (
        f"Decision published ({p.get('sanction')}) until {p.get('ends_on')}"
        + (", with the respondent's name." if p.get("level") == "name" else ", without names.")
    ),
    "publication_taken_down": lambda p: f"Publication taken down: {p.get('why')}",
    "publication_withheld": lambda p: f"Publication withheld: {p.get('reason')}",
    "legal_hold_placed": lambda p: f"Legal hold placed: {p.get('reason')}",
    "legal_hold_released": lambda p: f"Legal hold released: {p.get('reason')}",
    "personal_data_purged": lambda p: (
        f"Retention period ended: {str(p.get('retention_kind')).replace('_', ' ')} removed "
        f"({p.get('fields')} field(s), {len(p.get('evidence', []))} evidence file(s), "
        f"{len(p.get('letters', []))} letter(s))."
    ),
}


@register.filter
def event_sentence(event) -> str:
    if event.kind == "transition":
        step = STEPS.get(event.payload.get("step"))
        label = step.label if step else event.payload.get("step", "")
        text = f"{label}: {_state(event.from_state)} → {_state(event.to_state)}."
        if event.payload.get("reason"):
            text += f" Reason: {event.payload['reason']}"
        return text
    sentence = SENTENCES.get(event.kind)
    if sentence is None:
        extra = getattr(event_sentence, "more", {}).get(event.kind)
        if extra:
            return extra(event.readable_payload)
        return event.kind.replace("_", " ").capitalize() + "."
    return sentence(event.readable_payload)


# Sanctions a member complies with (docs/decisions/0018).
SENTENCES.update(
    {
        "compliance_sanction_imposed": lambda p: (
            f"{str(p.get('kind', '')).capitalize()} imposed; due by {p.get('due_on')}."
        ),
        "compliance_proof_uploaded": lambda p: (
            f"Proof of compliance received: “{p.get('filename')}” "
            f"(SHA-256 {str(p.get('sha256'))[:12]}…)."
        ),
        "compliance_recorded": lambda p: (
            f"Compliance with the {p.get('kind')} recorded: met on {p.get('complied_on')}"
            + (" (proof accepted)." if p.get("proof") else ".")
        ),
        "compliance_overdue": lambda p: (
            f"The {p.get('kind')} due by {p.get('due_on')} is overdue: the member is in default."
        ),
        "non_compliance_consequence_applied": lambda p: (
            f"Consequence of non-compliance applied: membership {p.get('status')} until compliance."
        ),
        "compliance_restored": lambda p: (
            f"Compliance restores the membership: now {p.get('status')}."
        ),
    }
)
