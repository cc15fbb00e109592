"""A representative added or removed anywhere but the organization page (the admin,
a data change, their account deleted) still leaves a row in the organization's record."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from members.models import Organization, Representative
from members.services import representative_addition_record, representative_removal_record


@receiver(post_delete, sender=Representative, dispatch_uid="probity_representative_history")
def representative_deleted(sender, instance: Representative, origin=None, **kwargs):
    if getattr(instance, "_change_recorded", False):
        return  # members.services.representative_remove wrote the row, with its reason
    if isinstance(origin, Organization) or getattr(origin, "model", None) is Organization:
        return  # the organization and its record go together
    representative_removal_record(
        representative=instance, by=getattr(instance, "_removed_by", None), origin=origin
    )


@receiver(post_save, sender=Representative, dispatch_uid="probity_representative_added_history")
def representative_created(sender, instance: Representative, created: bool, raw=False, **kwargs):
    if created and not raw and not getattr(instance, "_change_recorded", False):
        representative_addition_record(
            representative=instance, by=getattr(instance, "_added_by", None)
        )
