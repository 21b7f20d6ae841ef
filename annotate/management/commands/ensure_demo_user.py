from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from config.env import env_str

DEMO_USERNAME = "demo"


class Command(BaseCommand):
    help = "Create the local demo superuser if it is missing, and print its login."

    def handle(self, *args, **options):
        password = env_str("DEMO_PASSWORD", "sourcemark-demo")
        User = get_user_model()
        user, created = User.objects.get_or_create(
            username=DEMO_USERNAME, defaults={"is_staff": True, "is_superuser": True, "email": "demo@localhost"}
        )
        if created:
            user.set_password(password)
            user.save()
        state = "created" if created else "already there"
        self.stdout.write(f"Demo login ({state}): username {DEMO_USERNAME!r}, password {password!r}")
