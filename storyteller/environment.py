"""Settings models filled from `STORYTELLER_*` environment variables and a `.env` file.

This is the part of pydantic-settings we used, and only that: importing pydantic-settings costs ~55 ms of
every Lambda cold start (it imports asyncio, argparse and a source for every cloud's secret store;
bench/cold_start.py), a fifth of what a handler with boto3 and a logger costs in all. The rules are its
rules: arguments win over the environment, the environment over `.env`, `.env` over defaults; names are
the prefix plus the field's name (or the field's alias), in any case; lists, tuples, dicts and models are
given as JSON. A value that is not valid JSON is handed on as text, so pydantic names the setting it
cannot read (pydantic-settings raised an error that named no setting).
"""

from __future__ import annotations

import json
import os
import types
import typing
from pathlib import Path
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, model_validator

ENV_FILE = ".env"
_JSON_KINDS = (dict, list, tuple, set, frozenset)


class EnvironmentSettings(BaseModel):
    """A settings model: subclasses declare fields; `Model()` reads them from the environment."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)
    env_prefix: ClassVar[str] = "STORYTELLER_"

    @classmethod
    def environment_name(cls, field: str) -> str:
        """The variable a field is read from: its alias, or the prefix and its name, upper-case."""
        alias = cls.model_fields[field].validation_alias
        return (alias if isinstance(alias, str) else f"{cls.env_prefix}{field}").upper()

    @model_validator(mode="before")
    @classmethod
    def _from_environment(cls, given: Any) -> Any:
        if not isinstance(given, dict):
            return given
        arguments = dict(given)
        env_file = arguments.pop("_env_file", ENV_FILE)
        found = {**_dotenv(env_file), **{name.upper(): value for name, value in os.environ.items()}}
        named = {cls._field_of(key) for key in arguments}
        values: dict[str, Any] = {}
        for field, info in cls.model_fields.items():
            raw = found.get(cls.environment_name(field))
            if raw is not None and field not in named:
                values[field] = _decoded(info.annotation, raw)
        return {**values, **arguments}

    @classmethod
    def _field_of(cls, key: str) -> str:
        for field, info in cls.model_fields.items():
            if key == field or key == info.validation_alias:
                return field
        return key


def _dotenv(path: str | Path | None) -> dict[str, str]:
    """`.env`'s values, upper-cased names; python-dotenv is imported only when there is a file to read."""
    if path is None or not Path(path).is_file():
        return {}
    from dotenv import dotenv_values

    return {name.upper(): value for name, value in dotenv_values(path).items() if value is not None}


def _decoded(annotation: Any, raw: str) -> Any:
    """JSON for the fields whose type is a container or a model; text for the rest (pydantic converts it)."""
    if not _wants_json(annotation):
        return raw
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def _wants_json(annotation: Any) -> bool:
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        return any(_wants_json(part) for part in typing.get_args(annotation) if part is not type(None))
    if origin is typing.Annotated:
        return _wants_json(typing.get_args(annotation)[0])
    kind = origin or annotation
    return isinstance(kind, type) and (issubclass(kind, _JSON_KINDS) or issubclass(kind, BaseModel))
