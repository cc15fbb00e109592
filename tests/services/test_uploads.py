"""Evidence files: the upload limits (size, type sniffed from the content), and what
is stored (privately, with SHA-256, size and detected type)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from cases import services
from cases.models import Case, CaseEvent, Evidence, EvidenceKind, EvidenceSource
from cases.uploads import detect_type, inspect_upload
from tests.factories.cases import (
    PDF_HEAD,
    case_snapshot,
    evidence_input,
    file_case,
    fresh,
    open_review,
    pdf,
    transition,
    upload,
)

EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48
ZIP = b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + b"payload" * 10


def add(case, by, file, **kwargs):
    return services.evidence_add(case=fresh(case), by=by, evidence=evidence_input(file, **kwargs))


def files_under(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


# ---------------------------------------------------------------------------
# The size limit
# ---------------------------------------------------------------------------


def test_a_file_over_the_size_limit_is_refused_with_the_limit_named(
    settings, case, staff, private_storage
):
    settings.PROBITY_UPLOAD_MAX_BYTES = 2048
    big = pdf("scan.pdf", b"x" * 4096)
    before = case_snapshot(case)
    files_before = files_under(private_storage)

    with pytest.raises(ValidationError) as refused:
        add(case, staff, big)

    message = " ".join(refused.value.messages)
    assert "scan.pdf" in message
    assert "upload size limit" in message
    assert filesizeformat(2048) in message
    assert filesizeformat(big.size) in message
    assert case_snapshot(case) == before
    assert files_under(private_storage) == files_before


def test_a_file_exactly_at_the_size_limit_is_accepted(settings, case, staff):
    exact = pdf("exact.pdf", b"y" * 500)
    settings.PROBITY_UPLOAD_MAX_BYTES = exact.size

    assert add(case, staff, exact).size == exact.size


def test_a_complaint_with_one_file_over_the_limit_is_not_filed_at_all(
    settings, staff, organization, procedure, principle, private_storage
):
    settings.PROBITY_UPLOAD_MAX_BYTES = 1024

    with pytest.raises(ValidationError, match="upload size limit"):
        file_case(
            by=staff,
            respondent=organization,
            evidence=[
                evidence_input(pdf("small.pdf")),
                evidence_input(pdf("huge.pdf", b"z" * 5000)),
            ],
        )

    assert Case.objects.count() == 0
    assert Evidence.objects.count() == 0
    assert CaseEvent.objects.count() == 0


def test_an_empty_file_is_refused(case, staff):
    with pytest.raises(ValidationError, match="is empty"):
        add(case, staff, upload("blank.pdf", b""))


# ---------------------------------------------------------------------------
# The allowed types
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "type_name"),
    [
        ("setup.exe", EXECUTABLE, "unrecognised binary file"),
        ("invoice.pdf", EXECUTABLE, "unrecognised binary file"),  # the name does not matter
        ("bundle.zip", ZIP, "ZIP archive or Office document"),
        ("report.docx", ZIP, "ZIP archive or Office document"),
    ],
)
def test_a_refused_type_is_named_with_the_accepted_types(
    case, staff, private_storage, name, content, type_name
):
    before = case_snapshot(case)
    files_before = files_under(private_storage)

    with pytest.raises(ValidationError) as refused:
        add(case, staff, upload(name, content, content_type="application/pdf"))

    message = " ".join(refused.value.messages)
    assert name in message
    assert type_name in message
    assert "not accepted" in message or "not an accepted type" in message
    assert "Accepted types: PDF, PNG image, JPEG image" in message
    assert case_snapshot(case) == before
    assert files_under(private_storage) == files_before
    assert not Evidence.objects.filter(case=case, original_filename=name).exists()


def test_the_accepted_types_are_a_setting(settings, case, staff):
    settings.PROBITY_UPLOAD_ALLOWED_TYPES = ["application/pdf"]
    png = upload("photo.png", b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 20)

    with pytest.raises(ValidationError) as refused:
        add(case, staff, png)

    message = " ".join(refused.value.messages)
    assert "PNG image" in message
    assert message.endswith("Accepted types: PDF.")
    assert add(case, staff, pdf("still-fine.pdf")).content_type == "application/pdf"


@pytest.mark.parametrize(
    ("content", "detected"),
    [
        (PDF_HEAD + b"body", "application/pdf"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 16, "image/png"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 16, "image/jpeg"),
        (b"GIF89a" + b"\x01\x00" * 8, "image/gif"),
        (b"Minutes of the meeting of 3 March.\n", "text/plain"),
        ("Réunion du 3 mars — procès-verbal.\n".encode(), "text/plain"),
        (b"\xef\xbb\xbf<!DOCTYPE html><html><body>Captured</body></html>", "text/html"),
        (b"From: dana@robotics-weekly.example\nSubject: tip\n\nBody", "message/rfc822"),
        (EXECUTABLE, "application/octet-stream"),
        (ZIP, "application/zip"),
    ],
)
def test_the_type_is_detected_from_the_content(content, detected):
    assert detect_type(content[:8192]) == detected


def test_text_cut_in_the_middle_of_a_character_is_still_text():
    content = ("é" * 5000).encode()  # two bytes each: 8,191 bytes end inside an "é"
    assert detect_type(content[:8191]) == "text/plain"


# ---------------------------------------------------------------------------
# What is stored
# ---------------------------------------------------------------------------


def test_evidence_stores_its_sha256_size_and_detected_type(case, staff, private_storage):
    content = PDF_HEAD + b"Test report 2025-117.\n" * 10_000  # several upload chunks
    file = upload("test-report.pdf", content, content_type="text/plain")

    evidence = add(
        case,
        staff,
        file,
        source=EvidenceSource.STAFF,
        disclosed=False,
        title="Independent test report",
    )

    evidence.refresh_from_db()
    assert evidence.sha256 == hashlib.sha256(content).hexdigest()
    assert evidence.size == len(content)
    assert evidence.content_type == "application/pdf"  # not what the browser claimed
    assert evidence.original_filename == "test-report.pdf"
    assert evidence.title == "Independent test report"
    assert evidence.source == EvidenceSource.STAFF
    assert evidence.disclosed_to_respondent is False
    assert evidence.added_by == staff
    stored = Path(evidence.file.path)
    assert stored.is_relative_to(private_storage)
    assert stored.read_bytes() == content
    assert evidence.file.name.startswith(f"cases/{case.number}/evidence/{evidence.sha256[:16]}")


def test_the_evidence_event_records_the_hash_and_the_type(case, staff):
    evidence = add(case, staff, pdf("memo.pdf"))

    event = CaseEvent.objects.filter(case=case).order_by("-sequence").first()
    assert event.kind == "evidence_added"
    assert event.payload["evidence"] == evidence.pk
    assert event.payload["sha256"] == evidence.sha256
    assert event.payload["size"] == evidence.size
    assert event.payload["content_type"] == "application/pdf"
    assert event.payload["source"] == EvidenceSource.COMPLAINANT


def test_evidence_filed_with_the_complaint_is_stored_the_same_way(case, private_storage):
    evidence = case.evidence.get()

    assert evidence.sha256 == hashlib.sha256(Path(evidence.file.path).read_bytes()).hexdigest()
    assert evidence.content_type == "application/pdf"
    assert Path(evidence.file.path).is_relative_to(private_storage)


def test_a_file_name_cannot_escape_the_private_directory(case, staff, private_storage):
    evidence = add(case, staff, pdf("../../../../etc/cron.d/evil.pdf"))

    stored = Path(evidence.file.path).resolve()
    assert stored.is_relative_to(private_storage.resolve())
    assert ".." not in evidence.file.name


def test_the_same_file_twice_is_stored_twice_without_overwriting(case, staff):
    first = add(case, staff, pdf("same.pdf"))
    second = add(case, staff, pdf("same.pdf"))

    assert first.sha256 == second.sha256
    assert first.file.name != second.file.name
    assert Path(first.file.path).exists() and Path(second.file.path).exists()


def test_a_captured_web_page_keeps_its_address_and_capture_time(case, staff):
    captured_at = timezone.now()
    page = upload("advert.html", b"<!doctype html><html><body>Certified safe!</body></html>")

    evidence = add(
        case,
        staff,
        page,
        kind=EvidenceKind.WEB_CAPTURE,
        url="https://acme.example/cobot",
        captured_at=captured_at,
        source=EvidenceSource.PUBLIC_RECORD,
    )

    evidence.refresh_from_db()
    assert evidence.kind == EvidenceKind.WEB_CAPTURE
    assert evidence.url == "https://acme.example/cobot"
    assert evidence.captured_at == captured_at
    assert evidence.content_type == "text/html"


def test_a_captured_web_page_needs_its_address(case, staff):
    with pytest.raises(ValidationError, match="address"):
        add(case, staff, upload("advert.html", b"<html></html>"), kind=EvidenceKind.WEB_CAPTURE)


def test_an_unknown_evidence_source_is_refused(case, staff):
    with pytest.raises(ValidationError, match="Unknown evidence source"):
        add(case, staff, pdf(), source="rumour")


def test_only_staff_add_evidence(case, staff, representative, board_member):
    open_review(case, staff)
    for user in (representative, board_member):
        with pytest.raises(PermissionDenied):
            add(case, user, pdf())


def test_no_evidence_is_added_to_a_withdrawn_case(case, staff):
    transition(case, "withdraw", staff, reason="The complainant withdrew.")

    with pytest.raises(services.TransitionRefused, match="withdrawn"):
        add(case, staff, pdf())


def test_evidence_is_stored_under_the_private_root_the_settings_name_now(
    settings, tmp_path, case, staff
):
    settings.PRIVATE_STORAGE_ROOT = tmp_path / "elsewhere"

    evidence = add(case, staff, pdf("moved.pdf"))

    assert Path(evidence.file.path).is_relative_to(tmp_path / "elsewhere")
    assert Path(evidence.file.path).read_bytes().startswith(PDF_HEAD)


def test_inspect_upload_leaves_the_file_ready_to_be_read_again():
    file = pdf("again.pdf")
    info = inspect_upload(file)

    assert file.read() == PDF_HEAD + b"A screenshot of the advert." + b"\n%%EOF\n"
    assert info.size == file.size


# ---------------------------------------------------------------------------
# Disclosure to the respondent
# ---------------------------------------------------------------------------


def test_staff_change_whether_evidence_is_disclosed_and_the_record_shows_it(case, staff):
    evidence = case.evidence.get()
    assert evidence.disclosed_to_respondent is True

    services.evidence_set_disclosure(evidence=evidence, by=staff, disclosed=False)

    evidence.refresh_from_db()
    assert evidence.disclosed_to_respondent is False
    event = CaseEvent.objects.filter(case=case).order_by("-sequence").first()
    assert event.kind == "evidence_disclosure_changed"
    assert event.payload == {"evidence": evidence.pk, "disclosed_to_respondent": False}


def test_setting_the_disclosure_it_already_has_writes_nothing(case, staff):
    evidence = case.evidence.get()
    before = case_snapshot(case)

    services.evidence_set_disclosure(evidence=evidence, by=staff, disclosed=True)

    assert case_snapshot(case) == before


def test_a_representative_cannot_change_disclosure(case, staff, representative):
    open_review(case, staff)
    evidence = case.evidence.get()

    with pytest.raises(PermissionDenied):
        services.evidence_set_disclosure(evidence=evidence, by=representative, disclosed=False)

    evidence.refresh_from_db()
    assert evidence.disclosed_to_respondent is True
