from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from .models import (ActionStep, Assignment, AuditEvent, Component, Indicator, Membership, Plan, Profile,
                     SubComponent, Target, Unit)

User = get_user_model()


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["unit"]


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False


admin.site.unregister(User)


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    inlines = [ProfileInline, MembershipInline]


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "pemda", "city"]
    search_fields = ["name", "pemda"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "unit", "role"]
    list_filter = ["role", "unit"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "unit__name"]
    autocomplete_fields = ["user", "unit"]


class ComponentInline(admin.TabularInline):
    model = Component
    extra = 0
    fields = ["order", "code", "name", "weight"]


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["title", "unit", "year", "status"]
    list_filter = ["status", "year", "unit"]
    search_fields = ["title", "unit__name"]
    inlines = [ComponentInline]


class SubComponentInline(admin.TabularInline):
    model = SubComponent
    extra = 0


@admin.register(Component)
class ComponentAdmin(admin.ModelAdmin):
    list_display = ["__str__", "plan", "weight"]
    list_filter = ["plan"]
    inlines = [SubComponentInline]


class IndicatorInline(admin.StackedInline):
    model = Indicator
    extra = 0


@admin.register(SubComponent)
class SubComponentAdmin(admin.ModelAdmin):
    list_display = ["__str__", "component"]
    list_filter = ["component__plan", "component__code"]
    search_fields = ["name"]
    inlines = [IndicatorInline]


class ActionStepInline(admin.StackedInline):
    model = ActionStep
    extra = 0
    fields = ["order", "description", "evidence_required", "target_text", "responsible_text", "review_reason"]


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["__str__", "subcomponent"]
    list_filter = ["subcomponent__component__plan", "subcomponent__component__code"]
    search_fields = ["text"]
    inlines = [ActionStepInline]


class TargetInline(admin.TabularInline):
    model = Target
    extra = 0
    fields = ["due_date", "year", "semester", "warning"]


class AssignmentInline(admin.TabularInline):
    model = Assignment
    extra = 0
    autocomplete_fields = ["user"]
    readonly_fields = ["assigned_by", "assigned_at"]


@admin.register(ActionStep)
class ActionStepAdmin(admin.ModelAdmin):
    list_display = ["__str__", "target_text", "needs_review"]
    list_filter = ["indicator__subcomponent__component__plan", "indicator__subcomponent__component__code"]
    search_fields = ["description", "evidence_required", "target_text"]
    inlines = [TargetInline, AssignmentInline]

    @admin.display(boolean=True, description="Perlu ditinjau")
    def needs_review(self, obj):
        return obj.needs_review


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = ["__str__", "due_date", "semester", "year", "warning"]
    list_filter = ["semester", "year", "step__indicator__subcomponent__component__plan"]
    date_hierarchy = "due_date"
    list_select_related = ["step"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the trail is append-only, not even an admin edits it."""

    list_display = ["at", "actor", "unit", "action", "summary", "ip"]
    list_filter = ["action", "unit"]
    search_fields = ["summary", "actor__username"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
