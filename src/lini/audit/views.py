"""The audit trail page: administrators browse and filter the entries of their scope."""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from lini.accounts import scope
from lini.accounts.roles import Action
from lini.audit.models import AuditAction
from lini.audit.selectors import entries_filter, entries_visible_to


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label=_("user name"), required=False, max_length=150)
    action = forms.ChoiceField(
        label=_("action"), required=False, choices=[("", "—"), *AuditAction.choices]
    )
    model = forms.CharField(label=_("kind of data"), required=False, max_length=60)
    region = forms.CharField(label=_("region code"), required=False, max_length=40)
    since = forms.DateField(
        label=_("from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


def entry_list(request: HttpRequest) -> HttpResponse:
    if not scope.role_allows(request.user, Action.MANAGE_USERS):
        raise PermissionDenied
    form = AuditFilterForm(request.GET or None)
    entries = entries_visible_to(request.user).select_related("actor")
    if form.is_valid():
        entries = entries_filter(entries, **form.cleaned_data)
    page = Paginator(entries.order_by("-pk"), 50).get_page(request.GET.get("page"))
    return render(request, "audit/entry_list.html", {"form": form, "page": page})
