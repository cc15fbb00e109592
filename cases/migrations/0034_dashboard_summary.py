"""The dashboard at any size (issue 15): the case summary (cases.services.summary),
counts per state and per month kept by the services, filled here from the cases
already filed; and the indexes its lists and its figures over open cases read."""

from django.conf import settings
from django.db import migrations, models


def fill(apps, schema_editor):
    from cases.services.summary import rebuild_summary

    rebuild_summary(
        case_model=apps.get_model("cases", "Case"), count_model=apps.get_model("cases", "CaseCount")
    )


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0033_dashboard_indexes'),
        ('members', '0010_correspondence_language'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='CaseCount',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(max_length=16)),
                ('state', models.CharField(max_length=32)),
                ('month', models.DateField(blank=True, null=True)),
                ('n', models.IntegerField(default=0)),
            ],
        ),
        migrations.AddIndex(
            model_name='ballot',
            index=models.Index(condition=models.Q(('closed_at__isnull', True)), fields=['closes_on'], name='ballot_open_closes_on'),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(condition=models.Q(('state__in', ['filed', 'under_review', 'board_vote', 'sanctioned', 'under_appeal', 'complainant_appeal', 'hearing'])), fields=['state', 'received_on', 'response_due_on', 'appeal_deadline', 'procedure', 'state_changed_at', 'case_officer'], name='case_open_figures'),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(condition=models.Q(('state__in', ['filed', 'under_review', 'board_vote', 'sanctioned', 'under_appeal', 'complainant_appeal', 'hearing'])), fields=['case_officer', 'state_changed_at'], name='case_open_officer'),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(fields=['state', 'received_on'], name='case_state_received'),
        ),
        migrations.AddConstraint(
            model_name='casecount',
            constraint=models.UniqueConstraint(condition=models.Q(('month__isnull', True)), fields=('kind', 'state'), name='case_count_unique_without_month'),
        ),
        migrations.AddConstraint(
            model_name='casecount',
            constraint=models.UniqueConstraint(condition=models.Q(('month__isnull', False)), fields=('kind', 'state', 'month'), name='case_count_unique_per_month'),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
