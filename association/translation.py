"""gettext in one dictionary lookup (issue 15; docs/decisions/0036).

Django's translation object for a language walks a chain on every message it does not
translate: its catalogues one after the other, then one fallback per app that ships an
`en` catalogue next to its `en_GB` one (seven here, each holding only its header), and
for French the whole English object after that. In English nearly every message of
Probity misses (English is the source), so each `{% translate %}` paid ~7 failed
lookups and as many Python calls; ~130 of them a portal request.

`install()` (AssociationConfig.ready) wraps `trans_real.translation`, the one place
Django builds and caches those objects, so that each gets a `gettext` answering from
one dictionary: for every message any catalogue of its chain knows, what the object's
own `gettext` returned for it, computed once when the language is first used. The
answers are the same by construction; a message no catalogue knows is returned as it
is, as before. Plural forms (`ngettext`) keep Django's path: they are few.
"""

from __future__ import annotations

from django.utils.translation import trans_real


def _catalogues(translation):
    """Every catalogue dict of `translation` and of its fallbacks."""
    while translation is not None:
        catalog = getattr(translation, "_catalog", None)
        if isinstance(catalog, trans_real.TranslationCatalog):
            yield from catalog._catalogs
        elif isinstance(catalog, dict):
            yield catalog
        translation = getattr(translation, "_fallback", None)


def flatten(translation) -> None:
    """Give `translation` a gettext of one dictionary lookup, with the same answers."""
    if getattr(translation, "_probity_flat", False):
        return
    walk = translation.gettext  # the class's: the chain
    messages = set()
    for catalogue in _catalogues(translation):
        for key in catalogue:
            # (msgid, n): a plural entry, which gettext also answers for msgid.
            messages.add(key[0] if isinstance(key, tuple) else key)
    known = {}
    for message in messages:
        if isinstance(message, str) and message:
            answer = walk(message)
            if answer != message:
                known[message] = answer
    lookup = known.get

    def gettext(message):
        return lookup(message, message)

    translation.gettext = gettext
    translation._probity_flat = True


def install() -> None:
    """Flatten every translation object Django builds from now on (once each: Django
    caches them per language until a setting they read changes)."""
    if getattr(trans_real.translation, "_probity_flattening", False):
        return
    build = trans_real.translation

    def translation(language):
        found = build(language)
        flatten(found)
        return found

    translation._probity_flattening = True
    trans_real.translation = translation
