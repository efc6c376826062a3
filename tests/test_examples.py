"""The scripts in examples/: they run offline, print what they should, never reach the network,
and in ``--aws`` mode create one domain, refuse an existing one, and delete what they created.

Each script runs in a child process started through a small bootstrap (``BOOTSTRAP``) whose
audit hook refuses every connection and name lookup: an attempt ends the child with exit code 97.
The child also has no AWS credentials or configuration, instance metadata lookups off and its
proxies pointed at a closed port on 127.0.0.1, so a real request could not succeed even without
the hook.

``--aws`` mode is tested without AWS: the bootstrap installs the SDK's emulator process-wide, so
the script's default-chain client (given dummy credentials) is answered by it, and reports which
domains the emulator still holds when the script ends. All runs of the module start together in
a thread pool (each takes about half a second), so the whole module stays a few seconds long.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import os
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

#: Each example runs in a child process (about 15 s of CPU in all): .ci/run runs them, the README's
#: quick command does not.
pytestmark = pytest.mark.slow

EXAMPLES_DIR = Path(__file__).resolve().parent.parent / "examples"
# Files starting with "_" are shared helpers of the examples, not examples.
# The async examples need aiobotocore (the async extra): where it is missing they are left out here,
# and .ci/run runs them in its aiobotocore leg.
HAVE_ASYNC = importlib.util.find_spec("aiobotocore") is not None
EXAMPLES = sorted(path for path in EXAMPLES_DIR.glob("*.py")
                  if not path.name.startswith("_") and (HAVE_ASYNC or not path.name.startswith("async_")))
NAMES = [path.name for path in EXAMPLES]

# Sample personal data the examples send; it must never appear in what they print.
PERSONAL = ("jane@example.com", "Jane")

# What each example must print offline (substrings of its output), in order of appearance.
EXPECTED: dict[str, list[str]] = {
    "quickstart.py": [
        "object type:  Orders, keys ['OrderId', '_email'], fields ['Email', 'FirstName', 'OrderId', 'Total']",
        "calculated:   total_spend = SUM of {Orders.Total}",
        "ingested:     4 orders; the first one sent again kept its unique key: True",
        "search:       _email matched 1 profile(s)",
        "profile:      Profile(first_name=<redacted>, email_address=<redacted>)",
        "total spend:  50 (Total spend, over the customer's 3 orders)",
    ],
    "pagination.py": [
        "setup:        23 orders of one customer, 12 profiles on one account",
        "all items:    o-001..o-023 (23) in 3 requests, resume_token: None (everything was read)",
        "page 1:       o-001..o-010 (10)",
        "page 2:       o-011..o-020 (10)",
        "page 3:       o-021..o-023 (3)",
        "max_items=15: o-001..o-015 (15) in 2 requests, resume_token: the service's NextToken",
        "resumed:      o-016..o-023 (8); together they are every item once: True",
        "search:       left the loop after 7 profiles, resume_token: SDK token (mid-page)",
        "resumed:      5 more profiles, 12 in all",
        "max_items=3:  1 request, 3 profiles, more to come: True",
    ],
    "error_handling.py": [
        "PartyType: rule enum",
        "BirthDate: rule max_length",
        "DomainName: String should have at most 64 characters [rule=max_length]",
        "requests sent to the service: 0",
        "ResourceNotFoundError: code=ResourceNotFoundException http_status=404 retry_attempts=0",
        "except ClientError matches: True; except boto3_client.exceptions.ResourceNotFoundException matches: True",
        "BadRequestError: code=BadRequestException http_status=400",
        "BatchGetProfile: 1 entry failed (ResourceNotFoundException x1)",
        "failed: [('00000000000000000000000000000000', 'ResourceNotFoundException')]",
        "the successes are in error.response: 1 profile",
        "allow_partial=True: 1 profile, 1 error entry",
        "get_domain succeeded: http_status=200 retry_attempts=1",
        "rule on:  Keys: at most one key may have the UNIQUE standard identifier, found 2 [rule=single_unique_key]",
        "rule off: sent; the service answered BadRequestError (BadRequestException)",
    ],
    "domain_layouts.py": [
        "created:      order-summary version=1 default=True",
        "read:         'Order summary' version=1 sections=['Contact', 'Orders']",
        "updated:      'Orders and contact' version 1 -> 2",
        "list:         compact, order-summary (default)",
        "new default:  compact (default), order-summary",
        "deleted:      list is now (none)",
        "read again:   ResourceNotFoundError (404)",
    ],
    "detect_object_type.py": [
        "detect:       1 suggestion(s)",
        "field Email: source=_source.Email target=_profile.EmailAddress content_type=EMAIL_ADDRESS",
        "key _email: ['PROFILE'] on ['Email']",
        "created:      object type DetectedOrders with 5 fields",
    ],
    "async_quickstart.py": [
        "profiles:     3 created concurrently",
        "orders:       5 listed for the first profile, 3 pages",
        "refused:      DomainName (min_length)",
        "not found:    ResourceNotFoundException",
    ],
    "long_running_jobs.py": [
        "pauses:       advance the emulator clock",
        "estimate:     RUNNING -> SUCCEEDED, 2 profile(s) match",
        "recommender:  PENDING -> IN_PROGRESS -> ACTIVE",
        "recipe:       popular-items, ready for get_profile_recommendations",
        "deleted:      DELETING -> gone (404)",
    ],
    "upload_csv.py": [
        "file:         customers.csv, 1000 rows (3 of them bad)",
        "job:          PARTIALLY_SUCCEEDED: 997 created, 0 updated, 3 failed",
        "search:       _account c0042 matched 1 profile(s)",
        "missing file: path: names no existing file [rule=file] (nothing sent)",
    ],
    "bulk_ingest.py": [
        "object type:  Orders, UNIQUE key _orderId",
        "first run:    stopped on purpose when reading record 120",
        "resumed:      247 accepted, 3 dead-lettered, 250 of 250 records in all",
        "dead letters: [(40, 'LocalNotJson'), (80, 'LocalTooManyBytes'), (160, 'LocalNotJsonObject')]",
        "stored:       247 objects in the domain",
    ],
    "models_quickstart.py": [
        "repr: CreateProfileRequest(domain_name='shop', first_name=<redacted>, email_address=<redacted>)",
        "DomainName: String should have at most 64 characters [rule=max_length]",
        "unknown member kept: {'SomethingNew': {'added': 'later'}}",
        "re-sent keys are re-validated: Keys[<key>][0].StandardIdentifiers[1]",
    ],
}
# The examples that create (and delete) a domain, and so take --domain.
WITH_DOMAIN = [name for name in NAMES if name != "models_quickstart.py"]
TAKEN = "cpsdk-example-taken"

# Runs the example named by argv[3] as ``python <example> <args>`` would, after refusing every
# connection and name lookup (binding stays allowed: urllib3 probes for IPv6 at import by binding
# to ::1). Modes: "offline" runs it as is; "aws", "taken" and "fail" install the emulator
# process-wide first ("taken": a domain named TAKEN exists already; "fail": every operation other
# than creating, reading and deleting a domain fails with a BadRequestException) and write the
# domains the emulator still holds, as JSON, to the file argv[2] when the script ends.
BOOTSTRAP = r"""
import json, os, runpy, sys

_NETWORK = {"socket.connect", "socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyname_ex",
            "socket.gethostbyaddr", "socket.sendto", "socket.sendmsg"}

def _refuse_network(event, args):
    if event in _NETWORK:
        os.write(2, ("network access attempted: " + event + "\n").encode())
        os._exit(97)

sys.addaudithook(_refuse_network)
mode, report, path, *arguments = sys.argv[1:]
sys.argv = [path, *arguments]
sys.path[0] = os.path.dirname(os.path.abspath(path))
emulator = None
if mode != "offline":
    from customer_profiles_sdk.local import Emulator, EmulatorError

    emulator = Emulator()
    emulator.install()
    if mode == "taken":
        emulator.backend.call("CreateDomain", {"DomainName": "@TAKEN@", "DefaultExpirationDays": 7})
    if mode == "fail":
        answer = emulator.backend.call

        def failing(operation, params):
            if operation not in ("CreateDomain", "GetDomain", "DeleteDomain"):
                raise EmulatorError("BadRequestException", "injected failure", 400)
            return answer(operation, params)

        emulator.backend.call = failing
try:
    runpy.run_path(path, run_name="__main__")
finally:
    if emulator is not None:
        with open(report, "w") as file:
            json.dump(emulator.backend.domain_names(), file)
""".replace("@TAKEN@", TAKEN)


@dataclass(frozen=True)
class Run:
    returncode: int
    stdout: str
    stderr: str
    domains_left: list[str] | None  # None in offline mode

    def describe(self) -> str:
        return f"exit code {self.returncode}\n--- stdout\n{self.stdout}\n--- stderr\n{self.stderr}"


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _environment(home: Path, *, credentials: bool) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("AWS_", "CUSTOMER_PROFILES_SDK_")) and key.lower() not in ("no_proxy", "all_proxy")}
    proxy = f"http://127.0.0.1:{_closed_port()}"
    env.update(
        AWS_EC2_METADATA_DISABLED="true",
        AWS_CONFIG_FILE=str(home / "no-config"),
        AWS_SHARED_CREDENTIALS_FILE=str(home / "no-credentials"),
        HTTPS_PROXY=proxy, HTTP_PROXY=proxy, https_proxy=proxy, http_proxy=proxy,
        PYTHONDONTWRITEBYTECODE="1",
    )
    if credentials:  # the "default credential chain" of --aws mode, answered by the emulator
        env.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-east-1")
    return env


def _run(workdir: Path, mode: str, path: Path, *arguments: str) -> Run:
    workdir.mkdir(parents=True, exist_ok=True)
    report = workdir / "domains.json"
    result = subprocess.run(
        [sys.executable, "-c", BOOTSTRAP, mode, str(report), str(path), *arguments],
        capture_output=True, text=True, timeout=120, cwd=workdir,
        env=_environment(workdir, credentials=mode != "offline"),
    )
    domains = json.loads(report.read_text()) if report.exists() else None
    return Run(result.returncode, result.stdout, result.stderr, domains)


# Every run of the module, started at once: (mode, example name) -> the example's arguments.
# "again" is a second offline run of the example without a domain, to compare; the others are
# compared with their --aws run, which prints the same apart from the domain's name.
Key = tuple[str, str]
PLAN: dict[Key, tuple[str, ...]] = {
    **{("offline", name): () for name in NAMES},
    **{("again", name): () for name in NAMES if name not in WITH_DOMAIN},
    **{("aws", name): ("--aws",) for name in WITH_DOMAIN},
    # The domain handling is one function, the same in every example (checked below): tried on one.
    ("taken", "quickstart.py"): ("--aws", "--domain", TAKEN),
    ("fail", "quickstart.py"): ("--aws",),
}


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[Key, Run]]:
    base = tmp_path_factory.mktemp("examples")
    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        futures: dict[Key, Future[Run]] = {
            (mode, name): pool.submit(_run, base / f"{mode}-{name}", "offline" if mode == "again" else mode,
                                      EXAMPLES_DIR / name, *arguments)
            for (mode, name), arguments in PLAN.items()
        }
        yield {key: future.result() for key, future in futures.items()}


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines()]


def _assert_expected(name: str, run: Run) -> None:
    output = run.stdout
    position = 0
    for expected in EXPECTED[name]:
        found = output.find(expected, position)
        assert found >= 0, f"{name}: missing or out of order: {expected!r}\n{run.describe()}"
        position = found + len(expected)


def _assert_no_personal_data(text: str) -> None:
    for value in PERSONAL:
        assert value not in text, f"the sample value {value!r} was printed"


def test_there_are_examples() -> None:
    assert "quickstart.py" in NAMES
    assert "client_quickstart.py" not in NAMES  # replaced by quickstart.py


def test_every_example_has_expectations() -> None:
    assert sorted(name for name in EXPECTED if HAVE_ASYNC or not name.startswith("async_")) == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_example_conventions(name: str) -> None:
    source = (EXAMPLES_DIR / name).read_text()
    module = ast.parse(source)
    docstring = ast.get_docstring(module) or ""
    assert f"python examples/{name}" in docstring, "the docstring gives the command that runs it"
    assert "from __future__ import annotations" in source
    # --aws: its own argparse, or _common.main's (whose --aws runs test_aws_mode_* exercise)
    assert re.search(r"add_argument\(\s*\"--aws\"", source) or "from _common import main" in source
    assert 'if __name__ == "__main__":' in source


@pytest.mark.parametrize("name", NAMES)
def test_example_runs_offline(name: str, runs: dict[Key, Run]) -> None:
    run = runs["offline", name]
    assert run.returncode == 0, run.describe()
    assert run.stderr == "", run.describe()
    _assert_expected(name, run)
    # The examples send personal data and print reprs and errors of models holding it: none shows.
    _assert_no_personal_data(run.stdout)


@pytest.mark.parametrize("name", NAMES)
def test_example_output_is_deterministic(name: str, runs: dict[Key, Run]) -> None:
    first = runs["offline", name]
    if name not in WITH_DOMAIN:
        second = runs["again", name]
        assert second.returncode == 0, second.describe()
        assert first.stdout == second.stdout
        return
    # Two independent runs (offline, and --aws against the emulator) print the same lines, the
    # domain's name aside.
    second = runs["aws", name]
    assert second.returncode == 0, second.describe()
    assert _domain_free(first.stdout) == _domain_free(second.stdout)


def _domain_free(output: str) -> str:
    return re.sub(r"cpsdk-example-[a-z0-9-]+", "<domain>", output)


@pytest.mark.parametrize("name", WITH_DOMAIN)
def test_example_cleans_up_offline(name: str, runs: dict[Key, Run]) -> None:
    lines = _lines(runs["offline", name].stdout)
    assert lines[0].startswith("domain:       cpsdk-example-")
    domain = lines[0].split()[1]
    assert lines[-1] == f"cleaned up:   deleted domain {domain}"


@pytest.mark.parametrize("name", WITH_DOMAIN)
def test_aws_mode_creates_one_domain_and_deletes_it(name: str, runs: dict[Key, Run]) -> None:
    run = runs["aws", name]
    assert run.returncode == 0, run.describe()
    _assert_expected(name, run)
    _assert_no_personal_data(run.stdout + run.stderr)
    lines = _lines(run.stdout)
    assert re.fullmatch(r"domain:\s+cpsdk-example-[0-9a-f]{8}\b.*", lines[0]), lines[0]
    domain = lines[0].split()[1]
    assert lines[-1] == f"cleaned up:   deleted domain {domain}"
    assert run.domains_left == []


def test_aws_mode_refuses_an_existing_domain(runs: dict[Key, Run]) -> None:
    run = runs["taken", "quickstart.py"]
    assert run.returncode == 1, run.describe()
    assert "already exists" in run.stderr
    assert "cleaned up" not in run.stdout
    assert run.domains_left == [TAKEN]  # untouched


def test_aws_mode_deletes_its_domain_after_an_error(runs: dict[Key, Run]) -> None:
    run = runs["fail", "quickstart.py"]
    assert run.returncode == 1, run.describe()
    assert "injected failure" in run.stderr
    assert "cleaned up:   deleted domain cpsdk-example-" in run.stdout
    assert run.domains_left == []
    _assert_no_personal_data(run.stdout)


def test_the_bootstrap_stops_a_real_request(tmp_path: Path) -> None:
    """The guard works: a plain boto3 call, with credentials and a region, ends the child."""
    script = tmp_path / "calls_aws.py"
    script.write_text(
        "import boto3\n"
        "client = boto3.client('customer-profiles', region_name='us-east-1',\n"
        "                      aws_access_key_id='x', aws_secret_access_key='y')\n"
        "client.list_domains()\n"
        "print('reached AWS')\n"
    )
    run = _run(tmp_path / "guard", "offline", script)
    assert run.returncode == 97, run.describe()
    assert "network access attempted" in run.stderr
    assert "reached AWS" not in run.stdout
