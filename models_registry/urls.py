from django.urls import path

from models_registry import views

app_name = "models_registry"

urlpatterns = [
    path("", views.model_list, name="list"),
    path("new/", views.model_create, name="create"),
    path("<public_id:model_id>/", views.model_detail, name="detail"),
    path("<public_id:model_id>/history/", views.model_history, name="history"),
    path("<public_id:model_id>/limits/", views.model_limits, name="limits"),
    path("<public_id:model_id>/edit/", views.model_edit, name="edit"),
    path("<public_id:model_id>/delete/", views.model_delete, name="delete"),
]
