"""Pages of the monthly field-control inputs (/laporan-bulanan/)."""

from django.urls import path, register_converter

from lini.monthly import views


class MonthConverter:
    """A month in a URL: ``2019-11``."""

    regex = r"[0-9]{4}-[0-9]{2}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: object) -> str:
        return value.strftime("%Y-%m") if hasattr(value, "strftime") else str(value)


register_converter(MonthConverter, "monthly_month")

app_name = "monthly"

urlpatterns = [
    path("", views.input_list, name="input_list"),
    path("desa/<str:code>/<monthly_month:month>/baru/", views.input_create, name="input_create"),
    path("<int:pk>/", views.input_detail, name="input_detail"),
    path("<int:pk>/ubah/", views.input_edit, name="input_edit"),
    path("<int:pk>/kirim/", views.input_submit, name="input_submit"),
    path("<int:pk>/setujui/", views.input_approve, name="input_approve"),
    path("<int:pk>/kembalikan/", views.input_send_back, name="input_send_back"),
    path("<int:pk>/buka-kembali/", views.input_reopen, name="input_reopen"),
]
