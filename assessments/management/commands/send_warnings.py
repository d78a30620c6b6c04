"""Run the early warning (schedule it daily from cron, or run Celery beat, which does the
same every morning): the rules over every active client, and each owner's digest as they
chose. Running it twice sends nothing new."""

from django.core.management.base import BaseCommand

from assessments.services.warnings import send_warnings


class Command(BaseCommand):
    help = "Record the clients the rules newly point to Watch or Fire and e-mail the digests."

    def handle(self, *args, **options):
        count = send_warnings()
        self.stdout.write(f"Sent {count} early-warning e-mail(s).")
