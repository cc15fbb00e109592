from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("Member register")

    def ready(self) -> None:
        from members import accounts, signals  # noqa: F401  (registers signal handlers)
