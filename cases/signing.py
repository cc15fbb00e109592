"""Signed letters (docs/decisions/0026): each letter's PDF is signed with the
association's certificate (PAdES baseline B-B, or B-T with an RFC 3161 time stamp
where PROBITY_LETTER_TSA_URL names a time-stamping authority), so anyone holding the
file can check in a PDF reader that the association issued it and that not a byte
changed since. The SHA-256 in the case record is taken of the signed file.

The certificate and its key come from a PKCS#12 file named by
PROBITY_LETTER_SIGNING_FILE, its passphrase from PROBITY_LETTER_SIGNING_PASSPHRASE (the
environment, never the database). Without a file, letters are issued unsigned and
`verify_case_record` checks their hash alone. `manage.py letter_certificate --generate
PATH` makes a self-signed one for the demo and for tests.

pyHanko does the signing and the validation; the signature is an incremental update, so
the PDF/A-3b document WeasyPrint wrote is kept as it was.
"""

from __future__ import annotations

import datetime
import functools
import io
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _

FIELD_NAME = "ProbitySignature"


@dataclass(frozen=True)
class SignatureCheck:
    signed: bool  # the file carries a signature at all
    valid: bool  # intact, covering the whole file, by a configured certificate
    signer: str = ""  # the certificate's subject, e.g. "Northbridge ... Ethics Committee"
    signed_at: datetime.datetime | None = None
    timestamped: bool = False
    problem: str = ""


@functools.lru_cache(maxsize=4)
def _load(path: str, passphrase: str, mtime: float):
    from pyhanko.sign import signers

    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ImproperlyConfigured(f"PROBITY_LETTER_SIGNING_FILE={path}: {exc.strerror}.") from exc
    try:
        return signers.SimpleSigner.load_pkcs12_data(
            data, other_certs=(), passphrase=passphrase.encode() or None
        )
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"PROBITY_LETTER_SIGNING_FILE={path}: not a PKCS#12 file this passphrase "
            "(PROBITY_LETTER_SIGNING_PASSPHRASE) opens."
        ) from exc


def signer():
    """The association's signer, or None when no certificate is configured."""
    path = getattr(settings, "PROBITY_LETTER_SIGNING_FILE", "")
    if not path:
        return None
    mtime = Path(path).stat().st_mtime if Path(path).exists() else 0.0
    return _load(str(path), settings.PROBITY_LETTER_SIGNING_PASSPHRASE, mtime)


def _name(subject) -> str:
    """ "Ethics Committee, Northbridge Automation Trade Association"."""
    native = subject.native
    return ", ".join(v for v in (native.get("common_name"), native.get("organization_name")) if v)


def signer_name(s) -> str:
    return _name(s.signing_cert.subject)


def timestamper():
    """An RFC 3161 client for PROBITY_LETTER_TSA_URL, or None."""
    url = getattr(settings, "PROBITY_LETTER_TSA_URL", "")
    if not url:
        return None
    from pyhanko.sign.timestamps import HTTPTimeStamper

    return HTTPTimeStamper(url, timeout=10)


def sign(pdf: bytes) -> tuple[bytes, str]:
    """(the signed PDF, who signed it); the PDF unchanged and "" without a certificate."""
    s = signer()
    if s is None:
        return pdf, ""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        # Shown by PDF readers beside the signature: in the letter's language (the task
        # signs under translation.override of the recipient's).
        reason=_("Issued by the association"),
        location=settings.PROBITY_ASSOCIATION_NAME,
    )
    out = signers.sign_pdf(
        writer,
        meta,
        signer=s,
        timestamper=timestamper(),
        new_field_spec=fields.SigFieldSpec(FIELD_NAME),
    )
    return out.getvalue(), signer_name(s)


def trust_roots() -> list:
    """The certificates a letter's signature is checked against: the configured one."""
    s = signer()
    return [s.signing_cert] if s is not None else []


def check(pdf: bytes) -> SignatureCheck:
    """Validate the letter's signature against the configured certificate: intact,
    covering the entire file (nothing appended after signing), trusted."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.errors import SignatureValidationError
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        embedded = list(reader.embedded_signatures)
    except Exception as exc:  # a file that is not a readable PDF any more
        return SignatureCheck(
            True, False, problem=_("the file cannot be read as a PDF (%(error)s)") % {"error": exc}
        )
    if not embedded:
        return SignatureCheck(False, False, problem=_("the file carries no signature"))
    roots = trust_roots()
    if not roots:
        return SignatureCheck(
            True, False, problem=_("no signing certificate is configured to check it against")
        )
    context = ValidationContext(trust_roots=roots, allow_fetching=False)
    try:
        status = validate_pdf_signature(embedded[-1], context)
    except (SignatureValidationError, ValueError) as exc:
        return SignatureCheck(
            True, False, problem=_("the signature cannot be validated (%(error)s)") % {"error": exc}
        )
    name = _name(status.signing_cert.subject)
    signed_at = status.timestamp_validity.timestamp if status.timestamp_validity else None
    signed_at = signed_at or status.signer_reported_dt
    if not status.intact:
        problem = _("the file was changed after it was signed")
    elif status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
        problem = _("the signature does not cover the whole file (something was added after it)")
    elif not status.valid:
        problem = _("the signature does not match the file")
    elif not status.trusted:
        problem = _("it is not signed by the association's certificate")
    else:
        problem = ""
    return SignatureCheck(
        True,
        not problem,
        signer=name,
        signed_at=signed_at,
        timestamped=status.timestamp_validity is not None,
        problem=problem,
    )


def make_certificate(path: Path, *, name: str, passphrase: str = "", days: int = 3650) -> None:
    """A self-signed signing certificate and its key, as a PKCS#12 file (the demo's and
    the tests'; a real association uses one issued to it)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, name[:64]),
            x509.NameAttribute(NameOID.COMMON_NAME, "Ethics Committee"),
        ]
    )
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    encryption = (
        serialization.BestAvailableEncryption(passphrase.encode())
        if passphrase
        else serialization.NoEncryption()
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pkcs12.serialize_key_and_certificates(b"probity", key, cert, None, encryption))
    path.chmod(0o600)
