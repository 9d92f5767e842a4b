from django.urls import path

from . import views

app_name = "lke"

urlpatterns = [
    path("unit/<int:unit_id>/<int:year>/", views.assessment, name="assessment"),
    path("unit/<int:unit_id>/<int:year>/mulai/", views.start, name="start"),
    path("tpi/<int:year>/", views.units, name="units"),
    path("<int:assessment_id>/soal/<str:code>/", views.question, name="question"),
    path("<int:assessment_id>/soal/<str:code>/jawab/<str:column>/", views.answer_save, name="answer_save"),
    path("<int:assessment_id>/soal/<str:code>/tautkan/<str:column>/", views.evidence_link, name="evidence_link"),
    path("<int:assessment_id>/soal/<str:code>/unggah/<str:column>/", views.document_upload, name="document_upload"),
    path("<int:assessment_id>/tautan/<int:link_id>/lepas/", views.evidence_unlink, name="evidence_unlink"),
    path("<int:assessment_id>/dokumen/<int:document_id>/", views.document_download, name="document_download"),
    path("<int:assessment_id>/ajukan/", views.submit, name="submit"),
    path("<int:assessment_id>/buka-kembali/", views.reopen, name="reopen"),
    path("<int:assessment_id>/final-tpi/", views.tpi_finalise, name="tpi_finalise"),
    path("<int:assessment_id>/syarat/", views.eligibility, name="eligibility"),
    path("<int:assessment_id>/ekspor/", views.export, name="export"),
    path("<int:assessment_id>/impor/<str:column>/", views.import_sheet, name="import"),
    path("<int:assessment_id>/riwayat/", views.history, name="history"),
    path("<int:assessment_id>/poin/", views.points, name="points"),
    path("<int:assessment_id>/pemetaan/usulkan/", views.links_propose, name="links_propose"),
    path("<int:assessment_id>/soal/<str:code>/pemetaan/", views.links_set, name="links_set"),
    path("<int:assessment_id>/soal/<str:code>/jadikan-langkah/", views.make_step, name="make_step"),
]
