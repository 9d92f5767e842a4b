"""Signing in and resetting a forgotten password: Django's auth views with the portal's Indonesian forms and pages.

- The login error. Django's Indonesian catalogue translates "Please enter a correct %(username)s and password" as
  "Masukkan nama pengguna %(username)s dan sandi yang benar", and %(username)s is the username field's label, itself
  "nama pengguna": the page said "nama pengguna nama pengguna". The portal's login form carries its own message.
- Password reset by e-mail (Django's PasswordReset* views and token generator): the mail goes through the portal's
  one e-mail helper (templates/emails/password-reset-*), with the link built on PORTAL_BASE_URL like every other
  mail, never on the Host header of the request. The same "sent" page answers whether or not the address is known.
  A new password ends a login lockout of that username (django-axes) and is written to the audit trail.
- The profile page (`/profil/`, any signed-in person, always their own: there is no id in the address): first and
  last name, e-mail and NIP (`actionplan.services.profile_update`), the units and roles read-only, the link to
  change the password (Django's PasswordChangeView, audited) and the per-kind e-mail switches of the
  notifications app (`notifications:preferences` posts there and comes back here). Changing the e-mail asks for
  the current password, checked like a login (a wrong one counts towards the lockout): a session left open
  must not be able to redirect the password-reset mail to another mailbox. This module sits in the project,
  outside the apps, so it may use both actionplan and notifications without joining them in a circle.
"""
import logging

from crispy_forms.helper import FormHelper
from django import forms
from django.contrib import messages
from django.contrib.auth import authenticate
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.urls import path, reverse, reverse_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from actionplan.audit import audit_record, client_ip
from actionplan.models import Profile
from actionplan.services import profile_update
from notifications.selectors import email_preferences
from notifications.services import email_delivery_resume
from zi_portal.lib.email import absolute_url, send_email
from zi_portal.lib.forms import SubmitButton

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


# -- one's own profile and password ---------------------------------------------------------------------------------

class ProfileForm(forms.Form):
    first_name = forms.CharField(label=_("Nama depan"), max_length=150,
                                 widget=forms.TextInput(attrs={"autocomplete": "given-name"}))
    last_name = forms.CharField(label=_("Nama belakang"), max_length=150, required=False,
                                widget=forms.TextInput(attrs={"autocomplete": "family-name"}))
    email = forms.EmailField(label=_("Alamat e-mail"), max_length=254,
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}),
                             help_text=_("Ke alamat ini dikirim notifikasi dan tautan lupa kata sandi."))
    nip = forms.CharField(label=_("NIP"), max_length=30, required=False,
                          widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
                          help_text=_("18 angka; boleh ditulis dengan spasi seperti di surat "
                                      "(19660710 199203 1 007)."))
    current_password = forms.CharField(
        label=_("Kata sandi Anda saat ini"), max_length=4096, strip=False, required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("Hanya diperlukan bila alamat e-mail diubah."))

    def __init__(self, *args, request, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request
        self.helper = FormHelper()
        self.helper.form_id = "profile-form"
        self.helper.form_action = reverse("profile")
        self.helper.add_input(SubmitButton("submit", _("Simpan profil"), css_class="btn-success"))

    def clean(self):
        data = super().clean()
        user = self.request.user
        email = data.get("email")
        if email and email.strip().lower() != user.email.strip().lower():
            password = data.get("current_password") or ""
            again = None if not password or "\x00" in password else authenticate(
                self.request, username=user.get_username(), password=password)
            if again is None or again.pk != user.pk:
                self.add_error("current_password", gettext(
                    "Masukkan kata sandi Anda yang benar untuk mengubah alamat e-mail."))
        return data

    def add_service_errors(self, exc: ValidationError) -> None:
        """The service's errors on the fields they name; those about a field the form does not show on top."""
        for name, errors in exc.message_dict.items():
            self.add_error(name if name in self.fields else None, errors)


@login_required
def profile(request):
    user = request.user
    profile = Profile.objects.filter(user=user).first()
    nip = profile.nip_display if profile else ""     # grouped as on letters; saved back as the same digits
    form = ProfileForm(request.POST or None, request=request, initial={
        "first_name": user.first_name, "last_name": user.last_name, "email": user.email, "nip": nip})
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "current_password"}
        try:
            changed = profile_update(user=user, ip=client_ip(request), on_email_change=email_delivery_resume, **data)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, gettext("Profil disimpan.") if changed
                             else gettext("Tidak ada yang berubah."))
            return redirect("profile")
    return render(request, "registration/profile.html", {
        "form": form, "memberships": user.memberships.select_related("unit").order_by("unit__name"),
        "preferences": email_preferences(user)}, status=400 if form.errors else 200)


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "registration/password_change_form.html"
    success_url = reverse_lazy("password_change_done")
    title = _("Ganti kata sandi")

    def form_valid(self, form):
        with transaction.atomic():
            response = super().form_valid(form)
            audit_record(actor=self.request.user, action="account.password_change", obj=self.request.user,
                         ip=client_ip(self.request),
                         summary=f"Kata sandi {self.request.user.get_username()} diganti dari halaman profil")
        return response


@login_required
@require_GET
def password_change_done(request):
    return render(request, "registration/password_change_done.html")


urlpatterns = [
    path("masuk/", auth_views.LoginView.as_view(redirect_authenticated_user=True, authentication_form=LoginForm),
         name="login"),
    path("keluar/", auth_views.LogoutView.as_view(), name="logout"),
    path("lupa-sandi/", PasswordResetView.as_view(), name="password_reset"),
    path("lupa-sandi/terkirim/", password_reset_done, name="password_reset_done"),
    path("atur-sandi/<uidb64>/<token>/", PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path("atur-sandi/selesai/", password_reset_complete, name="password_reset_complete"),
    path("profil/", profile, name="profile"),
    path("profil/ganti-sandi/", PasswordChangeView.as_view(), name="password_change"),
    path("profil/ganti-sandi/selesai/", password_change_done, name="password_change_done"),
]
