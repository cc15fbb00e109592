"""The language the test client speaks, and a page's words as that reader sees them.

`PROBITY_TEST_LANGUAGE=fr bin/test` runs the whole suite with the test client asking
for French (every request it sends carries `Accept-Language: fr`, as a French browser
would; tests/conftest.py's `client_language`). A test that reads the words of a page
(or of a message shown on it) therefore asks for them through the catalogue, in the
client's language:

    assert said("No ballot awaits your vote.") in text_of(response)
    assert said("Case %(number)s", number=case.number) in text
    assert said_n("%(n)s ballot awaits your vote.", "%(n)s ballots await your vote.", 1, n=1)
    assert shown_to_client(deadline) in text      # "3 March 2026" / "3 mars 2026"

What is stored or sent is not the client's language and stays as it is: the record
(built in English), letters and emails (the recipient's language), CSV keys.
"""

from __future__ import annotations

import datetime
import os

from django.conf import settings
from django.utils import formats, translation


def client_language() -> str:
    """The language the test client asks for: PROBITY_TEST_LANGUAGE's, or the default."""
    return os.environ.get("PROBITY_TEST_LANGUAGE", "") or settings.LANGUAGE_CODE


def in_client_language():
    """A context manager: gettext and formats inside it answer in the client's language."""
    return translation.override(client_language())


def said(message: str, /, **values) -> str:
    """`message` (a msgid, as the code marks it) as the client reads it, `values` put in."""
    with in_client_language():
        text = translation.gettext(message)
    return text % values if values else text


def said_n(singular: str, plural: str, count: int, /, **values) -> str:
    """ngettext's answer for `count`, in the client's language, `values` put in."""
    with in_client_language():
        text = translation.ngettext(singular, plural, count)
    return text % values if values else text


def said_p(context: str, message: str, /, **values) -> str:
    """pgettext's answer (a msgid with its context), in the client's language."""
    with in_client_language():
        text = translation.pgettext(context, message)
    return text % values if values else text


def colon() -> str:
    """The separator a page writes between a label and what follows ("{{ label }}: ..."):
    ":" in English, a no-break space and ":" in French."""
    return said_p("between a label and what follows", ":")


def shown_to_client(value: datetime.date | datetime.datetime, format_name: str = "j F Y") -> str:
    """A date as a page shows it to the client ("3 March 2026" / "3 mars 2026")."""
    with in_client_language():
        return formats.date_format(value, format_name)
