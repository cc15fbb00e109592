"""Storing a piece of evidence or an attachment: inspected, hashed, stored
privately and recorded. Used by intake (complaint, amendment, fact-finding) and by
the respondent's response."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from cases import events
from cases.models import Evidence, EvidenceKind, EvidenceSource
from cases.services.record import record_event
from cases.uploads import inspect_upload


@dataclass(frozen=True)
class EvidenceInput:
    file: object  # an UploadedFile
    title: str
    source: str
    disclosed_to_respondent: bool = False
    kind: str = EvidenceKind.FILE
    url: str = ""
    captured_at: datetime.datetime | None = None
    description: str = ""
    producer: str = ""  # who made it (an outlet, a registry, a person); blank: the supplier


def store_evidence(case, e: EvidenceInput, *, actor, amendment=None, response=None) -> Evidence:
    info = inspect_upload(e.file)
    if e.source not in EvidenceSource.values:
        raise ValidationError(_("Unknown evidence source “%(source)s”.") % {"source": e.source})
    if e.kind == EvidenceKind.WEB_CAPTURE and not e.url:
        raise ValidationError(
            _("A captured web page needs the address (URL) it was captured from.")
        )
    evidence = Evidence(
        case=case,
        kind=e.kind,
        title=(e.title or e.file.name)[:200],
        description=e.description,
        original_filename=e.file.name[:255],
        sha256=info.sha256,
        size=info.size,
        content_type=info.content_type,
        source=e.source,
        disclosed_to_respondent=e.disclosed_to_respondent,
        producer=e.producer.strip()[:200],
        url=e.url,
        captured_at=e.captured_at if e.kind == EvidenceKind.WEB_CAPTURE else None,
        added_by=actor,
        amendment=amendment,
        response=response,
    )
    # Validation is done: only now write the file. Its name is derived from its
    # hash, so a file left behind by a rolled-back transaction is harmless.
    evidence.file.save(e.file.name, e.file, save=False)
    evidence.save()
    record_event(
        case,
        actor=actor,
        **events.evidence_added(
            evidence=evidence.pk,
            title=evidence.title,
            sha256=info.sha256,
            size=info.size,
            content_type=info.content_type,
            source=e.source,
            disclosed_to_respondent=e.disclosed_to_respondent,
            url=e.url,
            producer=e.producer.strip()[:200],
            amendment=amendment.pk if amendment else None,
            response=response.pk if response else None,
        ),
    )
    return evidence
