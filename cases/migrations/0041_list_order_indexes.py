"""The dashboard's lists order by a date, then id: their indexes end with id too, so
each list reads its first rows in order and stops (without it, PostgreSQL read every
case or ballot of the day range and sorted them: 239 cases for "responses due soon" at
a million cases; issue 15)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0040_sanction_respondent"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="ballot",
            name="ballot_open_closes_on",
        ),
        migrations.RemoveIndex(
            model_name="case",
            name="case_state_response_due",
        ),
        migrations.RemoveIndex(
            model_name="case",
            name="case_state_appeal_deadline",
        ),
        migrations.RemoveIndex(
            model_name="case",
            name="case_state_received",
        ),
        migrations.AddIndex(
            model_name="ballot",
            index=models.Index(
                condition=models.Q(("closed_at__isnull", True)),
                fields=["closes_on", "id"],
                name="ballot_open_closes_on",
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                fields=["state", "response_due_on", "id"], name="case_state_response_due"
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                fields=["state", "appeal_deadline", "id"], name="case_state_appeal_deadline"
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(fields=["state", "received_on", "id"], name="case_state_received"),
        ),
    ]
