"""The ``customer-profiles-sdk`` command line (also ``python -m customer_profiles_sdk``).

This module is hand-written (never generated). One command so far::

    customer-profiles-sdk ingest FILE --domain D --object-type T [--format jsonl|csv] [--rate N]
        [--dead-letter PATH] [--checkpoint PATH] [--resume] [--endpoint-url URL] [--region R]
        [--summary-json PATH] [--concurrency N] [--profile NAME] [--no-batch]

``ingest`` loads the records of FILE with :func:`customer_profiles_sdk.bulk.ingest`. A JSON Lines
file gives one record per non-blank line (lines end at ``\n``); a CSV file gives one JSON object per
non-empty data row, keyed by the header's names (every value a string). A row with more or fewer
fields than the header is not sent: it is dead-lettered (``LocalNotJsonObject``) with its values as
a list.

The file is read with a bound: a line (JSON Lines) or a row (CSV) longer than
:data:`MAX_LINE_BYTES` is never held in memory whole. It is read past in pieces and dead-lettered
``LocalTooManyBytes`` with ``record: null`` (such a line could only hold an object the service
takes if it were mostly whitespace or escapes), and the records after it are read as usual.

On a terminal, with the ``progress`` extra (tqdm) installed, a progress bar on stderr shows the
share of the file read, records done, rate, retries, dead letters and the time left; without
tqdm, or when stderr is not a terminal, nothing is shown until the summary.

Exit status: 0 when every record was accepted, 2 when the run finished with dead letters, 1 on a
fatal error (a missing domain or object type, refused or missing credentials, a bad option, a file
that cannot be read, an existing checkpoint without ``--resume``); progress made before a fatal
error is in the checkpoint, and ``--resume`` continues from it. 130 after Ctrl-C (resumable too).

What it prints names files, options, counts and error codes only, never a record's content.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import re
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, NoReturn, TextIO

from .bulk import MAX_OBJECT_BYTES, IngestAborted, IngestSummary, OversizedRecord, ingest, no_retry_config

__all__ = ["EXIT_DEAD_LETTERS", "EXIT_FATAL", "EXIT_OK", "MAX_LINE_BYTES", "main"]

EXIT_OK = 0
EXIT_FATAL = 1
EXIT_DEAD_LETTERS = 2
EXIT_INTERRUPTED = 130
PROG = "customer-profiles-sdk"
#: The longest line (JSON Lines) or row (CSV) read whole, in bytes: 8 x the 250 KB object limit.
MAX_LINE_BYTES = 8 * MAX_OBJECT_BYTES
# How much of an over-long line is read at a time while reading past it.
_CHUNK = 1 << 20
_BOM = b"\xef\xbb\xbf"
_LONE_CR = re.compile(r"(?<=\r)(?!\n)")


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
    command.add_argument("--max-retries", type=_max_retries, default=8, metavar="N",
                         help="re-sends of a throttled or failed record before it is dead-lettered, or before "
                              "an unreachable service stops the run (default 8)")
    return parser


def _max_retries(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError("must be an integer from 0 to 100") from None
    if not 0 <= value <= 100:
        raise argparse.ArgumentTypeError("must be an integer from 0 to 100")
    return value


# -- reading the file --------------------------------------------------------------------------------


class _Source:
    """The records of a file, read lazily with a bound per line or row, and how far into the file
    the reading is (bytes)."""

    def __init__(self, path: Path, format_name: str, line_limit: int = MAX_LINE_BYTES) -> None:
        self.path = path
        self.format = format_name
        self.line_limit = line_limit
        try:
            self.size = path.stat().st_size
            self._binary = open(path, "rb")  # closed by close()
        except OSError as error:
            raise _Fatal(f"cannot read {path}: {error.strerror or type(error).__name__}") from None
        self._first = True
        self._header: list[str] | None = None
        self._row_number = 0
        self._row_quotes = self._row_bytes = 0
        self._oversized: int | None = None
        self._rows: Any = csv.reader(self._lines(), strict=True) if format_name == "csv" else None
        if format_name == "csv":
            try:
                self._header = self._first_row()
            except csv.Error as error:
                self.close()
                raise _Fatal(f"{path}: the CSV header cannot be read ({_csv_reason(error)})") from None
            if self._header is not None:
                seen: set[str] = set()
                for index, name in enumerate(self._header):
                    if name in seen:
                        self.close()
                        raise _Fatal(f"{path}: column {index + 1} repeats a header name; each column needs its own")
                    seen.add(name)

    @property
    def bytes_read(self) -> int:
        try:
            return self._binary.tell()
        except (OSError, ValueError):
            return 0

    def _readline(self) -> bytes:
        """The next line (at most ``line_limit + 1`` bytes of it, so a longer one shows as such)."""
        line = self._binary.readline(self.line_limit + 1)
        if self._first:
            self._first = False
            if line.startswith(_BOM):
                line = line[len(_BOM):]
        return line

    def _rest_of_line(self, quotes: int = 0) -> tuple[int, bool, int]:
        """Read past the rest of an over-long line (CSV: row) in bounded pieces: (bytes read, whether
        any was not whitespace, the quote count). A CSV row ends at the first line end outside quotes."""
        size, blank = 0, True
        while True:
            piece = self._binary.readline(_CHUNK)
            if not piece:
                return size, blank, quotes
            size += len(piece)
            blank = blank and not piece.strip()
            if self.format == "csv":
                quotes += piece.count(b'"')
            if piece.endswith(b"\n") and quotes % 2 == 0:
                return size, blank, quotes

    def records(self) -> Iterator[Any]:
        if self.format == "csv":
            yield from self._csv_records()
            return
        while True:
            line = self._readline()
            if not line:
                return
            if len(line) > self.line_limit:
                size, blank, _ = self._rest_of_line()
                if not (blank and not line.strip()):
                    yield OversizedRecord(len(line) + size)
                continue
            # Bytes that are not UTF-8 are kept (as lone surrogates): the record is then
            # dead-lettered locally as not valid Unicode, never sent, never dropped.
            text = line.decode("utf-8", "surrogateescape")
            if text.strip():
                yield text

    def _lines(self) -> Iterator[str]:
        """The file's physical lines for the csv reader, each at most ``line_limit`` bytes. An
        over-long line is read past (with the rest of its row: a line end inside quotes belongs to
        the row) and replaced by a line end that ends the row the reader is in; ``_oversized`` then
        holds the row's size, and :meth:`_csv_records` gives an OversizedRecord for that row."""
        while True:
            line = self._readline()
            if not line:
                return
            if len(line) > self.line_limit:
                quotes = self._row_quotes + line.count(b'"')
                rest, _, _ = self._rest_of_line(quotes) if not line.endswith(b"\n") or quotes % 2 else (0, True, 0)
                self._oversized = self._row_bytes + len(line) + rest
                # Inside a quoted field (the row began on an earlier line): close it first.
                yield '"\n' if self._row_bytes else "\n"
                continue
            self._row_quotes += line.count(b'"')
            self._row_bytes += len(line)
            text = line.decode("utf-8", "surrogateescape")
            if "\r" in text.rstrip("\r\n"):  # lines ended by a lone CR: the csv module's line ends too
                yield from (piece for piece in _LONE_CR.split(text) if piece)
            else:
                yield text

    def _next_row(self) -> list[str] | OversizedRecord | None:
        """The next CSV row (None at the end of the file)."""
        self._row_quotes = self._row_bytes = 0
        self._oversized = None
        try:
            row = next(self._rows)
        except StopIteration:
            return None
        finally:
            self._row_number = self._rows.line_num
        if self._oversized is not None:
            return OversizedRecord(self._oversized)
        return list(row)

    def _first_row(self) -> list[str] | None:
        while True:
            row = self._next_row()
            if row is None:
                return None
            if isinstance(row, OversizedRecord):
                raise csv.Error(f"the header row is longer than {self.line_limit} bytes")
            if row:
                return row

    def _csv_records(self) -> Iterator[Any]:
        header = self._header
        if header is None:
            return
        limit = csv.field_size_limit()
        csv.field_size_limit(max(limit, self.line_limit + 1))  # lines are bounded before they are parsed
        try:
            while True:
                try:
                    row = self._next_row()
                except csv.Error as error:
                    raise _Fatal(f"{self.path}: CSV line {self._row_number} cannot be read ({_csv_reason(error)})") \
                        from None
                if row is None:
                    return
                if isinstance(row, OversizedRecord):
                    yield row
                elif not row:
                    continue
                elif len(row) != len(header):
                    yield list(row)  # not an object: dead-lettered locally, with its values
                else:
                    yield dict(zip(header, row, strict=True))
        finally:
            csv.field_size_limit(limit)

    def close(self) -> None:
        self._binary.close()


def _csv_reason(error: csv.Error) -> str:
    text = str(error)
    # csv's messages describe the syntax ("unexpected end of data", "field larger than field limit
    # (...)"); they never quote the row, but keep them short in any case.
    return text[:120]


# -- progress ---------------------------------------------------------------------------------------


class _Progress:
    """A tqdm progress bar on a terminal: the share of the file read (so the time left), records
    done, their rate, retries and dead letters. Counts only: nothing of a record is shown."""

    def __init__(self, tqdm_class: Any, stream: TextIO, source: _Source, interval: float = 0.25) -> None:
        self.source = source
        self.interval = interval
        self.last = time.monotonic()
        self.bar = tqdm_class(total=source.size or None, file=stream, unit="B", unit_scale=True,
                              unit_divisor=1024, mininterval=interval, dynamic_ncols=True, leave=False,
                              bar_format="{percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} "
                                         "[{elapsed}<{remaining}{postfix}]")
        self.bar.set_postfix_str(self.postfix(None), refresh=False)

    @staticmethod
    def postfix(summary: IngestSummary | None) -> str:
        if summary is None:
            return "0 records"
        done = summary.accepted + summary.dead_lettered
        return (f"{done:,} records, {summary.rate:,.0f}/s, {summary.retried:,} retries, "
                f"{summary.dead_lettered:,} dead letters")

    def __call__(self, summary: IngestSummary) -> None:
        self.bar.set_postfix_str(self.postfix(summary), refresh=False)
        read = max(0, self.source.bytes_read - self.bar.n)
        now = time.monotonic()
        if read:
            self.bar.update(read)  # redraws at most every interval
        elif now - self.last >= self.interval:  # the file is read ahead: the counts still move
            self.bar.refresh()
        else:
            return
        self.last = now

    def finish(self) -> None:
        self.bar.close()


def _progress(stream: TextIO, source: _Source) -> _Progress | None:
    """A progress bar when ``stream`` is a terminal and tqdm (the ``progress`` extra) is installed."""
    if not stream.isatty():
        return None
    import importlib

    try:
        tqdm = importlib.import_module("tqdm")  # the progress extra: optional (and untyped)
    except ImportError:
        return None
    return _Progress(tqdm.tqdm, stream, source)


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
    progress = _progress(stderr, source)
    try:
        summary = ingest(client, domain_name=args.domain, object_type_name=args.object_type,
                         records=source.records(), rate=args.rate, batch=not args.no_batch,
                         dead_letter=dead_letter, checkpoint=checkpoint, resume=args.resume,
                         concurrency=args.concurrency, max_retries=args.max_retries, progress=progress)
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
