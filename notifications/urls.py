from django.urls import path

from . import views

app_name = "notifications"
urlpatterns = [
    path("", views.notification_list, name="list"),
    path("<int:notification_id>/dibaca/", views.notification_read, name="read"),
    path("semua-dibaca/", views.notifications_read_all, name="read_all"),
    path("preferensi/", views.preferences, name="preferences"),
]
