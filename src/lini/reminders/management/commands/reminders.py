"""``lini reminders queue [--week YYYY-Www] [--dry-run]``, ``lini reminders send [--limit N]
[--dry-run]`` and ``lini reminders status``.

``queue`` puts a week's messages in the outbox (the current week by default; running it again
adds nothing), ``send`` sends the messages whose day has come through the gateway
(``LINI_REMINDER_GATEWAY``; run it from cron, e.g. every hour), ``status`` counts the outbox.
``queue`` and ``send`` refuse while ``LINI_REMINDERS`` is off; ``status`` says that it is off.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Count, Min

from lini.core import clock
from lini.reminders.choices import RecipientKind, Status
from lini.reminders.models import Reminder
from lini.reminders.services import (
    RemindersOffError,
    reminders_enabled,
    reminders_queue,
    reminders_send,
)
from lini.visits.due import Week


class Command(BaseCommand):
    help = "Reminders by SMS or WhatsApp: queue a week's messages, send them, count the outbox."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        queue = actions.add_parser("queue", help="queue the messages of a week")
        queue.add_argument("--week", help="the ISO week, YYYY-Www (default: this week)")
        queue.add_argument("--dry-run", action="store_true", help="count, queue nothing")
        send = actions.add_parser("send", help="send the pending messages whose day has come")
        send.add_argument("--limit", type=int, help="send at most N messages")
        send.add_argument(
            "--dry-run", action="store_true", help="count, send nothing, change nothing"
        )
        actions.add_parser("status", help="the outbox by status and recipient kind")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "status":
            self._status()
            return
        try:
            if action == "queue":
                self._queue(options)
            else:
                self._send(options)
        except RemindersOffError as exc:
            raise CommandError(str(exc)) from exc
        except ImproperlyConfigured as exc:
            raise CommandError(f"configuration: {exc}") from exc

    def _queue(self, options: dict[str, Any]) -> None:
        if not reminders_enabled():
            raise RemindersOffError
        try:
            week = Week.parse(options["week"]) if options["week"] else Week.of(clock.today())
        except ValueError as exc:
            raise CommandError(f"--week: {exc}") from exc
        try:
            result = reminders_queue(week=week, dry_run=options["dry_run"])
        except ValueError as exc:
            raise CommandError(f"--week: {exc}") from exc
        verb = "would queue" if result.dry_run else "queued"
        self.stdout.write(
            self.style.SUCCESS(
                f"Week {week}: {verb} {result.workers} message(s) to field workers and "
                f"{result.clients} to clients; {result.already} queued before."
            )
        )
        self.stdout.write(
            f"Field workers: {result.nothing_due} with nothing due, {result.no_phone} without a "
            f"usable mobile number, {len(result.too_wide)} whose scope is too wide for one list"
            + (f" ({', '.join(result.too_wide)})" if result.too_wide else "")
            + f". Clients: {result.consents} current consent(s), {result.no_date} with no "
            "revisit due this week."
        )

    def _send(self, options: dict[str, Any]) -> None:
        if not reminders_enabled():
            raise RemindersOffError
        limit = options["limit"]
        if limit is not None and limit < 1:
            raise CommandError("--limit must be at least 1")
        result = reminders_send(limit=limit, dry_run=options["dry_run"])
        if result.dry_run:
            self.stdout.write(
                f"Dry run: {result.ready} message(s) would be tried, {result.expired} pending "
                "message(s) of past weeks would be cancelled."
            )
            return
        for error in result.errors:
            self.stderr.write(error)
        self.stdout.write(
            self.style.SUCCESS(
                f"Sent {result.sent}; failed {result.failed} (after "
                f"{settings.LINI_REMINDER_MAX_ATTEMPTS} attempts), {result.retrying} to try again; "
                f"cancelled {result.cancelled} without a current consent and {result.expired} "
                "of past weeks."
            )
        )

    def _status(self) -> None:
        if not reminders_enabled():
            self.stdout.write(
                self.style.WARNING(
                    "Reminders are off (LINI_REMINDERS=0): nothing is queued or sent."
                )
            )
        rows = Reminder.objects.order_by().values_list("kind", "status").annotate(n=Count("pk"))
        counts = {(kind, status): n for kind, status, n in rows}
        for kind in RecipientKind:
            line = ", ".join(f"{counts.get((kind.value, s.value), 0)} {s.value}" for s in Status)
            self.stdout.write(f"{kind.value}: {line}")
        oldest = Reminder.objects.filter(status=Status.PENDING).aggregate(day=Min("scheduled_for"))
        if oldest["day"] is not None:
            self.stdout.write(f"oldest pending message: to send from {oldest['day']:%Y-%m-%d}")
