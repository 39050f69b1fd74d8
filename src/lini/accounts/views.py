"""Account pages: login, logout, password change, and user administration inside the scope."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from lini.accounts import scope, services
from lini.accounts.forms import PasswordResetForm, UserForm
from lini.accounts.models import User
from lini.accounts.roles import Action, Role


@method_decorator(login_not_required, name="dispatch")
class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("web:home")

    def form_valid(self, form):  # type: ignore[no-untyped-def]
        messages.success(self.request, _("Your password has been changed."))
        return super().form_valid(form)


def _require_admin(request: HttpRequest) -> User:
    if not scope.role_allows(request.user, Action.MANAGE_USERS):
        raise PermissionDenied
    return request.user  # type: ignore[return-value]


def user_list(request: HttpRequest) -> HttpResponse:
    actor = _require_admin(request)
    users = scope.manageable_users(actor).prefetch_related("assignments__region")
    query = request.GET.get("q", "").strip()
    if query:
        users = users.filter(
            Q(username__icontains=query)
            | Q(first_name__icontains=query)
            | Q(last_name__icontains=query)
        )
    role = request.GET.get("role", "")
    if role in Role.values:
        users = users.filter(role=role)
    page = Paginator(users.order_by("username"), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/user_list.html",
        {"page": page, "query": query, "role": role, "roles": Role.choices},
    )


def _form_error(form: UserForm, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


@require_http_methods(["GET", "POST"])
def user_create(request: HttpRequest) -> HttpResponse:
    actor = _require_admin(request)
    form = UserForm(request.POST or None, roles=scope.grantable_roles(actor), creating=True)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if User.objects.filter(username=data["username"]).exists():
            form.add_error("username", _("This username is taken."))
        else:
            try:
                user = services.user_create(
                    actor=actor,
                    username=data["username"],
                    role=data["role"],
                    regions=data["regions"],
                    password=data["password"],
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                    email=data["email"],
                    is_active=data["is_active"],
                )
            except PermissionDenied:
                form.add_error(
                    None, _("You may not create an account with this role or these regions.")
                )
            except ValidationError as error:
                _form_error(form, error)
            else:
                messages.success(request, _("Account %(name)s created.") % {"name": user.username})
                return redirect("accounts:user_list")
    return render(request, "accounts/user_form.html", {"form": form, "creating": True})


@require_http_methods(["GET", "POST"])
def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _require_admin(request)
    user = get_object_or_404(scope.manageable_users(actor), pk=pk)
    initial = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "role": user.role,
        "is_active": user.is_active,
        "regions": ", ".join(user.assignments.values_list("region__code", flat=True)),
    }
    form = UserForm(
        request.POST or None, initial=initial, roles=scope.grantable_roles(actor), creating=False
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.user_update(
                actor=actor,
                user=user,
                role=data["role"],
                regions=data["regions"],
                is_active=data["is_active"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
            )
        except PermissionDenied:
            form.add_error(None, _("You may not give this account this role or these regions."))
        except ValidationError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Account %(name)s saved.") % {"name": user.username})
            return redirect("accounts:user_list")
    return render(
        request,
        "accounts/user_form.html",
        {"form": form, "creating": False, "target": user, "password_form": PasswordResetForm()},
    )


@require_POST
def user_password(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _require_admin(request)
    user = get_object_or_404(scope.manageable_users(actor), pk=pk)
    form = PasswordResetForm(request.POST)
    if form.is_valid():
        try:
            services.user_set_password(
                actor=actor, user=user, password=form.cleaned_data["password"]
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("New password set for %(name)s.") % {"name": user.username})
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    return redirect("accounts:user_edit", pk=user.pk)
