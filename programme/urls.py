from django.urls import path

from . import views

app_name = "programme"
urlpatterns = [
    path("unit/<int:unit_id>/tim/", views.teams, name="teams"),
    path("unit/<int:unit_id>/tim/sk-baru/", views.team_create, name="team_create"),
    path("sk/<int:team_id>/berkas/", views.team_file, name="team_file"),
    path("rencana/<int:plan_id>/prioritas/", views.priorities, name="priorities"),
    path("rencana/<int:plan_id>/prioritas/simpan/", views.priorities_set, name="priorities_set"),
    path("prioritas/<int:priority_id>/langkah/", views.priority_links, name="priority_links"),
    path("unit/<int:unit_id>/pakta/", views.register, name="register"),
    path("unit/<int:unit_id>/pegawai/impor/", views.staff_import, name="staff_import"),
    path("unit/<int:unit_id>/pakta/massal/", views.pakta_bulk, name="pakta_bulk"),
    path("pegawai/<int:staff_id>/pakta/", views.pakta_record, name="pakta_record"),
    path("pegawai/<int:staff_id>/lhkpn/", views.asset_report, name="asset_report"),
    path("pakta/<int:pakta_id>/pindaian/", views.pakta_file, name="pakta_file"),
]
