from django.urls import path

from tokens import views

app_name = "tokens"

urlpatterns = [
    path("tokens/", views.token_list, name="list"),
    path("tokens/new/", views.token_add, name="add"),
    path("tokens/<str:token_id>/edit/", views.token_edit, name="edit"),
    path("tokens/<str:token_id>/renew/", views.renew, name="renew"),
    path("tokens/<str:token_id>/suspend/", views.suspend, name="suspend"),
    path("tokens/<str:token_id>/activate/", views.activate, name="activate"),
    path("tokens/<str:token_id>/cancel/", views.cancel, name="cancel"),
    path("models/<str:model_id>/tokens/", views.model_tokens, name="model_tokens"),
    path("models/<str:model_id>/tokens/new/", views.create_for_model, name="create_for_model"),
    path(
        "models/<str:model_id>/tokens/unassigned/",
        views.unassigned_search,
        name="unassigned_search",
    ),
    path("models/<str:model_id>/tokens/assign/", views.assign_to_model, name="assign"),
    path("tokens/<str:token_id>/unassign/", views.unassign, name="unassign"),
    path("tokens/<str:token_id>/delete/", views.delete, name="delete"),
]
