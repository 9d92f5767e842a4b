from django.urls import path

from . import views

app_name = "actionplan"
urlpatterns = [
    path("rencana/<int:plan_id>/", views.plan_detail, name="plan_detail"),
    path("langkah/<int:step_id>/penanggung-jawab/", views.step_assign, name="step_assign"),
    path("unit/<int:unit_id>/anggota-tim/", views.team, name="team"),
    path("unit/<int:unit_id>/anggota-tim/tambah/", views.team_add, name="team_add"),
    path("unit/<int:unit_id>/anggota-tim/undang/", views.team_invite, name="team_invite"),
    path("keanggotaan/<int:membership_id>/peran/", views.team_role, name="team_role"),
    path("keanggotaan/<int:membership_id>/keluarkan/", views.team_remove, name="team_remove"),
    path("target/<int:target_id>/tanggal/", views.target_date, name="target_date"),
]
