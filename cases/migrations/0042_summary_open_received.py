"""The case summary counts the open cases per day of receipt too (kind
"open_received"): the dashboard's ages of open cases read a few hundred summary rows
instead of counting every open case (issue 15). Recounted here from the cases."""

from django.db import migrations


def fill(apps, schema_editor):
    from cases.services.summary import rebuild_summary

    rebuild_summary(
        case_model=apps.get_model("cases", "Case"),
        count_model=apps.get_model("cases", "CaseCount"),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0041_list_order_indexes"),
    ]

    operations = [
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
    ]
