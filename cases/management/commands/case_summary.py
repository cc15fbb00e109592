from django.core.management.base import BaseCommand, CommandError

from cases.services.summary import rebuild_summary, summary_drift


class Command(BaseCommand):
    help = (
        "Recount the case summary the dashboard reads (cases per state, decisions and "
        "dismissals per month) from the cases and compare it with the stored counts; "
        "fails naming each row that differs. With --repair, replace the stored counts "
        "by the recount."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--repair", action="store_true", help="Rewrite the summary from the cases."
        )

    def handle(self, *args, repair=False, **options):
        if repair:
            rows = rebuild_summary()
            self.stdout.write(f"Case summary rebuilt: {rows} rows.")
            return
        drift = summary_drift()
        for (kind, state, month), stored, counted in drift:
            where = f"{kind} {state}" + (f" {month:%Y-%m}" if month else "")
            self.stdout.write(f"{where}: stored {stored}, counted {counted}")
        if drift:
            raise CommandError(
                f"The case summary differs from the cases in {len(drift)} rows "
                "(manage.py case_summary --repair rewrites it)."
            )
        self.stdout.write("Case summary: OK (matches the cases).")
