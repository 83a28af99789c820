from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "console.dashboard"
    verbose_name = "Dashboard"
