"""The ``customer-profiles-sdk ingest`` command line, run in-process (``cli.main(argv)``) against
the emulator served over HTTP on 127.0.0.1."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from customer_profiles_sdk import cli
from customer_profiles_sdk.local import Emulator, EmulatorServer
from customer_profiles_sdk.models import ObjectTypeField, ObjectTypeKey
from tests.test_bulk import CANARY, object_count, prepared

SUMMARY_KEYS = {"sent", "accepted", "retried", "dead_lettered", "elapsed_s", "rate"}


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Dummy credentials and no AWS configuration of the machine."""
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "absent-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "absent-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@pytest.fixture
def served(aws_env: None) -> Iterator[tuple[Emulator, EmulatorServer]]:
    emulator = Emulator()
    prepared(emulator)
    with emulator.serve() as server:
        yield emulator, server


def run(server: EmulatorServer, file: Path, *extra: str, domain: str = "shop") -> int:
    return cli.main(["ingest", str(file), "--domain", domain, "--object-type", "Orders",
                     "--endpoint-url", server.url, "--region", "us-east-1", "--rate", "1000", *extra])


def order(number: int) -> dict[str, Any]:
    return {"id": f"o-{number:04d}", "email": f"c{number % 7}@example.com", "note": CANARY}


def write_jsonl(path: Path, records: list[Any]) -> Path:
    path.write_text("".join((item if isinstance(item, str) else json.dumps(item)) + "\n" for item in records),
                    encoding="utf-8")
    return path


def dead_letters(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_all_accepted_exits_0_and_writes_the_summary(served: tuple[Emulator, EmulatorServer], tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    emulator, server = served
    source = write_jsonl(tmp_path / "orders.jsonl", [order(n) for n in range(25)])
    summary_path = tmp_path / "summary.json"
    assert run(server, source, "--summary-json", str(summary_path)) == cli.EXIT_OK
    assert object_count(emulator.client()) == 25
    summary = json.loads(summary_path.read_text())
    assert set(summary) == SUMMARY_KEYS
    assert (summary["sent"], summary["accepted"], summary["retried"], summary["dead_lettered"]) == (25, 25, 0, 0)
    assert summary["elapsed_s"] > 0 and summary["rate"] > 0
    assert emulator.backend.calls.get("BatchPutProfileObject") == 3  # 10 + 10 + 5
    assert "PutProfileObject" not in emulator.backend.calls
    # defaults: the checkpoint and an (empty) dead-letter file next to the source
    assert (tmp_path / "orders.jsonl.checkpoint.json").exists()
    assert (tmp_path / "orders.jsonl.dead-letter.jsonl").read_text() == ""
    out = capsys.readouterr()
    assert out.out == ""
    assert "25 accepted" in out.err  # the end summary; no progress line (stderr is not a terminal)
    assert "\r" not in out.err and CANARY not in out.err


def test_dead_letters_exit_2_and_hold_position_code_message_record(served: tuple[Emulator, EmulatorServer],
                                                                 tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    emulator, server = served
    records: list[Any] = [order(0), '{"id": "x", "note": "' + CANARY + '"', order(1), "", "[1, 2]",
                          {"id": "big", "note": CANARY, "pad": "x" * 260_000}, order(2)]
    source = write_jsonl(tmp_path / "orders.jsonl", records)  # the blank line is skipped
    dead = tmp_path / "dead.jsonl"
    summary_path = tmp_path / "summary.json"
    assert run(server, source, "--dead-letter", str(dead), "--summary-json", str(summary_path)) \
        == cli.EXIT_DEAD_LETTERS
    assert object_count(emulator.client()) == 3
    entries = dead_letters(dead)
    assert [(entry["position"], entry["code"]) for entry in entries] == [
        (1, "LocalNotJson"), (3, "LocalNotJsonObject"), (4, "LocalTooManyCharacters")]
    assert all(set(entry) == {"position", "code", "message", "record"} for entry in entries)
    assert CANARY in entries[0]["record"]  # the record itself, as read
    assert json.loads(summary_path.read_text())["dead_lettered"] == 3
    out = capsys.readouterr()
    assert CANARY not in out.out + out.err


def test_invalid_utf8_is_dead_lettered_not_fatal(served: tuple[Emulator, EmulatorServer], tmp_path: Path) -> None:
    emulator, server = served
    source = tmp_path / "orders.jsonl"
    source.write_bytes(json.dumps(order(0)).encode() + b'\n{"id": "o-9", "note": "\xff\xfe"}\n'
                       + json.dumps(order(1)).encode() + b"\n")
    dead = tmp_path / "dead.jsonl"
    assert run(server, source, "--dead-letter", str(dead)) == cli.EXIT_DEAD_LETTERS
    assert object_count(emulator.client()) == 2
    [entry] = dead_letters(dead)
    assert (entry["position"], entry["code"]) == (1, "LocalNotJson")


def test_csv_rows_become_objects_keyed_by_the_header(served: tuple[Emulator, EmulatorServer],
                                                     tmp_path: Path) -> None:
    emulator, server = served
    source = tmp_path / "orders.csv"
    source.write_text("\ufeffid,email,note\r\n"
                      "o-1,jane@example.com,\"first, with comma\"\r\n"
                      "\r\n"
                      "o-2,c2@example.com\r\n"  # one field short: dead-lettered, not sent
                      "o-3,c3@example.com,\"two\nlines\"\r\n", encoding="utf-8")
    dead = tmp_path / "dead.jsonl"
    assert run(server, source, "--dead-letter", str(dead)) == cli.EXIT_DEAD_LETTERS  # --format from .csv
    client = emulator.client()
    assert object_count(client) == 2
    found = client.search_profiles(domain_name="shop", key_name="_email", values=["jane@example.com"])
    [profile] = found.items or []
    assert profile.profile_id is not None
    objects = client.list_profile_objects(domain_name="shop", object_type_name="Orders",
                                          profile_id=profile.profile_id).items or []
    assert [json.loads(item.object or "") for item in objects] == [
        {"id": "o-1", "email": "jane@example.com", "note": "first, with comma"}]
    [entry] = dead_letters(dead)
    assert (entry["position"], entry["code"], entry["record"]) == (1, "LocalNotJsonObject", ["o-2", "c2@example.com"])


def test_format_csv_is_taken_from_the_option(served: tuple[Emulator, EmulatorServer], tmp_path: Path) -> None:
    emulator, server = served
    source = tmp_path / "orders.txt"
    source.write_text("id,email\no-1,a@example.com\no-2,b@example.com\n", encoding="utf-8")
    assert run(server, source, "--format", "csv") == cli.EXIT_OK
    assert object_count(emulator.client()) == 2


def test_a_csv_header_that_repeats_a_name_is_fatal_before_sending(served: tuple[Emulator, EmulatorServer],
                                                                  tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    emulator, server = served
    source = tmp_path / "orders.csv"
    source.write_text("id,email,id\no-1,a@example.com,o-2\n", encoding="utf-8")
    assert run(server, source) == cli.EXIT_FATAL
    assert "column 3 repeats a header name" in capsys.readouterr().err
    assert "BatchPutProfileObject" not in emulator.backend.calls


def test_no_such_domain_is_fatal_and_resumable(served: tuple[Emulator, EmulatorServer], tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    emulator, server = served
    source = write_jsonl(tmp_path / "orders.jsonl", [order(n) for n in range(15)])
    assert run(server, source, domain="absent") == cli.EXIT_FATAL
    err = capsys.readouterr().err
    assert "ResourceNotFoundException" in err and "orders.jsonl.checkpoint.json" in err
    assert (tmp_path / "orders.jsonl.checkpoint.json").exists()
    # without --resume the checkpoint is refused; with it the run goes on (to the right domain
    # only if the checkpoint's identity matches: a different domain is a different run)
    assert run(server, source, domain="absent") == cli.EXIT_FATAL
    assert "--resume" in capsys.readouterr().err
    client = emulator.client()
    client.create_domain(domain_name="absent", default_expiration_days=7)
    client.put_profile_object_type(
        domain_name="absent", object_type_name="Orders", description="orders", allow_profile_creation=True,
        fields={"OrderId": ObjectTypeField(source="_source.id", target="_order.OrderId")},
        keys={"_orderId": [ObjectTypeKey(standard_identifiers=["UNIQUE"], field_names=["OrderId"])]})
    assert run(server, source, "--resume", domain="absent") == cli.EXIT_OK
    stats = client.get_domain(domain_name="absent").stats
    assert stats is not None and stats.object_count == 15


def test_refused_credentials_are_fatal_and_resumable(served: tuple[Emulator, EmulatorServer],
                                                     tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    emulator, server = served
    source = write_jsonl(tmp_path / "orders.jsonl", [order(n) for n in range(12)])
    emulator.fail("BatchPutProfileObject", code="UnrecognizedClientException", status=403, times=1)
    assert run(server, source, "--concurrency", "1") == cli.EXIT_FATAL
    assert "UnrecognizedClientException" in capsys.readouterr().err
    assert run(server, source, "--resume") == cli.EXIT_OK
    assert object_count(emulator.client()) == 12


def test_missing_credentials_are_fatal(served: tuple[Emulator, EmulatorServer], tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    _, server = served
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    source = write_jsonl(tmp_path / "orders.jsonl", [order(0)])
    assert run(server, source) == cli.EXIT_FATAL
    assert "credentials" in capsys.readouterr().err


def test_an_unknown_profile_is_fatal(served: tuple[Emulator, EmulatorServer], tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    _, server = served
    source = write_jsonl(tmp_path / "orders.jsonl", [order(0)])
    assert run(server, source, "--profile", "nobody") == cli.EXIT_FATAL
    assert "'nobody' is not configured" in capsys.readouterr().err


def test_resume_without_a_checkpoint_starts_from_the_beginning(served: tuple[Emulator, EmulatorServer],
                                                               tmp_path: Path) -> None:
    emulator, server = served
    source = write_jsonl(tmp_path / "orders.jsonl", [order(n) for n in range(7)])
    checkpoint = tmp_path / "run.checkpoint"
    assert run(server, source, "--resume", "--checkpoint", str(checkpoint)) == cli.EXIT_OK
    assert object_count(emulator.client()) == 7
    assert json.loads(checkpoint.read_text())["position"] == 7


def test_an_existing_checkpoint_without_resume_is_refused(served: tuple[Emulator, EmulatorServer],
                                                          tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    emulator, server = served
    source = write_jsonl(tmp_path / "orders.jsonl", [order(n) for n in range(3)])
    checkpoint = tmp_path / "run.checkpoint"
    assert run(server, source, "--checkpoint", str(checkpoint)) == cli.EXIT_OK
    calls = dict(emulator.backend.calls)
    assert run(server, source, "--checkpoint", str(checkpoint)) == cli.EXIT_FATAL
    err = capsys.readouterr().err
    assert f"checkpoint {checkpoint} exists" in err and "--resume" in err
    assert emulator.backend.calls == calls  # nothing sent
    # resuming a finished run sends nothing more and keeps the totals
    summary_path = tmp_path / "summary.json"
    assert run(server, source, "--checkpoint", str(checkpoint), "--resume", "--summary-json", str(summary_path)) \
        == cli.EXIT_OK
    assert emulator.backend.calls == calls
    assert json.loads(summary_path.read_text())["accepted"] == 3


def test_no_batch_sends_one_put_per_record(served: tuple[Emulator, EmulatorServer], tmp_path: Path) -> None:
    emulator, server = served
    source = write_jsonl(tmp_path / "orders.jsonl", [order(n) for n in range(4)])
    assert run(server, source, "--no-batch", "--concurrency", "2") == cli.EXIT_OK
    assert emulator.backend.calls.get("PutProfileObject") == 4
    assert "BatchPutProfileObject" not in emulator.backend.calls


@pytest.mark.parametrize("arguments", [
    ["ingest", "f.jsonl", "--object-type", "Orders"],  # no --domain
    ["ingest", "f.jsonl", "--domain", "shop", "--object-type", "Orders", "--rate", "0"],
    ["ingest", "f.jsonl", "--domain", "shop", "--object-type", "Orders", "--rate", "nan"],
    ["ingest", "f.jsonl", "--domain", "shop", "--object-type", "Orders", "--concurrency", "0"],
    ["ingest", "f.jsonl", "--domain", "shop", "--object-type", "Orders", "--format", "xml"],
    ["export"],
])
def test_usage_errors_exit_1_not_2(arguments: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(arguments) == cli.EXIT_FATAL
    assert "error:" in capsys.readouterr().err


def test_a_missing_file_is_fatal(served: tuple[Emulator, EmulatorServer], tmp_path: Path,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    _, server = served
    assert run(server, tmp_path / "absent.jsonl") == cli.EXIT_FATAL
    assert "cannot read" in capsys.readouterr().err


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_gets_a_tqdm_bar_without_personal_data(served: tuple[Emulator, EmulatorServer], tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("tqdm")
    _, server = served
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    bars: list[Any] = []
    real = cli._Progress.__init__

    def eager(self: Any, tqdm_class: Any, stream: Any, source: Any, interval: float = 0.25) -> None:
        real(self, tqdm_class, stream, source, interval=0.0)  # draw on every step
        bars.append(self.bar)

    monkeypatch.setattr(cli._Progress, "__init__", eager)
    source = write_jsonl(tmp_path / "orders.jsonl", [order(n) for n in range(30)] + ["not json " + CANARY])
    assert run(server, source) == cli.EXIT_DEAD_LETTERS
    [bar] = bars
    assert type(bar).__module__.startswith("tqdm")
    assert bar.total == source.stat().st_size and bar.n == source.stat().st_size  # ETA from the file's size
    text = terminal.getvalue()
    assert "%|" in text and "records" in text and "/s" in text and "retries" in text and "dead letters" in text
    assert "31 records" in text and "1 dead letters" in text
    assert CANARY not in text and "@example.com" not in text and "o-00" not in text
    assert "30 sent" in text and "1 dead-lettered" in text  # the summary still follows


def test_without_tqdm_a_terminal_gets_only_the_summary(served: tuple[Emulator, EmulatorServer], tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    _, server = served
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    monkeypatch.setitem(sys.modules, "tqdm", None)  # import tqdm raises ImportError
    source = write_jsonl(tmp_path / "orders.jsonl", [order(n) for n in range(12)])
    assert run(server, source) == cli.EXIT_OK
    text = terminal.getvalue()
    assert "%|" not in text and "\r" not in text and "12 accepted" in text


def test_a_huge_line_is_dead_lettered_unread_and_the_rest_continues(served: tuple[Emulator, EmulatorServer],
                                                                    tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    emulator, server = served
    source = tmp_path / "orders.jsonl"
    huge = b'{"id": "huge", "note": "' + CANARY.encode() + b'", "pad": "' + b"x" * (6 * cli.MAX_LINE_BYTES) + b'"}'
    with open(source, "wb") as stream:
        stream.write(json.dumps(order(1)).encode() + b"\n")
        stream.write(huge + b"\n")  # about 12 MB
        stream.write(b" " * (3 * cli.MAX_LINE_BYTES) + b"\n")  # a long blank line: not a record
        stream.write(json.dumps(order(2)).encode() + b"\n")
        stream.write(huge)  # the last line, with no line end
    reads: list[int] = []
    real = cli._Source._readline

    def watched(self: Any) -> bytes:
        line = real(self)
        reads.append(len(line))
        return line

    monkeypatch.setattr(cli._Source, "_readline", watched)
    assert run(server, source) == cli.EXIT_DEAD_LETTERS
    assert max(reads) <= cli.MAX_LINE_BYTES + 1  # never more than the bound at once
    entries = dead_letters(tmp_path / "orders.jsonl.dead-letter.jsonl")
    assert [(entry["position"], entry["code"], entry["record"]) for entry in entries] == [
        (1, "LocalTooManyBytes", None), (3, "LocalTooManyBytes", None)]
    assert str(len(huge) + 1) in entries[0]["message"] and str(len(huge)) in entries[1]["message"]
    assert object_count(emulator.client()) == 2


def test_a_huge_csv_row_is_dead_lettered_unread_and_the_rest_continues(served: tuple[Emulator, EmulatorServer],
                                                                       tmp_path: Path) -> None:
    emulator, server = served
    source = tmp_path / "orders.csv"
    pad = "y" * (3 * cli.MAX_LINE_BYTES)
    rows = ["id,email,note", "o-1,a@example.com,plain",
            f'o-2,b@example.com,"{pad}"',  # one huge field
            f'o-3,c@example.com,"starts short\n{pad}\nand ends on a third line"',  # huge, inside quotes
            'o-4,d@example.com,"two\nlines"',
            f"o-5,e@example.com,{pad}",  # huge, unquoted
            "o-6,f@example.com,last"]
    source.write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert run(server, source) == cli.EXIT_DEAD_LETTERS
    entries = dead_letters(tmp_path / "orders.csv.dead-letter.jsonl")
    assert [(entry["position"], entry["code"], entry["record"]) for entry in entries] == [
        (1, "LocalTooManyBytes", None), (2, "LocalTooManyBytes", None), (4, "LocalTooManyBytes", None)]
    assert object_count(emulator.client()) == 3  # o-1, o-4 (two lines in one field), o-6


def test_an_unreachable_endpoint_exits_1_and_stays_resumable(served: tuple[Emulator, EmulatorServer], tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    import socket

    emulator, server = served
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = int(sock.getsockname()[1])
    source = write_jsonl(tmp_path / "orders.jsonl", [order(n) for n in range(40)])
    status = cli.main(["ingest", str(source), "--domain", "shop", "--object-type", "Orders", "--endpoint-url",
                       f"http://127.0.0.1:{closed}", "--region", "us-east-1", "--rate", "1000", "--max-retries", "1"])
    assert status == cli.EXIT_FATAL
    err = capsys.readouterr().err
    assert "could not be reached" in err and "checkpoint" in err and CANARY not in err
    assert (tmp_path / "orders.jsonl.dead-letter.jsonl").read_text() == ""  # nothing dead-lettered for it
    assert run(server, source, "--resume") == cli.EXIT_OK
    assert object_count(emulator.client()) == 40


def test_resume_with_another_file_is_refused(served: tuple[Emulator, EmulatorServer], tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    emulator, server = served
    source = write_jsonl(tmp_path / "orders.jsonl", [order(n) for n in range(25)])
    assert run(server, source) == cli.EXIT_OK
    write_jsonl(source, [order(n) for n in range(100, 140)])  # another file under the same name
    calls = dict(emulator.backend.calls)
    assert run(server, source, "--resume") == cli.EXIT_FATAL
    err = capsys.readouterr().err
    assert "source fingerprint differs" in err and CANARY not in err and "o-01" not in err
    assert emulator.backend.calls == calls
    assert run(server, source, "--resume", "--object-type", "Other") == cli.EXIT_FATAL
    assert "object_type_name differs" in capsys.readouterr().err


def test_python_dash_m_runs_the_command_line() -> None:
    done = subprocess.run([sys.executable, "-m", "customer_profiles_sdk", "ingest", "--help"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "--dead-letter" in done.stdout and "--no-batch" in done.stdout
