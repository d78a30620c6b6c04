"""Queue again the offboarding plans nobody is building (schedule it from cron, or run
Celery beat, which does the same every minute)."""

from django.core.management.base import BaseCommand

from assessments.services.plans import requeue_stale_plans


class Command(BaseCommand):
    help = "Queue again offboarding plans left pending (broker was down) or stuck processing."

    def handle(self, *args, **options):
        count = requeue_stale_plans()
        self.stdout.write(f"Queued {count} plan(s) again.")
