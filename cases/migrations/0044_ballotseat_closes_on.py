"""Each ballot seat carries its ballot's closes_on (kept by the ballot service when the
ballot opens and when it is extended), with an index over the open seats (voter,
closes_on, id): "My ballots" lists a member's open seats soonest closing first as a
range of it (issue 15, docs/decisions/0042)."""

from django.db import migrations, models
from django.db.models import OuterRef, Q, Subquery


def copy_closes_on(apps, schema_editor):
    Ballot = apps.get_model("cases", "Ballot")
    BallotSeat = apps.get_model("cases", "BallotSeat")
    BallotSeat.objects.update(
        closes_on=Subquery(Ballot.objects.filter(pk=OuterRef("ballot_id")).values("closes_on"))
    )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0043_case_viewer_respondent"),
    ]

    operations = [
        migrations.AddField(
            model_name="ballotseat",
            name="closes_on",
            field=models.DateField(editable=False, null=True, verbose_name="closes on"),
        ),
        migrations.RunPython(copy_closes_on, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="ballotseat",
            name="closes_on",
            field=models.DateField(editable=False, verbose_name="closes on"),
        ),
        migrations.AddIndex(
            model_name="ballotseat",
            index=models.Index(
                condition=Q(closed_at__isnull=True),
                fields=["voter", "closes_on", "id"],
                name="seat_voter_open",
            ),
        ),
    ]
