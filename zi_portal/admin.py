"""The portal's admin site: Django's, with the selection of an admin action checked before Django uses it.

Django passes the posted `_selected_action` values straight into `filter(pk__in=…)`, so a value that is not an
id is a ValueError — an error page — on every changelist. Every model of the portal (and of auth and axes) has
an integer primary key, so anything else is refused here with a message, once for all model admins.
"""
import re
from functools import update_wrapper

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.apps import AdminConfig
from django.shortcuts import redirect
from django.utils.translation import gettext as _

_ID = re.compile(r"[0-9]{1,18}")


class PortalAdminSite(admin.AdminSite):
    def admin_view(self, view, cacheable=False):
        checked = super().admin_view(view, cacheable)

        def wrapper(request, *args, **kwargs):
            if request.method == "POST":
                selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
                if any(not _ID.fullmatch(value) for value in selected) and request.user.is_active \
                        and request.user.is_staff:
                    messages.error(request, _("Pilihan baris tidak sah; tidak ada tindakan yang dijalankan."))
                    return redirect(request.get_full_path())
            return checked(request, *args, **kwargs)

        return update_wrapper(wrapper, checked)


class PortalAdminConfig(AdminConfig):
    default_site = "zi_portal.admin.PortalAdminSite"
