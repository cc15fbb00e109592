"""Print the current 6-digit TOTP code for a base32 secret (the demo accounts' secret is
printed by seed_demo), as an authenticator app would show it."""

import base64
import binascii

from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import totp


class Command(BaseCommand):
    help = "Print the current TOTP code for a base32 secret (e.g. the demo accounts')."

    def add_arguments(self, parser):
        parser.add_argument("secret", help="the base32 secret, as an authenticator app takes it")

    def handle(self, *args, secret, **options):
        try:
            key = base64.b32decode(secret.replace(" ", "").upper())
        except binascii.Error as exc:
            raise CommandError(f"Not a base32 secret: {exc}") from None
        self.stdout.write(f"{totp(key):06d}")
