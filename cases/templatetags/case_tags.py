"""How a case event reads on the timeline: one plain sentence from its kind and payload,
in the words staff use (no permission codenames, no ISO dates, no internal keys).
The sentence is built as text and escaped by the template like any user text."""

import datetime

from django import template
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy

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
    "view_case": gettext_lazy("see the case"),
    "respond_to_case": gettext_lazy("respond"),
    "vote_on_case": gettext_lazy("vote"),
    "manage_case": gettext_lazy("manage the case"),
    "view_letter_pdf": gettext_lazy("download the letter"),
}


def _state(key: str) -> str:
    return str(STATES[key].label).lower() if key in STATES else key


def _date(value) -> str:
    """An ISO date or date-time from a payload as "3 March 2026" (with the time, local)."""
    if not value:
        return _("no date")
    text = str(value)
    moment = parse_datetime(text) if "T" in text else None
    if moment is not None:
        if timezone.is_aware(moment):
            moment = timezone.localtime(moment)
        return date_format(moment, "DATETIME_FORMAT")
    day = parse_date(text)
    return date_format(day, "DATE_FORMAT") if isinstance(day, datetime.date) else text


def _label(choices, value, default: str = "") -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value or default).replace("_", " ")


def _permissions(p: dict) -> str:
    return ", ".join(str(PERMISSIONS.get(x, x.replace("_", " "))) for x in p.get("permissions", []))


def _access_revoked(p: dict) -> str:
    taken = [_permissions(p)] if p.get("permissions") else []
    if p.get("letters"):
        count = len(p["letters"])
        taken.append(ngettext("%(n)s letter", "%(n)s letters", count) % {"n": count})
    return _("Access revoked from %(who)s: %(what)s.") % {
        "who": p.get("user") or p.get("group"),
        "what": ", ".join(taken),
    }


def _tally(p: dict) -> str:
    t = p.get("tally") or {}
    if "took_part" in t and "eligible" in t:
        return " " + _("(%(took_part)s of %(eligible)s eligible voters voted)") % {
            "took_part": t["took_part"],
            "eligible": t["eligible"],
        }
    return ""


def _disclosed(p: dict) -> str:
    return _("disclosed") if p.get("disclosed_to_respondent") else _("not disclosed")


def _sanction_part(p: dict) -> str:
    if not p.get("sanction"):
        return ""
    return _("; sanction: %(sanction)s") % {
        "sanction": _label(SanctionKind, p.get("sanction")).lower()
    }


def _status(p: dict) -> str:
    return str(p.get("status", "")).replace("_", " ")


# What a purge removed, as the timeline's sentence names it (the event stores the code).
RETENTION_KIND_REMOVED = {
    "complainant": pgettext_lazy("removed at the end of the retention period", "complainant"),
    "evidence": pgettext_lazy("removed at the end of the retention period", "evidence"),
    "attachments": pgettext_lazy("removed at the end of the retention period", "attachments"),
    "messages": pgettext_lazy("removed at the end of the retention period", "messages"),
}


SENTENCES = {
    "filed": lambda p: (
        _("Complaint filed as case %(number)s under procedure version %(procedure)s.")
        % {"number": p.get("number"), "procedure": p.get("procedure")}
    ),
    "allegation_added": lambda p: (
        _("Allegation added under principle %(principle)s (conduct %(start)s to %(end)s).")
        % {
            "principle": p.get("principle"),
            "start": _date(p.get("conduct_from")),
            "end": _date(p.get("conduct_to")),
        }
    ),
    "evidence_added": lambda p: (
        _("Evidence added: “%(title)s” (%(source)s; %(disclosed)s; SHA-256 %(sha)s…).")
        % {
            "title": p.get("title"),
            "source": _label(EvidenceSource, p.get("source")).lower(),
            "disclosed": _disclosed(p),
            "sha": str(p.get("sha256"))[:12],
        }
    ),
    "evidence_disclosure_changed": lambda p: (
        _("Evidence disclosure changed to %(disclosed)s.") % {"disclosed": _disclosed(p)}
    ),
    "amended": lambda p: (
        _("Complaint amended: %(reason)s") % {"reason": p.get("reason")}
        + (" " + _("A new notice is due.") if p.get("needs_notice") else "")
    ),
    "access_granted": lambda p: (
        _("Access granted to %(who)s: %(what)s.")
        % {"who": p.get("user") or p.get("group"), "what": _permissions(p)}
    ),
    "access_revoked": lambda p: _access_revoked(p),
    "open_review_effects": lambda p: (
        _("Notice of complaint issued; response due by %(day)s.")
        % {"day": _date(p.get("response_due_on"))}
    ),
    "amended_notice_issued": lambda p: (
        _("Amended notice issued; response due by %(day)s.")
        % {"day": _date(p.get("response_due_on"))}
    ),
    "response_submitted": lambda p: (
        _("Response received (%(n)s attachment(s)).") % {"n": p.get("attachments")}
    ),
    "response_window_reopened": lambda p: (
        _("Response window reopened until %(day)s: %(reason)s")
        % {"day": _date(p.get("until")), "reason": p.get("reason")}
    ),
    "finding_recorded": lambda p: (
        _("Finding recorded: %(conclusion)s.")
        % {"conclusion": _label(FindingConclusion, p.get("conclusion")).lower()}
    ),
    "finding_revised": lambda p: (
        _("Finding revised: %(conclusion)s.")
        % {"conclusion": _label(FindingConclusion, p.get("conclusion")).lower()}
    ),
    "review_report_saved": lambda p: (
        _("Review report saved (rests on one party's report).")
        if p.get("rests_on_single_source")
        else _("Review report saved.")
    ),
    "late_filing_accepted": lambda p: (
        _("Late filing accepted: %(reason)s") % {"reason": p.get("reason")}
    ),
    "case_officer_assigned": lambda p: (
        _("Case officer changed from %(from)s to %(to)s.")
        % {"from": p.get("from"), "to": p.get("to")}
    ),
    "refer_to_board_effects": lambda p: (
        _("The board's ballot opened; it closes on %(day)s.") % {"day": _date(p.get("closes_on"))}
    ),
    "ballot_opened": lambda p: (
        (
            _("Appeals panel ballot opened until %(day)s, %(n)s eligible voter(s).")
            if p.get("kind") == "appeal"
            else _("Board ballot opened until %(day)s, %(n)s eligible voter(s).")
        )
        % {"day": _date(p.get("closes_on")), "n": len(p.get("eligible") or [])}
    ),
    "ballot_extended": lambda p: (
        _("Ballot extended from %(from)s to %(until)s: %(reason)s")
        % {
            "from": _date(p.get("from")),
            "until": _date(p.get("until")),
            "reason": p.get("reason"),
        }
    ),
    "vote_cast": lambda p: _("Vote cast by %(voter)s.") % {"voter": p.get("voter")},
    "vote_changed": lambda p: _("Vote changed by %(voter)s.") % {"voter": p.get("voter")},
    "vote_removed": lambda p: _("Vote of %(voter)s removed (recused).") % {"voter": p.get("voter")},
    "conflict_declared": lambda p: (
        _("Conflict of interest declared by %(member)s: %(reason)s")
        % {"member": p.get("member"), "reason": p.get("reason")}
    ),
    "conflict_recorded": lambda p: (
        _("Conflict of interest recorded for %(member)s: %(reason)s")
        % {"member": p.get("member"), "reason": p.get("reason")}
    ),
    "close_ballot_effects": lambda p: (
        (_("Violation found") if p.get("violation_found") else _("No violation found"))
        + _tally(p)
        + _sanction_part(p)
        + (
            _("; appeal window until %(day)s") % {"day": _date(p.get("appeal_deadline"))}
            if p.get("appeal_deadline")
            else ""
        )
        + "."
    ),
    "ballot_closed": lambda p: _("Appeals panel's ballot closed") + _tally(p) + ".",
    "file_appeal_effects": lambda p: (
        _("The appeals panel's ballot opened; it closes on %(day)s.")
        % {"day": _date(p.get("closes_on"))}
    ),
    "decide_appeal_effects": lambda p: (
        _("Appeal %(outcome)s") % {"outcome": _label(AppealOutcome, p.get("outcome")).lower()}
        + _sanction_part(p)
        + "."
    ),
    "sanction_imposed": lambda p: (
        _("Sanction imposed: %(sanction)s, effective %(day)s")
        % {
            "sanction": _label(SanctionKind, p.get("kind")).lower(),
            "day": _date(p.get("effective_on")),
        }
        + (_(", until %(day)s") % {"day": _date(p.get("ends_on"))} if p.get("ends_on") else "")
        + (
            _("; readmission barred until %(day)s") % {"day": _date(p.get("readmission_bar_until"))}
            if p.get("readmission_bar_until")
            else ""
        )
        + "."
    ),
    "sanction_applied": lambda p: (
        _("Sanction applied to the membership: %(sanction)s (status now %(status)s).")
        % {"sanction": _label(SanctionKind, p.get("kind")).lower(), "status": _status(p)}
    ),
    "sanction_rescinded": lambda p: _("Sanction lifted: %(reason)s") % {"reason": p.get("reason")},
    "sanction_not_applicable": lambda p: _("Sanction not applied: %(why)s") % {"why": p.get("why")},
    "suspension_ended": lambda p: (
        _("Suspension ended on %(day)s (status now %(status)s).")
        % {"day": _date(p.get("ended_on")), "status": _status(p)}
    ),
    "letter_issued": lambda p: (
        _("Letter issued: %(kind)s to the %(addressee)s")
        % {
            "kind": _label(LetterKind, p.get("kind")),
            "addressee": _label(Addressee, p.get("addressee")).lower(),
        }
        + (
            " " + _("(version %(version)s)") % {"version": p.get("version")}
            if (p.get("version") or 1) > 1
            else ""
        )
        + "."
    ),
    "letter_correction": lambda p: _("Letter corrected: %(reason)s") % {"reason": p.get("reason")},
    "reminder_sent": lambda p: (
        _("Reminder sent (%(reminder)s) to %(n)s address(es).")
        % {"reminder": str(p.get("reminder", "")).replace("_", " "), "n": p.get("to")}
    ),
    "case_linked": lambda p: (
        _("Linked to case %(other)s: %(reason)s")
        % {"other": p.get("other_case"), "reason": p.get("reason")}
    ),
    "dossier_exported": lambda p: _("The whole case file was downloaded."),
    # Publication, retention and legal holds
    "decision_published": lambda p: (
        (
            _("Decision published (%(sanction)s) until %(day)s, with the respondent's name.")
            if p.get("level") == "name"
            else _("Decision published (%(sanction)s) until %(day)s, without names.")
        )
        % {"sanction": p.get("sanction"), "day": p.get("ends_on")}
    ),
    "publication_taken_down": lambda p: (
        _("Publication taken down: %(why)s") % {"why": p.get("why")}
    ),
    "publication_withheld": lambda p: (
        _("Publication withheld: %(reason)s") % {"reason": p.get("reason")}
    ),
    "legal_hold_placed": lambda p: _("Legal hold placed: %(reason)s") % {"reason": p.get("reason")},
    "legal_hold_released": lambda p: (
        _("Legal hold released: %(reason)s") % {"reason": p.get("reason")}
    ),
    "personal_data_purged": lambda p: (
        _(
            "Retention period ended: %(kind)s removed (%(fields)s field(s), %(evidence)s evidence "
            "file(s), %(letters)s letter(s))."
        )
        % {
            "kind": RETENTION_KIND_REMOVED.get(
                p.get("retention_kind"), str(p.get("retention_kind")).replace("_", " ")
            ),
            "fields": p.get("fields"),
            "evidence": len(p.get("evidence", [])),
            "letters": len(p.get("letters", [])),
        }
    ),
}


@register.filter
def event_sentence(event) -> str:
    if event.kind == "transition":
        step = STEPS.get(event.payload.get("step"))
        label = step.label if step else event.payload.get("step", "")
        text = _("%(step)s: %(from)s → %(to)s.") % {
            "step": label,
            "from": _state(event.from_state),
            "to": _state(event.to_state),
        }
        if event.payload.get("reason"):
            text += " " + _("Reason: %(reason)s") % {"reason": event.payload["reason"]}
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
            _("%(kind)s imposed; due by %(day)s.")
            % {"kind": str(p.get("kind", "")).capitalize(), "day": p.get("due_on")}
        ),
        "compliance_proof_uploaded": lambda p: (
            _("Proof of compliance received: “%(filename)s” (SHA-256 %(sha)s…).")
            % {"filename": p.get("filename"), "sha": str(p.get("sha256"))[:12]}
        ),
        "compliance_recorded": lambda p: (
            (
                _("Compliance with the %(kind)s recorded: met on %(day)s (proof accepted).")
                if p.get("proof")
                else _("Compliance with the %(kind)s recorded: met on %(day)s.")
            )
            % {"kind": p.get("kind"), "day": p.get("complied_on")}
        ),
        "compliance_overdue": lambda p: (
            _("The %(kind)s due by %(day)s is overdue: the member is in default.")
            % {"kind": p.get("kind"), "day": p.get("due_on")}
        ),
        "non_compliance_consequence_applied": lambda p: (
            _("Consequence of non-compliance applied: membership %(status)s until compliance.")
            % {"status": p.get("status")}
        ),
        "compliance_restored": lambda p: (
            _("Compliance restores the membership: now %(status)s.") % {"status": p.get("status")}
        ),
    }
)
