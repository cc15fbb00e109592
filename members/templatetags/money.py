"""Amounts with their currency (PROBITY_CURRENCY, an ISO 4217 code): "£1,250.00"."""

from decimal import Decimal

from django import template
from django.conf import settings

register = template.Library()

SYMBOLS = {"GBP": "£", "EUR": "€", "USD": "$", "CHF": "CHF ", "JPY": "¥"}


@register.filter
def money(amount) -> str:
    if amount is None or amount == "":
        return ""
    code = settings.PROBITY_CURRENCY.upper()
    value = f"{Decimal(amount):,.2f}"
    symbol = SYMBOLS.get(code)
    return f"{symbol}{value}" if symbol else f"{value} {code}"
