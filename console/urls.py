from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from console import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("models/", include("models_registry.urls")),
    path("", include("tokens.urls")),
    path("api/v1/", include("console.api_urls")),
    path("api/docs/", views.api_docs, name="api_docs"),
    path("account/license-keys/", views.license_keys, name="license_keys"),
    path("account/license-keys/new/", views.license_key_create, name="license_key_create"),
    path(
        "account/license-keys/<str:key_id>/revoke/",
        views.license_key_revoke,
        name="license_key_revoke",
    ),
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
]
