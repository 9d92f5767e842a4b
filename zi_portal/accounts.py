"""Signing in and resetting a forgotten password: Django's auth views with the portal's Indonesian forms and pages.

- The login error. Django's Indonesian catalogue translates "Please enter a correct %(username)s and password" as
  "Masukkan nama pengguna %(username)s dan sandi yang benar", and %(username)s is the username field's label, itself
  "nama pengguna": the page said "nama pengguna nama pengguna". The portal's login form carries its own message.
- Password reset by e-mail (Django's PasswordReset* views and token generator): the mail goes through the portal's
  one e-mail helper (templates/emails/password-reset-*), with the link built on PORTAL_BASE_URL like every other
  mail, never on the Host header of the request. The same "sent" page answers whether or not the address is known.
  A new password ends a login lockout of that username (django-axes) and is written to the audit trail.
"""
import logging

from django.contrib.auth import forms as auth_forms
from django.contrib.auth import views as auth_views
from django.db import transaction
from django.shortcuts import render
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from zi_portal.lib.audit import audit_record, client_ip
from zi_portal.lib.email import absolute_url, send_email

logger = logging.getLogger(__name__)


class LoginForm(auth_forms.AuthenticationForm):
    error_messages = {
        **auth_forms.AuthenticationForm.error_messages,
        "invalid_login": _("Masukkan nama pengguna dan sandi yang benar. Huruf besar dan kecil dibedakan."),
        "inactive": _("Akun ini tidak aktif. Hubungi administrator Portal ZI."),
    }


class PasswordResetForm(auth_forms.PasswordResetForm):
    email = auth_forms.forms.EmailField(label=_("Alamat e-mail"), max_length=254,
                                        widget=auth_forms.forms.EmailInput(attrs={"autocomplete": "email"}))

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email,
                  html_email_template_name=None):
        user = context["user"]
        link = absolute_url(reverse("password_reset_confirm",
                                    kwargs={"uidb64": context["uid"], "token": context["token"]}))
        try:
            send_email("password-reset", to=[to_email], context={
                "user": user, "recipient_name": user.get_full_name() or user.get_username(),
                "username": user.get_username(), "reset_url": link})
        except Exception:  # noqa: BLE001 - as Django's own form: the page must not reveal whether mail works
            logger.exception("password reset mail to user %s not sent", user.pk)


class SetPasswordForm(auth_forms.SetPasswordForm):
    pass


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PasswordResetForm
    template_name = "registration/password_reset_form.html"
    title = _("Lupa kata sandi")


@require_GET
def password_reset_done(request):
    return render(request, "registration/password_reset_done.html")


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = SetPasswordForm
    title = _("Kata sandi baru")

    def dispatch(self, *args, **kwargs):
        response = super().dispatch(*args, **kwargs)
        # An expired, used or mangled link: the page says so (and offers a new one) with a client-error status.
        if isinstance(response, TemplateResponse) and not self.validlink:
            response.status_code = 400
        return response

    def form_valid(self, form):
        from axes.utils import reset as axes_reset

        with transaction.atomic():
            response = super().form_valid(form)
            audit_record(actor=self.user, action="account.password_reset", obj=self.user, ip=client_ip(self.request),
                         summary=f"Kata sandi {self.user.get_username()} diganti lewat tautan e-mail")
        axes_reset(username=self.user.get_username())
        return response


@require_GET
def password_reset_complete(request):
    return render(request, "registration/password_reset_complete.html")


urlpatterns = [
    path("masuk/", auth_views.LoginView.as_view(redirect_authenticated_user=True, authentication_form=LoginForm),
         name="login"),
    path("keluar/", auth_views.LogoutView.as_view(), name="logout"),
    path("lupa-sandi/", PasswordResetView.as_view(), name="password_reset"),
    path("lupa-sandi/terkirim/", password_reset_done, name="password_reset_done"),
    path("atur-sandi/<uidb64>/<token>/", PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path("atur-sandi/selesai/", password_reset_complete, name="password_reset_complete"),
]
