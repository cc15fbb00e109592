"""The dossier: a case's whole file as one zip, streamed (a case with 500 MB of files
never sits in memory): every evidence file and response attachment, every letter and
proof of compliance, the case record as JSON lines, a manifest with each file's SHA-256
and the chain's head, and verify.py (cases/dossier_verify.py, standard library only)
that checks it all offline. The export itself is an event in the record, and the record
in the zip includes it."""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from cases import dossier_verify, events
from cases.access import authorize
from cases.models import Case, CaseEvent, ComplianceProof
from cases.services.checkpoints import (
    latest_checkpoint,
    public_key_pem,
    sign_checkpoint,
    verifying_keys,
)
from cases.services.record import lock_case, record_event

CHUNK = 1 << 20


class _Pipe:
    """What zipfile writes into; the generator hands the bytes on as they come. No
    tell() or seek(): zipfile then writes a streamable zip (data descriptors)."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []

    def write(self, data: bytes) -> int:
        self.chunks.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def drain(self) -> Iterator[bytes]:
        chunks, self.chunks = self.chunks, []
        yield from chunks


def dossier_export(*, case: Case, by) -> tuple[str, Iterator[bytes]]:
    """Record the export, then return (file name, the zip's bytes as a stream)."""
    with transaction.atomic():
        case = lock_case(case)
        authorize(by, case, "export_dossier")
        record_event(case, actor=by, **events.dossier_exported())
        sign_checkpoint(case)  # the exported record, export included, is anchored
    return f"{case.number}-dossier.zip", _stream(case)


def _files(case: Case):
    # A file the retention job removed is not in the dossier; the record still names
    # its SHA-256 and the purge that removed it.
    for e in case.evidence.filter(purged_at__isnull=True).order_by("pk"):
        folder = "attachments" if e.response_id else "evidence"
        yield f"{folder}/{e.pk}-{Path(e.original_filename).name}", e.file, "evidence", e.pk
    for letter in case.letters.filter(purged_at__isnull=True).order_by("pk"):
        # The id first: a dismissal goes to both parties under one download name.
        yield f"letters/{letter.pk}-{letter.download_name}", letter.file, "letter", letter.pk
    for proof in ComplianceProof.objects.filter(compliance__sanction__case=case).order_by("pk"):
        name = Path(proof.original_filename).name
        yield f"compliance/{proof.pk}-{name}", proof.file, "proof", proof.pk


def _stream(case: Case) -> Iterator[bytes]:
    pipe = _Pipe()
    manifest_files = []
    with zipfile.ZipFile(pipe, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as z:
        for arcname, field_file, kind, pk in _files(case):
            digest, size = hashlib.sha256(), 0
            with field_file.open("rb") as source, z.open(arcname, "w", force_zip64=True) as dest:
                for chunk in iter(lambda: source.read(CHUNK), b""):
                    dest.write(chunk)
                    digest.update(chunk)
                    size += len(chunk)
                    yield from pipe.drain()
            manifest_files.append(
                {
                    "path": arcname,
                    "sha256": digest.hexdigest(),
                    "size": size,
                    "kind": kind,
                    "id": pk,
                }
            )
            yield from pipe.drain()
        length, head = 0, ""
        with z.open("record.jsonl", "w", force_zip64=True) as dest:
            events = CaseEvent.objects.filter(case=case).prefetch_related("personal_fields")
            for event in events.order_by("sequence").iterator(chunk_size=500):
                line = {**json.loads(event.canonical_content()), "hash": event.hash}
                # The values of the personal fields still held, with their salts, so the
                # offline check can test them against the commitments in the payload.
                held = {
                    f.name: {"value": f.value, "salt": f.salt}
                    for f in event.personal_fields.all()
                    if f.held
                }
                if held:
                    line["personal"] = held
                dest.write(json.dumps(line, ensure_ascii=False).encode() + b"\n")
                length, head = event.sequence, event.hash
                yield from pipe.drain()
        z.writestr("verify.py", Path(dossier_verify.__file__).read_text())
        manifest = {
            "case": case.number,
            "exported_at": timezone.now().isoformat(),
            "record": {"length": length, "head": head},
            "checkpoint": _checkpoint(case),
            "files": manifest_files,
            "how_to_verify": "python3 verify.py THIS-FILE.zip",
        }
        z.writestr("manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False))
    yield from pipe.drain()


def _checkpoint(case: Case) -> dict | None:
    """The latest signed checkpoint of the record, with the statement it signs and the
    public key it names (compare its id with the key the association publishes)."""
    checkpoint = latest_checkpoint(case)
    if checkpoint is None:
        return None
    key = verifying_keys().get(checkpoint.key_id)
    return {
        "sequence": checkpoint.sequence,
        "head": checkpoint.head,
        "key_id": checkpoint.key_id,
        "signature": checkpoint.signature,
        "signed_statement": checkpoint.signed_content(case.number).decode(),
        "public_key_pem": public_key_pem(key) if key is not None else None,
    }
