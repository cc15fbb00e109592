from django.core.management.base import BaseCommand
from django.test.utils import override_settings

from cases.demo.cases import seed_cases
from cases.demo.complainants import DEMO_ACCESS_CODE, demo_complainant_case
from cases.demo.register import DEMO_PASSWORD, DEMO_TOTP_SECRET, seed_register


class Command(BaseCommand):
    help = "Load the demo association (idempotent) and print the demo logins."

    def handle(self, *args, **options):

        # The demo's notices would flood the console: keep them in memory instead.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            logins = seed_register()
            seed_cases()
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for role, usernames in logins.items():
            shown = usernames if role != "Representative" else _sample_reps(usernames)
            self.stdout.write(f"  {role:15} {', '.join(shown)}")
        self.stdout.write(
            "Staff, board and panel also need a code from an authenticator app; their demo "
            f"accounts share the TOTP secret {DEMO_TOTP_SECRET}\n"
            f"  (the current code: oathtool --totp -b {DEMO_TOTP_SECRET}, or "
            f"manage.py totp_code {DEMO_TOTP_SECRET})"
        )
        followed = demo_complainant_case()
        if followed is not None:
            self.stdout.write(
                "A complainant without an account (/cases/complainant/): case reference "
                f"{followed.number}, access code {DEMO_ACCESS_CODE}"
            )


def _sample_reps(usernames: list[str]) -> list[str]:
    """One representative per membership status is enough to show every portal."""
    seen, sample = set(), []
    for entry in usernames:
        status = entry.rsplit("(", 1)[-1]
        if status not in seen:
            seen.add(status)
            sample.append(entry)
    return sample
