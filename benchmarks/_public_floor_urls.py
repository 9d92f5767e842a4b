"""The portal's URLs plus a trivial anonymous view: the framework floor for the public pages."""
from django.http import HttpResponse
from django.urls import path

from zi_portal.urls import urlpatterns as portal

urlpatterns = [path("_public_floor/", lambda request: HttpResponse("ok")), *portal]
