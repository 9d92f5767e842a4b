from django.urls import path

from . import views

app_name = "actionplan"
urlpatterns = [
    path("rencana/<int:plan_id>/", views.plan_detail, name="plan_detail"),
]
