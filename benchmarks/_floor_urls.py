"""The portal's URLs plus a trivial login-protected view: the framework floor for benchmarks."""
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import path

from zi_portal.urls import urlpatterns as portal

urlpatterns = [path("_floor/", login_required(lambda request: HttpResponse("ok"))), *portal]
