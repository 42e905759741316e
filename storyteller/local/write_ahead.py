"""The endpoint answers a write only once it is on disk: table items, media objects, published messages.

A WSGI layer around moto. DynamoDB's writes are also serialized here: DynamoDB checks and writes each
one atomically, moto's backend does not lock, so two runs of one story could both pass Claim's
condition (seen in the randomized soak under load: two runs through SaveMedia and Notify, two
emails); reads are serialized with them, since moto copies an item to answer one and a write changing it
meanwhile broke the copy (a 500, seen once in five loaded soaks). After moto applied a write, the items
it touched are read back and committed to the state
file before the answer is released; an object PUT is written to its file with fsync; a published
message is kept until its email is in the outbox. If the disk refuses an item or an object, the write is
undone in moto and the caller gets a 500, so the run fails visibly and nothing is half-saved.
"""

from __future__ import annotations

import io
import json
import logging
import re
import sqlite3
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote
from xml.etree import ElementTree

from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.dynamodb.models import dynamodb_backends
from moto.s3.models import s3_backends

from storyteller.local.activity import Wakeups
from storyteller.local.store import DurableStore, write_durably
from storyteller.local.wsgi_answer import WSGIApp, collect

log = logging.getLogger(__name__)


_DYNAMODB = "DynamoDB_20120810."
_DYNAMODB_WRITES = frozenset(
    f"{_DYNAMODB}{operation}"
    for operation in ("PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem")
)
# Writes that can add an item, and so a stream INSERT for the pipe: these wake the pump.
_DYNAMODB_ADDS = frozenset(
    f"{_DYNAMODB}{operation}" for operation in ("PutItem", "TransactWriteItems", "BatchWriteItem")
)
# What the media functions write (names.image_key, names.audio_key) and all that start-up loads back
# (state.LocalState._restore_media): any other key would be served until the next start, then vanish.
_STORY_OBJECT = re.compile(r"stories/[^/]+/[^/]+")
_NOT_A_STORY_OBJECT = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code>'
    b"<Message>only stories/{id}/{file} may be written to the media bucket</Message></Error>"
)
_DISK_REFUSED = b'{"__type": "InternalServerError", "message": "the local state could not be written to disk"}'


@dataclass(frozen=True)
class Durability:
    """Where acknowledged writes go: the state file, and the media bucket's folder.

    `loading` is set while start-up loads the disk into moto: those writes are on disk already.
    """

    store: DurableStore
    media_dir: Path
    media_bucket: str
    region: str
    loading: threading.Event = field(default_factory=threading.Event)
    wakeups: Wakeups = field(default_factory=Wakeups)  # the pump and waiters, each for what concerns it

    def active(self) -> bool:
        return not self.loading.is_set()


def write_ahead(app: WSGIApp, durability: Durability | None) -> WSGIApp:
    """moto behind atomic DynamoDB writes and, when `durability` is given, writes that survive a kill."""
    dynamodb_lock = threading.Lock()

    def serve(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        recording = durability if durability is not None and durability.active() else None
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        if target.startswith(_DYNAMODB):
            # Reads too: moto answers one by copying items attribute by attribute, and a write changing
            # that item meanwhile broke the copy ("dictionary changed size during iteration", a 500).
            with dynamodb_lock:
                if target not in _DYNAMODB_WRITES:
                    return list(app(environ, start_response))
                answer = _dynamodb_write(app, environ, start_response, recording)
            return _woken(recording, answer, stream=target in _DYNAMODB_ADDS)
        if recording is None:
            return app(environ, start_response)
        service = _signed_service(environ)
        if service == "s3" and environ.get("REQUEST_METHOD") in ("PUT", "DELETE"):
            return _woken(recording, _object_write(app, environ, start_response, recording))
        if service == "sns":
            return _woken(recording, _publish(app, environ, start_response, recording), outbox=True)
        return app(environ, start_response)

    return serve


def _woken(
    recording: Durability | None, answer: Iterable[bytes], *, stream: bool = False, outbox: bool = False
) -> Iterable[bytes]:
    """After a write: progress output has a step to show; the pump may have a new item or message to move."""
    if recording is not None:
        recording.wakeups.written(stream=stream, outbox=outbox)
    return answer


def _refuse(start_response: Callable[..., Any], error: Exception) -> Iterable[bytes]:
    log.error("a write was refused by the disk and undone: %s", error)
    start_response("500 Internal Server Error", [("Content-Type", "application/x-amz-json-1.0")])
    return [_DISK_REFUSED]


def _read_body(environ: dict[str, Any]) -> bytes:
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body: bytes = environ["wsgi.input"].read(length) if length else b""
    environ["wsgi.input"] = io.BytesIO(body)
    return body


# --- DynamoDB: the touched items, read back after moto applied the write.
def _dynamodb_write(
    app: WSGIApp, environ: dict[str, Any], start_response: Callable[..., Any], durability: Durability | None
) -> Iterable[bytes]:
    if durability is None:
        return list(app(environ, start_response))
    request = json.loads(_read_body(environ) or b"{}")
    backend = dynamodb_backends[DEFAULT_ACCOUNT_ID][durability.region]
    try:
        touched = _touched_keys(backend, environ["HTTP_X_AMZ_TARGET"].split(".")[1], request)
    except (KeyError, TypeError, ValueError, AttributeError):  # moto answers a malformed request itself
        return collect(app, environ).release(start_response)
    before = [_attributes(backend, table, key) for table, key in touched]
    answer = collect(app, environ)
    if answer.ok:
        after = [(table, key, _attributes(backend, table, key)) for table, key in touched]
        try:
            durability.store.put_items(after)
        except (OSError, sqlite3.Error) as error:
            for (table, key), item in zip(touched, before, strict=True):
                if item is None:
                    backend.delete_item(table, key)
                else:
                    backend.put_item(table, item, overwrite=True)
            return _refuse(start_response, error)
    return answer.release(start_response)


def _attributes(backend: Any, table: str, key: dict[str, Any]) -> dict[str, Any] | None:
    found = backend.get_item(table, key)
    return None if found is None else dict(found.to_json()["Attributes"])


def _touched_keys(backend: Any, operation: str, request: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    def key_of(table: str, item: dict[str, Any]) -> dict[str, Any]:
        schema = backend.get_table(table)
        names = [schema.hash_key_attr] + ([schema.range_key_attr] if schema.range_key_attr else [])
        return {name: item[name] for name in names}

    if operation == "PutItem":
        return [(request["TableName"], key_of(request["TableName"], request["Item"]))]
    if operation in ("UpdateItem", "DeleteItem"):
        return [(request["TableName"], request["Key"])]
    touched: list[tuple[str, dict[str, Any]]] = []
    if operation == "BatchWriteItem":
        for table, writes in request.get("RequestItems", {}).items():
            for write in writes:
                if "PutRequest" in write:
                    touched.append((table, key_of(table, write["PutRequest"]["Item"])))
                else:
                    touched.append((table, write["DeleteRequest"]["Key"]))
    else:  # TransactWriteItems
        for entry in request.get("TransactItems", []):
            for kind, write in entry.items():
                if kind == "Put":
                    touched.append((write["TableName"], key_of(write["TableName"], write["Item"])))
                elif kind in ("Update", "Delete"):
                    touched.append((write["TableName"], write["Key"]))
    return touched


# --- S3: the object's file is whole on disk before the PUT is answered.
def _object_write(
    app: WSGIApp, environ: dict[str, Any], start_response: Callable[..., Any], durability: Durability
) -> Iterable[bytes]:
    bucket, _, key = unquote(environ.get("PATH_INFO", "")).lstrip("/").partition("/")
    query = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
    if bucket != durability.media_bucket or not key or query:  # bucket calls, multipart parts, tags…
        return app(environ, start_response)
    # Checked before moto stores anything: a refused write must leave nothing readable (issue 30).
    if not _STORY_OBJECT.fullmatch(key):
        start_response("403 Forbidden", [("Content-Type", "application/xml")])
        return [_NOT_A_STORY_OBJECT]
    path = durability.media_dir / key
    if not path.resolve().is_relative_to(durability.media_dir.resolve()):  # the guard refuses these first
        return _refuse(start_response, OSError(f"object key {key!r} leads outside {durability.media_dir}"))
    answer = collect(app, environ)
    if not answer.ok:
        return answer.release(start_response)
    backend = s3_backends[DEFAULT_ACCOUNT_ID]["aws"]
    if environ["REQUEST_METHOD"] == "DELETE":
        path.unlink(missing_ok=True)
        return answer.release(start_response)
    try:
        stored = backend.get_object(bucket, key)
        write_durably(path, bytes(stored.value if stored is not None else b""))
    except OSError as error:
        backend.delete_object(bucket, key)  # not on disk, so not in the bucket: a retry makes it again
        return _refuse(start_response, error)
    return answer.release(start_response)


# --- SNS: a published message is kept until its email is in the outbox.
def _publish(
    app: WSGIApp, environ: dict[str, Any], start_response: Callable[..., Any], durability: Durability
) -> Iterable[bytes]:
    form = parse_qs(_read_body(environ).decode(), keep_blank_values=True)
    if form.get("Action") != ["Publish"]:
        return app(environ, start_response)
    answer = collect(app, environ)
    if answer.ok:
        try:
            durability.store.put_message(_notification(form, answer.body))
        except (OSError, sqlite3.Error) as error:
            # moto has queued it and the pump emails it within moments; refusing would make the caller
            # publish again, and a second email is worse than this narrow window of a kill.
            log.error("published message not kept on disk (%s); it is emailed unless the process dies first", error)
    return answer.release(start_response)


def _notification(form: dict[str, list[str]], answer: bytes) -> dict[str, Any]:
    """The message as the topic's subscribers receive it (the outbox reads this shape)."""
    answered = ElementTree.fromstring(answer).iter()
    message_id = next(element.text for element in answered if element.tag.endswith("MessageId"))
    attributes: dict[str, Any] = {}
    index = 1
    while f"MessageAttributes.entry.{index}.Name" in form:
        name = form[f"MessageAttributes.entry.{index}.Name"][0]
        value = form.get(f"MessageAttributes.entry.{index}.Value.StringValue", [""])[0]
        attributes[name] = {"Type": "String", "Value": value}
        index += 1
    return {
        "Type": "Notification",
        "MessageId": message_id,
        "TopicArn": form.get("TopicArn", [""])[0],
        "Subject": form.get("Subject", [None])[0],
        "Message": form.get("Message", [""])[0],
        "Timestamp": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
        "MessageAttributes": attributes,
    }


def _signed_service(environ: dict[str, Any]) -> str | None:
    """The service a SigV4 request is signed for (its credential scope)."""
    authorization = environ.get("HTTP_AUTHORIZATION", "")
    scope = authorization.partition("Credential=")[2].split(",")[0].split("/")
    return scope[3] if len(scope) > 3 else None
