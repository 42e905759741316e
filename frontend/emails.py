"""A story's emails as the console tells them: one row per recipient from the Deliveries table, summed up
so a bounced, refused or unsubscribed address shows by name on the nights page, not only in a log."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from storyteller.mail import Delivery, DeliveryStatus

# The order a story's emails are told in: the good news first, then what an operator should look at.
EMAIL_ORDER = (
    DeliveryStatus.DELIVERED,
    DeliveryStatus.SENT,
    DeliveryStatus.SENDING,
    DeliveryStatus.BOUNCED,
    DeliveryStatus.COMPLAINED,
    DeliveryStatus.REJECTED,
    DeliveryStatus.UNCERTAIN,
    DeliveryStatus.SKIPPED,
)
# Told with their addresses: each is a recipient who did not (or may not) get the story.
NEEDS_A_LOOK = frozenset(EMAIL_ORDER[3:])


@dataclass(frozen=True)
class Emails:
    """One or more stories' emails, one row per (story, recipient), as the Deliveries table records them."""

    rows: tuple[Delivery, ...]

    @classmethod
    def of(cls, deliveries: Iterable[Delivery]) -> Emails:
        return cls(tuple(sorted(deliveries, key=lambda row: (row.recipient, row.storyId))))

    @property
    def needs_a_look(self) -> bool:
        return any(row.status in NEEDS_A_LOOK for row in self.rows)

    def summary(self, *, named: bool = True) -> str:
        """E.g. "2 delivered · 1 bounced (gran@smiths.example) · 1 skipped (dad@smiths.example: unsubscribed)".

        A skipped address says why (it left, bounced or complained before); `named=False` gives the counts only.
        """
        parts = []
        for status in EMAIL_ORDER:
            rows = [row for row in self.rows if row.status is status]
            if not rows:
                continue
            part = f"{len(rows)} {status.value.lower()}"
            if named and status in NEEDS_A_LOOK:
                told = (row.recipient + (f": {row.detail}" if status is DeliveryStatus.SKIPPED else "") for row in rows)
                part += f" ({', '.join(told)})"
            parts.append(part)
        return " · ".join(parts) if parts else "none yet"

    def record(self) -> dict[str, list[str]]:
        """The export's form: the addresses by status."""
        return {
            status.value.lower(): [row.recipient for row in self.rows if row.status is status]
            for status in EMAIL_ORDER
            if any(row.status is status for row in self.rows)
        }
