"""Each sanction names the member sanctioned (its case's respondent), with an index
(respondent, decided_at desc, id desc): the portal's, the register's and "Our
sanctions" lists read a member's newest sanctions as a range of it instead of joining
every case of the member (issue 15)."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_respondent(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    Sanction = apps.get_model("cases", "Sanction")
    Sanction.objects.update(
        respondent_id=Subquery(Case.objects.filter(pk=OuterRef("case_id")).values("respondent_id"))
    )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0039_awaiting_findings"),
        ("members", "0011_verbose_names"),
    ]

    operations = [
        migrations.AddField(
            model_name="sanction",
            name="respondent",
            field=models.ForeignKey(
                null=True,
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="sanctions",
                to="members.organization",
                verbose_name="respondent",
            ),
        ),
        migrations.RunPython(copy_respondent, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="sanction",
            name="respondent",
            field=models.ForeignKey(
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="sanctions",
                to="members.organization",
                verbose_name="respondent",
            ),
        ),
        migrations.AddIndex(
            model_name="sanction",
            index=models.Index(
                fields=["respondent", "-decided_at", "-id"], name="sanction_respondent_newest"
            ),
        ),
    ]
