from django.core.management.base import BaseCommand, CommandError

from cases import digest


class Command(BaseCommand):
    help = (
        "Email each case officer their weekly digest: their open cases and what waits on them "
        "(the dashboard's work queues). The task worker also sends it every PROBITY_DIGEST_EVERY "
        "seconds."
    )

    def handle(self, *args, **options):
        done = digest.send_weekly_digest()
        self.stdout.write(f"send_digest: {done['sent']} sent, {done['failed']} failed.")
        if done["failed"]:
            raise CommandError(f"{done['failed']} digest(s) could not be sent; see the log.")
