"""Sign-in (with its code step) and passwords, and the team pages under /accounts/."""

from django.contrib.auth import views as auth_views
from django.urls import path

from console.accounts import views
from console.security import views as security_views
from console.security.views import ChangePasswordView, SignInView

urlpatterns = [
    path("login/", SignInView.as_view(), name="login"),
    path("login/code/", security_views.sign_in_code, name="sign_in_code"),
    path("confirm/", security_views.confirm_identity, name="confirm_identity"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", ChangePasswordView.as_view(), name="password_change"),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("members/", views.members, name="members"),
    path("members/invite/", views.member_invite, name="member_invite"),
    path("members/<int:membership_id>/role/", views.member_role, name="member_role"),
    path("members/<int:membership_id>/remove/", views.member_remove, name="member_remove"),
    path(
        "invitations/<public_id:invitation_id>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path("leave/", views.provider_leave, name="provider_leave"),
    path("provider/", views.provider_settings, name="provider_settings"),
    path("provider/delete/", views.provider_delete, name="provider_delete"),
]

# Included at the site's root: the link an invitation email carries.
invitation_urlpatterns = [
    path("invitations/<str:token>/", views.invitation, name="invitation"),
]
