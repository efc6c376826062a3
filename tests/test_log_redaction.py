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
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import unquote

import boto3
import pytest
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
SCOPED = ("botocore", "boto3", "urllib3", "s3transfer")

_counter = itertools.count()


# ---------------------------------------------------------------------------------------------
# Requests that pass the SDK's validation with a canary in every sensitive string
# ---------------------------------------------------------------------------------------------


def reaches_sensitive(name: str, seen: frozenset[str] = frozenset()) -> bool:
    shape = synth.SHAPES[name]
    if shape.get("sensitive"):
        return True
    if name in seen:
        return False
    inner = seen | {name}
    if shape["type"] == "list":
        return reaches_sensitive(shape["member"]["shape"], inner)
    if shape["type"] == "map":
        return reaches_sensitive(shape["key"]["shape"], inner) or reaches_sensitive(shape["value"]["shape"], inner)
    if shape["type"] == "structure":
        return any(reaches_sensitive(spec["shape"], inner) for spec in shape.get("members", {}).values())
    return False


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
            pick = next((m for m, spec in members.items() if reaches_sensitive(spec["shape"])), next(iter(members)))
            return {pick: with_canaries(members[pick]["shape"], strict, inside, reached)}
        return {
            member: with_canaries(spec["shape"], strict, inside, reached)
            if inside or reaches_sensitive(spec["shape"]) else synth.valid(spec["shape"], True)
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


@pytest.fixture
def logs() -> Iterator[Capture]:
    """Root logger at DEBUG with a capturing handler; everything put back afterwards."""
    root = logging.getLogger()
    factory = logging.getLogRecordFactory()
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
        logging.setLogRecordFactory(factory)
        redaction._factory, redaction._holders = None, 0
        assert not left_installed, "a test left redaction installed"
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
        return canary_session().client("customer-profiles", endpoint_url=server.url, config=config)
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


@pytest.mark.parametrize("kind", ["sdk-slow", "boto3"])  # standard and legacy retry handlers
def test_retry_after_500(kind: str, fresh_server: LocalServer, redacted: Capture) -> None:
    replies = iter([error_reply("InternalServerException", 500, f"failed for {CANARY}-500"),
                    Reply(200, REPLIES["GetProfileObjectType"])])
    fresh_server.respond = lambda request: next(replies)
    client = make_client(kind, fresh_server)
    result = call(kind, client, "GetProfileObjectType", REQUESTS["GetProfileObjectType"])
    assert len(fresh_server.requests) == 2
    assert CANARY in repr(result if kind == "boto3" else result.to_boto())
    assert_clean(redacted, fresh_server)
    assert redacted.holding('" 500 ') and redacted.holding('" 200 ')
    assert redacted.holding("Retry needed")
    assert redacted.holding("Response body:\n<body redacted: ")


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


def test_works_below_a_factory_installed_later(logs: Capture) -> None:
    original = logging.getLogRecordFactory()
    handle = redact_botocore_logs()
    ours = logging.getLogRecordFactory()

    def theirs(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = ours(*args, **kwargs)
        record.__dict__["tagged"] = True
        return record

    logging.setLogRecordFactory(theirs)
    botocore_debug("%s", CANARY.encode())
    assert CANARY not in logs.texts[-1] and logs.records[-1].__dict__["tagged"]
    handle.remove()  # ours stays in the chain, switched off
    botocore_debug("%s", CANARY.encode())
    assert CANARY in logs.texts[-1]
    again = redact_botocore_logs()  # switched back on, not stacked again
    assert logging.getLogRecordFactory() is theirs
    botocore_debug("%s", CANARY.encode())
    assert CANARY not in logs.texts[-1]
    again.remove()
    logging.setLogRecordFactory(original)


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


KNOWN_CALLS: list[tuple[str, str, tuple[object, ...]]] = [
    ("botocore.endpoint", "Making request for %s with params: %s",
     ("OperationModel(name=CreateProfile)", {"url_path": "/p", "query_string": {"q": CANARY}, "method": "POST",
                                              "headers": {"Authorization": CANARY}, "body": CANARY.encode(),
                                              "url": f"https://h/p?q={CANARY}", "context": {}})),
    ("botocore.endpoint", "Making request for %s with params: %s",
     ("op", {"body": {"Name": CANARY}, "url": f"https://h/?Action=X&Name={CANARY}"})),  # query protocol
    ("botocore.parsers", "Response headers: %r", ({"Set-Cookie": CANARY, "x-amz-security-token": CANARY},)),
    ("botocore.parsers", "Response body:\n%r", (CANARY,)),
    ("botocore.auth", "CanonicalRequest:\n%s", (f"POST\n/\nq={CANARY}\nhost:h\n",)),
    ("botocore.auth", "StringToSign:\n%s", (CANARY,)),
    ("botocore.auth", "Signature:\n%s", (CANARY,)),
    ("botocore.auth", "String to sign: %s", (CANARY,)),
    ("botocore.auth", "A message a later botocore might add: %s", (CANARY,)),
    ("botocore.handlers", "Error found for response with 200 status code, errors: %s, changing status code to "
     "500.", ({"Errors": [{"Message": CANARY}]},)),
    ("botocore.handlers", "Error found for response with 200 status code: %s.", (f"<E>{CANARY}</E>".encode(),)),
    ("botocore.compress", "Unable to get length of the request body: %s. Skipping compression.", (CANARY,)),
    ("botocore.awsrequest", "Rewinding stream: %s", (CANARY,)),
    ("botocore.monitoring", "Truncating following value to maximum length of %s: %s", (CANARY, 10)),
    ("botocore.discovery", "Discovering endpoints with kwargs: %s", ({"Identifiers": {"Name": CANARY}},)),
    ("botocore.discovery", "Endpoint Discovery has failed for: %s", ({"Identifiers": {"Name": CANARY}},)),
    ("botocore.utils", "Error response received when retrieving credentials: %s.", ({"Message": CANARY},)),
    ("botocore.session", "Setting config variable for %s to %r", ("aws_secret_access_key", CANARY)),
    ("botocore.retryhandler", "retry needed, retryable exception caught: %s",
     (ReadTimeoutError(endpoint_url=f"https://h/p?next-token={CANARY}"),)),
    ("botocore.utils", "Bad IMDS request: %s", (type("AWSRequest", (), {"method": "PUT", "url": f"http://i/?t={CANARY}",
                                                                         "headers": {"x-aws-ec2-metadata-token":
                                                                                     CANARY}})(),)),
    ("boto3.resources.action", "Calling %s:%s with %r", ("s3", "put_object", {"Body": CANARY})),
    ("boto3.resources.collection", "Calling paginated %s:%s with %r", ("s3", "list", {"Prefix": CANARY})),
    ("boto3.resources.action", "Response: %r", ({"Item": {"Name": CANARY}},)),
    ("boto3.dynamodb.table", "With overwrite_by_pkeys enabled, skipping request:%s", ({"Name": CANARY},)),
    ("urllib3.connectionpool", '%s://%s:%s "%s %s %s" %s %s',
     ("https", "h", 443, "GET", f"/p?name={CANARY}", "HTTP/1.1", 200, 10)),
    ("urllib3.connectionpool", "Retrying (%r) after connection broken by '%r': %s",
     ("Retry(total=2)", ConnectionError("reset"), f"/p?name={CANARY}")),
    ("urllib3.util.retry", "Incremented Retry for (url='%s'): %r", (f"/p?name={CANARY}", "Retry(total=1)")),
    ("urllib3.connectionpool", "Redirecting %s -> %s", (f"https://h/a?x={CANARY}", f"https://h/b?x={CANARY}")),
    ("urllib3.connection", "Failed to parse headers (url=%s): %s", (f"https://h/a?x={CANARY}", ValueError(CANARY))),
    ("s3transfer.tasks", "Exception caught in task: %s", (f"An error occurred (X) when calling the Y operation: "
                                                          f"{CANARY}",)),
    ("botocore.endpoint", "Sending http request: %s", (f"<AWSPreparedRequest url=https://h/p?a={CANARY}, "
                                                        f"headers={{'Authorization': b'{CANARY}', "
                                                        f"'X-Amz-Security-Token': b'{CANARY}'}}>",)),
    ("botocore.endpoint", "Sent: %s", (f"Authorization: AWS4-HMAC-SHA256 Credential={CANARY}/x, Signature={CANARY}",)),
    ("botocore.endpoint", "Decoded: %s", (f'{{"FirstName": "{CANARY}"}}',)),
]


@pytest.mark.parametrize("name, message, args", KNOWN_CALLS, ids=[f"{n}:{m[:30]}" for n, m, _ in KNOWN_CALLS])
def test_known_data_carrying_log_calls(name: str, message: str, args: tuple[object, ...], redacted: Capture) -> None:
    logging.getLogger(name).debug(message, *args)
    text = redacted.texts[-1]
    assert CANARY not in text
    assert message.split("%")[0].rstrip("(") in text  # the message itself stays readable


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
