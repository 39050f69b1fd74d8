from django.contrib.auth import views as auth_views
from django.urls import path

from lini.accounts import views

app_name = "accounts"

urlpatterns = [
    path("masuk/", views.LoginView.as_view(), name="login"),
    path("masuk/kode/", views.login_code, name="login_code"),
    path("keluar/", auth_views.LogoutView.as_view(), name="logout"),
    path("sandi/", views.PasswordChangeView.as_view(), name="password_change"),
    path("dua-langkah/", views.two_factor, name="two_factor"),
    path("dua-langkah/matikan/", views.two_factor_disable, name="two_factor_disable"),
    path("pengguna/", views.user_list, name="user_list"),
    path("pengguna/baru/", views.user_create, name="user_create"),
    path("pengguna/<int:pk>/", views.user_edit, name="user_edit"),
    path("pengguna/<int:pk>/sandi/", views.user_password, name="user_password"),
    path("pengguna/<int:pk>/buka-kunci/", views.user_unlock, name="user_unlock"),
    path(
        "pengguna/<int:pk>/dua-langkah/matikan/",
        views.user_two_factor_reset,
        name="user_two_factor_reset",
    ),
]
