"""The story pages, rendered with small fakes for the table and the bucket: no I/O."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from frontend.app import cast_names, create_app, stanzas
from frontend.settings import FrontendSettings
from storyteller import names
from storyteller.households.seed import CHARACTERS, SCENES
from storyteller.mail import MailStop
from storyteller.models import Character, Family, StoryItem, StoryStatus
from storyteller.settings import Settings


class Shelf:
    """Stories by id, as the table would give them back."""

    def __init__(self, *stories: StoryItem) -> None:
        self.stories = {story.id: story for story in stories}

    def get(self, story_id: str) -> StoryItem | None:
        return self.stories.get(story_id)

    def recent(self, limit: int = 20) -> list[StoryItem]:
        return sorted(self.stories.values(), key=lambda story: story.createdAt, reverse=True)[:limit]

    def of_family(self, family_id: str, limit: int = 20) -> list[StoryItem]:
        return [story for story in self.recent(limit=1000) if story.familyId == family_id][:limit]


class Families:
    """The Families table, as a dict."""

    def __init__(self, *families: Family) -> None:
        self.families = {family.id: family for family in families}
        self.stops: dict[str, dict[str, MailStop]] = {}

    def mail_stops(self, family_id: str) -> dict[str, MailStop]:
        return dict(self.stops.get(family_id, {}))

    def stop_mail(self, family_id: str, address: str, stop: MailStop) -> bool:
        stops = self.stops.setdefault(family_id, {})
        if address in stops:
            return False
        stops[address] = stop
        return True

    def get(self, family_id: str) -> Family | None:
        return self.families.get(family_id)

    def replace(self, family: Family) -> None:
        self.families[family.id] = family


SMITHS = Family(
    id="smiths",
    name="The Smiths",
    recipients=["mum@smiths.example"],
    timeZone="Europe/Paris",
    at="19:30",
    shelfToken="smiths-shelf-token-0123456789",
)
JONES = SMITHS.model_copy(update={"id": "jones", "name": "The Joneses", "shelfToken": "jones-shelf-token-0123456789"})


class Presigner:
    """Records how long each link was asked to live."""

    def __init__(self) -> None:
        self.asked: dict[str, int] = {}

    def presign(self, key: str, seconds: int) -> str:
        self.asked[key] = seconds
        return f"https://media.example/{key}?X-Amz-Expires={seconds}&X-Amz-Signature=abc"


def story(
    story_id: str = "s1",
    title: str = "Pip and the Counting Stars",
    complete: bool = True,
    age: timedelta = timedelta(hours=1),
    characters: list[Character] | None = None,
    family: str = "smiths",
) -> StoryItem:
    created = datetime.now(UTC) - age
    return StoryItem(
        id=story_id,
        familyId=family,
        title=title,
        text="Pip counted stars above the pines,\nAnd Luna hooted soft and low;\n\nGoodnight.",
        scene=SCENES[0],
        characters=characters or [CHARACTERS[0], CHARACTERS[1]],
        createdAt=created,
        ttl=int(created.timestamp()) + names.STORY_LIFETIME_SECONDS,
        status=StoryStatus.COMPLETE if complete else StoryStatus.IN_PROGRESS,
        words=14,
        imageKey=names.image_key(story_id) if complete else None,
        audioKey=names.audio_key(story_id) if complete else None,
    )


def client_for(*stories: StoryItem, media: Presigner | None = None, public_shelf: bool = False) -> TestClient:
    app = create_app(
        Settings(),
        FrontendSettings(
            console_password="moonlight-operator",
            state_machine_arn="arn:aws:states:x:1:stateMachine:m",
            public_shelf=public_shelf,
        ),
        stories=Shelf(*stories),
        media=media or Presigner(),
        families=Families(SMITHS, JONES),
    )
    return TestClient(app)


def test_a_story_page_has_the_picture_the_player_and_the_verse() -> None:
    media = Presigner()
    page = client_for(story(), media=media).get("/stories/s1")

    assert page.status_code == 200
    html = page.text
    assert '<h1 id="story-title">Pip and the Counting Stars</h1>' in html
    assert 'alt="Illustration: Pip and Luna in a moonlit forest clearing' in html
    assert '<audio controls preload="metadata" src="https://media.example/stories/s1/audio.mp3' in html
    assert html.count('<span class="line">') == 3
    assert html.count("<p><span") == 2
    # Links live as long as the story (47 h left here), signed at request time.
    lifetime = names.STORY_LIFETIME_SECONDS - 3600
    assert [key for key in media.asked if key.startswith("stories/s1/")] == [
        names.image_key("s1"),
        names.audio_key("s1"),
    ]
    assert all(abs(media.asked[key] - lifetime) < 10 for key in (names.image_key("s1"), names.audio_key("s1")))
    for landmark in ("<header", "<main", "<footer", 'aria-label="The story"', 'lang="en"'):
        assert landmark in html


def test_links_outlive_the_page_view_even_for_a_story_about_to_leave() -> None:
    media = Presigner()
    leaving = story(age=timedelta(seconds=names.STORY_LIFETIME_SECONDS - 60))

    client_for(leaving, media=media).get("/stories/s1")

    assert {media.asked[names.image_key("s1")], media.asked[names.audio_key("s1")]} == {3600}


@pytest.mark.parametrize(
    ("age", "picture", "voice"),
    [
        (timedelta(minutes=2), "still being painted", "still being recorded"),
        (timedelta(hours=3), "There is no picture for this story", "There is no recording this time"),
    ],
)
def test_missing_media_is_hidden_with_a_gentle_note(age: timedelta, picture: str, voice: str) -> None:
    html = client_for(story(complete=False, age=age)).get("/stories/s1").text

    assert "<audio" not in html
    assert "<img" not in html
    assert picture in html
    assert voice in html


def test_unknown_expired_and_odd_ids_get_the_friendly_404() -> None:
    gone = story("old", age=timedelta(days=3))
    client = client_for(gone)

    for path in ("/stories/nope", "/stories/old", "/stories/" + "x" * 200, "/nowhere"):
        page = client.get(path)
        assert page.status_code == 404, path
        assert "This story has gone to sleep" in page.text


def test_a_familys_shelf_lists_its_live_stories_newest_first_with_date_and_time_left() -> None:
    older = story("a", title="Older", age=timedelta(hours=30))
    newer = story("b", title="Newer", age=timedelta(hours=2))
    gone = story("c", title="Gone", age=timedelta(days=3))
    theirs = story("d", title="The Joneses' night", family="jones")

    page = client_for(older, newer, gone, theirs).get(SMITHS.shelf_path)

    html = page.text
    assert page.status_code == 200
    assert html.index("Newer") < html.index("Older")
    assert "Gone" not in html
    assert "Joneses" not in html  # another family's story is on its own shelf only
    assert "1 day 21 h left" in html
    assert "17 h left" in html
    assert 'href="/stories/b"' in html
    assert f'href="{SMITHS.shelf_path}/manage"' in html
    assert page.headers["cache-control"] == "no-store"


def test_a_wrong_token_and_an_unknown_family_are_the_same_404() -> None:
    client = client_for(story("a"))

    for path in ("/shelf/smiths/" + JONES.shelfToken, "/shelf/smiths/short", "/shelf/nobody/" + SMITHS.shelfToken):
        page = client.get(path)
        assert page.status_code == 404, path
        assert "The Smiths" not in page.text


def test_the_home_page_lists_no_familys_stories() -> None:
    html = (
        client_for(story("a", title="Pip at the Seaside"), story("b", title="Default's", family="default"))
        .get("/")
        .text
    )

    assert "Pip at the Seaside" not in html
    assert "Default&#39;s" not in html
    assert "open it from the link in the email" in html


def test_an_install_that_opts_in_lists_the_default_familys_stories_on_the_home_page() -> None:
    client = client_for(
        story("a", title="The Smiths' night"), story("b", title="Old night", family="default"), public_shelf=True
    )

    html = client.get("/").text

    assert "Old night" in html
    assert "The Smiths&#39; night" not in html
    assert "The Smiths' night" not in html


def test_a_character_named_script_is_escaped_everywhere() -> None:
    sneaky = Character(id="x", name="<script>alert(1)</script>", description="a tag")
    item = story(title='<img src=x onerror="alert(2)">', characters=[sneaky])
    client = client_for(item)

    for path in ("/stories/s1", SMITHS.shelf_path):
        html = client.get(path).text
        assert "<script>alert" not in html
        assert "<img src=x" not in html
    html = client.get("/stories/s1").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=&#34;alert(2)&#34;&gt;" in html


def test_pages_carry_a_content_security_policy_naming_the_media_origin() -> None:
    page = client_for(story()).get("/stories/s1")

    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "media-src 'self' https://media.example" in policy
    assert "img-src 'self' data: https://media.example" in policy
    assert "frame-ancestors 'none'" in policy
    assert page.headers["x-content-type-options"] == "nosniff"
    assert not re.search(r"<script>[^<]", page.text)  # no inline script for the CSP to allow


def test_health_and_static_files() -> None:
    client = client_for()
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/static/style.css").status_code == 200
    assert client.get("/static/story.js").status_code == 200


def test_verse_and_cast_helpers() -> None:
    assert stanzas("a\n b \n\n\n c\n") == [["a", "b"], ["c"]]
    assert stanzas("") == []
    assert [cast_names(cast) for cast in (["Pip"], ["Pip", "Luna"], ["Pip", "Luna", "Mo"])] == [
        "Pip",
        "Pip and Luna",
        "Pip, Luna and Mo",
    ]


def test_a_failed_story_does_not_promise_media_that_will_not_come() -> None:
    failed = story(complete=False, age=timedelta(minutes=2)).model_copy(update={"status": StoryStatus.FAILED})
    html = client_for(failed).get("/stories/s1").text

    assert "still being painted" not in html
    assert "There is no picture for this story" in html
    assert "There is no recording this time" in html


class BrokenShelf(Shelf):
    def get(self, story_id: str) -> StoryItem | None:
        raise RuntimeError("the table is on fire")


def test_a_failure_is_a_friendly_page_with_the_security_headers() -> None:
    app = create_app(
        Settings(),
        FrontendSettings(console_password="moonlight-operator", state_machine_arn="arn:aws:states:x:1:stateMachine:m"),
        stories=BrokenShelf(),
        media=Presigner(),
    )
    page = TestClient(app, raise_server_exceptions=False).get("/stories/s1")

    assert page.status_code == 500
    assert "Something went wrong" in page.text
    assert "on fire" not in page.text  # no internals shown
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["x-content-type-options"] == "nosniff"


def test_each_familys_pages_are_dated_in_its_own_time_zone() -> None:
    """Two families half a world apart: the same moment reads as each family's own evening, not the server's."""
    far = SMITHS.model_copy(update={"id": "kiwis", "timeZone": "Pacific/Auckland", "shelfToken": "k" * 24})
    west = SMITHS.model_copy(update={"id": "coast", "timeZone": "America/Los_Angeles", "shelfToken": "c" * 24})
    theirs, ours = story("k1", family="kiwis"), story("c1", family="coast")
    app = create_app(
        Settings(schedule_time_zone="Europe/London"),
        FrontendSettings(console_password="moonlight-operator", state_machine_arn="arn:aws:states:x:1:stateMachine:m"),
        stories=Shelf(theirs, ours),
        media=Presigner(),
        families=Families(far, west),
    )
    client = TestClient(app)

    for item, family in ((theirs, far), (ours, west)):
        until = datetime.fromtimestamp(item.ttl, ZoneInfo(family.timeZone)).strftime("%A %-d %B, %H:%M")
        assert f"here until {until}" in client.get(f"/stories/{item.id}").text
        written = item.createdAt.astimezone(ZoneInfo(family.timeZone)).strftime("%A %-d %B")
        assert written in client.get(family.shelf_path).text
    london = datetime.fromtimestamp(theirs.ttl, ZoneInfo("Europe/London")).strftime("%A %-d %B, %H:%M")
    assert london not in client.get(f"/stories/{theirs.id}").text
