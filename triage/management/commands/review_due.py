from django.core.management.base import BaseCommand
from django.utils import timezone

from triage.review import overdue_reviews


class Command(BaseCommand):
    help = (
        "List the causes and red flags whose next clinical review is overdue. Exits with status 1 "
        "when any is, so a scheduled job can warn someone."
    )

    def handle(self, *args, **options):
        overdue = overdue_reviews(timezone.localdate())
        for entry in overdue:
            due = entry.due.isoformat() if entry.due else "never reviewed"
            self.stdout.write(f"{entry.label}\t{entry.item.slug}\t{due}\t{entry.item.title}")
        if overdue:
            self.stderr.write(f"{len(overdue)} reviews overdue.")
            raise SystemExit(1)
        self.stdout.write("No review is overdue.")
