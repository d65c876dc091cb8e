from django.core.management.base import BaseCommand

from triage.services import seed_content


class Command(BaseCommand):
    help = (
        "Create the content in fixtures/ that is missing from the database. Existing rows are "
        "never changed, so edits made in the admin survive."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--restore-deleted",
            action="store_true",
            help="Also re-create content that was seeded before and has since been deleted.",
        )

    def handle(self, *args, restore_deleted=False, **options):
        report = seed_content(restore_deleted=restore_deleted)
        if report.total_created:
            detail = ", ".join(f"{n} {label}" for label, n in sorted(report.created.items()))
            self.stdout.write(f"Created {report.total_created} rows ({detail}).")
        else:
            self.stdout.write("Nothing to create: the content is already there.")
        if report.kept:
            self.stdout.write(f"Left {report.kept} existing rows as they are.")
        if report.release is not None:
            self.stdout.write(f"Published the content as release {report.release.number}.")
        elif report.total_created:
            self.stdout.write(
                "The new rows are in the draft: a clinical reviewer publishes them from "
                "Releases > Review the draft."
            )
        if report.skipped_deleted:
            self.stdout.write(
                f"Did not re-create {report.skipped_deleted} rows deleted in the admin "
                "(use --restore-deleted to bring them back)."
            )
