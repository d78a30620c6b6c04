"""English dates as the rest of the app writes them ("25 November 2026, 16:36").

Django's English defaults are American ("Nov. 25, 2026, 4:36 p.m."): pages and PDFs that
use DATE_FORMAT would otherwise disagree with the pages that spell dates out, and
"4:36 p.m." before a full stop reads "p.m..". Input formats stay Django's.
"""

DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
TIME_FORMAT = "H:i"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
