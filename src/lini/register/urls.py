from django.urls import path

from lini.register import views

app_name = "register"

urlpatterns = [
    path("wilayah/<str:code>/", views.family_list, name="family_list"),
    path("wilayah/<str:code>/baru/", views.family_create, name="family_create"),
    path("<int:pk>/", views.family_detail, name="family_detail"),
    path("<int:pk>/ubah/", views.family_edit, name="family_edit"),
    path("<int:pk>/anggota/baru/", views.member_edit, name="member_create"),
    path("<int:pk>/anggota/<int:member_pk>/", views.member_edit, name="member_edit"),
    path("<int:pk>/pasangan/<int:couple_pk>/status/", views.couple_status, name="couple_status"),
]
