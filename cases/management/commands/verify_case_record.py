from django.core.management.base import BaseCommand, CommandError

from cases.models import Case
from cases.services import verify_case_record


class Command(BaseCommand):
    help = (
        "Recompute the hash chain of one case's record (or every case's), check it against "
        "the signed checkpoints, and name the first thing that does not match; says "
        "whether each record is anchored (signed) or unanchored (no record key)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "case", nargs="?", help="Case number, e.g. 2026-0007. Default: every case."
        )

    def handle(self, *args, case=None, **options):
        cases = Case.objects.order_by("pk")
        if case:
            cases = cases.filter(number=case)
            if not cases.exists():
                raise CommandError(f"No case numbered {case}.")
        failures = 0
        for c in cases.iterator():
            result = verify_case_record(c)
            if result.ok:
                self.stdout.write(
                    f"{c.number}: OK ({result.events_checked} events; {result.anchor})"
                )
            else:
                failures += 1
                where = (
                    f"event #{result.first_bad_sequence}" if result.first_bad_sequence else "record"
                )
                self.stdout.write(f"{c.number}: FAILED at {where}: {result.problem}")
        if failures:
            raise CommandError(f"{failures} case record(s) failed verification.")
