"""API token pages, under /api/tokens/: a user's own tokens (create, revoke), and for an
administrator the tokens of an account they may manage (revoke). A new token's key is shown once,
on the page that answers its creation, and never again."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from lini.accounts import scope
from lini.accounts.models import User
from lini.api import selectors, services
from lini.api.forms import TokenForm
from lini.api.models import ApiToken
from lini.web.forms import errors_into


@never_cache
@require_http_methods(["GET", "POST"])
def token_list(request: HttpRequest) -> HttpResponse:
    """The user's own tokens and the form to create one; after creating, the key, once."""
    user: User = request.user  # type: ignore[assignment]
    form = TokenForm(request.POST or None)
    key = ""
    if request.method == "POST" and form.is_valid():
        try:
            _token, key = services.token_create(actor=user, name=form.cleaned_data["name"])
        except ValidationError as error:
            errors_into(form, error)
        else:
            form = TokenForm()
    return render(
        request,
        "api/token_list.html",
        {"tokens": selectors.tokens_of(user), "form": form, "key": key},
    )


def _managed_user(request: HttpRequest, pk: int) -> User:
    target = get_object_or_404(User, pk=pk)
    if not scope.can_manage_user(request.user, target):
        raise Http404
    return target


def user_tokens(request: HttpRequest, pk: int) -> HttpResponse:
    """An administrator's view of the tokens of an account they may manage."""
    target = _managed_user(request, pk)
    return render(
        request, "api/user_tokens.html", {"target": target, "tokens": selectors.tokens_of(target)}
    )


@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken.objects.select_related("user"), pk=pk)
    own = token.user_id == request.user.pk
    if not services.can_revoke(request.user, token):  # type: ignore[arg-type]
        raise Http404
    try:
        services.token_revoke(actor=request.user, token=token)  # type: ignore[arg-type]
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Token %(name)s revoked.") % {"name": token.name})
    if own:
        return redirect("api:token_list")
    return redirect("api:user_tokens", pk=token.user_id)
