from django.urls import path

from . import views

app_name = "monev"
urlpatterns = [
    # -- progress dashboard (lead) --
    path("rencana/<int:plan_id>/dashboard/", views.dashboard, name="dashboard"),
    path("rencana/<int:plan_id>/status.xlsx", views.status_export, name="status_export"),
    path("unit-saya/", views.units_summary, name="units_summary"),
    # -- semester Monev reports --
    path("rencana/<int:plan_id>/laporan/<int:semester>/", views.report_page, name="report_page"),
    path("rencana/<int:plan_id>/laporan/<int:semester>/mulai/", views.report_begin, name="report_begin"),
    path("rencana/<int:plan_id>/laporan/<int:semester>/simpan/", views.report_edit, name="report_edit"),
    path("rencana/<int:plan_id>/laporan/<int:semester>/ajukan/", views.report_submit, name="report_submit"),
    path("laporan/<int:report_id>/draf/", views.report_draft, name="report_draft"),
    path("laporan/<int:report_id>/status-pdf/", views.report_render_status, name="report_render_status"),
    path("laporan/<int:report_id>/kembalikan/", views.report_return, name="report_return"),
    path("laporan/<int:report_id>/tandatangani/", views.report_sign, name="report_sign"),
    path("laporan/<int:report_id>/pratinjau.pdf", views.report_preview, name="report_preview"),
    path("laporan/<int:report_id>/perbaikan/", views.report_correct, name="report_correct"),
    path("laporan/<int:report_id>/unduh/", views.report_download, name="report_download"),
    path("verifikasi/<str:code>/", views.verify, name="verify"),
]
