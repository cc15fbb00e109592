"""The case summary (cases.services.summary, issue 15): counts per state and per month,
kept by the services, filled here from the cases already filed."""

from django.db import migrations, models


def fill(apps, schema_editor):
    from cases.services.summary import rebuild_summary

    rebuild_summary(
        case_model=apps.get_model("cases", "Case"), count_model=apps.get_model("cases", "CaseCount")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0033_dashboard_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="CaseCount",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("kind", models.CharField(max_length=16)),
                ("state", models.CharField(max_length=32)),
                ("month", models.DateField(blank=True, null=True)),
                ("n", models.IntegerField(default=0)),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("month__isnull", True)),
                        fields=("kind", "state"),
                        name="case_count_unique_without_month",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("month__isnull", False)),
                        fields=("kind", "state", "month"),
                        name="case_count_unique_per_month",
                    ),
                ],
            },
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
