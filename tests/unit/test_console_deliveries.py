"""The run page lists each recipient's email of the story: delivered, bounced, uncertain."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from storyteller.mail import Delivery, DeliveryStatus
from tests.unit.test_frontend_console import FakeStepFunctions, log_in, make_client, recorded, run_name


class Deliveries:
    def __init__(self, *rows: Delivery) -> None:
        self.rows = rows

    def of_story(self, story_id: str) -> list[Delivery]:
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
