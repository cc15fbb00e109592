"""Rendering letters: HTML templates rendered by WeasyPrint into PDF/A-3b. Issuing,
storing and delivering them is cases.services.letters.

Safe rendering: the renderer may read only Probity's own letter assets (the
stylesheet and the uploaded logo), named by the `probity-asset:` scheme. Every other
URL, whether file://, http(s)://, data: or a path trick, is refused, so text a
complainant or respondent wrote cannot make it read a file or reach the network.
User text is escaped by the template engine anyway.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from association.prefetch import load_together
from cases.models import (
    Addressee,
    Case,
    ComplainantAppeal,
    ConsentOffer,
    ConsentStatus,
    EvidenceSource,
    InterimSuspension,
    Letterhead,
    LetterKind,
    RecordCheckpoint,
    SanctionKind,
)
from cases.outcomes import (
    ballot_outcome,
    compliance_sanctions,
    current_sanction,
    dissents,
    open_ballot,
    prior_record,
)

ASSETS_DIR = Path(settings.BASE_DIR) / "templates" / "letters" / "assets"
ASSET_SCHEME = "probity-asset:"
STATIC_ASSETS = {"letter.css": ("letter.css", "text/css")}
LOGO_TYPES = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}


# Letters only the complainant receives (the others go to the respondent, and dismissal
# and withdrawal notices to both).
COMPLAINANT_ONLY_KINDS = (LetterKind.ACKNOWLEDGEMENT, LetterKind.OUTCOME_NOTICE)


class RefusedURL(ValueError):
    pass


class LetterAssetFetcher(URLFetcher):
    """Serves `probity-asset:letter.css` and `probity-asset:logo`; refuses everything else."""

    def __init__(self, letterhead: Letterhead | None = None):
        super().__init__(allowed_protocols=["probity-asset"], allow_redirects=False)
        self.letterhead = letterhead

    def fetch(self, url, headers=None):
        if not url.startswith(ASSET_SCHEME):
            raise RefusedURL(
                f"Letters may not load {url[:80]!r}: only Probity's own letter assets."
            )
        name = url[len(ASSET_SCHEME) :]
        if name in STATIC_ASSETS:
            filename, content_type = STATIC_ASSETS[name]
            body = (ASSETS_DIR / filename).read_bytes()
            return URLFetcherResponse(url, body, {"Content-Type": content_type})
        if name == "logo" and self.letterhead is not None and self.letterhead.logo:
            with self.letterhead.logo.open("rb") as f:
                body = f.read()
            for magic, content_type in LOGO_TYPES.items():
                if body.startswith(magic):
                    return URLFetcherResponse(url, body, {"Content-Type": content_type})
            raise RefusedURL("The letterhead logo is not a PNG or JPEG image.")
        raise RefusedURL(f"Unknown letter asset {name[:80]!r}.")


def letterhead(found: Letterhead | None = None, *, looked_up: bool = False) -> Letterhead:
    """The association's letterhead (`found`, when the caller has read it already), or
    one made from the settings where none is set up."""
    head = found if looked_up else Letterhead.objects.order_by("pk").first()
    if head is None:
        head = Letterhead(
            association_name=settings.PROBITY_ASSOCIATION_NAME,
            address="",
            signatory_name=_("The Ethics Committee"),
            signatory_title="",
        )
    return head


_fonts = threading.local()


def font_configuration() -> FontConfiguration:
    """One WeasyPrint font configuration per thread, kept: a fresh one per letter made a
    worker's memory grow by ~0.25 MB a letter (fontconfig and Pango caches never freed;
    bench/bench_worker_memory.py), a kept one stays flat."""
    config = getattr(_fonts, "config", None)
    if config is None:
        config = _fonts.config = FontConfiguration()
    return config


def render_pdf(html: str, head: Letterhead | None = None) -> bytes:
    """WeasyPrint alone: the HTML becomes a PDF/A-3b document."""
    document = HTML(string=html, base_url=ASSET_SCHEME, url_fetcher=LetterAssetFetcher(head))
    return document.write_pdf(pdf_variant="pdf/a-3b", font_config=font_configuration())


# ---------------------------------------------------------------------------
# What each letter says
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Recipient:
    addressee: str
    name: str
    attention: str
    emails: list[str]
    address: str = ""
    # The correspondence language (a code of settings.LANGUAGES); "": the association's.
    language: str = ""


def respondent_recipient(case: Case) -> Recipient:
    reps = list(case.respondent.representatives.select_related("user"))
    primary = next((r for r in reps if r.is_primary), reps[0] if reps else None)
    return Recipient(
        Addressee.RESPONDENT,
        case.respondent.name,
        (primary.user.get_full_name() or primary.user.username) if primary else "",
        [r.user.email for r in reps if r.user.email],
        language=case.respondent.language,
    )


def complainant_recipient(case: Case) -> Recipient:
    c = case.complainant
    return Recipient(
        Addressee.COMPLAINANT,
        c.organization_name or c.name,
        c.name if c.organization_name else "",
        [c.email] if c.email else [],
        c.postal_address,
        language=c.language or (c.member_organization.language if c.member_organization_id else ""),
    )


def latest_checkpoint(case: Case):
    return RecordCheckpoint.objects.filter(case_id=case.pk).order_by("-sequence", "-pk")[:1]


def checkpoint_context(case: Case, found=None, *, looked_up: bool = False) -> dict:
    """The latest signed checkpoint of the case record (docs/decisions/0011) and the
    exact statement its signature covers: printed in the letter, it carries the
    record's head out of the database, where no one can rewrite it. `found`: the
    checkpoint, when the caller has read it already."""
    checkpoint = found if looked_up else latest_checkpoint(case).first()
    if checkpoint is None:
        return {"checkpoint": None, "checkpoint_statement": ""}
    return {
        "checkpoint": checkpoint,
        "checkpoint_statement": checkpoint.signed_content(case.number).decode(),
    }


def case_wide_context(case: Case) -> dict:
    """What every letter of the case says alike: read once per step, however many
    letters it orders (`shared` in letter_context). Its rows come in one query: the
    step waits for this part of the letter (docs/decisions/0027)."""
    rows = load_together(
        {
            "head": Letterhead.objects.order_by("pk")[:1],
            "allegations": case.allegations.select_related("principle", "finding").order_by("pk"),
            "checkpoint": latest_checkpoint(case),
        }
    )
    return {
        "head": letterhead(next(iter(rows["head"]), None), looked_up=True),
        "case": case,
        "today": timezone.localdate(),
        "allegations": rows["allegations"],
        "procedure": case.procedure,
        "rules": case.procedure.describe_rules(),
        "complainant_disclosed": case.complainant_identity_disclosed,
        # The latest signed checkpoint of the case record (docs/decisions/0011): the
        # letter carries it out of the database, where no one can rewrite it.
        **checkpoint_context(case, next(iter(rows["checkpoint"]), None), looked_up=True),
    }


def letter_context(
    case: Case, kind: str, recipient: Recipient, *, draft: bool = False, shared: dict | None = None
) -> dict:
    """The letter's template context. `shared`, a dict kept for the letters of one step
    (under one case lock, so the case cannot change between them), holds the case-wide
    part after the first letter."""
    if shared is None:
        base = case_wide_context(case)
    else:
        base = shared.get(case.pk) or shared.setdefault(case.pk, case_wide_context(case))
    allegations = base["allegations"]
    context = {
        **base,
        "kind": kind,
        "kind_label": LetterKind(kind).label,
        "recipient": recipient,
        "draft": draft,
    }
    if kind == LetterKind.NOTICE_OF_COMPLAINT:
        context["evidence"] = [
            e
            for e in case.evidence.order_by("pk")
            if e.disclosed_to_respondent and e.source != EvidenceSource.RESPONDENT
        ]
        context["amendments"] = [a for a in case.amendments.order_by("pk") if a.needs_notice]
    if kind in (LetterKind.DECISION, LetterKind.NO_VIOLATION, LetterKind.OUTCOME_NOTICE):
        ballot = case.ballots.filter(kind="board").order_by("-pk").first()
        if ballot is not None and ballot.closed_at is None:
            ballot = open_ballot(case, "board")
            outcome = ballot_outcome(ballot, case.procedure)  # a draft shows the projection
            counts, violation_found, sanction_kind, months = (
                outcome.counts,
                outcome.violation_found,
                outcome.sanction,
                outcome.suspension_months,
            )
        else:
            counts = ballot.tally if ballot else {}
            violation_found = bool(ballot and ballot.violation_found)
            sanction_kind, months = (
                (ballot.sanction_kind, ballot.suspension_months) if ballot else ("", None)
            )
        context.update(
            {
                "counts": counts,
                "violation_found": violation_found,
                "sanction": current_sanction(case),
                "compliance_sanctions": compliance_sanctions(case),
                "sanction_kind": SanctionKind(sanction_kind).label if sanction_kind else "",
                "suspension_months": months,
                **decision_basis(case, allegations, ballot),
            }
        )
    if kind in (LetterKind.APPEAL_DECISION, LetterKind.OUTCOME_NOTICE):
        context["appeal"] = getattr(case, "appeal", None)
        context["sanction"] = current_sanction(case)
        context["compliance_sanctions"] = compliance_sanctions(case)
    if kind == LetterKind.OUTCOME_NOTICE:
        # The complainant learns the outcome only where the procedure says so.
        context["told_outcome"] = case.procedure.complainant_told_outcome
        appeal = context["appeal"]
        context["after_appeal"] = bool(appeal and appeal.outcome)
    if kind == LetterKind.NON_COMPLIANCE:
        context["overdue_sanctions"] = [
            s for s in compliance_sanctions(case) if s.compliance.in_default
        ]
    if kind in (LetterKind.DISMISSAL, LetterKind.WITHDRAWAL):
        context["reasons"] = case.closing_reason
    if kind == LetterKind.COMPLAINANT_APPEAL_DECISION:
        context["complainant_appeal"] = ComplainantAppeal.objects.filter(case=case).first()
        context["noticed"] = case.notice_issued_at is not None
    if kind == LetterKind.NOTICE_OF_HEARING:
        context.update(hearing_context(case))
    context.update(consent_and_interim_context(case, kind))
    return context


def hearing_context(case: Case) -> dict:
    """The hearing as now set, the one it replaces after a postponement, its panel
    less anyone recused since."""
    hearing = (
        case.hearings.filter(postponed_at__isnull=True)
        .select_related("replaces")
        .order_by("-scheduled_at", "-pk")
        .first()
    )
    if hearing is None:
        return {"hearing": None}
    recused = set(case.recusals.values_list("member_id", flat=True))
    return {
        "hearing": hearing,
        "postponed": hearing.replaces,
        "panel": [u for u in hearing.panel.order_by("last_name", "pk") if u.pk not in recused],
    }


def consent_and_interim_context(case: Case, kind: str) -> dict:
    """The consent offer or the interim suspension a letter is about (docs/decisions/0020);
    the complainant's outcome notice says whether the case ended by consent."""
    if kind in (LetterKind.CONSENT_OFFER, LetterKind.CONSENT_ACCEPTED, LetterKind.OUTCOME_NOTICE):
        offers = ConsentOffer.objects.filter(case=case).select_related("answered_by")
        if kind == LetterKind.CONSENT_OFFER:
            return {"offer": offers.order_by("-pk").first()}
        accepted = offers.filter(status=ConsentStatus.ACCEPTED).first()
        if kind == LetterKind.OUTCOME_NOTICE:
            return {"by_consent": accepted}
        return {"offer": accepted, "sanction": current_sanction(case)}
    if kind in (LetterKind.INTERIM_IMPOSED, LetterKind.INTERIM_LIFTED):
        return {"interim": InterimSuspension.objects.filter(case=case).order_by("-pk").first()}
    return {}


def breached_principles(allegations) -> list[dict]:
    """Each principle found breached once, with the numbers of the allegations under it."""
    grouped: dict[int, dict] = {}
    for number, a in enumerate(allegations, 1):
        finding = getattr(a, "finding", None)
        if finding and finding.conclusion == "substantiated":
            entry = grouped.setdefault(
                a.principle_id, {"principle": a.principle, "allegations": []}
            )
            entry["allegations"].append(number)
    return list(grouped.values())


def decision_basis(case: Case, allegations, ballot) -> dict:
    """What a decision rests on, for its letter: the respondent's response and the
    findings that answer it, the factors weighed, the prior record considered (where
    the procedure shows it to the deciders) and the dissents on record."""
    responses = list(case.responses.order_by("-submitted_at", "-pk")[:1])
    procedure = case.procedure
    return {
        "breached_principles": breached_principles(allegations),
        "response": responses[0] if responses else None,
        "aggravating": case.review_aggravating,
        "mitigating": case.review_mitigating,
        "prior_record": prior_record(case) if procedure.deciders_see_prior_record else None,
        "dissents": dissents(ballot) if ballot is not None else [],
        "dissent_names_shown": procedure.dissent_names_shown,
    }


def render_html(
    case: Case,
    kind: str,
    recipient: Recipient,
    *,
    draft: bool = False,
    supersedes=None,
    reason: str = "",
    shared: dict | None = None,
) -> str:
    """The letter's HTML. A correction (`supersedes`, the letter it replaces, and why)
    says so on its face: its version, the version and date it replaces, and the reason."""
    context = letter_context(case, kind, recipient, draft=draft, shared=shared)
    if supersedes is not None:
        context["correction"] = {
            "version": supersedes.version + 1,
            "replaces": supersedes,
            "reason": reason,
        }
    return render_to_string(f"letters/{kind}.html", context)


def letter_language(language: str) -> str:
    """The language a letter is written in: the recipient's where the association has
    set it up (settings.LANGUAGES), else the association's own."""
    known = {code for code, _name in settings.LANGUAGES}
    return language if language in known else settings.LANGUAGE_CODE


def preview_html(case: Case, kind: str) -> str:
    """The letter as it would be issued now, marked as a draft, for staff to check:
    in the recipient's language, as issued, not in the language of the staff's browser."""
    recipient = (
        complainant_recipient(case)
        if kind in COMPLAINANT_ONLY_KINDS
        else respondent_recipient(case)
    )
    with translation.override(letter_language(recipient.language)):
        context = letter_context(case, kind, recipient, draft=True)
        context["inline_css"] = (ASSETS_DIR / "letter.css").read_text()
        return render_to_string(f"letters/{kind}.html", context)
