"""Icelandic dates and times: Django's date with time is American ("N j, Y, P",
"m/d/Y P"); Icelandic writes "7. desember 2026, 14:30"."""

DATETIME_FORMAT = "j. F Y, H:i"
SHORT_DATETIME_FORMAT = "j.n.Y, H:i"
