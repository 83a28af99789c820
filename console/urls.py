from django.contrib import admin
from django.urls import include, path

from console import views
from console.accounts.current import switch as switch_provider_view
from console.accounts.urls import invitation_urlpatterns
from console.api import views as api_pages
from console.audit import views as audit_pages
from console.dashboard.views import dashboard
from console.security import views as security_pages

urlpatterns = [
    path("", dashboard, name="dashboard"),
    path("accounts/", include("console.accounts.urls")),
    path(
        "providers/<public_id:provider_id>/switch/",
        switch_provider_view,
        name="switch_provider",
    ),
    path("", include(invitation_urlpatterns)),
    path("models/", include("models_registry.urls")),
    path("", include("tokens.urls")),
    path("api/v1/", include("console.api.urls")),
    path("docs/api/", api_pages.api_docs, name="api_docs"),
    path("activity/", audit_pages.activity, name="activity"),
    path("activity/export.csv", audit_pages.activity_export, name="activity_export"),
    path("account/license-keys/", api_pages.license_keys, name="license_keys"),
    path("account/license-keys/new/", api_pages.license_key_create, name="license_key_create"),
    path(
        "account/license-keys/<public_id:key_id>/revoke/",
        api_pages.license_key_revoke,
        name="license_key_revoke",
    ),
    path("account/security/", security_pages.security, name="security"),
    path("account/security/two-factor/", security_pages.two_factor_setup, name="two_factor_setup"),
    path(
        "account/security/two-factor/off/",
        security_pages.two_factor_disable,
        name="two_factor_disable",
    ),
    path(
        "account/security/recovery-codes/",
        security_pages.recovery_codes_regenerate,
        name="recovery_codes_regenerate",
    ),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    # Staff sign in where everyone does: one page, throttled, with two-factor sign-in.
    path("admin/login/", views.admin_login, name="admin_login"),
    path("admin/", admin.site.urls),
]

handler400 = "console.views.bad_request"
handler404 = "console.views.page_not_found"
handler500 = "console.views.server_error"
