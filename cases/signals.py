"""Representatives' access follows their link to the organization: one added after
the notice of complaint gets what the other representatives received with it; one
removed (through the organization page, the admin or any other delete) loses it."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
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


@receiver(post_delete, sender=Representative, dispatch_uid="probity_representative_revoke")
def representative_removed(sender, instance: Representative, **kwargs):
    # Ids only: the user or the organization may be what is being deleted.
    user_id, organization_id = instance.user_id, instance.organization_id
    transaction.on_commit(lambda: _revoke_after_commit(user_id, organization_id))


def _revoke_after_commit(user_id: int, organization_id: int) -> None:
    from django.contrib.auth import get_user_model

    from cases.services import representative_access_revoke
    from members.models import Organization

    user = get_user_model().objects.filter(pk=user_id).first()
    organization = Organization.objects.filter(pk=organization_id).first()
    if user is None or organization is None:
        return  # deleted with their permission rows (a case keeps its organization)
    representative_access_revoke(user=user, organization=organization)
