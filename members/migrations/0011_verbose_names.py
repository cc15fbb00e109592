# Labels only: every model and field of members gets its translated name
# (docs/decisions/0028). No table changes; one operation, so the migration state is
# rendered once (association.migration_operations).

from django.db import migrations

from association.migration_operations import Relabel


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0037_verbose_names"),
        ("members", "0010_correspondence_language"),
        ("auth", "__first__"),
    ]

    operations = [
        Relabel(
            labels={
                "duesinvoice": {
                    "fields": {
                        "amount": "amount",
                        "due_on": "due on",
                        "issued_on": "issued on",
                        "organization": "organization",
                        "paid_on": "paid on",
                        "year": "year",
                    }
                },
                "formthrottlehit": {
                    "fields": {"at": "at", "key": "key"},
                    "options": {
                        "verbose_name": "form throttle hit",
                        "verbose_name_plural": "form throttle hits",
                    },
                },
                "membershipclass": {
                    "fields": {"description": "description", "name": "name", "slug": "slug"}
                },
                "organization": {
                    "fields": {
                        "in_default_since": "in default since",
                        "joined_on": "joined on",
                        "membership_class": "membership class",
                        "name": "name",
                        "readmission_bar_until": "readmission bar until",
                        "slug": "slug",
                        "status": "status",
                        "status_since": "status since",
                        "suspended_until": "suspended until",
                        "website": "website",
                    }
                },
                "preference": {"fields": {"user": "user"}},
                "representative": {
                    "fields": {
                        "is_primary": "is primary",
                        "job_title": "job title",
                        "organization": "organization",
                        "phone": "phone",
                        "user": "user",
                    }
                },
                "representativechange": {
                    "fields": {
                        "action": "action",
                        "at": "at",
                        "by": "by",
                        "name": "name",
                        "organization": "organization",
                        "reason": "reason",
                        "user": "user",
                    }
                },
                "secondfactorreset": {
                    "fields": {
                        "at": "at",
                        "by": "by",
                        "devices_removed": "devices removed",
                        "reason": "reason",
                        "user": "user",
                    }
                },
                "statuschange": {
                    "fields": {
                        "case": "case",
                        "changed_at": "changed at",
                        "changed_by": "changed by",
                        "from_status": "from status",
                        "organization": "organization",
                        "reason": "reason",
                        "to_status": "to status",
                    }
                },
                "usersession": {
                    "fields": {
                        "ip_address": "ip address",
                        "session_key": "session key",
                        "signed_in_at": "signed in at",
                        "user": "user",
                        "user_agent": "user agent",
                    }
                },
            }
        ),
    ]
