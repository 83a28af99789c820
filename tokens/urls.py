from django.urls import path

from tokens import views

app_name = "tokens"

urlpatterns = [
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
