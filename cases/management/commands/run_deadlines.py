from django.core.management.base import BaseCommand, CommandError

from cases.services import deadlines


class Command(BaseCommand):
    help = (
        "Act on the dates that arrived: close ballots, finalize cases, apply and end sanctions, "
        "send reminders. Safe to run every few minutes and twice at once."
    )

    def handle(self, *args, **options):
        done = deadlines.run()
        summary = ", ".join(f"{n} {what}" for what, n in done.items() if n) or "nothing to do"
        self.stdout.write(f"run_deadlines: {summary}.")
        if done["failed"]:
            # The log has each failure; a non-zero exit makes cron or systemd report it.
            raise CommandError(f"{done['failed']} item(s) failed; see the log for each.")
