"""The letters' signing certificate: make a self-signed one (the demo's, a test's), or
say which one is configured (docs/decisions/0026)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from cases import signing


class Command(BaseCommand):
    help = (
        "Generate a self-signed certificate for signing letters as a PKCS#12 file "
        "(--generate PATH, mode 600, never over an existing file; the passphrase is "
        "PROBITY_LETTER_SIGNING_PASSPHRASE), or show who signs with the certificate in "
        "PROBITY_LETTER_SIGNING_FILE. A real association signs with a certificate issued "
        "to it, so readers' PDF software can trust it."
    )

    def add_arguments(self, parser):
        parser.add_argument("--generate", metavar="PATH", help="Write a new PKCS#12 file to PATH.")

    def handle(self, *args, generate=None, **options):
        if generate:
            path = Path(generate)
            if path.exists():
                raise CommandError(f"{path} exists; a signing certificate is never overwritten.")
            signing.make_certificate(
                path,
                name=settings.PROBITY_ASSOCIATION_NAME,
                passphrase=settings.PROBITY_LETTER_SIGNING_PASSPHRASE,
            )
            self.stderr.write(
                f"Self-signed certificate written to {path} (mode 600). Set "
                f"PROBITY_LETTER_SIGNING_FILE={path} for the app and the worker."
            )
            return
        s = signing.signer()
        if s is None:
            raise CommandError(
                "No signing certificate is configured: letters are issued unsigned. Set "
                "PROBITY_LETTER_SIGNING_FILE (and PROBITY_LETTER_SIGNING_PASSPHRASE)."
            )
        cert = s.signing_cert
        self.stdout.write(
            f"Letters are signed by: {signing.signer_name(s)}\n"
            f"valid until {cert.not_valid_after:%Y-%m-%d}; "
            f"SHA-256 fingerprint {cert.sha256.hex()}"
        )
