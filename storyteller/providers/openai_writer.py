"""The story in verse from OpenAI: structured output (title, text, moment, synopsis), moderated, tokens counted."""

from __future__ import annotations

import threading
from collections.abc import Sequence

import openai
from openai.types import CompletionUsage
from openai.types.chat import ChatCompletionMessageParam
from pydantic import BaseModel, ConfigDict, ValidationError

from storyteller.errors import StoryValidationError
from storyteller.models import Character, PastStory, Scene, StoryDraft, Usage
from storyteller.providers import pricing
from storyteller.providers.budgets import Deadline
from storyteller.providers.local_safety import unsafe_words
from storyteller.providers.openai_client import translated_errors, within
from storyteller.story.reading_level import YOUNG, ReadingLevel
from storyteller.story.validation import MAX_WORDS, MIN_WORDS, clean_text, significant_words

# A flagged, refused or cut-off draft is never returned; this many drafts are asked for before the
# writer gives up. `write_valid_story` then decides about drafts that come back but break a rule.
# Room for the story (~600 tokens), the JSON around it and the model's reasoning.
MAX_COMPLETION_TOKENS = 6000
SCENE_WORDS_SHOWN = 4
RECENT_SHOWN = 7
MOMENT_MAX = 200
SYNOPSIS_MAX = 300

SYSTEM_PROMPT = (
    "You write bedtime stories in verse for children aged {ages}. Your stories are warm, gentle "
    "and calm: a small problem solved with kindness, no danger, villains or fear, and everyone asleep "
    "at the end. You answer with a title, the story's text, its key moment and a one-line synopsis."
)


class _StoryOutput(BaseModel):
    """The JSON schema the model must fill (strict structured output)."""

    model_config = ConfigDict(extra="forbid")

    title: str
    text: str
    moment: str  # what the picture shows: the same night the story tells
    synopsis: str  # the plot in one line, for the nights after


class OpenAIStoryWriter:
    """Writes a titled, rhyming story with an OpenAI chat model; a draft moderation flags is never returned."""

    def __init__(
        self,
        client: openai.OpenAI,
        model: str,
        moderation_model: str,
        prices: pricing.PriceTable,
        level: ReadingLevel = YOUNG,
        deadline: Deadline | None = None,
    ) -> None:
        """`deadline`: when every request must have ended (the function's remaining time); none: no limit."""
        self.model = model
        self._deadline = deadline or Deadline.unbounded()
        self._level = level
        self._client = client
        self._moderation_model = moderation_model
        self._prices = prices
        self._lock = threading.Lock()
        # A local OpenAI-compatible server may have no moderation endpoint (404): then the local check stands in.
        self._moderation_missing = False
        self._input_tokens = 0
        self._output_tokens = 0

    def write(self, characters: list[Character], scene: Scene, feedback: str | None = None) -> StoryDraft:
        """One safe, complete draft, or StoryValidationError saying why not (the story loop asks again)."""
        return self.write_remembering(characters, scene, (), feedback)

    def write_remembering(
        self, characters: list[Character], scene: Scene, recent: Sequence[PastStory], feedback: str | None = None
    ) -> StoryDraft:
        """As `write`, with the recent stories of this cast named in the prompt as ones not to retell."""
        draft = self._draft(characters, scene, feedback, recent)
        self._moderate(draft)
        return draft

    def usage(self) -> Usage:
        """Tokens of every request so far (retries and rejected drafts included: they are billed too)."""
        with self._lock:
            inputs, outputs = self._input_tokens, self._output_tokens
        cost = pricing.text_cost(self._prices, self.model, inputs, outputs)
        return Usage(inputTokens=inputs, outputTokens=outputs, costUsd=cost)

    def _draft(
        self, characters: list[Character], scene: Scene, feedback: str | None, recent: Sequence[PastStory] = ()
    ) -> StoryDraft:
        messages: list[ChatCompletionMessageParam] = [
            {"role": "system", "content": SYSTEM_PROMPT.format(ages=self._level.ages)},
            {"role": "user", "content": story_prompt(characters, scene, feedback, recent, self._level)},
        ]
        with translated_errors("writing the story"):
            try:
                completion = within(self._client, self._deadline, "writing the story").chat.completions.parse(
                    model=self.model,
                    messages=messages,
                    response_format=_StoryOutput,
                    max_completion_tokens=MAX_COMPLETION_TOKENS,
                )
            except openai.LengthFinishReasonError as error:
                self._count(error.completion.usage)
                raise StoryValidationError("the story was cut off before it ended; write a shorter one") from None
            except openai.ContentFilterFinishReasonError:
                raise StoryValidationError("the story was stopped by the content filter; keep it gentle") from None
            except (ValidationError, ValueError) as error:
                # Structured output that is not JSON, or JSON without a title and a text: a rejected
                # draft, asked for again with the reason, not a crash of the night.
                raise StoryValidationError(
                    f"the answer was not JSON with a title and a text: {_problem(error)}"
                ) from None
        self._count(completion.usage)
        message = completion.choices[0].message
        if message.refusal:
            raise StoryValidationError(f"the model refused: {message.refusal}")
        if message.parsed is None:
            raise StoryValidationError("the answer was not JSON with a title and a text: it was empty")
        try:
            parsed = message.parsed
            return StoryDraft(
                title=parsed.title,
                text=parsed.text,
                moment=clean_text(parsed.moment)[:MOMENT_MAX] or None,
                synopsis=clean_text(parsed.synopsis)[:SYNOPSIS_MAX] or None,
            )
        except ValidationError as error:
            fields = ", ".join(str(problem["loc"][0]) + " " + problem["msg"] for problem in error.errors())
            raise StoryValidationError(f"the draft is malformed: {fields}") from None

    def _moderate(self, draft: StoryDraft) -> None:
        if self._moderation_missing:
            self._check_locally(draft)
            return
        action = "checking the story with moderation"
        with translated_errors(action):
            try:
                result = (
                    within(self._client, self._deadline, action)
                    .moderations.create(model=self._moderation_model, input=f"{draft.title}\n\n{draft.text}")
                    .results[0]
                )
            except openai.NotFoundError:
                self._moderation_missing = True
                self._check_locally(draft)
                return
        if result.flagged:
            categories = result.categories.model_dump(by_alias=True)
            named = sorted(name for name, flagged in categories.items() if flagged) or ["unspecified"]
            raise StoryValidationError(
                f"moderation flagged the story ({', '.join(named)}); write a gentler story with none of that"
            )

    def _check_locally(self, draft: StoryDraft) -> None:
        found = unsafe_words(f"{draft.title}\n\n{draft.text}")
        if found:
            raise StoryValidationError(
                f"the local safety check found words unfit for bedtime ({', '.join(found[:8])}); write a gentler story"
            )

    def _count(self, usage: CompletionUsage | None) -> None:
        if usage is None:
            return
        with self._lock:
            self._input_tokens += usage.prompt_tokens
            self._output_tokens += usage.completion_tokens


def story_prompt(
    characters: list[Character],
    scene: Scene,
    feedback: str | None = None,
    recent: Sequence[PastStory] = (),
    level: ReadingLevel = YOUNG,
) -> str:
    """The user message: the cast, the scene, the form the validator checks, and what to fix."""
    cast = "\n".join(f"- {clean_text(character.name)}: {clean_text(character.description)}" for character in characters)
    place = clean_text(scene.description)
    scene_words = significant_words(place)[:SCENE_WORDS_SHOWN]
    scene_hint = (
        " Use some of the scene's own words in the story (" + ", ".join(f'"{word}"' for word in scene_words) + ")."
        if scene_words
        else ""
    )
    least, most = level.least, level.most  # inside the validator's bounds, with room for a model's miscount
    lines = [
        "Write a new bedtime story.",
        "",
        "Characters (name each one, spelled exactly as here, at least once):",
        cast,
        "",
        f"Scene: {place}.{scene_hint}",
        "",
        "Form:",
        "- A short title of at most eight words.",
        "- Rhyming couplets, AABB: lines 1 and 2 rhyme, lines 3 and 4 rhyme, and so on.",
        "- One verse line per line of text; four lines to a stanza, a blank line between stanzas.",
        "- End every line on a common English word with a true rhyme (light/night, sleep/deep), "
        "never on a name or a made-up word.",
        f"- {least} to {most} words in all: never fewer than {MIN_WORDS} or more than {MAX_WORDS}.",
        f"- {level.vocabulary} No headings, no markup, no < or > characters.",
        "- The arc: a small trouble, a first try that fails, one character's own described trait (what they "
        "wear, carry, love or can do) that solves it, then a calm wind-down.",
        f"- A steady metre: about {level.syllables[0]} to {level.syllables[1]} syllables a line, four beats.",
        "- End with everyone drifting off to sleep.",
        "",
        "Also give the key moment (one short sentence: who does what, where, for the picture) and a one-line "
        "synopsis of the plot (no verse, for remembering which stories were told).",
    ]
    if recent:
        told = "\n".join(
            f"- {clean_text(story.title)}" + (f": {clean_text(story.synopsis)}" if story.synopsis else "")
            for story in recent[:RECENT_SHOWN]
        )
        lines += [
            "",
            "This cast heard these stories on recent nights; give tonight a new title and a different plot:",
            told,
        ]
    if feedback:
        lines += ["", f"Your previous draft was rejected: {feedback}", "Write a new story that fixes this."]
    return "\n".join(lines)


def _problem(error: Exception) -> str:
    """One line saying what was wrong with the structured output, short enough for the next prompt."""
    if isinstance(error, ValidationError):
        return "; ".join(
            f"{'.'.join(map(str, problem['loc'])) or 'answer'}: {problem['msg']}" for problem in error.errors()
        )[:300]
    return " ".join(str(error).split())[:300]
