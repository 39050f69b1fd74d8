from __future__ import annotations

from django import template
from django.template.context import RequestContext

register = template.Library()


@register.simple_tag(takes_context=True)
def query_with(context: RequestContext, **changes: object) -> str:
    """The current query string with some parameters replaced (keeps filters across pages)."""
    query = context["request"].GET.copy()
    for key, value in changes.items():
        query[key] = value
    return query.urlencode()
