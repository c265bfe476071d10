"""Make an API token for a user and print it (the only time it is shown; only its hash is stored)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from cms.models import ApiToken


class Command(BaseCommand):
    help = "Create an API token for USERNAME and print it once. Use it as 'Authorization: Bearer <token>'."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="A label to recognise the token by (e.g. 'mini-program').")

    def handle(self, *args, username, name, **options):
        user_model = get_user_model()
        try:
            user = user_model.objects.get(**{user_model.USERNAME_FIELD: username})
        except user_model.DoesNotExist as exc:
            raise CommandError(f"No user called {username!r}.") from exc
        if not user.is_active:
            raise CommandError(f"User {username!r} is not active; a token would not work.")
        token, secret = ApiToken.issue(user, name=name or "create_api_token")
        self.stderr.write(
            f"Token {token.key_prefix}… for {username} created. It is shown only now; store it safely.",
            ending="\n",
        )
        self.stdout.write(secret)
