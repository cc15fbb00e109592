"""The dashboard's indexes: decisions by month from the index alone, and the counts
over open cases from a partial index that holds only them (issue 15)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0030_merged_choices"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="case",
            index=models.Index(fields=["decided_at", "state"], name="case_decided_state"),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(
                    (
                        "state__in",
                        [
                            "filed",
                            "under_review",
                            "board_vote",
                            "sanctioned",
                            "under_appeal",
                            "complainant_appeal",
                            "hearing",
                        ],
                    )
                ),
                fields=[
                    "procedure",
                    "state_changed_at",
                    "state",
                    "received_on",
                    "response_due_on",
                    "appeal_deadline",
                    "case_officer",
                ],
                name="case_open_dashboard",
            ),
        ),
    ]
