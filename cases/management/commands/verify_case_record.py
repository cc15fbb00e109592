from django.core.management.base import BaseCommand, CommandError

from cases import dossier_verify
from cases.models import Case
from cases.services import verify_case_record


class Command(BaseCommand):
    help = (
        "Recompute the hash chain of one case's record (or every case's), check it against "
        "the signed checkpoints, and name the first thing that does not match; says "
        "whether each record is anchored (signed) or unanchored (no record key); with "
        "--dossier, check an exported dossier zip offline."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "case", nargs="?", help="Case number, e.g. 2026-0007. Default: every case."
        )
        parser.add_argument(
            "--dossier",
            metavar="FILE",
            help="Check this dossier zip (its files, manifest and record) without the database.",
        )

    def handle(self, *args, case=None, dossier=None, **options):
        if dossier:
            problems = dossier_verify.check(dossier)
            if problems:
                raise CommandError(f"{dossier}: FAILED: " + "; ".join(problems))
            self.stdout.write(f"{dossier}: OK (files, manifest and record chain)")
            return
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
