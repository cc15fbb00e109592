"""Signed letters (docs/decisions/0026): with a certificate configured, every letter is
a PAdES-signed PDF/A-3b that pyHanko's validator accepts against that certificate and
qpdf still passes; the letter lists and the record say who signed it; an altered
letter fails the record's check, and so does a letter whose signature is not the
configured certificate's; a time-stamping authority adds an RFC 3161 time stamp."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from cases import signing
from cases.models import LetterKind
from cases.services import verify_case_record
from tests.factories.cases import fresh
from tests.factories.language import said
from tests.factories.letters import (
    PDFA_PART_3,
    decided_case,
    letter,
    letter_issued_event,
    qdf,
    qpdf_check,
    stored_bytes,
)

ASSOCIATION = "Northbridge Automation Trade Association"


def use_certificate(settings, path, passphrase="correct horse"):
    settings.PROBITY_LETTER_SIGNING_FILE = str(path)
    settings.PROBITY_LETTER_SIGNING_PASSPHRASE = passphrase
    signing._load.cache_clear()


@pytest.fixture
def certificate(settings, tmp_path):
    path = tmp_path / "letters.p12"
    signing.make_certificate(path, name=ASSOCIATION, passphrase="correct horse")
    use_certificate(settings, path)
    yield path
    signing._load.cache_clear()


@pytest.mark.real_pdf
def test_a_letter_is_signed_and_validates_against_the_certificate(world, certificate, tmp_path):
    case = decided_case(world)
    decision = letter(case, LetterKind.DECISION)
    result = signing.check(stored_bytes(decision))
    assert result.signed and result.valid, result.problem
    assert result.signer == f"Ethics Committee, {ASSOCIATION}"
    assert decision.signed_by == result.signer
    assert letter_issued_event(decision).payload["signed_by"] == result.signer
    # Still a well-formed PDF/A-3b document: the signature is an incremental update.
    assert qpdf_check(decision.file.path).returncode == 0
    assert PDFA_PART_3.search(qdf(decision.file.path, tmp_path / "q.pdf"))
    assert verify_case_record(fresh(case)).ok


@pytest.mark.real_pdf
def test_the_letter_lists_say_who_signed(world, certificate, client):
    case = decided_case(world)
    client.force_login(world.rep)
    page = client.get(reverse("cases:case_detail", args=[case.number])).content.decode()
    assert said("signed by %(signer)s", signer=f"Ethics Committee, {ASSOCIATION}") in page


@pytest.mark.real_pdf
def test_an_altered_signed_letter_fails_the_signature_and_the_record(world, certificate):
    case = decided_case(world)
    decision = letter(case, LetterKind.DECISION)
    data = bytearray(stored_bytes(decision))
    at = data.find(b"/Producer")  # inside the signed revision
    data[at + 2] ^= 0x01
    assert not signing.check(bytes(data)).valid
    with decision.file.open("wb") as f:
        f.write(bytes(data))
    check = verify_case_record(fresh(case))
    assert not check.ok and f"letter {decision.pk}" in check.problem


@pytest.mark.real_pdf
def test_a_signature_by_another_certificate_fails_the_record(
    world, certificate, settings, tmp_path
):
    case = decided_case(world)
    other = tmp_path / "other.p12"
    signing.make_certificate(other, name="Someone Else Ltd", passphrase="x")
    use_certificate(settings, other, "x")
    check = verify_case_record(fresh(case))
    assert not check.ok
    assert "does not validate: it is not signed by the association's certificate" in check.problem


@pytest.mark.real_pdf
def test_a_time_stamping_authority_adds_a_time_stamp(world, certificate, monkeypatch):
    from asn1crypto import keys, x509
    from cryptography import x509 as cx509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
    from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)  # pyHanko's test TSA
    name = cx509.Name([cx509.NameAttribute(NameOID.COMMON_NAME, "Test TSA")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        cx509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(cx509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .sign(key, hashes.SHA256())
    )
    tsa = DummyTimeStamper(
        tsa_cert=x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)),
        tsa_key=keys.PrivateKeyInfo.load(
            key.private_bytes(
                serialization.Encoding.DER,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        ),
    )
    monkeypatch.setattr(signing, "timestamper", lambda: tsa)
    case = decided_case(world)
    result = signing.check(stored_bytes(letter(case, LetterKind.DECISION)))
    assert result.valid and result.timestamped


def test_unsigned_without_a_certificate(world, settings):
    settings.PROBITY_LETTER_SIGNING_FILE = ""
    case = decided_case(world)
    decision = letter(case, LetterKind.DECISION)
    assert decision.signed_by == ""
    assert "signed_by" not in letter_issued_event(decision).payload
    assert verify_case_record(fresh(case)).ok


def test_the_command_makes_a_certificate_once_and_shows_who_signs(settings, tmp_path, capsys):
    path = tmp_path / "demo.p12"
    settings.PROBITY_LETTER_SIGNING_PASSPHRASE = ""
    call_command("letter_certificate", generate=str(path))
    assert path.stat().st_mode & 0o777 == 0o600
    with pytest.raises(CommandError, match="never overwritten"):
        call_command("letter_certificate", generate=str(path))
    use_certificate(settings, path, "")
    call_command("letter_certificate")
    assert f"Letters are signed by: Ethics Committee, {ASSOCIATION}" in capsys.readouterr().out
    settings.PROBITY_LETTER_SIGNING_FILE = ""
    with pytest.raises(CommandError, match="issued unsigned"):
        call_command("letter_certificate")
    signing._load.cache_clear()


def test_a_wrong_passphrase_is_named(settings, tmp_path):
    from django.core.exceptions import ImproperlyConfigured

    path = tmp_path / "letters.p12"
    signing.make_certificate(path, name=ASSOCIATION, passphrase="right")
    use_certificate(settings, path, "wrong")
    with pytest.raises(ImproperlyConfigured, match="PROBITY_LETTER_SIGNING_PASSPHRASE"):
        signing.signer()
    signing._load.cache_clear()
