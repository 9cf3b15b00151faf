# 6 dic 2026; 6 dic 2026, 14:05 (see portal/formats/__init__.py).
DATE_FORMAT = SHORT_DATE_FORMAT = "j b Y"
DATETIME_FORMAT = SHORT_DATETIME_FORMAT = "j b Y, H:i"
TIME_FORMAT = "H:i"
MONTH_DAY_FORMAT = "j b"
YEAR_MONTH_FORMAT = "b Y"
