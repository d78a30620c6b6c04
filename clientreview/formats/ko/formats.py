"""Korean dates: Django's short form is "2026-12-7" and its clock 12-hour; Korean writes
"2026. 12. 7." and the app's times are 24-hour everywhere."""

DATETIME_FORMAT = "Y년 n월 j일 H:i"
SHORT_DATE_FORMAT = "Y. n. j."
SHORT_DATETIME_FORMAT = "Y. n. j. H:i"
