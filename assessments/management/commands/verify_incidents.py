from django.core.management.base import BaseCommand, CommandError

from accounts.models import Business
from assessments.services.incidents import verify_chain


class Command(BaseCommand):
    help = "Check every business's incident hash chain; name each record altered outside the app."

    def add_arguments(self, parser):
        parser.add_argument("--business", type=int, help="Check only this business id.")

    def handle(self, *args, **options):
        businesses = Business.objects.order_by("pk")
        if options["business"]:
            businesses = businesses.filter(pk=options["business"])
        problems = []
        checked = 0
        for business in businesses.iterator():
            checked += 1
            problems.extend(verify_chain(business))
        if problems:
            for problem in problems:
                self.stderr.write(f"ALTERED: {problem}")
            raise CommandError(
                f"Incident chain broken: {len(problems)} problem(s) in {checked} business(es)."
            )
        self.stdout.write(self.style.SUCCESS(f"Incident chain intact for {checked} business(es)."))
