"""The run page lists each recipient's email of the story: delivered, bounced, uncertain; the nights page and its
exports tell each run's emails, naming the recipients who did not get the story."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

from botocore.exceptions import ClientError

from storyteller.mail import Delivery, DeliveryStatus
from tests.unit.frontend_histories import recorded
from tests.unit.test_frontend_console import FakeStepFunctions, log_in, make_client, run_name


class Deliveries:
    def __init__(self, *rows: Delivery) -> None:
        self.rows = rows
        self.asked: list[str] = []

    def of_story(self, story_id: str) -> list[Delivery]:
        self.asked.append(story_id)
        return [row for row in self.rows if row.storyId == story_id]


def test_the_run_page_shows_each_recipients_delivery() -> None:
    sfn = FakeStepFunctions("succeeded")
    story_id = json.loads(recorded("succeeded")[0]["input"])["id"]
    now = datetime.now(UTC)
    rows = (
        Delivery(
            storyId=story_id,
            recipient="mum@smiths.example",
            familyId="smiths",
            status=DeliveryStatus.DELIVERED,
            at=now,
            detail="250 2.6.0 Message received",
        ),
        Delivery(
            storyId=story_id,
            recipient="old@smiths.example",
            familyId="smiths",
            status=DeliveryStatus.BOUNCED,
            at=now,
            detail="Permanent bounce: General",
        ),
        Delivery(storyId="another", recipient="x@y.example", familyId="jones", status=DeliveryStatus.SENT, at=now),
    )
    client = make_client(sfn, deliveries=Deliveries(*rows))
    log_in(client)

    html = client.get(f"/console/runs/{run_name('succeeded')}").text

    table = html[html.index('aria-label="The story\'s emails"') : html.index("</table>")]
    assert table.count("<tr><td>") == 2
    assert '<td>mum@smiths.example</td><td><span class="badge delivery-delivered">delivered</span>' in table
    assert '<td>old@smiths.example</td><td><span class="badge delivery-bounced">bounced</span>' in table
    assert "Permanent bounce: General" in table
    assert "x@y.example" not in html


def _emails_of_the_succeeded_story() -> tuple[str, Deliveries]:
    story_id = json.loads(recorded("succeeded")[0]["input"])["id"]
    now = datetime.now(UTC)

    def row(recipient: str, status: DeliveryStatus, detail: str | None = None) -> Delivery:
        return Delivery(storyId=story_id, recipient=recipient, familyId="smiths", status=status, at=now, detail=detail)

    return story_id, Deliveries(
        row("mum@smiths.example", DeliveryStatus.DELIVERED, "250 2.6.0 Message received"),
        row("gran@smiths.example", DeliveryStatus.BOUNCED, "550 5.1.1 No such user"),
        row("dad@smiths.example", DeliveryStatus.SKIPPED, "unsubscribed"),
        row("aunt@smiths.example", DeliveryStatus.DELIVERED),
    )


def test_the_nights_page_names_each_bounced_or_unsubscribed_recipient_beside_its_run() -> None:
    sfn = FakeStepFunctions("succeeded", "failed", "retried")
    _, deliveries = _emails_of_the_succeeded_story()
    client = make_client(sfn, deliveries=deliveries)
    log_in(client)

    html = client.get("/console/nights").text

    succeeded = html[html.index(f'href="/console/runs/{run_name("succeeded")}"') :]
    cell = succeeded[succeeded.index('<td class="emails') : succeeded.index("</tr>")]
    assert "needs-a-look" in cell
    assert "2 delivered · 1 bounced (gran@smiths.example) · 1 skipped (dad@smiths.example: unsubscribed)</td>" in cell
    failed = html[html.index(f'href="/console/runs/{run_name("failed")}"') :]
    assert '<td class="emails">none yet</td>' in failed[: failed.index("</tr>")]  # a live story nobody was mailed
    retried = html[html.index(f'href="/console/runs/{run_name("retried")}"') :]
    # Its story has expired, and with it the emails' rows: nothing to read, and the page says why.
    assert '<td class="emails"><span class="muted small">story expired</span></td>' in retried[: retried.index("</tr>")]
    assert sorted(deliveries.asked) == sorted(
        json.loads(recorded(name)[0]["input"])["id"] for name in ("failed", "succeeded")
    )
    summary = html[html.index('id="nights-emails"') :]
    assert summary.startswith('id="nights-emails" class="needs-a-look">2 delivered · 1 bounced · 1 skipped</span>')


def test_the_nights_exports_carry_each_runs_emails() -> None:
    sfn = FakeStepFunctions("succeeded", "failed")
    story_id, deliveries = _emails_of_the_succeeded_story()
    client = make_client(sfn, deliveries=deliveries)
    log_in(client)

    as_json = {record["story_id"]: record["emails"] for record in client.get("/console/nights.json").json()}
    as_csv = {
        row["story_id"]: row["emails"] for row in csv.DictReader(io.StringIO(client.get("/console/nights.csv").text))
    }

    assert as_json[story_id] == {
        "delivered": ["aunt@smiths.example", "mum@smiths.example"],
        "bounced": ["gran@smiths.example"],
        "skipped": ["dad@smiths.example"],
    }
    assert (
        as_csv[story_id]
        == "2 delivered · 1 bounced (gran@smiths.example) · 1 skipped (dad@smiths.example: unsubscribed)"
    )
    assert [value for key, value in as_csv.items() if key != story_id] == ["none yet"]


def test_the_nights_page_still_shows_the_runs_when_the_deliveries_table_cannot_be_read() -> None:
    class Unreadable:
        def of_story(self, story_id: str) -> list[Delivery]:
            raise ClientError({"Error": {"Code": "AccessDeniedException", "Message": "no"}}, "Query")

    client = make_client(FakeStepFunctions("succeeded"), deliveries=Unreadable())
    log_in(client)

    page = client.get("/console/nights")

    assert page.status_code == 200
    assert f'href="/console/runs/{run_name("succeeded")}"' in page.text
    assert 'id="nights-emails"' not in page.text
