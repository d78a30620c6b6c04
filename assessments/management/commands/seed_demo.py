from django.core.management.base import BaseCommand

from assessments import demo


class Command(BaseCommand):
    help = "Create or refresh the demo business 'Demo Studio' (safe to run again)."

    def handle(self, *args, **options):
        business = demo.seed_demo()
        self.stdout.write(self.style.SUCCESS(f"Demo business ready: {business.name}"))
        self.stdout.write(f"  owner: {demo.DEMO_OWNER} / {demo.DEMO_PASSWORD}")
        self.stdout.write(f"  staff: {demo.DEMO_STAFF} / {demo.DEMO_PASSWORD}")
