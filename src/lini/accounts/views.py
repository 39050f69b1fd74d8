"""Account pages: login (with its second step and lock-out), logout, password change, two-step
login, and user administration inside the scope."""

from __future__ import annotations

import time
from typing import Any

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import login as otp_login

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from lini.accounts import scope, selectors, services, totp
from lini.accounts.forms import CodeForm, PasswordResetForm, UserForm
from lini.accounts.models import User
from lini.accounts.roles import TWO_FACTOR_ROLES, Action, Role

# Session keys: a login waiting for its second step; a secret shown for enrolment.
PENDING_KEY = "lini_2fa_pending"
ENROL_KEY = "lini_2fa_enrol_key"
PENDING_SECONDS = 300  # the second step must follow the password within five minutes


@method_decorator(login_not_required, name="dispatch")
class LoginView(auth_views.LoginView):
    """The password step. A user with two-step login on is not logged in yet: the session keeps
    who passed the password, and the code page completes the login."""

    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        user = form.get_user()
        if selectors.two_factor_device(user) is None:
            return super().form_valid(form)
        self.request.session[PENDING_KEY] = {
            "user": user.pk,
            "backend": user.backend,  # type: ignore[attr-defined]
            "at": int(time.time()),
            "next": self.get_success_url(),
        }
        return redirect("accounts:login_code")


def locked_out(
    request: HttpRequest, response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """The login page after a login that found, or reached, the lock-out of its username (called
    by django-axes' middleware). It says for how long, the same whether the username exists."""
    username = str((credentials or {}).get("username") or request.POST.get("username", ""))
    until = selectors.login_locked_until(username)
    cool_off = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    minutes = selectors.minutes_until(until) if until else cool_off
    form = AuthenticationForm(request, initial={"username": username})
    context = {"form": form, "locked_minutes": minutes, "next": request.POST.get("next", "")}
    return render(request, "accounts/login.html", context, status=429)


def _pending_login(request: HttpRequest) -> tuple[User, dict[str, Any]] | None:
    pending = request.session.get(PENDING_KEY)
    if not isinstance(pending, dict) or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None
    user = User.objects.filter(pk=pending.get("user"), is_active=True).first()
    return (user, pending) if user is not None else None


@login_not_required
@require_http_methods(["GET", "POST"])
def login_code(request: HttpRequest) -> HttpResponse:
    """The second login step: the code of the user's authenticator app."""
    if request.user.is_authenticated:
        return redirect(settings.LOGIN_REDIRECT_URL)
    found = _pending_login(request)
    device = selectors.two_factor_device(found[0]) if found else None
    if found is None or device is None:
        request.session.pop(PENDING_KEY, None)
        messages.info(request, _("Log in with your username and password first."))
        return redirect("accounts:login")
    user, pending = found
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.two_factor_check(user=user, device=device, code=form.cleaned_data["code"])
        except ValidationError as error:
            _form_error(form, error)
        else:
            del request.session[PENDING_KEY]
            auth_login(request, user, backend=pending["backend"])
            otp_login(request, device)
            next_url = str(pending.get("next") or "")
            if not url_has_allowed_host_and_scheme(
                next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
            ):
                next_url = reverse(settings.LOGIN_REDIRECT_URL)
            return HttpResponseRedirect(next_url)
    return render(request, "accounts/login_code.html", {"form": form})


@require_http_methods(["GET", "POST"])
def two_factor(request: HttpRequest) -> HttpResponse:
    """Two-step login of the user's own account: its state, enrolment (a QR code and the secret
    as text, confirmed with a code) or turning it off."""
    user: User = request.user  # type: ignore[assignment]
    required = settings.LINI_REQUIRE_2FA and user.role in TWO_FACTOR_ROLES
    if selectors.two_factor_device(user) is not None:
        context = {"enabled": True, "required": required, "form": CodeForm()}
        return render(request, "accounts/two_factor.html", context)
    key = request.session.get(ENROL_KEY)
    if not totp.is_key(key):
        key = request.session[ENROL_KEY] = totp.new_key()
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.two_factor_enrol(user=user, key=key, code=form.cleaned_data["code"])
        except ValidationError as error:
            _form_error(form, error)
        else:
            request.session.pop(ENROL_KEY, None)
            otp_login(request, device)
            messages.success(request, _("Two-step login is on."))
            return redirect("accounts:two_factor")
    context = {
        "enabled": False,
        "required": required,
        "form": form,
        # Built here from Lini's own text (the otpauth address); no user markup reaches it.
        "qr": mark_safe(totp.qr_svg(totp.provisioning_uri(user, key))),  # noqa: S308
        "secret": totp.key_text(key),
    }
    return render(request, "accounts/two_factor.html", context)


@require_POST
def two_factor_disable(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    form = CodeForm(request.POST)
    if form.is_valid():
        try:
            services.two_factor_disable(user=user, code=form.cleaned_data["code"])
        except ValidationError as error:
            _form_error(form, error)
        else:
            request.session.pop(DEVICE_ID_SESSION_KEY, None)
            messages.success(request, _("Two-step login is off."))
            return redirect("accounts:two_factor")
    if selectors.two_factor_device(user) is None:
        return redirect("accounts:two_factor")
    required = settings.LINI_REQUIRE_2FA and user.role in TWO_FACTOR_ROLES
    context = {"enabled": True, "required": required, "form": form}
    return render(request, "accounts/two_factor.html", context, status=400)


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("web:home")

    def form_valid(self, form):  # type: ignore[no-untyped-def]
        response = super().form_valid(form)
        services.password_changed(user=form.user)
        messages.success(self.request, _("Your password has been changed."))
        return response


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


def _form_error(form: UserForm | CodeForm, error: ValidationError) -> None:
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
        {
            "form": form,
            "creating": False,
            "target": user,
            "password_form": PasswordResetForm(),
            "locked_until": selectors.login_locked_until(user.get_username()),
            "two_factor_on": selectors.two_factor_device(user) is not None,
        },
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


@require_POST
def user_unlock(request: HttpRequest, pk: int) -> HttpResponse:
    """An administrator ends the lock-out of an account (its failed logins are cleared)."""
    actor = _require_admin(request)
    user = get_object_or_404(scope.manageable_users(actor), pk=pk)
    if services.login_unlock(actor=actor, user=user):
        messages.success(request, _("%(name)s may log in again.") % {"name": user.username})
    else:
        messages.info(request, _("%(name)s was not locked.") % {"name": user.username})
    return redirect("accounts:user_edit", pk=user.pk)


@require_POST
def user_two_factor_reset(request: HttpRequest, pk: int) -> HttpResponse:
    """An administrator turns off an account's two-step login (a lost phone)."""
    actor = _require_admin(request)
    user = get_object_or_404(scope.manageable_users(actor), pk=pk)
    if services.two_factor_reset(actor=actor, user=user):
        messages.success(request, _("Two-step login of %(name)s is off.") % {"name": user.username})
    else:
        messages.info(
            request, _("Two-step login of %(name)s was not on.") % {"name": user.username}
        )
    return redirect("accounts:user_edit", pk=user.pk)
