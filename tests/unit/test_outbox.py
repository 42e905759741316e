"""The local outbox writes the email an SNS email subscription would send, once per message."""

from __future__ import annotations

from pathlib import Path

from storyteller.local.outbox import Outbox, read_email

NOTIFICATION = {
    "Type": "Notification",
    "MessageId": "5d9c1b7e-1111-2222-3333-444455556666",
    "Subject": "Tonight's bedtime story is ready",
    "Message": "Your bedtime story is ready: Pip and the Lost Star -- read it at http://x/stories/abc",
    "Timestamp": "2026-11-25T19:15:07.123Z",
    "MessageAttributes": {"storyId": {"Type": "String", "Value": "abc"}},
}


def test_a_notification_becomes_a_plain_text_email(tmp_path: Path) -> None:
    outbox = Outbox("unused", tmp_path, "family@example.com", "eu-west-2")

    path = outbox.deliver(NOTIFICATION)

    assert path is not None
    assert path.name == "abc-5d9c1b7e-1111-2222-3333-444455556666.eml"
    email = read_email(path)
    assert email["To"] == "family@example.com"
    assert email["Subject"] == "Tonight's bedtime story is ready"
    assert email["Date"] == "Wed, 25 Nov 2026 19:15:07 +0000"
    assert "storyteller" in email["From"]
    assert email.get_content_type() == "text/plain"
    assert email.get_content().strip() == NOTIFICATION["Message"]


def test_a_redelivered_notification_writes_no_second_email(tmp_path: Path) -> None:
    outbox = Outbox("unused", tmp_path, "family@example.com", "eu-west-2")

    assert outbox.deliver(NOTIFICATION) is not None
    assert outbox.deliver(NOTIFICATION) is None
    assert len(list(tmp_path.glob("*.eml"))) == 1


def test_the_link_stays_whole_in_the_file(tmp_path: Path) -> None:
    outbox = Outbox("unused", tmp_path, "family@example.com", "eu-west-2")

    path = outbox.deliver(NOTIFICATION)

    assert path is not None
    assert b"read it at http://x/stories/abc" in path.read_bytes()
