"""Redaction costs time in proportion to the text it reads, whatever the text (issue 13).

Each family is text built against one part of the redaction: a regex that could be retried from
every quote of a literal that never closes, a scanner that could restart at every bracket, a
template parser that could re-read the rest of the template from every "%(", exception groups
that share their members. The hang tests run one log call in a child process, killed after a
generous guard (``REDACTION_HANG_GUARD`` seconds, 60 unless set): nothing is timed, the call
only has to finish. On the code before the fix the first families took minutes at these sizes
(``'{"\\`` repeated as an argument: 1.8 s at 16 KB, 6.4 s at 32 KB, growing with the square of
the size; these texts are 256 KB).

The text carries secrets among the garbage (a session token, an email address in a JSON body
and in a query string, a signature), and the output must hide them all.
"""

from __future__ import annotations

import json
import logging
import os
import random
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import customer_profiles_sdk.logging as redaction
from customer_profiles_sdk.logging import redact_record

GUARD = float(os.environ.get("REDACTION_HANG_GUARD", "60"))
TOKEN = "TOKENCANARY77q"
EMAIL = "jane.canary@example.com"
SIGNATURE = "5ec2e7" * 10 + "abcd"
SECRETS = (TOKEN, EMAIL, SIGNATURE, "jane.canary%40example.com")
#: Lines that carry the secrets, put in the middle of the garbage.
SNIPPET = (
    f"\nX-Amz-Security-Token: {TOKEN}\n"
    f'{{"EmailAddress": "{EMAIL}"}}\n'
    f"GET /profiles?email=jane.canary%40example.com HTTP/1.1\n"
    f"Authorization: AWS4-HMAC-SHA256 Credential=AKID/x, Signature={SIGNATURE}\n"
)
ROOT = str(Path(redaction.__file__).resolve().parents[1])  # the child imports the same code

_CHILD = r"""
import json, logging, sys
spec = json.loads(sys.stdin.read())
sys.path.insert(0, spec["root"])
from customer_profiles_sdk.logging import RedactingFilter, redact_botocore_logs

handler = logging.StreamHandler(sys.stdout)
handler.setFormatter(logging.Formatter("%(name)s %(message)s"))
root = logging.getLogger()
root.addHandler(handler)
root.setLevel(logging.DEBUG)
mode, text = spec["mode"], spec["text"]


def garbage_status_line_error(line):
    from http.client import BadStatusLine
    from urllib3.exceptions import ProtocolError
    try:
        try:
            raise BadStatusLine(line)
        except BadStatusLine as bad:
            raise ProtocolError("Connection aborted.", bad) from bad
    except ProtocolError as error:
        return error


with redact_botocore_logs():
    if mode == "argument":
        logging.getLogger("urllib3.connectionpool").debug("got %s", text)
    elif mode == "message":
        logging.getLogger("botocore.endpoint").debug(text)
    elif mode == "template":
        logging.getLogger("botocore.endpoint").debug(text, {"k": ("TOKENCANARY77q" * 3).encode()})
    elif mode == "exception":
        error = garbage_status_line_error(text)
        logging.getLogger("botocore.endpoint").debug("Exception received when sending HTTP request.",
                                                     exc_info=error)
    elif mode == "exception-argument":
        logging.getLogger("urllib3.connectionpool").warning(
            "Retrying (%r) after connection broken by '%r': %s", "Retry(total=0)", garbage_status_line_error(text),
            "/")
    elif mode == "group":
        member = ValueError(text)
        for _ in range(spec["depth"]):
            member = ExceptionGroup("group", [member] * 32)
        logging.getLogger("botocore.endpoint").debug("failed", exc_info=member)
    elif mode == "botocore":
        import socket, threading, boto3
        from botocore.config import Config
        from botocore.exceptions import ConnectionClosedError
        server = socket.create_server(("127.0.0.1", 0))
        def serve():
            while True:
                try:
                    conn, _ = server.accept()
                except OSError:
                    return
                with conn:
                    conn.recv(65536)
                    conn.sendall(text.encode("latin-1") + b"\r\n\r\n")
        threading.Thread(target=serve, daemon=True).start()
        session = boto3.session.Session(aws_access_key_id="AKIDCANARY", aws_secret_access_key="secret",
                                        region_name="us-east-1")
        client = session.client("customer-profiles", endpoint_url=f"http://127.0.0.1:{server.getsockname()[1]}",
                                config=Config(retries={"total_max_attempts": 3, "mode": "legacy"}))
        try:
            client.get_domain(DomainName="shop")
        except ConnectionClosedError:
            pass
        else:
            raise SystemExit("the garbage status line was accepted")
        server.close()
for name in ("formatted", "exc_text"):
    if mode == name:
        handler.addFilter(RedactingFilter())
        if name == "formatted":
            record = logging.makeLogRecord({"name": spec["logger"], "msg": text, "args": None})
        else:
            record = logging.makeLogRecord({"name": "urllib3.connectionpool", "msg": "failed", "args": None,
                                            "exc_text": text})
        handler.handle(record)
"""


def redact_in_child(mode: str, text: str, **extra: Any) -> str:
    """The log output of one redacted log call, run in a child killed after ``GUARD`` seconds."""
    spec = json.dumps({"root": ROOT, "mode": mode, "text": text, **extra})
    try:
        done = subprocess.run([sys.executable, "-c", _CHILD], input=spec, capture_output=True, text=True,
                              timeout=GUARD, check=False)
    except subprocess.TimeoutExpired:
        done = None  # (failing outside the handler keeps the report short)
    if done is None:
        pytest.fail(f"redaction did not finish within {GUARD:g} s ({mode}, {len(text)} characters)")
    assert done.returncode == 0, done.stderr[-2000:]
    assert "--- Logging error ---" not in done.stderr, done.stderr[-2000:]
    return done.stdout


def garbage(unit: str, size: int) -> str:
    return (unit * (size // len(unit) + 1))[:size]


def random_text(size: int, seed: int = 7) -> str:
    return random.Random(seed).randbytes(size).decode("latin-1")


def assert_hidden(output: str) -> None:
    assert output, "something was logged"
    assert [secret for secret in SECRETS if secret in output] == []
    assert "redacted" in output


KB = 1024

#: (name, log call, garbage unit, size of the garbage on each side of the secrets). The first ones
#: were quadratic before the fix; the others were already linear and guard against regressions.
FAMILIES = [
    ("'{\"\\ repeated", "argument", "'{\"\\", 128 * KB),
    ("\"{'\\ repeated", "argument", "\"{'\\", 128 * KB),
    ("\\'[\"authorization repeated", "argument", "\\'[\"authorization", 128 * KB),
    ("'[[\\ repeated", "argument", "'[[\\", 128 * KB),
    ("'{\"\\ in a message without arguments", "message", "'{\"\\", 128 * KB),
    ("'{\"\\ in a record formatted elsewhere", "formatted", "'{\"\\", 128 * KB),
    ("'{\"\\ in a traceback formatted elsewhere", "exc_text", "'{\"\\", 128 * KB),
    ("'{\"\\ in a BadStatusLine (exc_info)", "exception", "'{\"\\", 128 * KB),
    ("%( repeated (the template)", "template", "%(", 128 * KB),
    # As the repr inside an exception's message, the quotes of such text are escaped: linear before.
    ("'{\"\\ in a ProtocolError argument", "exception-argument", "'{\"\\", 512 * KB),
    ('{"a": repeated', "argument", '{"a":', 512 * KB),
    ('["a\\", repeated', "argument", '["a\\",', 512 * KB),
    ("' (unbalanced quotes)", "argument", "'", 512 * KB),
    ('\'a" (mixed quotes)', "argument", "'a\"", 512 * KB),
    ("backslashes", "argument", "\\", 512 * KB),
    ("b'\\' repeated", "argument", "b'\\'", 512 * KB),
    ("[ (nested brackets)", "argument", "[", 512 * KB),
    ("{'body': [ (nested)", "argument", "{'body': [", 512 * KB),
    ("'body': repeated", "argument", "'body': ", 256 * KB),
    ("key= repeated", "argument", "key=", 512 * KB),
    ('"Key": " repeated', "argument", '"Key": "', 512 * KB),
    ("Authorization: '\\r repeated", "argument", "Authorization: '\r", 512 * KB),
    ("digits", "argument", "1", 512 * KB),
    ("whitespace", "argument", " \t", 512 * KB),
    ("/p?a= repeated", "argument", "/p?a=", 512 * KB),
]


#: The README's quick test command runs the first four families; .ci/run runs them all (``slow``).
QUICK_FAMILIES = 4


@pytest.mark.parametrize(
    "mode, unit, size",
    [pytest.param(*family[1:], id=family[0], marks=() if index < QUICK_FAMILIES else pytest.mark.slow)
     for index, family in enumerate(FAMILIES)],
)
def test_hostile_text_is_redacted_without_hanging(mode: str, unit: str, size: int) -> None:
    # (after "> ": an argument that starts like JSON would be replaced whole, unread)
    text = "> " + garbage(unit, size) + SNIPPET + garbage(unit, size)
    extra = {"logger": "botocore.endpoint"} if mode == "formatted" else {}
    assert_hidden(redact_in_child(mode, text, **extra))


@pytest.mark.slow
def test_random_bytes_as_text() -> None:
    text = random_text(512 * KB) + SNIPPET + random_text(512 * KB, seed=8)
    assert_hidden(redact_in_child("argument", text))


def test_a_formatted_rule_argument_full_of_markers() -> None:
    """A record formatted elsewhere whose redacted argument looks like a marker that never ends:
    the check "is it a marker already" read the rest of the text once per "redacted" in it."""
    text = "Response: <" + "redacted" * (128 * KB)  # 1 MB
    output = redact_in_child("formatted", text, logger="botocore.parsers")
    assert output == "botocore.parsers Response: <response redacted>\n"


def test_a_template_with_a_huge_mapping_key() -> None:
    text = "%(" + "k" * (512 * KB) + ")s " + "%(" * (64 * KB)
    output = redact_in_child("template", text)
    assert TOKEN not in output and output.endswith("<arguments redacted: the message could not be formatted>\n")


@pytest.mark.slow
def test_exception_groups_that_share_their_members() -> None:
    """Six levels of groups, each holding the same member 32 times: 32**6 lines if each is shown."""
    output = redact_in_child("group", f'bad {{"EmailAddress": "{EMAIL}"}}', depth=6)
    assert EMAIL not in output
    assert output.count("<shown above>") == 31 * 6
    assert len(output) < 10_000


@pytest.mark.slow
def test_a_garbage_status_line_from_a_real_server() -> None:
    """A 127.0.0.1 server answers a boto3 client with a garbage status line holding secrets.

    urllib3 raises ProtocolError while handling http.client's BadStatusLine, which stays in the
    chain (``__context__``) with the raw line as its text; botocore raises ConnectionClosedError
    while handling that, and its legacy retry handler logs it with its traceback at DEBUG, once per
    attempt. http.client refuses lines over 64 KB, so this one is 60 KB (the code before the fix
    took about 10 s per record on it).
    """
    line = f'X-Amz-Security-Token: {TOKEN} {{"EmailAddress": "{EMAIL}"}} ' + garbage("'{\"\\", 60 * KB)
    output = redact_in_child("botocore", line)
    assert [secret for secret in SECRETS if secret in output] == []
    traced = output.split("botocore.retryhandler retry needed, retryable exception caught: ")
    assert len(traced) >= 2, "the exception was logged with its chain"
    for text in traced[1:]:
        assert "Traceback (most recent call last):" in text
        assert "\nhttp.client.BadStatusLine: X-Amz-Security-Token: <redacted>\n" in text
        assert "\nurllib3.exceptions.ProtocolError: ('Connection aborted.', BadStatusLine(" in text
        assert "\nbotocore.exceptions.ConnectionClosedError: Connection was closed before we received" in text


# ---------------------------------------------------------------------------------------------
# What the linear scanners find: the same as the regexes they replace, on short texts
# ---------------------------------------------------------------------------------------------

#: The regexes used before (quadratic on literals that never close), as a reference.
OLD_BYTES = r"""(?<![\w'"])b(?:'(?:[^'\\\n]|\\.)*+'|"(?:[^"\\\n]|\\.)*+")"""
OLD_JSON_STR = r"""(?<![\w'"])(?:'\s*[\[{]\s*["{\[](?:[^'\\\n]|\\.)*+'|"\s*[\[{]\s*['{\[](?:[^"\\\n]|\\.)*+")"""
PIECES = ["'", '"', "\\", "\n", " ", "{", "[", "]", "}", "b", "a", ":", "\\'", '\\"', "'{\"", "\"{'", "b'", 'b"',
          "'[[", "\\\\", "\t", "é"]


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # ast reading "\:" in a literal: not ours
@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=30).map("".join))
def test_literal_scanners_agree_with_the_old_regexes(text: str) -> None:
    def old(pattern: str) -> str:
        return re.sub(pattern, lambda m: redaction._literal_size(m.group(0)), text)

    assert redaction._closed_literals(text, redaction._BYTES_START_RE) == old(OLD_BYTES)
    assert redaction._closed_literals(text, redaction._JSON_STR_START_RE) == old(OLD_JSON_STR)


def test_literals_around_unclosed_ones() -> None:
    unclosed = garbage("'{\"\\", 4000)
    closed = "'{\"EmailAddress\": \"" + EMAIL + "\"}'"
    # A literal that never closes ends at the line's end: the next line's literal is found.
    assert redaction._scrub(f"{unclosed}\n{closed}") == f"{unclosed}\n<body redacted: 43 bytes>"
    # Escaped quotes do not close it; the first quote that is not escaped does.
    escaped = "'{\"" + "\\'{\"" * 1000 + "'"
    assert redaction._scrub(f"x {escaped} y") == "x <body redacted: 3002 bytes> y"
    # An escaped backslash does not escape the quote after it.
    assert redaction._scrub("x '{\"a\\\\' y") == "x <body redacted: 4 bytes> y"
    assert redaction._scrub("x '{\"a\\' y") == "x '{\"a\\' y"
    assert redaction._scrub(f"{garbage(chr(92) + 'b' + chr(39), 3000)} b'{TOKEN}'").endswith(
        "<body redacted: 14 bytes>")


# ---------------------------------------------------------------------------------------------
# Templates read as str % reads them
# ---------------------------------------------------------------------------------------------


def test_conversions_follow_str_formatting() -> None:
    assert redaction._conversions("%s %r %%") == ((None, "s"), (None, "r"))
    assert redaction._conversions("%(a)s %(b(c))d") == (("a", "s"), ("b(c)", "d"))
    assert redaction._conversions("%.s %-#0 5.3ld") == ((None, "s"), (None, "d"))  # the regex skipped "%.s"
    assert redaction._conversions("%*d") is None
    assert redaction._conversions("%(" * 100_000) == ()  # no ")" after them: nothing to format


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(["%", "s", "r", "d", "(", ")", "k", "5", ".", "-", "#", "0", " ", "l", "%%", "x",
                                  "%.", "%-"]), max_size=14).map("".join))
def test_conversions_count_the_arguments_str_formatting_takes(template: str) -> None:
    found = redaction._conversions(template)
    if found is None or any(key is not None for key, _ in found):
        return
    for count in range(6):
        try:
            _ = template % ((1,) * count)  # only whether formatting raises counts
        except (TypeError, ValueError):
            continue
        assert len(found) == count


def test_marker_check() -> None:
    assert redaction._is_marker("<body redacted: 3 bytes>") and redaction._is_marker("<redacted>")
    assert not redaction._is_marker("<kept>") and not redaction._is_marker("<redacted> x <redacted>")
    assert not redaction._is_marker("<" + "redacted" * 10_000)


# ---------------------------------------------------------------------------------------------
# Exception groups: each exception once, a bounded number of members
# ---------------------------------------------------------------------------------------------


def format_exception(error: BaseException) -> str:
    record = logging.LogRecord("botocore.x", logging.DEBUG, __file__, 1, "failed", (), (type(error), error, None))
    return logging.Formatter().format(redact_record(record))


def test_a_member_shown_twice_is_named_the_second_time() -> None:
    member = ValueError(f"bad {TOKEN.encode()!r}")
    text = format_exception(ExceptionGroup("two", [member, member, KeyError("k")]))
    assert text.splitlines()[-4:] == [
        "ExceptionGroup: two (3 sub-exceptions)", "  +-- ValueError: bad <body redacted: 14 bytes>",
        "  +-- ValueError: <shown above>", "  +-- KeyError: 'k'"]


def test_the_exceptions_shown_are_bounded() -> None:
    groups = [ExceptionGroup(f"g{i}", [ValueError(f"v{i}-{j}") for j in range(30)]) for i in range(10)]
    text = format_exception(ExceptionGroup("all", groups))
    # "all", then g0 to g3 and their members until the budget is spent.
    assert text.count("+-- ValueError") == redaction._MAX_EXCEPTIONS - 5
    assert text.count("+-- ...") == 2  # in g3, and for g4 to g9
    assert text.rstrip().endswith("+-- ...")


@pytest.fixture(autouse=True)
def _no_redaction_left_behind() -> Iterator[None]:
    factory = logging.getLogRecordFactory()
    yield
    assert logging.getLogRecordFactory() is factory
