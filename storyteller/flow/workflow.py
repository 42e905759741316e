"""The state machine's definition file and the substitutions both runtimes fill in."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

DEFINITION_FILE = Path(__file__).resolve().parents[2] / "statemachine" / "story_media.asl.json"
_PLACEHOLDER = re.compile(r"\$\{(\w+)\}")


@dataclass(frozen=True)
class WorkflowResources:
    """What the ASL file refers to; CDK passes tokens, the local runtime passes moto's ARNs."""

    stories_table: str
    generate_image_function_arn: str
    generate_audio_function_arn: str
    notify_topic_arn: str

    def substitutions(self) -> dict[str, str]:
        """The `${Name}` values of the ASL file, for CDK's `definition_substitutions` and for us."""
        return {
            "StoriesTable": self.stories_table,
            "GenerateImageFunctionArn": self.generate_image_function_arn,
            "GenerateAudioFunctionArn": self.generate_audio_function_arn,
            "NotifyTopicArn": self.notify_topic_arn,
        }


def definition_text() -> str:
    """The ASL file as written, placeholders and all."""
    return DEFINITION_FILE.read_text(encoding="utf-8")


def placeholders(text: str) -> set[str]:
    """Every `${Name}` the definition uses."""
    return set(_PLACEHOLDER.findall(text))


def render_definition(resources: WorkflowResources) -> str:
    """The definition with every placeholder filled, as Step Functions will see it."""
    values = resources.substitutions()
    text = definition_text()
    missing = placeholders(text) - values.keys()
    if missing:
        raise KeyError(f"the state machine needs substitutions for {sorted(missing)}")
    # JSON-escape the value: a URL or name with a quote must not break the document.
    rendered = _PLACEHOLDER.sub(lambda match: json.dumps(values[match.group(1)])[1:-1], text)
    json.loads(rendered)
    return rendered
