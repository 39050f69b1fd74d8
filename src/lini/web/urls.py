from django.urls import path

from lini.web import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("privasi/", views.privacy, name="privacy"),
]
