from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "Ethics cases"

    def ready(self) -> None:
        from cases import checks, signals  # noqa: F401  (registers checks and signal handlers)
        from cases.services import awaiting  # noqa: F401  (keeps the awaiting-findings flag)
