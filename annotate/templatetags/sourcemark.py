"""Small filters for figures in templates."""

from django import template

from annotate.charts import percent as as_percent

register = template.Library()


@register.filter
def percent(value):
    """0.1234 → "12.3%" (the charts' format, so page and chart agree)."""
    return "—" if value is None else as_percent(value)


@register.filter
def lookup(mapping, key):
    return mapping.get(key)
