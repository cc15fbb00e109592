"""English dates in Probity's one style: "1 December 2026", "1 Dec 2026", and a time
with its zone, "1 December 2026, 14:30 GMT". Overrides Django's en/en_GB formats."""

DATE_FORMAT = "j F Y"
SHORT_DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j F Y, H:i T"
SHORT_DATETIME_FORMAT = "j M Y, H:i T"
TIME_FORMAT = "H:i T"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
