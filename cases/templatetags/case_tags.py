"""How a case event reads on the timeline: one plain sentence from its kind and payload.
The sentence is built as text and escaped by the template like any user text."""

from django import template

from cases.workflow import STATES, STEPS

register = template.Library()


def _state(key: str) -> str:
    return STATES[key].label.lower() if key in STATES else key


def _access_revoked(p: dict) -> str:
    taken = list(p.get("permissions", []))
    if p.get("letters"):
        count = len(p["letters"])
        taken.append(f"{count} letter{'s' if count != 1 else ''}")
    return f"Access revoked from {p.get('user') or p.get('group')}: {', '.join(taken)}."


SENTENCES = {
    "filed": lambda p: (
        f"Complaint filed as case {p.get('number')} under procedure version {p.get('procedure')}."
    ),
    "allegation_added": lambda p: (
        f"Allegation added under principle {p.get('principle')} "
        f"(conduct {p.get('conduct_from')} to {p.get('conduct_to')})."
    ),
    "evidence_added": lambda p: (
        f"Evidence added: “{p.get('title')}” ({p.get('source')}; "
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
        f"Access granted to {p.get('user') or p.get('group')}: "
        f"{', '.join(p.get('permissions', []))}."
    ),
    "access_revoked": lambda p: _access_revoked(p),
    "open_review_effects": lambda p: (
        f"Notice of complaint issued; response due by {p.get('response_due_on')}."
    ),
    "amended_notice_issued": lambda p: (
        f"Amended notice issued; response due by {p.get('response_due_on')}."
    ),
    "response_submitted": lambda p: f"Response received ({p.get('attachments')} attachment(s)).",
    "response_window_reopened": lambda p: (
        f"Response window reopened until {p.get('until')}: {p.get('reason')}"
    ),
    "finding_recorded": lambda p: f"Finding recorded: {p.get('conclusion', '').replace('_', ' ')}.",
    "finding_revised": lambda p: f"Finding revised: {p.get('conclusion', '').replace('_', ' ')}.",
    "review_report_saved": lambda p: (
        "Review report saved"
        + (" (rests on one party's report)." if p.get("rests_on_single_source") else ".")
    ),
    "late_filing_accepted": lambda p: f"Late filing accepted: {p.get('reason')}",
    "case_officer_assigned": lambda p: (
        f"Case officer changed from {p.get('from')} to {p.get('to')}."
    ),
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
