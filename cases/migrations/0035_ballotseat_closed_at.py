"""Each ballot seat carries its ballot's closed_at (kept by
cases.services.ballots.close_ballots), with an index (voter, closed_at desc, id desc):
"My ballots" reads a page of a member's closed seats as a range of that index, and
their open seats as another, whatever the number of ballots they sat on (issue 15)."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_closed_at(apps, schema_editor):
    Ballot = apps.get_model("cases", "Ballot")
    BallotSeat = apps.get_model("cases", "BallotSeat")
    BallotSeat.objects.filter(ballot__closed_at__isnull=False).update(
        closed_at=Subquery(Ballot.objects.filter(pk=OuterRef("ballot_id")).values("closed_at"))
    )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0034_dashboard_summary"),
    ]

    operations = [
        migrations.AddField(
            model_name="ballotseat",
            name="closed_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(copy_closed_at, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="ballotseat",
            index=models.Index(fields=["voter", "-closed_at", "-id"], name="seat_voter_closed"),
        ),
    ]
