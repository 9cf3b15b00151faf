"""Date formats, one per language, the same on every page and in every e-mail
(settings.FORMAT_MODULE_PATH): the day, a month in letters and the year, so that no
reader takes 12/06 for the twelfth of June, and times on the 24-hour clock. Django's
own locale formats supply everything else (input formats, numbers). The API, CSV and
feeds keep ISO 8601. docs/architecture.md, "Languages and dates"."""
