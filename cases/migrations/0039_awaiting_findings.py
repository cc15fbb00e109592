"""Each case carries whether it awaits findings (a response received, an allegation
still without a finding), kept by cases.services.awaiting, with a partial index on the
cases under review that do, in the order the dashboard's queue shows them (issue 15,
docs/decisions/0042)."""

from django.db import migrations, models


def set_awaiting_findings(apps, schema_editor):
    # The rule of cases.services.awaiting, on the historical models.
    from cases.services.awaiting import awaiting_findings_rebuild

    awaiting_findings_rebuild(
        case_model=apps.get_model("cases", "Case"),
        response_model=apps.get_model("cases", "Response"),
        allegation_model=apps.get_model("cases", "Allegation"),
    )


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
