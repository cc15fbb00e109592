"""Each case carries whether it awaits findings (a response received, an allegation
still without a finding), kept by cases.services.awaiting, with a partial index on the
cases under review that do, in the order the dashboard's queue shows them (issue 15,
docs/decisions/0042)."""

from django.db import migrations, models
from django.db.models import Exists, OuterRef


def set_awaiting_findings(apps, schema_editor):
    # The rule of cases.services.awaiting, on the historical models.
    Case = apps.get_model("cases", "Case")
    Allegation = apps.get_model("cases", "Allegation")
    Response = apps.get_model("cases", "Response")
    Case.objects.filter(
        Exists(Response.objects.filter(case=OuterRef("pk"))),
        Exists(Allegation.objects.filter(case=OuterRef("pk"), finding__isnull=True)),
    ).update(awaiting_findings=True)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0038_publication_public_page"),
        ("members", "0011_verbose_names"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="awaiting_findings",
            field=models.BooleanField(
                default=False, editable=False, verbose_name="awaiting findings"
            ),
        ),
        migrations.RunPython(set_awaiting_findings, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(("awaiting_findings", True), ("state", "under_review")),
                fields=["response_due_on", "id"],
                name="case_awaiting_findings",
            ),
        ),
    ]
