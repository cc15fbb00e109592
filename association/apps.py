from django.apps import AppConfig


class AssociationConfig(AppConfig):
    name = "association"
    verbose_name = "Association"

    def ready(self):
        from association import translation

        # Every gettext in one dictionary lookup, with Django's answers (issue 15).
        translation.install()
