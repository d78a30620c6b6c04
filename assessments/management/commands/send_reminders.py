"""E-mail owners the dates that fell due (schedule it daily from cron, or run Celery beat,
which does the same every morning). Running it twice sends nothing new."""

from django.core.management.base import BaseCommand

from assessments.services.reminders import send_reminders


class Command(BaseCommand):
    help = "Record the reminders that fell due and e-mail each owner the new ones, once."

    def handle(self, *args, **options):
        count = send_reminders()
        self.stdout.write(f"Sent {count} reminder e-mail(s).")
