"""The dashboard's indexes: decisions by month from the index alone, and the counts
over open cases, and the portal's open cases of one respondent, from partial indexes
that hold only open cases (issue 15)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0031_letter_order"),
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
                fields=["respondent", "-filed_at"],
                name="case_open_respondent",
            ),
        ),
    ]
