from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "assessments"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from assessments import portfolio_cache

        # The portfolio caches its charts and pages; model saves tell it to recompute.
        portfolio_cache.connect_signals()
