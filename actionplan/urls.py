from django.urls import path

from . import views

app_name = "actionplan"
urlpatterns = [
    path("rencana/<int:plan_id>/", views.plan_detail, name="plan_detail"),
    path("langkah/<int:step_id>/penanggung-jawab/", views.step_assign, name="step_assign"),
    path("target/<int:target_id>/tanggal/", views.target_date, name="target_date"),
]
