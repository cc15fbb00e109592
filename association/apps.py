from django.apps import AppConfig


class AssociationConfig(AppConfig):
    name = "association"
    verbose_name = "Association"

    def ready(self):
        from association import translation
        from association.templatetags import fragments  # noqa: F401  (its setting_changed receiver)

        # Every gettext in one dictionary lookup, with Django's answers (issue 15).
        translation.install()
