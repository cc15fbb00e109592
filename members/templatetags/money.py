"""Amounts with their currency (PROBITY_CURRENCY, an ISO 4217 code), in the reader's
language: "€2,500.00" in English, "2 500,00 €" in French (Django's number format for
the active language, always grouped; where the symbol goes is a translated pattern)."""

from decimal import Decimal

from django import template
from django.conf import settings
from django.utils import formats
from django.utils.translation import gettext as _

register = template.Library()

SYMBOLS = {"GBP": "£", "EUR": "€", "USD": "$", "CHF": "CHF ", "JPY": "¥"}


@register.filter
def money(amount) -> str:
    if amount is None or amount == "":
        return ""
    code = settings.PROBITY_CURRENCY.upper()
    value = formats.number_format(Decimal(amount), 2, use_l10n=True, force_grouping=True)
    symbol = SYMBOLS.get(code)
    if symbol:
        # Translators: an amount and its currency symbol, e.g. "€2,500.00"; in French,
        # "%(amount)s %(symbol)s" (with a no-break space) gives "2 500,00 €".
        return (_("%(symbol)s%(amount)s") % {"symbol": symbol, "amount": value}).strip()
    # Translators: an amount and its ISO currency code, e.g. "2,500.00 SEK".
    return _("%(amount)s %(code)s") % {"amount": value, "code": code}
