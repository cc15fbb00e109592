from django.conf import settings

from members.roles import roles_of


def navigation(request):
    """The signed-in user's roles, so the header and navigation show only what they may use,
    and the languages offered."""
    return {
        "roles": roles_of(request.user),
        "association_name": settings.PROBITY_ASSOCIATION_NAME,
        # Each language in its own name ("Français", not "French"), for the switcher.
        "language_choices": settings.LANGUAGES,
    }
