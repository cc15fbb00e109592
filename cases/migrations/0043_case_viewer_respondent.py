"""Each CaseViewer row names its case's respondent, with an index (user, respondent,
-filed_at, -case): "Our cases" reads a representative's cases of their organization
as a range of it (issue 15, docs/decisions/0042)."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_respondent(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    CaseViewer = apps.get_model("cases", "CaseViewer")
    CaseViewer.objects.update(
        respondent_id=Subquery(Case.objects.filter(pk=OuterRef("case_id")).values("respondent_id"))
    )


def field(null: bool) -> models.ForeignKey:
    return models.ForeignKey(
        null=null,
        on_delete=django.db.models.deletion.CASCADE,
        related_name="+",
        to="members.organization",
        verbose_name="respondent",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0042_summary_open_received"),
        ("members", "0011_verbose_names"),
    ]

    operations = [
        migrations.AddField(model_name="caseviewer", name="respondent", field=field(null=True)),
        migrations.RunPython(copy_respondent, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(model_name="caseviewer", name="respondent", field=field(null=False)),
        migrations.AddIndex(
            model_name="caseviewer",
            index=models.Index(
                fields=["user", "respondent", "-filed_at", "-case"], name="case_viewer_ours"
            ),
        ),
    ]
