"""botocore, boto3 and urllib3 DEBUG logs carry no personal data or credentials once redacted.

Every operation whose request or response reaches a sensitive member runs against a 127.0.0.1
server (so botocore, its signer, its parser and urllib3 all log for real), with a canary in every
sensitive member of the request and of the response, and with a session whose token, secret key
and signature are canaries too. Each record is formatted in full (message and traceback) and
searched. The same calls without redaction show the canaries, so the searches can fail.
"""

from __future__ import annotations

import itertools
import logging
import pickle
import queue
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from logging.handlers import QueueHandler, SocketHandler
from typing import Any
from unittest.mock import Mock
from urllib.parse import unquote

import boto3
import boto3.session
import pytest
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.exceptions import ClientError, ReadTimeoutError
from botocore.parsers import ResponseParserError

import customer_profiles_sdk.logging as redaction
from customer_profiles_sdk import CustomerProfilesClient, CustomerProfilesError
from customer_profiles_sdk import models as models_module
from customer_profiles_sdk._generated.operations import OPERATIONS, PARTIAL_FAILURES
from customer_profiles_sdk.logging import RedactingFilter, Redaction, redact_botocore_logs, redact_record

from . import synth
from .localserver import LocalServer, Received, Reply, error_reply
from .test_sensitive import CANARY, SENSITIVE_SHAPES, STRUCTURES_WITH_SENSITIVE

SECRET = "SECRETCANARY9d1e"
TOKEN = "TOKENCANARY42c8"
KEY_ID = "AKIDLOGCANARY"
SCOPED = ("botocore", "boto3", "urllib3", "s3transfer", "aiobotocore", "aioboto3")

_counter = itertools.count()


# ---------------------------------------------------------------------------------------------
# Requests that pass the SDK's validation with a canary in every sensitive string
# ---------------------------------------------------------------------------------------------


def canary_text(name: str, strict: bool = True) -> str | None:
    """A canary string valid for string shape ``name``, or None if none fits (enums, patterns).

    Not ``strict`` (a response, parsed leniently): any string shape takes a canary.
    """
    shape = synth.SHAPES[name]
    text = f"{CANARY}-{next(_counter)}".ljust(shape.get("min", 0), "x")
    if not strict:
        return text
    if "enum" in shape:
        return None
    if shape.get("max") is not None and len(text) > shape["max"]:
        return None
    if "pattern" in shape and not synth.ecma_search(shape["pattern"], text):
        return None
    return text


def with_canaries(name: str, strict: bool = True, inside: bool = False, reached: set[str] | None = None) -> Any:
    """A full wire value with a canary in every string within a sensitive shape, unions respected.

    ``strict``: only where a canary passes the SDK's validation (a request); otherwise everywhere
    (a response: enums, patterns and lengths are not checked when parsing).
    """
    shape = synth.SHAPES[name]
    kind = shape["type"]
    inside = inside or bool(shape.get("sensitive"))
    if shape.get("sensitive") and reached is not None:
        reached.add(name)
    if kind == "string":
        return (canary_text(name, strict) if inside else None) or synth.valid(name, True)
    if kind == "list":
        count = max(shape.get("min", 0), 1)
        return [with_canaries(shape["member"]["shape"], strict, inside, reached) for _ in range(count)]
    if kind == "map":
        key_shape = shape["key"]["shape"]
        key = canary_text(key_shape, strict) if inside and synth.SHAPES[key_shape]["type"] == "string" else None
        return {key or synth.valid(key_shape, True): with_canaries(shape["value"]["shape"], strict, inside, reached)}
    if kind == "structure":
        members = shape.get("members", {})
        if shape.get("union"):
            sensitive = (m for m, spec in members.items() if synth.reaches_sensitive(spec["shape"]))
            pick = next(sensitive, next(iter(members)))
            return {pick: with_canaries(members[pick]["shape"], strict, inside, reached)}
        return {
            member: with_canaries(spec["shape"], strict, inside, reached)
            if inside or synth.reaches_sensitive(spec["shape"]) else synth.valid(spec["shape"], True)
            for member, spec in members.items()
        }
    return synth.valid(name, True)


SENSITIVE = set(STRUCTURES_WITH_SENSITIVE)
OPS = sorted(op for op, info in OPERATIONS.items() if {info.input_shape, info.output_shape} & SENSITIVE)
REQUESTS = {op: with_canaries(OPERATIONS[op].input_shape) for op in OPS}
REPLIES = {op: with_canaries(OPERATIONS[op].output_shape, strict=False) for op in OPS}


def model(name: str) -> Any:
    return getattr(models_module, name)


# ---------------------------------------------------------------------------------------------
# Logging set-up, restored after every test
# ---------------------------------------------------------------------------------------------


class Capture(logging.Handler):
    """Formats every record in full, as a user's handler would, traceback included."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(funcName)s %(message)s"))
        self.texts: list[str] = []
        self.records: list[logging.LogRecord] = []
        self.errors = 0
        self.total = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.texts.append(self.format(record))
        self.records.append(record)
        self.total += 1

    def handleError(self, record: logging.LogRecord) -> None:  # a record that could not be formatted
        self.errors += 1

    def clear(self) -> None:
        self.texts.clear()
        self.records.clear()

    def joined(self) -> str:
        return "\n".join(self.texts)

    def holding(self, *needles: str) -> list[str]:
        return [text for text in self.texts if any(needle in text for needle in needles)]


def redaction_state() -> tuple[object, int]:
    return redaction._factory, redaction._holders


@pytest.fixture
def logs() -> Iterator[Capture]:
    """Root logger at DEBUG with a capturing handler; everything put back afterwards.

    A test must leave the record factory and the module's own state as it found them: the
    fixture fails otherwise (and only then resets them, so that later tests start clean).
    """
    root = logging.getLogger()
    factory = logging.getLogRecordFactory()
    state = redaction_state()
    assert state == (None, 0), "redaction was left installed before this test"
    saved_root = (root.level, list(root.handlers))
    saved = {name: (logging.getLogger(name).level, list(logging.getLogger(name).handlers),
                    logging.getLogger(name).propagate) for name in SCOPED}
    capture = Capture()
    root.addHandler(capture)
    root.setLevel(logging.DEBUG)
    try:
        yield capture
    finally:
        root.removeHandler(capture)
        root.setLevel(saved_root[0])
        root.handlers[:] = saved_root[1]
        for name, (level, handlers, propagate) in saved.items():
            logger = logging.getLogger(name)
            logger.setLevel(level)
            logger.handlers[:] = handlers
            logger.propagate = propagate
        left_installed = logging.getLogRecordFactory() is not factory
        left_state = redaction_state()
        if left_installed or left_state != state:
            logging.setLogRecordFactory(factory)
            redaction._factory, redaction._holders = state
        assert not left_installed, "a test left a record factory installed"
        assert left_state == state, f"a test left redaction's state behind: {left_state}"
        assert capture.errors == 0, "a record could not be formatted"


@pytest.fixture
def redacted(logs: Capture) -> Iterator[Capture]:
    with redact_botocore_logs():
        yield logs


def canary_session() -> Any:
    return boto3.session.Session(aws_access_key_id=KEY_ID, aws_secret_access_key=SECRET,
                                 aws_session_token=TOKEN, region_name="us-east-1")


def make_client(kind: str, server: LocalServer, config: Config | None = None) -> Any:
    if kind == "boto3":
        # A plain boto3 client on the shipped model, so every operation exists on any botocore.
        from customer_profiles_sdk._compat import private_session

        return private_session(canary_session()).create_client("customer-profiles", endpoint_url=server.url,
                                                               config=config)
    return CustomerProfilesClient(session=canary_session(), endpoint_url=server.url, config=config,
                                  fast_parse=kind == "sdk-fast")


def call(kind: str, client: Any, op: str, wire: dict[str, Any]) -> Any:
    """One call with wire parameters: typed for the SDK (``send``), plain for boto3."""
    info = OPERATIONS[op]
    if kind == "boto3":
        return getattr(client, info.python_name)(**wire)
    request = model(info.input_shape).model_validate(wire)
    return client.send(request, allow_partial=op in PARTIAL_FAILURES)


def replying(body: Any) -> Callable[[Received], Reply]:
    return lambda request: Reply(200, body)


def secrets_of(server: LocalServer) -> list[str]:
    """What must never be logged: canaries, credentials and the signature the server received."""
    found = [CANARY, TOKEN, SECRET, f"Credential={KEY_ID}"]
    for received in server.requests:
        match = re.search(r"Signature=([0-9a-f]{64})", received.headers.get("authorization", ""))
        assert match, "every request is signed"
        found.append(match.group(1))
    return found


def assert_clean(capture: Capture, server: LocalServer) -> None:
    assert capture.texts, "the calls were logged"
    forbidden = secrets_of(server)
    leaks = [(needle, text[:300]) for text in capture.texts for needle in forbidden if needle in text]
    assert leaks == []
    assert_rewritten(capture.records)


def assert_rewritten(records: list[logging.LogRecord]) -> None:
    """Every in-scope record carries its redacted text only: no arguments, no exception object."""
    scoped = [record for record in records if record.name.split(".")[0] in SCOPED]
    assert scoped
    assert [record for record in scoped if record.args != () or record.exc_info is not None] == []


# ---------------------------------------------------------------------------------------------
# Every operation reaching a sensitive member, three ways
# ---------------------------------------------------------------------------------------------


def test_the_operations_cover_every_sensitive_shape() -> None:
    reached: set[str] = set()
    for op in OPS:
        with_canaries(OPERATIONS[op].input_shape, reached=reached)
        with_canaries(OPERATIONS[op].output_shape, strict=False, reached=reached)
    assert reached == SENSITIVE_SHAPES  # all 39, through requests and replies together
    inputs = [op for op in OPS if OPERATIONS[op].input_shape in SENSITIVE]
    outputs = [op for op in OPS if OPERATIONS[op].output_shape in SENSITIVE]
    with_canary = [op for op in inputs if CANARY in repr(REQUESTS[op])]
    if synth.VERSION == "1.44.5":
        assert (len(OPS), len(inputs), len(outputs)) == (48, 24, 37)
        # The only sensitive input holding no string: ConditionOverrides (numbers and an enum).
        assert sorted(set(inputs) - set(with_canary)) == ["BatchGetCalculatedAttributeForProfile"]
    for op in outputs:
        assert CANARY in repr(REPLIES[op])
    for op in inputs:
        model(OPERATIONS[op].input_shape).model_validate(REQUESTS[op])  # valid: the SDK sends it


def run_every_operation(kind: str, server: LocalServer, capture: Capture) -> dict[str, set[str]]:
    """Call every operation in OPS; return, for each, the forbidden strings found in its records."""
    client = make_client(kind, server)
    started, records = time.perf_counter(), 0
    found: dict[str, set[str]] = {}
    for op in OPS:
        info = OPERATIONS[op]
        server.reset()
        capture.clear()
        server.respond = replying(REPLIES[op])
        result = call(kind, client, op, REQUESTS[op])

        # The canaries really travelled: in the request body sent, and back in the parsed result.
        (received,) = server.requests
        if CANARY in repr(REQUESTS[op]):
            assert CANARY in received.body.decode(), op
        if info.output_shape in SENSITIVE:
            assert CANARY in repr(result if kind == "boto3" else result.to_boto()), op

        forbidden = secrets_of(server)
        found[op] = {needle for text in capture.texts for needle in forbidden if needle in text}
        # What helps debugging is there, redacted or not.
        text = capture.joined()
        assert f"OperationModel(name={op})" in text, op
        assert f'"{info.http_method} ' in text and '" 200 ' in text, op
        assert received.path in unquote(text), op
        assert "X-Amz-Security-Token" in text and "Authorization" in text, op
        records += len(capture.texts)
    print(f"\n{kind}: {len(OPS)} operations, {records} records, {time.perf_counter() - started:.2f}s")
    return found


@pytest.mark.parametrize("kind", ["sdk-fast", "sdk-slow", "boto3"])
def test_no_canary_token_or_signature_in_any_record(kind: str, fresh_server: LocalServer, redacted: Capture) -> None:
    found = run_every_operation(kind, fresh_server, redacted)
    assert {op: needles for op, needles in found.items() if needles} == {}


def test_without_redaction_every_operation_shows_them(fresh_server: LocalServer, logs: Capture) -> None:
    found = run_every_operation("boto3", fresh_server, logs)
    for op, needles in found.items():
        shown = {CANARY, TOKEN, f"Credential={KEY_ID}"}
        assert shown <= needles and len(needles - shown) == 1, op  # and the signature
        assert SECRET not in needles  # botocore never logs the secret key itself, only what it signs


# ---------------------------------------------------------------------------------------------
# The test can fail: without redaction everything shows; after remove() it shows again
# ---------------------------------------------------------------------------------------------


def test_without_redaction_the_data_shows_and_remove_stops_redaction(
    fresh_server: LocalServer, logs: Capture
) -> None:
    op = "CreateProfile"
    fresh_server.respond = lambda request: Reply(200, REPLIES["SearchProfiles"])
    client = make_client("sdk-slow", fresh_server)

    def run() -> str:
        fresh_server.reset()
        logs.clear()
        call("sdk-slow", client, op, REQUESTS[op])
        return logs.joined()

    plain = run()
    signature = secrets_of(fresh_server)[-1]
    for needle in (CANARY, TOKEN, signature, f"Credential={KEY_ID}", "'Authorization': b'AWS4-HMAC-SHA256"):
        assert needle in plain
    original = logging.getLogRecordFactory()

    handle = redact_botocore_logs()
    assert isinstance(handle, Redaction) and handle.active
    redacted_text = run()
    for needle in (CANARY, TOKEN, signature, f"Credential={KEY_ID}"):
        assert needle not in redacted_text
    assert "'Authorization': <redacted>" in redacted_text

    handle.remove()
    assert not handle.active
    assert logging.getLogRecordFactory() is original
    again = run()
    assert CANARY in again and TOKEN in again and secrets_of(fresh_server)[-1] in again


def test_useful_content_survives(fresh_server: LocalServer, redacted: Capture) -> None:
    fresh_server.respond = lambda request: Reply(200, {"ProfileId": "p-1"})
    client = make_client("sdk-fast", fresh_server)
    call("sdk-fast", client, "CreateProfile", REQUESTS["CreateProfile"])
    (received,) = fresh_server.requests
    text = redacted.joined()
    for kept in (
        "Making request for OperationModel(name=CreateProfile)",
        "Event before-call.customer-profiles.CreateProfile",
        "'method': 'POST'",
        f"'url_path': '{received.path}'",
        f'"POST {received.path} HTTP/1.1" 200',
        "'x-amzn-RequestId': 'req-1'",
        "'Content-Type': 'application/json'",
        "Calculating signature using v4 auth.",
        "Not retrying request.",
        f"'body': <body redacted: {len(received.body)} bytes>",
        "Response body:\n<body redacted: ",
        "CanonicalRequest:\n<redacted>",
        "StringToSign:\n<redacted>",
        "'X-Amz-Security-Token': <redacted>",
    ):
        assert kept in text


def test_query_strings_are_redacted_and_paths_kept(fresh_server: LocalServer, redacted: Capture) -> None:
    fresh_server.respond = lambda request: Reply(200, {"Items": []})
    client = make_client("boto3", fresh_server)
    client.list_profile_objects(DomainName="shop", ObjectTypeName="o", ProfileId="p", MaxResults=5,
                                NextToken=CANARY)
    assert fresh_server.requests[0].query["next-token"] == [CANARY]
    assert_clean(redacted, fresh_server)
    text = redacted.joined()
    assert '"POST /domains/shop/profiles/objects?<query redacted> HTTP/1.1" 200' in text
    assert "'query_string': <query redacted: 2 parameters>" in text


# ---------------------------------------------------------------------------------------------
# Error and retry paths
# ---------------------------------------------------------------------------------------------


RETRY_LOGGERS = {"standard": "botocore.retries.standard", "legacy": "botocore.retryhandler"}


@pytest.mark.parametrize("kind, mode", [("sdk-slow", None), ("boto3", "standard"), ("boto3", "legacy")])
def test_retry_after_500(kind: str, mode: str | None, fresh_server: LocalServer, redacted: Capture) -> None:
    """Both retry handlers. botocore 1.44 (and the SDK) default to standard: legacy is asked for."""
    replies = iter([error_reply("InternalServerException", 500, f"failed for {CANARY}-500"),
                    Reply(200, REPLIES["GetProfileObjectType"])])
    fresh_server.respond = lambda request: next(replies)
    retries: Any = {"mode": mode}
    client = make_client(kind, fresh_server, Config(retries=retries) if mode else None)
    result = call(kind, client, "GetProfileObjectType", REQUESTS["GetProfileObjectType"])
    assert len(fresh_server.requests) == 2
    assert CANARY in repr(result if kind == "boto3" else result.to_boto())
    assert_clean(redacted, fresh_server)
    assert redacted.holding('" 500 ') and redacted.holding('" 200 ')
    assert redacted.holding("Retry needed")
    assert redacted.holding("Response body:\n<body redacted: ")
    handlers = {record.name for record in redacted.records} & set(RETRY_LOGGERS.values())
    assert handlers == {RETRY_LOGGERS[mode or "standard"]}  # the handler asked for, and only that one


@pytest.mark.parametrize("kind", ["sdk-fast", "boto3"])
def test_client_error_with_personal_data_in_its_body(kind: str, fresh_server: LocalServer, redacted: Capture) -> None:
    fresh_server.respond = lambda request: error_reply("BadRequestException", 400, f"no profile for {CANARY}-400")
    client = make_client(kind, fresh_server)
    with pytest.raises(ClientError) as caught:
        call(kind, client, "CreateProfile", REQUESTS["CreateProfile"])
    assert CANARY in caught.value.response["Error"]["Message"]  # it did arrive
    assert_clean(redacted, fresh_server)
    assert redacted.holding('" 400 ')
    assert redacted.holding("'x-amzn-ErrorType': 'BadRequestException:http://internal/'")


def test_read_timeout(fresh_server: LocalServer, redacted: Capture) -> None:
    fresh_server.respond = lambda request: Reply(200, {"Items": [{"FirstName": CANARY}]}, delay=0.5)
    config = Config(read_timeout=0.1, retries={"total_max_attempts": 1})
    client = make_client("sdk-fast", fresh_server, config)
    with pytest.raises(CustomerProfilesError):
        client.list_profile_objects(domain_name="d", object_type_name="o", profile_id="p", next_token=CANARY)
    # The legacy retry handler logs the exception with its traceback (exc_info) before retrying.
    legacy = make_client("boto3", fresh_server, Config(read_timeout=0.1, retries={"total_max_attempts": 2,
                                                                                    "mode": "legacy"}))
    with pytest.raises(ReadTimeoutError) as caught:
        legacy.list_profile_objects(DomainName="d", ObjectTypeName="o", ProfileId="p", NextToken=CANARY)
    assert CANARY in str(caught.value)  # botocore's own exception names the full URL ...
    assert_clean(redacted, fresh_server)  # ... but no record does
    (traced,) = redacted.holding("retry needed, retryable exception caught")
    assert "Traceback (most recent call last):" in traced
    assert "urllib3.exceptions.ReadTimeoutError" in traced and "Read timed out." in traced
    assert "/domains/d/profiles/objects?<query redacted>" in traced


# ---------------------------------------------------------------------------------------------
# Records that arrive already formatted: another process, a queue
# ---------------------------------------------------------------------------------------------


def sent_through_a_socket(record: logging.LogRecord) -> logging.LogRecord:
    """The record as a SocketHandler receiver rebuilds it: formatted, pickled, makeLogRecord."""
    data = SocketHandler("127.0.0.1", 9).makePickle(record)  # nothing is sent
    return logging.makeLogRecord(pickle.loads(data[4:]))


def sent_through_a_queue(record: logging.LogRecord) -> logging.LogRecord:
    """The record as a QueueHandler enqueues it: formatted (traceback included) into ``msg``."""
    prepared: logging.LogRecord = QueueHandler(queue.SimpleQueue()).prepare(record)
    return prepared


def test_records_formatted_elsewhere_are_redacted_by_the_filter(fresh_server: LocalServer, logs: Capture) -> None:
    """Every operation, a paginator and a logged traceback, without redaction where they are
    created; the records then go through a socket or a queue, and a RedactingFilter redacts them
    where they arrive, from their text alone."""
    client = make_client("boto3", fresh_server)
    for op in OPS:
        fresh_server.respond = replying(REPLIES[op])
        call("boto3", client, op, REQUESTS[op])
    # A paginator whose second request carries a canary in its next-token.
    pages = iter([Reply(200, {"Items": [], "NextToken": f"{CANARY}-token"}), Reply(200, {"Items": []})])
    fresh_server.respond = lambda request: next(pages)
    paginator = make_client("sdk-fast", fresh_server).paginate_list_profile_objects(
        domain_name="d", object_type_name="o", profile_id="a" * 32)
    assert list(paginator) == []
    assert fresh_server.requests[-1].query["next-token"] == [f"{CANARY}-token"]
    # The legacy retry handler logs a read timeout with its traceback (exc_info).
    fresh_server.respond = lambda request: Reply(200, {}, delay=0.3)
    legacy = make_client("boto3", fresh_server, Config(read_timeout=0.1, retries={"total_max_attempts": 2,
                                                                                    "mode": "legacy"}))
    with pytest.raises(ReadTimeoutError):
        legacy.list_profile_objects(DomainName="d", ObjectTypeName="o", ProfileId="p", NextToken=CANARY)

    forbidden = secrets_of(fresh_server)
    plain = logs.joined()
    assert [needle for needle in forbidden if needle not in plain] == [SECRET]  # not redacted where created
    assert "'query_string': {'next-token': 'CANARY" in plain and "Signature:\n" in plain
    records = list(logs.records)
    for send in (sent_through_a_socket, sent_through_a_queue):
        texts = []
        for record in records:
            arrived = send(record)
            assert RedactingFilter().filter(arrived) is True
            assert arrived.args == () and arrived.exc_info is None
            if send is sent_through_a_queue:  # prepare() set it: a handler reading it gets the redacted text
                assert arrived.message == arrived.msg
            texts.append(logs.format(arrived))
        leaks = [(needle, text[:300]) for text in texts for needle in forbidden if needle in text]
        assert leaks == [], send.__name__
        text = "\n".join(texts)
        for kept in ("Calculating signature using v4 auth.", "CanonicalRequest:\n<redacted>",
                     "StringToSign:\n<redacted>", "Signature:\n<redacted>",
                     "Making request for OperationModel(name=ListProfileObjects) with params: {'url_path': "
                     "'/domains/d/profiles/objects', 'query_string': <query redacted: 1 parameters>",
                     "'body': <body redacted: ", '"POST /domains/d/profiles/objects?<query redacted> HTTP/1.1" 200',
                     "retry needed, retryable exception caught", "Traceback (most recent call last):",
                     "urllib3.exceptions.ReadTimeoutError"):
            assert kept in text, (send.__name__, kept)


def test_a_signer_message_that_arrives_formatted_keeps_only_its_label() -> None:
    def arrived(text: str, name: str = "botocore.auth") -> str:
        return redact_record(logging.makeLogRecord({"name": name, "msg": text, "args": None})).getMessage()

    assert arrived(f"Signature:\n{'ab' * 32}") == "Signature:\n<redacted>"
    assert arrived(f"CanonicalRequest:\nGET\n/\nnext-token={CANARY}\n") == "CanonicalRequest:\n<redacted>"
    assert arrived(f"String to sign: {CANARY}", "botocore.signers") == "String to sign: <redacted>"
    assert arrived("Calculating signature using v4 auth.") == "Calculating signature using v4 auth."
    assert arrived(f"{CANARY} with no label") == "<message redacted: 24 characters>"
    assert arrived(f"{'x' * 130}: {CANARY}").startswith("<message redacted: ")
    # The same text under another logger is no signer's: only the general rules apply.
    assert arrived("Signature: kept as text", "botocore.endpoint") == "Signature: kept as text"


# ---------------------------------------------------------------------------------------------
# A service message with a newline
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["sdk-fast", "boto3"])
def test_a_service_message_is_redacted_after_its_first_line(
    kind: str, fresh_server: LocalServer, redacted: Capture
) -> None:
    message = f"Invalid request\n{CANARY} Jane Doe jane@example.com\nthird line"
    fresh_server.respond = lambda request: error_reply("BadRequestException", 400, message)
    client = make_client(kind, fresh_server)
    with pytest.raises(ClientError) as caught:
        call(kind, client, "CreateProfile", REQUESTS["CreateProfile"])
    error = caught.value
    if kind == "boto3":
        assert message in str(error)  # botocore's text holds the whole message, newlines included
    else:  # the SDK's text escapes them: the message stays on one line
        assert "\n" not in str(error) and message.replace("\n", "\\n") in str(error)
    task_log = logging.getLogger("s3transfer.tasks")
    redacted.clear()
    task_log.debug("Exception caught in task: %s", error)
    task_log.debug("Exception caught in task: %r", error)
    task_log.debug("Exception caught in task: %s", str(error))
    task_log.debug("Exception caught in task", exc_info=error)
    assert len(redacted.texts) == 4
    assert_clean(redacted, fresh_server)
    assert [text for text in redacted.texts if "jane@example.com" in text or "third line" in text] == []
    head = "An error occurred (BadRequestException) when calling the CreateProfile operation: "
    for text in redacted.texts:
        assert f"{head}<service message redacted>" in text
    assert redacted.texts[1].endswith(f"Exception caught in task: {type(error).__name__}('{head}<service message "
                                      "redacted>')")
    assert "Traceback (most recent call last):" in redacted.texts[3]


def test_client_error_text_is_rebuilt_from_its_code_and_operation() -> None:
    def shown(error: BaseException) -> str:
        record = logging.LogRecord("s3transfer.tasks", logging.DEBUG, __file__, 1, "Exception caught in task: %s",
                                   (error,), None)
        return redact_record(record).getMessage()

    response: Any = {"Error": {"Code": "X", "Message": f"a\nJane {CANARY}"},
                     "ResponseMetadata": {"MaxAttemptsReached": True, "RetryAttempts": 4}}
    error = ClientError(response, "CreateProfile")
    assert shown(error) == ("Exception caught in task: An error occurred (X) when calling the CreateProfile operation"
                            " (reached max retries: 4): <service message redacted>")
    odd = ClientError({"Error": {"Code": f"Bad\n{CANARY}", "Message": CANARY}}, "CreateProfile")
    assert "(<code redacted>)" in shown(odd) and CANARY not in shown(odd)
    # Text that only quotes a ClientError is cut from the operation name on, newlines included.
    text = f"when calling the CreateProfile operation: a\n{CANARY}\n  more"
    assert redaction._scrub(text) == "when calling the CreateProfile operation: <service message redacted>"
    # And so is the traceback text of a record that arrives formatted.
    record = logging.LogRecord("botocore.x", logging.DEBUG, __file__, 1, "failed", (),
                               (ClientError, error, None))
    arrived = sent_through_a_socket(record)
    assert CANARY in (arrived.exc_text or "")
    assert CANARY not in logging.Formatter().format(redact_record(arrived))


# ---------------------------------------------------------------------------------------------
# Hostile values: long text, containers holding themselves, objects with properties
# ---------------------------------------------------------------------------------------------


def test_many_question_marks_are_read_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """A query is found by looking back for the token's start; the look-back never rescans."""
    scanned = 0
    real = redaction._TOKEN_END

    class Counting:
        def finditer(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> Iterator[re.Match[str]]:
            nonlocal scanned
            scanned += min(endpos, len(text)) - pos
            return real.finditer(text, pos, endpos)

    monkeypatch.setattr(redaction, "_TOKEN_END", Counting())
    for text in ("?a " * 100_000, "?a#" * 100_000, "/?a#" * 75_000, "x/y?a=1 " * 40_000):
        scanned = 0
        started = time.perf_counter()
        out = redaction._scrub(text)
        elapsed = time.perf_counter() - started
        assert scanned <= len(text), text[:8]  # each character looked at once at most
        assert elapsed < 2, text[:8]  # was 15 s for "?a " * 100000
        assert out.count("?") == text.count("?")
    assert redaction._scrub("?a " * 3) == "?a ?a ?a "  # no "/" before, no "=": not a query
    assert redaction._scrub("/p?a#?b=1 x/y?c (?d") == "/p?<query redacted>#?<query redacted> x/y?<query redacted> (?d"


def test_a_long_message_with_many_question_marks_is_redacted_quickly(redacted: Capture) -> None:
    text = f"/p?q={CANARY} " + "?a " * 100_000
    started = time.perf_counter()
    botocore_debug("%s", text)
    botocore_debug(text)
    assert time.perf_counter() - started < 2
    assert all(CANARY not in line and len(line) > 300_000 for line in redacted.texts[-2:])


def test_containers_that_hold_themselves_render_as_repr_does(redacted: Capture) -> None:
    looped: list[Any] = []
    looped.extend([looped] * 6)
    mapping: dict[str, Any] = {"body": CANARY.encode()}
    mapping["self"] = mapping
    started = time.perf_counter()
    botocore_debug("%s %r", looped, mapping)
    assert time.perf_counter() - started < 1  # was 15 s and 84 MB
    assert redacted.records[-1].getMessage() == (
        f"{looped!r} {{'body': <body redacted: 10 bytes>, 'self': {{...}}}}")
    pair: tuple[Any, ...] = (1, [])
    pair[1].append(pair)
    botocore_debug("%s", pair)
    assert redacted.records[-1].getMessage() == repr(pair) == "(1, [(...)])"


def test_shared_containers_stop_at_a_size_budget(redacted: Capture) -> None:
    wide: Any = [0] * 30
    for _ in range(4):
        wide = [wide] * 30  # 30**5 numbers, a 2.4 MB repr, but little memory
    wide_map: Any = dict.fromkeys(range(30), 0)
    for _ in range(4):
        wide_map = dict.fromkeys(range(30), wide_map)
    started = time.perf_counter()
    botocore_debug("%s", wide)
    botocore_debug("%s", list(range(2_000_000)))
    botocore_debug("%s", wide_map)
    botocore_debug("%s", {"headers": {f"x-h{i}": "v" * 100 for i in range(10_000)}})
    assert time.perf_counter() - started < 2
    for text in redacted.texts[-4:]:
        assert len(text) < 2 * redaction._MAX_RENDERED and text.endswith(("...]", "...}", "...}}"))


def test_objects_are_not_probed_for_request_attributes(redacted: Capture) -> None:
    reads: list[str] = []

    class Lookalike:
        """Has the attributes of a request, as properties that count their reads."""

        def __getattr__(self, name: str) -> Any:
            reads.append(name)
            raise AttributeError(name)

        @property
        def method(self) -> str:
            reads.append("method")
            return "GET"

        @property
        def url(self) -> str:
            reads.append("url")
            return "https://h/"

        @property
        def headers(self) -> dict[str, str]:
            reads.append("headers")
            return {}

        def __repr__(self) -> str:
            return "<Lookalike>"

    mock = Mock()
    botocore_debug("%s %s", Lookalike(), mock)
    assert reads == []
    assert mock.mock_calls == [] and "method" not in mock._mock_children and "url" not in mock._mock_children
    assert redacted.records[-1].getMessage().startswith("<Lookalike> <Mock id=")


def test_a_botocore_request_is_rendered_from_its_own_attributes(
    redacted: Capture, monkeypatch: pytest.MonkeyPatch
) -> None:
    prepared: list[AWSRequest] = []
    real_prepare = AWSRequest.prepare

    def counting_prepare(self: AWSRequest) -> Any:
        prepared.append(self)
        return real_prepare(self)

    monkeypatch.setattr(AWSRequest, "prepare", counting_prepare)
    botocore_debug("Bad IMDS request: %s", IMDS_REQUEST)
    assert prepared == []  # AWSRequest.body is a property that prepares the request: not read
    assert redacted.records[-1].getMessage() == KNOWN_CALLS[[m for _, m, _, _ in KNOWN_CALLS].index(
        "Bad IMDS request: %s")][3]
    request = AWSRequest(method="POST", url=f"https://h/p?x={CANARY}", data=CANARY.encode(),
                         headers={"Authorization": CANARY})
    botocore_debug("%s", request.prepare())
    assert redacted.records[-1].getMessage() == (
        "<AWSPreparedRequest stream_output=False, method=POST, url=https://h/p?<query redacted>, headers={"
        "'Authorization': <redacted>, 'Content-Length': '10'}, body=<body redacted: 10 bytes>>")


# ---------------------------------------------------------------------------------------------
# Installation: idempotent, nested, later loggers and handlers, a filter, no cost when off
# ---------------------------------------------------------------------------------------------


def botocore_debug(message: str, *args: object, name: str = "botocore.endpoint", **kwargs: Any) -> None:
    logging.getLogger(name).debug(message, *args, **kwargs)


def test_installs_once_and_stays_until_every_handle_is_removed(logs: Capture) -> None:
    original = logging.getLogRecordFactory()
    first = redact_botocore_logs()
    installed = logging.getLogRecordFactory()
    second = redact_botocore_logs()
    assert logging.getLogRecordFactory() is installed and installed is not original
    assert installed.previous is original  # type: ignore[attr-defined]  # one layer, not two
    first.remove()
    first.remove()  # harmless
    botocore_debug("body %s", CANARY.encode())
    assert logs.texts[-1].endswith("body <body redacted: 10 bytes>")
    with second:
        pass
    assert logging.getLogRecordFactory() is original
    botocore_debug("body %s", CANARY.encode())
    assert CANARY in logs.texts[-1]


class SavingFactory:
    """A library's record factory, installed and uninstalled the way OpenTelemetry's logging
    instrumentation does it: it saves the factory it found, and uninstalling puts that one back."""

    def __init__(self) -> None:
        self.saved = logging.getLogRecordFactory()
        logging.setLogRecordFactory(self)

    def __call__(self, *args: Any, **kwargs: Any) -> logging.LogRecord:
        record = self.saved(*args, **kwargs)
        record.__dict__["tagged"] = True
        return record

    def uninstall(self) -> None:
        logging.setLogRecordFactory(self.saved)


def test_works_below_a_factory_installed_later(logs: Capture) -> None:
    original = logging.getLogRecordFactory()
    handle = redact_botocore_logs()
    ours = logging.getLogRecordFactory()
    theirs = SavingFactory()
    botocore_debug("%s", CANARY.encode())
    assert CANARY not in logs.texts[-1] and logs.records[-1].__dict__["tagged"]
    assert handle.active and redaction.is_redacting()
    handle.remove()  # ours stays in the chain, switched off
    assert not handle.active and not redaction.is_redacting()
    botocore_debug("%s", CANARY.encode())
    assert CANARY in logs.texts[-1]
    again = redact_botocore_logs()  # switched back on, not stacked again
    assert logging.getLogRecordFactory() is theirs and again.active
    botocore_debug("%s", CANARY.encode())
    assert CANARY not in logs.texts[-1]
    again.remove()
    # The other library goes away and puts back what it saved: ours, switched off. Ours takes
    # itself out at the next record instead of staying on top of the chain for good.
    theirs.uninstall()
    assert logging.getLogRecordFactory() is ours
    botocore_debug("%s", CANARY.encode())
    assert CANARY in logs.texts[-1] and "tagged" not in logs.records[-1].__dict__
    assert logging.getLogRecordFactory() is original
    assert redaction_state() == (None, 0)


def test_a_library_restoring_an_older_factory_turns_redaction_off_visibly(logs: Capture) -> None:
    original = logging.getLogRecordFactory()
    theirs = SavingFactory()  # installed first: it saved the original factory
    handle = redact_botocore_logs()
    assert handle.active and redaction.is_redacting()
    botocore_debug("%s", CANARY.encode())
    assert CANARY not in logs.texts[-1]

    theirs.uninstall()  # puts back the factory it saved, which is not ours: redaction is gone
    assert logging.getLogRecordFactory() is original
    botocore_debug("%s", CANARY.encode())
    assert CANARY in logs.texts[-1]  # nothing can prevent this (see docs/security.md) ...
    assert not handle.active and not redaction.is_redacting()  # ... but it shows
    assert repr(handle) == "<Redaction held, not redacting>"

    again = redact_botocore_logs()  # the way back: turn it on again
    assert handle.active and again.active and redaction.is_redacting()
    botocore_debug("%s", CANARY.encode())
    assert CANARY not in logs.texts[-1]
    handle.remove()
    assert again.active and not handle.active and handle.removed
    again.remove()
    assert logging.getLogRecordFactory() is original
    assert not again.active and redaction_state() == (None, 0)


def test_removing_after_losing_the_chain_leaves_nothing_behind(logs: Capture) -> None:
    original = logging.getLogRecordFactory()
    theirs = SavingFactory()
    handle = redact_botocore_logs()
    theirs.uninstall()
    handle.remove()
    assert logging.getLogRecordFactory() is original and redaction_state() == (None, 0)


def test_loggers_and_handlers_created_later(redacted: Capture, capsys: pytest.CaptureFixture[str]) -> None:
    child = logging.getLogger(f"botocore.created_later_{next(_counter)}")
    own: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: own.append(handler.format(record))  # type: ignore[method-assign]
    child.addHandler(handler)
    child.propagate = False
    boto3.set_stream_logger("urllib3.later", logging.DEBUG)
    body = f'{{"FirstName": "{CANARY}"}}'.encode()
    try:
        child.debug("Response body:\n%r", body)
        logging.getLogger("urllib3.later").debug("GET %s", f"/x?name={CANARY}")
    finally:
        child.removeHandler(handler)
        stream_logger = logging.getLogger("urllib3.later")
        stream_logger.handlers.clear()
        stream_logger.setLevel(logging.NOTSET)
    assert own == [f"Response body:\n<body redacted: {len(body)} bytes>"]
    err = capsys.readouterr().err
    assert "GET /x?<query redacted>" in err and CANARY not in err


def test_other_loggers_are_left_alone(redacted: Capture) -> None:
    logging.getLogger("myapp").debug("payload %s", CANARY.encode())
    logging.getLogger("botocorex").debug("payload %s", CANARY.encode())
    assert all(CANARY in text for text in redacted.texts[-2:])


def test_redacting_filter_on_a_handler(logs: Capture) -> None:
    logs.addFilter(RedactingFilter())
    try:
        botocore_debug("Sending http request: %s", {"Authorization": f"AWS4 {CANARY}", "X-Other": "kept"})
        logging.getLogger("myapp").debug("kept %s", CANARY)
        assert logs.texts[-2].endswith("Sending http request: {'Authorization': <redacted>, 'X-Other': 'kept'}")
        assert CANARY in logs.texts[-1]
        logs.removeFilter(logs.filters[0])
        logs.addFilter(RedactingFilter(loggers=None))
        logging.getLogger("myapp").debug("now %s", CANARY.encode())
        assert logs.texts[-1].endswith("now <body redacted: 10 bytes>")
    finally:
        logs.filters.clear()


def test_no_work_when_debug_is_off(
    fresh_server: LocalServer, logs: Capture, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = make_client("sdk-fast", fresh_server)
    logging.getLogger().setLevel(logging.WARNING)
    calls: list[str] = []
    real = redaction.redact_record

    def counting(record: logging.LogRecord) -> logging.LogRecord:
        calls.append(record.name)
        return real(record)

    with redact_botocore_logs():
        monkeypatch.setattr(redaction, "redact_record", counting)
        logs.clear()
        call("sdk-fast", client, "CreateProfile", REQUESTS["CreateProfile"])
        assert calls == [] and logs.texts == []  # no record was created, so nothing to redact
        logging.getLogger().setLevel(logging.DEBUG)
        call("sdk-fast", client, "CreateProfile", REQUESTS["CreateProfile"])
    assert len(fresh_server.requests) == 2
    assert len(calls) == len(logs.records) > 10
    assert {name.split(".")[0] for name in calls} == {"botocore", "urllib3"}


# ---------------------------------------------------------------------------------------------
# Exceptions, known data-carrying log calls, broken log calls
# ---------------------------------------------------------------------------------------------


def test_exception_text_is_redacted_and_the_exception_untouched(redacted: Capture) -> None:
    try:
        try:
            raise ResponseParserError(f"Unable to parse response, invalid XML received:\n<Name>{CANARY}</Name>")
        except ResponseParserError as parse_error:
            raise ClientError({"Error": {"Code": "BadRequestException", "Message": f"bad {CANARY}"}},
                              "CreateProfile") from parse_error
    except ClientError as error:
        error.add_note(f"note: {CANARY.encode()!r}")
        raised = error
        botocore_debug("Exception received when sending HTTP request.", exc_info=True)
    text = redacted.texts[-1]
    assert CANARY not in text
    for kept in ("Traceback (most recent call last):", "botocore.parsers.ResponseParserError: <message redacted: ",
                 "The above exception was the direct cause of the following exception:",
                 "botocore.exceptions.ClientError: An error occurred (BadRequestException) when calling the "
                 "CreateProfile operation: <service message redacted>", "note: <body redacted: 10 bytes>",
                 "test_exception_text_is_redacted_and_the_exception_untouched"):
        assert kept in text
    assert redacted.records[-1].exc_info is None  # no formatter can render the original
    assert CANARY in str(raised) and CANARY in str(raised.__cause__)  # what the caller catches is unchanged


IMDS_REQUEST = AWSRequest(method="PUT", url=f"http://169.254.169.254/latest/api/token?t={CANARY}",
                          headers={"x-aws-ec2-metadata-token": CANARY, "x-aws-ec2-metadata-token-ttl-seconds": "21600"})

#: (logger, template, arguments, the whole redacted message). Each message keeps its own text and
#: the harmless arguments, so the expected text also shows what stays readable.
KNOWN_CALLS: list[tuple[str, str, tuple[object, ...], str]] = [
    ("botocore.endpoint", "Making request for %s with params: %s",
     ("OperationModel(name=CreateProfile)", {"url_path": "/p", "query_string": {"q": CANARY}, "method": "POST",
                                              "headers": {"Authorization": CANARY}, "body": CANARY.encode(),
                                              "url": f"https://h/p?q={CANARY}", "context": {}}),
     "Making request for OperationModel(name=CreateProfile) with params: {'url_path': '/p', 'query_string': "
     "<query redacted: 1 parameters>, 'method': 'POST', 'headers': {'Authorization': <redacted>}, 'body': "
     "<body redacted: 10 bytes>, 'url': 'https://h/p?<query redacted>', 'context': {}}"),
    ("botocore.endpoint", "Making request for %s with params: %s",
     ("op", {"body": {"Name": CANARY}, "url": f"https://h/?Action=X&Name={CANARY}"}),  # query protocol
     "Making request for op with params: {'body': <body redacted: 1 parameters>, "
     "'url': 'https://h/?<query redacted>'}"),
    ("botocore.parsers", "Response headers: %r", ({"Set-Cookie": CANARY, "x-amz-security-token": CANARY},),
     "Response headers: {'Set-Cookie': <redacted>, 'x-amz-security-token': <redacted>}"),
    ("botocore.parsers", "Response body:\n%r", (CANARY,), "Response body:\n<body redacted: 10 bytes>"),
    ("botocore.auth", "CanonicalRequest:\n%s", (f"POST\n/\nq={CANARY}\nhost:h\n",), "CanonicalRequest:\n<redacted>"),
    ("botocore.auth", "StringToSign:\n%s", (CANARY,), "StringToSign:\n<redacted>"),
    ("botocore.auth", "Signature:\n%s", (CANARY,), "Signature:\n<redacted>"),
    ("botocore.auth", "String to sign: %s", (CANARY,), "String to sign: <redacted>"),
    ("botocore.auth", "A message a later botocore might add: %s", (CANARY,),
     "A message a later botocore might add: <redacted>"),
    ("botocore.handlers", "Error found for response with 200 status code, errors: %s, changing status code to "
     "500.", ({"Errors": [{"Message": CANARY}]},),
     "Error found for response with 200 status code, errors: <parsed response redacted: 1 items>, changing status "
     "code to 500."),
    ("botocore.handlers", "Error found for response with 200 status code: %s.", (f"<E>{CANARY}</E>".encode(),),
     "Error found for response with 200 status code: <body redacted: 17 bytes>."),
    ("botocore.compress", "Unable to get length of the request body: %s. Skipping compression.", (CANARY,),
     "Unable to get length of the request body: <body redacted: 10 bytes>. Skipping compression."),
    ("botocore.awsrequest", "Rewinding stream: %s", (CANARY,), "Rewinding stream: <str, redacted>"),
    ("botocore.monitoring", "Truncating following value to maximum length of %s: %s", (CANARY, 10),
     "Truncating following value to maximum length of <value redacted>: 10"),
    ("botocore.discovery", "Discovering endpoints with kwargs: %s", ({"Identifiers": {"Name": CANARY}},),
     "Discovering endpoints with kwargs: <parameters redacted: 1 items>"),
    ("botocore.discovery", "Endpoint Discovery has failed for: %s", ({"Identifiers": {"Name": CANARY}},),
     "Endpoint Discovery has failed for: <parameters redacted: 1 items>"),
    ("botocore.utils", "Error response received when retrieving credentials: %s.", ({"Message": CANARY},),
     "Error response received when retrieving credentials: <response redacted: 1 items>."),
    ("botocore.session", "Setting config variable for %s to %r", ("aws_secret_access_key", CANARY),
     "Setting config variable for aws_secret_access_key to <redacted>"),
    ("botocore.retryhandler", "retry needed, retryable exception caught: %s",
     (ReadTimeoutError(endpoint_url=f"https://h/p?next-token={CANARY}"),),
     'retry needed, retryable exception caught: Read timeout on endpoint URL: "https://h/p?<query redacted>"'),
    ("botocore.utils", "Bad IMDS request: %s", (IMDS_REQUEST,),
     "Bad IMDS request: <AWSRequest stream_output=False, method=PUT, url=http://169.254.169.254/latest/api/token?"
     "<query redacted>, headers={'x-aws-ec2-metadata-token': <redacted>, 'x-aws-ec2-metadata-token-ttl-seconds': "
     "'21600'}, data=None>"),
    ("boto3.resources.action", "Calling %s:%s with %r", ("s3", "put_object", {"Body": CANARY}),
     "Calling s3:put_object with <parameters redacted: 1 items>"),
    ("boto3.resources.collection", "Calling paginated %s:%s with %r", ("s3", "list", {"Prefix": CANARY}),
     "Calling paginated s3:list with <parameters redacted: 1 items>"),
    ("boto3.resources.action", "Response: %r", ({"Item": {"Name": CANARY}},), "Response: <response redacted: 1 items>"),
    ("boto3.dynamodb.table", "With overwrite_by_pkeys enabled, skipping request:%s", ({"Name": CANARY},),
     "With overwrite_by_pkeys enabled, skipping request:<item redacted: 1 items>"),
    ("urllib3.connectionpool", '%s://%s:%s "%s %s %s" %s %s',
     ("https", "h", 443, "GET", f"/p?name={CANARY}", "HTTP/1.1", 200, 10),
     'https://h:443 "GET /p?<query redacted> HTTP/1.1" 200 10'),
    ("urllib3.connectionpool", "Retrying (%r) after connection broken by '%r': %s",
     ("Retry(total=2)", ConnectionError("reset"), f"/p?name={CANARY}"),
     "Retrying ('Retry(total=2)') after connection broken by 'ConnectionError('reset')': /p?<query redacted>"),
    ("urllib3.util.retry", "Incremented Retry for (url='%s'): %r", (f"/p?name={CANARY}", "Retry(total=1)"),
     "Incremented Retry for (url='/p?<query redacted>'): 'Retry(total=1)'"),
    ("urllib3.connectionpool", "Redirecting %s -> %s", (f"https://h/a?x={CANARY}", f"https://h/b?x={CANARY}"),
     "Redirecting https://h/a?<query redacted> -> https://h/b?<query redacted>"),
    ("urllib3.connection", "Failed to parse headers (url=%s): %s", (f"https://h/a?x={CANARY}", ValueError(CANARY)),
     "Failed to parse headers (url=https://h/a?<query redacted>): <ValueError, redacted>"),
    ("s3transfer.tasks", "Exception caught in task: %s", (f"An error occurred (X) when calling the Y operation: "
                                                          f"{CANARY}",),
     "Exception caught in task: An error occurred (X) when calling the Y operation: <service message redacted>"),
    ("botocore.endpoint", "Sending http request: %s", (f"<AWSPreparedRequest url=https://h/p?a={CANARY}, "
                                                        f"headers={{'Authorization': b'{CANARY}', "
                                                        f"'X-Amz-Security-Token': b'{CANARY}'}}>",),
     # A header value that is not a plain string literal: the rest of the line goes with it.
     "Sending http request: <AWSPreparedRequest url=https://h/p?<query redacted> headers={'Authorization': <redacted>"),
    ("botocore.endpoint", "Sent: %s", (f"Authorization: AWS4-HMAC-SHA256 Credential={CANARY}/x, Signature={CANARY}",),
     "Sent: Authorization: <redacted>"),
    ("botocore.endpoint", "Decoded: %s", (f'{{"FirstName": "{CANARY}"}}',), "Decoded: <body redacted: 27 bytes>"),
]


@pytest.mark.parametrize("name, message, args, expected", KNOWN_CALLS,
                         ids=[f"{n}:{m[:30]}" for n, m, _, _ in KNOWN_CALLS])
def test_known_data_carrying_log_calls(
    name: str, message: str, args: tuple[object, ...], expected: str, redacted: Capture
) -> None:
    logging.getLogger(name).debug(message, *args)
    record = redacted.records[-1]
    assert CANARY not in redacted.texts[-1]
    assert record.getMessage() == expected  # the message itself and its harmless arguments stay readable
    assert record.args == () and record.msg == expected
    # The same text again, from a record formatted without redaction (as makeLogRecord rebuilds it).
    unredacted = logging.LogRecord(name, logging.DEBUG, __file__, 1, message, args, None).getMessage()
    assert CANARY in unredacted or "<botocore.awsrequest.AWSRequest object at 0x" in unredacted
    rebuilt = redact_record(logging.makeLogRecord({"name": name, "msg": unredacted, "args": None}))
    assert rebuilt.args == ()
    assert rebuilt.getMessage() == REBUILT_DIFFERS.get(message, expected)


#: What the text rules make of a message formatted without redaction, where it differs from the
#: message redacted as it was created: the type of a value is not in its text, a query swallows the
#: ")" after it, and an AWSRequest's own repr is only its address.
REBUILT_DIFFERS = {
    "Rewinding stream: %s": "Rewinding stream: <redacted>",
    "Failed to parse headers (url=%s): %s": "Failed to parse headers (url=https://h/a?<query redacted> <redacted>",
    "Bad IMDS request: %s": f"Bad IMDS request: {IMDS_REQUEST!r}",
}


class Unprintable:
    def __str__(self) -> str:
        raise RuntimeError(CANARY)

    __repr__ = __str__


class BadMessage(Exception):
    def __str__(self) -> str:
        raise RuntimeError(CANARY)


def test_broken_log_calls_never_raise(redacted: Capture) -> None:
    botocore_debug("number %d", "not a number")
    botocore_debug("too few %s %s", "a")
    botocore_debug("object %s %r", Unprintable(), Unprintable())
    botocore_debug(Unprintable())  # type: ignore[arg-type]
    botocore_debug({"body": CANARY.encode(), "Authorization": CANARY})  # type: ignore[arg-type]
    botocore_debug("mapping %(a)s %(b)d", {"a": CANARY.encode(), "b": 3})
    botocore_debug("width %*d", 5, 3)
    try:
        raise BadMessage()
    except BadMessage:
        botocore_debug("bad exception", exc_info=True)
    botocore_debug("no exception", exc_info=True)
    botocore_debug("stack", stack_info=True)
    texts = redacted.texts[-10:]
    assert len(texts) == 10
    assert all(CANARY not in text for text in texts)
    assert texts[0].endswith("number %d <arguments redacted: the message could not be formatted>")
    assert texts[2].endswith("<log message redacted: it could not be rewritten safely>")
    assert texts[4].endswith("{'body': <body redacted: 10 bytes>, 'Authorization': <redacted>}")
    assert texts[5].endswith("mapping <body redacted: 10 bytes> 3")
    assert texts[6].endswith("width     3")
    assert "BadMessage: <exception text unavailable>" in texts[7]
    assert "NoneType: None" in texts[8]
    assert "Stack (most recent call last):" in texts[9]


def test_redact_record_twice_and_odd_records() -> None:
    record = logging.LogRecord("botocore.x", logging.DEBUG, __file__, 1, "body %s", (CANARY.encode(),), None)
    assert redact_record(record) is record and record.getMessage() == "body <body redacted: 10 bytes>"
    record.msg = "changed"
    assert redact_record(record).getMessage() == "changed"  # already rewritten: left alone
    odd = logging.makeLogRecord({"name": None, "msg": None, "args": None})
    assert redact_record(odd).getMessage() == "None"
    assert RedactingFilter().filter(logging.makeLogRecord({"name": 5})) is True


def test_the_module_needs_neither_pydantic_nor_the_models() -> None:
    code = (
        "import sys, logging\n"
        "from customer_profiles_sdk.logging import redact_botocore_logs\n"
        "with redact_botocore_logs():\n"
        "    logging.basicConfig(level=logging.DEBUG)\n"
        "    logging.getLogger('botocore.x').debug('%s', b'secret')\n"
        "print('pydantic' in sys.modules, any(m.startswith('customer_profiles_sdk.models') for m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
    assert "DEBUG:botocore.x:<body redacted: 6 bytes>" in out.stderr


# ---------------------------------------------------------------------------------------------
# Each layer alone: an input that only that layer redacts
# ---------------------------------------------------------------------------------------------


def test_layer_signature_parts() -> None:
    text = f"X-Custom: Credential={KEY_ID}/20260101/us-east-1/profile/aws4_request, Signature={'ab' * 32}"
    assert redaction._scrub(text) == "X-Custom: Credential=<redacted>, Signature=<redacted>"


def test_layer_secret_headers_in_text() -> None:
    assert redaction._scrub(f"x-amz-security-token: {TOKEN}") == "x-amz-security-token: <redacted>"
    assert redaction._scrub(f"Cookie={CANARY}; a=b") == "Cookie=<redacted>"


def test_layer_secret_headers_in_a_mapping() -> None:
    headers = {"X-Amz-Security-Token": TOKEN, b"Authorization": CANARY.encode(), "X-Other": "kept"}
    assert redaction._render_headers(headers, 0, redaction._Budget()) == (
        "{'X-Amz-Security-Token': <redacted>, <body redacted: 13 bytes>: <redacted>, 'X-Other': 'kept'}")


def test_layer_json_in_a_string_literal() -> None:
    # JSON text in a str literal: here an array of arrays of numbers (a birth date), with no quoted
    # string in it for the JSON-in-text layer to find.
    assert redaction._scrub("items '[[1985, 4, 12]]' end") == "items <body redacted: 15 bytes> end"


def test_layer_each_string_argument_is_scrubbed() -> None:
    assert redaction._safe_arg(f"Authorization: {CANARY}", "s") == "Authorization: <redacted>"


def test_layer_the_whole_message_is_scrubbed() -> None:
    # Only the formatted message shows the header name next to its value.
    record = logging.LogRecord("botocore.x", logging.DEBUG, __file__, 1, "Authorization: %s", (f"AWS4 {CANARY}",),
                               None)
    assert redaction._safe_arg(f"AWS4 {CANARY}", "s") == f"AWS4 {CANARY}"
    assert redaction._message(record) == "Authorization: <redacted>"


def test_layer_json_inside_text() -> None:
    text = f'Decoded: {{"FirstName": "{CANARY}", "Address": {{"City": "Paris (15e)"}}}} and after'
    assert redaction._scrub(text) == "Decoded: <body redacted: 63 bytes> and after"
    assert redaction._scrub(f'cut short: {{"FirstName": "{CANARY}"') == "cut short: <body redacted: 26 bytes>"
    assert redaction._scrub(f'list: ["{CANARY}", "jane@example.com"].') == "list: <body redacted: 34 bytes>."
    assert redaction._scrub("kept: ['a', 'b'], {'c': 1}") == "kept: ['a', 'b'], {'c': 1}"  # Python reprs


def test_layer_request_parameters_inside_text() -> None:
    text = (f"{{'url_path': '/p', 'query_string': {{'next-token': '{CANARY}', 'max-results': 5}}, "
            f"'body': {{'Action': 'X', 'Name': '{CANARY}'}}, 'method': 'POST'}}")
    assert redaction._scrub(text) == ("{'url_path': '/p', 'query_string': <query redacted: 2 parameters>, "
                                      "'body': <body redacted: 2 parameters>, 'method': 'POST'}")
    assert redaction._scrub("'query_string': {}, 'body': None") == "'query_string': {}, 'body': None"
    assert redaction._scrub(f"'body': {CANARY} unquoted, 'x': 1") == "'body': <body redacted>"
