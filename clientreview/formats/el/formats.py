"""Greek dates: Django's own are numeric ("07/12/2026") with a 12-hour clock; a Greek
writes the month's name in the genitive, "7 Δεκεμβρίου 2026" ("E" is that form)."""

DATE_FORMAT = "j E Y"
DATETIME_FORMAT = "j E Y, H:i"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
