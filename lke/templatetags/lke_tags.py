from django import template

register = template.Library()


@register.filter
def lke_get(mapping, key):
    """mapping[key] or an empty list (the plan page's questions per indicator)."""
    try:
        return mapping.get(key, [])
    except AttributeError:
        return []
