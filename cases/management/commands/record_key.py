"""The record key: make one, or show the public key of the one configured
(docs/decisions/0011)."""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management.base import BaseCommand, CommandError

from cases.services.checkpoints import key_id_of, public_key_pem, signing_key


class Command(BaseCommand):
    help = (
        "Generate the Ed25519 key that signs the case record's checkpoints "
        "(--generate PATH; written with mode 600, never over an existing file), or print "
        "the public key of the key in PROBITY_RECORD_KEY_FILE. Publish the public key "
        "outside Probity (annual report, website): it is how anyone checks the record."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--generate",
            metavar="PATH",
            help="Write a new private key to PATH (must not exist) and print its public key.",
        )
        parser.add_argument(
            "--public-out",
            metavar="PATH",
            help="Also write the public key (PEM) to PATH.",
        )

    def handle(self, *args, generate=None, public_out=None, **options):
        if generate:
            path = Path(generate)
            if path.exists():
                raise CommandError(f"{path} exists; a record key is never overwritten.")
            key = Ed25519PrivateKey.generate()
            pem = key.private_bytes(
                encoding=serialization.Encoding.PEM,
                format=serialization.PrivateFormat.PKCS8,
                encryption_algorithm=serialization.NoEncryption(),
            )
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as f:
                f.write(pem)
            self.stderr.write(
                f"Private key written to {path} (mode 600). Set PROBITY_RECORD_KEY_FILE={path} "
                "for the app and the deadline job; keep a copy offline, not with the database "
                "backups."
            )
        else:
            key = signing_key()
            if key is None:
                raise CommandError(
                    "No record key is configured: set PROBITY_RECORD_KEY_FILE, or make one "
                    "with --generate PATH."
                )
        public = key.public_key()
        pem = public_key_pem(public)
        if public_out:
            Path(public_out).write_text(pem)
        self.stdout.write(f"Key id: {key_id_of(public)}\n{pem}")
