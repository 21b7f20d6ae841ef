"""Small filters for figures in templates."""

from django import template

from annotate.models import WEB_SCHEMES
from annotate.read.charts import percent as as_percent

register = template.Library()


@register.filter
def percent(value):
    """0.1234 → "12.3%" (the charts' format, so page and chart agree)."""
    return "—" if value is None else as_percent(value)


@register.filter
def lookup(mapping, key):
    return mapping.get(key)


@register.filter
def web_url(value):
    """``value`` if it is an http(s) address, else "": what an href may hold.
    Models refuse other schemes; this keeps a row written around them inert."""
    value = (value or "").strip()
    return value if value.split(":", 1)[0].lower() in WEB_SCHEMES else ""
