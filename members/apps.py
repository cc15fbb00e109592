from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = "Member register"

    def ready(self) -> None:
        from members import accounts, signals  # noqa: F401  (registers signal handlers)
