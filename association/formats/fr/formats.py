"""French dates in Probity's one style: "1 décembre 2026", "1 déc. 2026", and a time
with its zone, "1 décembre 2026 à 14:30 CET"."""

DATE_FORMAT = "j F Y"
SHORT_DATE_FORMAT = "j N Y"
DATETIME_FORMAT = r"j F Y \à H:i T"
SHORT_DATETIME_FORMAT = r"j N Y, H:i T"
TIME_FORMAT = "H:i T"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
