from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction

from annotate import permissions
from annotate.actions import assignments
from annotate.models import Article
from config.env import env_str

DEMO_USERNAME = "demo"
DEMO_REVIEWERS = ("ana", "ben")


class Command(BaseCommand):
    help = (
        "Create the local demo logins if they are missing and print them: a superuser (who leads) and two "
        "reviewers, each assigned every article, so team review can be tried at once."
    )

    @transaction.atomic
    def handle(self, *args, **options):
        password = env_str("DEMO_PASSWORD", "sourcemark-demo")
        User = get_user_model()
        lead, created = User.objects.get_or_create(
            username=DEMO_USERNAME, defaults={"is_staff": True, "is_superuser": True, "email": "demo@localhost"}
        )
        if created:
            lead.set_password(password)
            lead.save()
        state = "created" if created else "already there"
        self.stdout.write(f"Demo login ({state}): username {DEMO_USERNAME!r}, password {password!r} (lead and admin)")

        group = Group.objects.get(name=permissions.REVIEWER_GROUP)
        made = []
        for name in DEMO_REVIEWERS:
            reviewer, created = User.objects.get_or_create(username=name, defaults={"email": f"{name}@localhost"})
            if created:
                reviewer.set_password(password)
                reviewer.save()
                reviewer.groups.add(group)
                made.append(reviewer)
        # Only a reviewer made just now gets the articles: later runs leave a
        # lead's changes to the demo's assignments alone.
        new = []
        if made:
            new, _ = assignments.assignments_create(
                articles=Article.objects.defer("text"), reviewers=made, assigned_by=lead
            )
        self.stdout.write(
            f"Demo reviewers: {', '.join(repr(n) for n in DEMO_REVIEWERS)}, same password; "
            f"{len(new)} new assignment(s)."
        )
