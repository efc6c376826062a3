"""The ``customer-profiles-sdk`` command line (also ``python -m customer_profiles_sdk``).

This module is hand-written (never generated). One command so far::

    customer-profiles-sdk ingest FILE --domain D --object-type T [--format jsonl|csv] [--rate N]
        [--dead-letter PATH] [--checkpoint PATH] [--resume] [--endpoint-url URL] [--region R]
        [--summary-json PATH] [--concurrency N] [--profile NAME] [--no-batch]

``ingest`` loads the records of FILE with :func:`customer_profiles_sdk.bulk.ingest`. A JSON Lines
file gives one record per non-blank line; a CSV file gives one JSON object per non-empty data row,
keyed by the header's names (every value a string). A row with more or fewer fields than the
header is not sent: it is dead-lettered (``LocalNotJsonObject``) with its values as a list.

Exit status: 0 when every record was accepted, 2 when the run finished with dead letters, 1 on a
fatal error (a missing domain or object type, refused or missing credentials, a bad option, a file
that cannot be read, an existing checkpoint without ``--resume``); progress made before a fatal
error is in the checkpoint, and ``--resume`` continues from it. 130 after Ctrl-C (resumable too).

What it prints names files, options, counts and error codes only, never a record's content.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import os
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, NoReturn, TextIO

from .bulk import MAX_OBJECT_CHARS, IngestAborted, IngestSummary, ingest, no_retry_config

__all__ = ["EXIT_DEAD_LETTERS", "EXIT_FATAL", "EXIT_OK", "main"]

EXIT_OK = 0
EXIT_FATAL = 1
EXIT_DEAD_LETTERS = 2
EXIT_INTERRUPTED = 130
PROG = "customer-profiles-sdk"


class _Fatal(Exception):
    """A fatal error whose message is safe to print (no record content)."""


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error exits 1 (fatal): 2 means "finished with dead letters"."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_FATAL, f"{self.prog}: error: {message}\n")


def _positive_rate(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError("must be a number of calls per second") from None
    if not (value > 0 and math.isfinite(value)):
        raise argparse.ArgumentTypeError("must be a positive, finite number of calls per second")
    return value


def _concurrency(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError("must be an integer from 1 to 64") from None
    if not 1 <= value <= 64:
        raise argparse.ArgumentTypeError("must be an integer from 1 to 64")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description="Command line of the Customer Profiles SDK.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    command = commands.add_parser(
        "ingest", help="load a JSON Lines or CSV file as profile objects",
        description="Put every record of FILE as an object of one object type, in batches, at a "
                    "configured rate, with dead letters and a resumable checkpoint. Exit status: 0 "
                    "all accepted, 2 finished with dead letters, 1 fatal error (resumable).")
    command.add_argument("file", metavar="FILE", type=Path, help="the records: JSON Lines or CSV")
    command.add_argument("--domain", required=True, help="the domain name")
    command.add_argument("--object-type", required=True, help="the object type name")
    command.add_argument("--format", choices=("jsonl", "csv"), default=None,
                         help="the file's format (default: csv for a .csv file, jsonl otherwise)")
    command.add_argument("--rate", type=_positive_rate, default=100.0, metavar="N",
                         help="most calls per second (default 100; a batch call carries up to 10 records)")
    command.add_argument("--dead-letter", type=Path, metavar="PATH",
                         help="JSON Lines file of the records not accepted (default: FILE.dead-letter.jsonl); "
                              "it holds the records themselves, so personal data")
    command.add_argument("--checkpoint", type=Path, metavar="PATH",
                         help="progress file (default: FILE.checkpoint.json)")
    command.add_argument("--resume", action="store_true",
                         help="continue from the checkpoint (from the beginning if there is none yet)")
    command.add_argument("--endpoint-url", metavar="URL", help="the service endpoint (an emulator, say)")
    command.add_argument("--region", metavar="R", help="the AWS Region (default: the profile's or environment's)")
    command.add_argument("--profile", metavar="NAME", help="the AWS profile to take credentials and Region from")
    command.add_argument("--summary-json", type=Path, metavar="PATH",
                         help="write the summary (sent, accepted, retried, dead_lettered, elapsed_s, rate) here")
    command.add_argument("--concurrency", type=_concurrency, default=4, metavar="N",
                         help="worker threads sharing the rate (1 to 64, default 4)")
    command.add_argument("--no-batch", action="store_true",
                         help="one PutProfileObject per record instead of BatchPutProfileObject")
    return parser


# -- reading the file --------------------------------------------------------------------------------


class _Source:
    """The records of a file, read lazily, and how far into the file the reading is (bytes)."""

    def __init__(self, path: Path, format_name: str) -> None:
        self.path = path
        self.format = format_name
        try:
            self.size = path.stat().st_size
            self._binary = open(path, "rb")  # closed by close()
        except OSError as error:
            raise _Fatal(f"cannot read {path}: {error.strerror or type(error).__name__}") from None
        # Bytes that are not UTF-8 are kept (as lone surrogates): the record is then dead-lettered
        # locally as not valid Unicode, never sent, never dropped.
        self._text: TextIO = io.TextIOWrapper(self._binary, encoding="utf-8-sig", errors="surrogateescape",
                                              newline="" if format_name == "csv" else None)
        self._header: list[str] | None = None
        self._rows: Any = None
        if format_name == "csv":
            self._rows = csv.reader(self._text, strict=True)
            try:
                self._header = self._first_row()
            except csv.Error as error:
                self.close()
                raise _Fatal(f"{path}: the CSV header cannot be read ({error})") from None
            if self._header is not None:
                seen: set[str] = set()
                for index, name in enumerate(self._header):
                    if name in seen:
                        self.close()
                        raise _Fatal(f"{path}: column {index + 1} repeats a header name; each column needs its own")
                    seen.add(name)

    def _first_row(self) -> list[str] | None:
        for row in self._rows:
            if row:
                return list(row)
        return None

    @property
    def bytes_read(self) -> int:
        try:
            return self._binary.tell()
        except (OSError, ValueError):
            return 0

    def records(self) -> Iterator[Any]:
        if self.format == "csv":
            yield from self._csv_records()
            return
        for line in self._text:
            if line.strip():
                yield line

    def _csv_records(self) -> Iterator[Any]:
        header = self._header
        if header is None:
            return
        limit = csv.field_size_limit()
        csv.field_size_limit(max(limit, 4 * MAX_OBJECT_CHARS))  # a longer field makes a too-big record anyway
        row_number = 1
        try:
            while True:
                try:
                    row = next(self._rows)
                except StopIteration:
                    return
                except csv.Error as error:
                    raise _Fatal(f"{self.path}: CSV row {row_number + 1} cannot be read ({_csv_reason(error)})") \
                        from None
                row_number += 1
                if not row:
                    continue
                if len(row) != len(header):
                    yield list(row)  # not an object: dead-lettered locally, with its values
                else:
                    yield dict(zip(header, row, strict=True))
        finally:
            csv.field_size_limit(limit)

    def close(self) -> None:
        try:
            self._text.close()
        finally:
            self._binary.close()


def _csv_reason(error: csv.Error) -> str:
    text = str(error)
    # csv's messages describe the syntax ("unexpected end of data", "field larger than field limit
    # (...)"); they never quote the row, but keep them short in any case.
    return text[:120]


# -- progress ---------------------------------------------------------------------------------------


class _Progress:
    """A one-line progress display on a terminal: counts, rate, retries, dead letters, ETA."""

    def __init__(self, stream: TextIO, source: _Source, interval: float = 0.25) -> None:
        self.stream = stream
        self.source = source
        self.interval = interval
        self.last = 0.0
        self.shown = False

    def __call__(self, summary: IngestSummary) -> None:
        now = time.monotonic()
        if now - self.last < self.interval:
            return
        self.last = now
        self.stream.write("\r" + self.line(summary) + "\x1b[K")
        self.stream.flush()
        self.shown = True

    def line(self, summary: IngestSummary) -> str:
        done = summary.accepted + summary.dead_lettered
        text = (f"{done:,} records: {summary.accepted:,} accepted, {summary.dead_lettered:,} dead letters, "
                f"{summary.retried:,} retries, {summary.rate:,.0f}/s")
        read = self.source.bytes_read
        if 0 < read < self.source.size and summary.elapsed_s > 0:
            fraction = read / self.source.size
            text += f", {fraction:.0%}, ETA {_duration(summary.elapsed_s * (1 - fraction) / fraction)}"
        return text

    def finish(self) -> None:
        if self.shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}"


# -- the command --------------------------------------------------------------------------------------


def _summary_dict(summary: IngestSummary) -> dict[str, Any]:
    return {"sent": summary.sent, "accepted": summary.accepted, "retried": summary.retried,
            "dead_lettered": summary.dead_lettered, "elapsed_s": round(summary.elapsed_s, 3),
            "rate": round(summary.rate, 3)}


def _write_atomically(path: Path, text: str) -> None:
    temporary = path.with_name(path.name + ".tmp")
    with open(temporary, "w", encoding="utf-8") as stream:
        stream.write(text)
        stream.flush()
        os.fsync(stream.fileno())
    os.replace(temporary, path)


def _client(args: argparse.Namespace) -> Any:
    import boto3.session
    import botocore.exceptions

    from .client import CustomerProfilesClient

    try:
        session = boto3.session.Session(profile_name=args.profile) if args.profile else None
        return CustomerProfilesClient(session=session, region_name=args.region, endpoint_url=args.endpoint_url,
                                      config=no_retry_config())
    except botocore.exceptions.ProfileNotFound:
        raise _Fatal(f"the AWS profile {args.profile!r} is not configured") from None
    except botocore.exceptions.NoRegionError:
        raise _Fatal("no AWS Region: pass --region, or configure one for the profile") from None
    except ValueError as error:  # an endpoint URL botocore refuses
        raise _Fatal(f"cannot build the client: {str(error)[:200]}") from None


def _ingest(args: argparse.Namespace, stderr: TextIO) -> int:
    import botocore.exceptions

    file: Path = args.file
    format_name = args.format or ("csv" if file.suffix.lower() == ".csv" else "jsonl")
    dead_letter: Path = args.dead_letter or file.with_name(file.name + ".dead-letter.jsonl")
    checkpoint: Path = args.checkpoint or file.with_name(file.name + ".checkpoint.json")
    if checkpoint.exists() and not args.resume:
        raise _Fatal(f"checkpoint {checkpoint} exists from an earlier run: add --resume to continue it, "
                     "or delete it (and its dead-letter file) to start again")
    if not args.resume and dead_letter.exists() and dead_letter.stat().st_size:
        raise _Fatal(f"dead-letter file {dead_letter} is not empty: move it away, or --resume the run that wrote it")
    client = _client(args)
    source = _Source(file, format_name)
    progress = _Progress(stderr, source) if stderr.isatty() else None
    try:
        summary = ingest(client, domain_name=args.domain, object_type_name=args.object_type,
                         records=source.records(), rate=args.rate, batch=not args.no_batch,
                         dead_letter=dead_letter, checkpoint=checkpoint, resume=args.resume,
                         concurrency=args.concurrency, progress=progress)
    except IngestAborted as error:
        raise _Fatal(f"{error}; progress is in {checkpoint}") from None
    except (botocore.exceptions.NoCredentialsError, botocore.exceptions.PartialCredentialsError,
            botocore.exceptions.CredentialRetrievalError):
        raise _Fatal(f"no usable AWS credentials; progress is in {checkpoint}") from None
    except (FileExistsError, ValueError) as error:  # checkpoint or dead-letter file refused by ingest
        raise _Fatal(str(error)) from None
    finally:
        if progress is not None:
            progress.finish()
        source.close()
    if args.summary_json is not None:
        _write_atomically(args.summary_json, json.dumps(_summary_dict(summary), indent=2) + "\n")
    stderr.write(f"{PROG} ingest: {summary.sent:,} sent, {summary.accepted:,} accepted, {summary.retried:,} retried, "
                 f"{summary.dead_lettered:,} dead-lettered in {summary.elapsed_s:.1f} s "
                 f"({summary.rate:,.1f} records/s)\n")
    if summary.dead_lettered:
        stderr.write(f"{PROG} ingest: dead letters are in {dead_letter}\n")
        return EXIT_DEAD_LETTERS
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (``sys.argv[1:]`` by default); returns the exit status."""
    parser = _parser()
    try:
        args = parser.parse_args(list(argv) if argv is not None else None)
    except SystemExit as stop:  # --help (0) or a usage error (1)
        return int(stop.code) if isinstance(stop.code, int) else EXIT_FATAL
    stderr = sys.stderr
    try:
        return _ingest(args, stderr)
    except _Fatal as error:
        stderr.write(f"{PROG} {args.command}: error: {error}\n")
        return EXIT_FATAL
    except KeyboardInterrupt:
        stderr.write(f"\n{PROG} {args.command}: interrupted; continue with --resume\n")
        return EXIT_INTERRUPTED
    except OSError as error:  # a file that cannot be written (dead letters, checkpoint, summary)
        name = f" {error.filename}" if error.filename else ""
        stderr.write(f"{PROG} {args.command}: error:{name}: {error.strerror or type(error).__name__}\n")
        return EXIT_FATAL


def run() -> NoReturn:
    """The console script's entry point."""
    sys.exit(main())
