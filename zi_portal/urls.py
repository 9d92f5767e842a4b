from django.contrib import admin
from django.urls import include, path

from actionplan import views as actionplan_views

from . import views

admin.site.site_header = "Administrasi Portal ZI"
admin.site.site_title = "Portal ZI"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", actionplan_views.healthz, name="healthz"),
    path("", include("zi_portal.accounts")),    # login, logout, password reset
    path("", include("actionplan.urls")),
    path("bukti/", include("evidence.urls")),
    path("monev/", include("monev.urls")),
    path("notifikasi/", include("notifications.urls")),
    path("lke/", include("lke.urls")),
    path("program/", include("programme.urls")),
    path("publik/", include("public.urls")),
    path("admin/", admin.site.urls),
]

# Error pages in Indonesian with the reason and a way back (zi_portal/errors.py); used whenever DEBUG is off.
handler400 = "zi_portal.errors.bad_request"
handler403 = "zi_portal.errors.permission_denied"
handler404 = "zi_portal.errors.page_not_found"
handler500 = "zi_portal.errors.server_error"
