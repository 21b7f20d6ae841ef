"""What every table's clean() shares: URL checks and the validators."""

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator, URLValidator

colour_validator = RegexValidator(r"^#[0-9a-fA-F]{6}$", "Use a colour like #1f77b4.")
shortcut_validator = RegexValidator(r"^[A-Z0-9]$", "Use one capital letter or digit.")

WEB_SCHEMES = ("http", "https")
# The largest id either database can hold: a filter asking for more is a
# 400, not an overflow in the driver.
MAX_ID = 2**63 - 1


def web_url_errors(**urls: str) -> dict[str, str]:
    """The URLs (by field name) that are not http(s). URLField already
    refuses javascript: and the like, but also takes ftp://; every link we
    show must open a web page, so a model's clean() refuses the rest.
    (A clean() rather than field validators: no migration for a rule that
    the database does not hold.)"""
    return {
        field: "Use a web address that starts with http:// or https://."
        for field, url in urls.items()
        if url and url.split(":", 1)[0].lower() not in WEB_SCHEMES and _is_url(url)
    }


def _is_url(value: str) -> bool:
    """Whether the field's own URL validator accepts ``value``; when it does
    not, full_clean already says so, and one message is enough."""
    try:
        URLValidator()(value)
    except ValidationError:
        return False
    return True
