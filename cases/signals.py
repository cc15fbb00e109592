"""A representative added to an organization gets the access to its cases that the
other representatives received with the notice of complaint."""

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from members.models import Representative


@receiver(post_save, sender=Representative, dispatch_uid="probity_representative_access")
def representative_added(
    sender, instance: Representative, created: bool, raw: bool = False, **kwargs
):
    if created and not raw:
        from cases.services import representative_access_sync

        transaction.on_commit(
            lambda: representative_access_sync(
                user=instance.user, organization=instance.organization
            )
        )
