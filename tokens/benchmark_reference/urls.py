"""The bare reference server's one URL: POST /introspect."""

from django.urls import path

from tokens.benchmark_reference import views

urlpatterns = [path("introspect", views.introspect)]
