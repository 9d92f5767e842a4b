from django.urls import path

from . import views

app_name = "public"
urlpatterns = [
    path("", views.units, name="units"),
    path("pengaturan/<int:unit_id>/", views.page_settings, name="settings"),
    path("<str:slug>/", views.unit, name="unit"),
    path("<str:slug>/data.<str:fmt>", views.unit_data, name="unit_data"),
    path("<str:slug>/laporan/<str:code>.pdf", views.report_pdf, name="report_pdf"),
]
