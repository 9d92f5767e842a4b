from django.urls import path

from . import views

app_name = "evidence"
urlpatterns = [
    path("tugas-saya/", views.my_tasks, name="my_tasks"),
    path("review/", views.review_queue, name="review_queue"),
    path("target/<int:target_id>/", views.target_detail, name="target"),
    path("target/<int:target_id>/unggah/", views.upload, name="upload"),
    path("target/<int:target_id>/komentar/", views.comment, name="comment"),
    path("revisi/<int:revision_id>/review/", views.review, name="review"),
    path("revisi/<int:revision_id>/tarik/", views.withdraw, name="withdraw"),
    path("berkas/<int:file_id>/", views.download, name="download"),
    path("rencana/<int:plan_id>/berkas-tpi/", views.bundle_list, name="bundle_list"),
    path("rencana/<int:plan_id>/berkas-tpi/buat/", views.bundle_create, name="bundle_create"),
    path("rencana/<int:plan_id>/berkas-tpi/status/", views.bundle_status, name="bundle_status"),
    path("berkas-tpi/<int:bundle_id>/unduh/", views.bundle_download, name="bundle_download"),
]
