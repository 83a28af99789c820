from django.urls import path

from tokens import views

app_name = "tokens"

urlpatterns = [
    path("tokens/", views.token_list, name="list"),
    path("tokens/new/", views.token_add, name="add"),
    path("tokens/<public_id:token_id>/", views.token_detail, name="detail"),
    path("tokens/<public_id:token_id>/edit/", views.token_edit, name="edit"),
    path("tokens/<public_id:token_id>/renew/", views.renew, name="renew"),
    path("tokens/<public_id:token_id>/suspend/", views.suspend, name="suspend"),
    path("tokens/<public_id:token_id>/activate/", views.activate, name="activate"),
    path("tokens/<public_id:token_id>/cancel/", views.cancel, name="cancel"),
    path("models/<public_id:model_id>/tokens/", views.model_tokens, name="model_tokens"),
    path(
        "models/<public_id:model_id>/tokens/new/", views.create_for_model, name="create_for_model"
    ),
    path(
        "models/<public_id:model_id>/tokens/unassigned/",
        views.unassigned_search,
        name="unassigned_search",
    ),
    path("models/<public_id:model_id>/tokens/assign/", views.assign_to_model, name="assign"),
    path("tokens/<public_id:token_id>/unassign/", views.unassign, name="unassign"),
    path("tokens/<public_id:token_id>/delete/", views.delete, name="delete"),
]
