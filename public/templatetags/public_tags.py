"""The public data keeps dates as ISO text (the same dict feeds the JSON); pages show them the Indonesian way."""
import datetime

from django import template
from django.utils.formats import date_format

register = template.Library()


@register.filter
def iso_date(value):
    """'2019-02-11' → '11 Februari 2019' (in the active language); anything else unchanged."""
    try:
        return date_format(datetime.date.fromisoformat(str(value)[:10]), "j F Y")
    except ValueError:
        return value
