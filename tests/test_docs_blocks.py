"""The documentation runs as written.

* Every Python block (```python / ```py) of README.md and docs/**/*.md runs here, against the local
  emulator, offline, in an environment with no AWS settings, or it starts with a visible
  ``# not run: <reason>`` line (then it is still compiled). The conventions are in
  docs/guides/testing.md, "The code in these docs".
* Every relative link of those pages points to a file or folder of the repository.
* The README's emulator block works in a fresh interpreter whose HOME and environment hold no AWS
  settings, and it changes no environment variable, file, or client of another service.
* The emulator's refusal of a calculated attribute that names no field of its object type names the
  attribute and lists the field names, never a value.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import logging
import os
import re
import socket
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from customer_profiles_sdk.local import Emulator

ROOT: Path = Path(__file__).resolve().parents[1]  # declared: a test below swaps it
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
PYTHON_FENCES = frozenset({"python", "py", "python3", "py3"})
NOT_RUN = re.compile(r"#\s*not run:\s*(\S.*)")
SETUP_OPEN = "<!-- docs-test: setup"


# -- collecting the blocks -------------------------------------------------------------------------


@dataclass(frozen=True, repr=False)
class Block:
    page: str  # path relative to the repository
    line: int  # line of the opening fence (1-based)
    code: str  # dedented, padded with blank lines so that line numbers match the page
    setup: str  # hidden set-up from a <!-- docs-test: setup ... --> comment just above, padded too
    reason: str | None  # the "# not run:" reason, or None when the block runs

    @property
    def id(self) -> str:
        return f"{self.page}:{self.line}"

    def __repr__(self) -> str:  # the padded code would fill a failure report
        return f"Block({self.id})"


_FENCE = re.compile(r"^( *)(`{3,}|~{3,})\s*([^\s`{]*)")


def _fences(lines: list[str]) -> Iterator[tuple[int, int, str, int]]:
    """(opening line index, closing line index, language, indent) of every fenced block."""
    index = 0
    while index < len(lines):
        match = _FENCE.match(lines[index])
        if match is None:
            index += 1
            continue
        indent, fence, language = len(match.group(1)), match.group(2), match.group(3).lower()
        end = index + 1
        closing = re.compile(rf"^ *{re.escape(fence[0])}{{{len(fence)},}}\s*$")
        while end < len(lines) and not closing.match(lines[end]):
            end += 1
        yield index, end, language, indent
        index = end + 1


def _dedent(lines: list[str], indent: int) -> list[str]:
    return [line[indent:] if line[:indent].strip() == "" else line for line in lines]


def _setup_above(lines: list[str], start: int) -> str:
    """The set-up comment that ends just above line ``start`` (blank lines between allowed)."""
    index = start - 1
    while index >= 0 and not lines[index].strip():
        index -= 1
    if index < 0 or lines[index].strip() != "-->":
        return ""
    end = index
    while index >= 0 and not lines[index].strip().startswith(SETUP_OPEN):
        index -= 1
    if index < 0:
        return ""
    body = textwrap.dedent("\n".join(lines[index + 1:end]))
    return "\n" * (index + 1) + body + "\n"


def collect(path: Path) -> list[Block]:
    lines = path.read_text(encoding="utf-8").splitlines()
    blocks: list[Block] = []
    for start, end, language, indent in _fences(lines):
        if language not in PYTHON_FENCES:
            continue
        body = _dedent(lines[start + 1:end], indent)
        first = next((line.strip() for line in body if line.strip()), "")
        marker = NOT_RUN.fullmatch(first)
        blocks.append(Block(
            page=path.relative_to(ROOT).as_posix(), line=start + 1,
            code="\n" * (start + 1) + "\n".join(body) + "\n", setup=_setup_above(lines, start),
            reason=marker.group(1) if marker else None,
        ))
    return blocks


BLOCKS = [block for page in PAGES for block in collect(page)]


def test_the_collector_finds_every_python_fence() -> None:
    """No Python block escapes the collector: a fence in another Python spelling (``pycon``,
    ``Python``) fails here rather than going untested, and the pages do have blocks."""
    for page in PAGES:
        lines = page.read_text(encoding="utf-8").splitlines()
        for start, _end, language, _indent in _fences(lines):
            assert not (language.startswith("py") and language not in PYTHON_FENCES), (
                f"{page.relative_to(ROOT)}:{start + 1}: fence language {language!r}: use ```python"
            )
    assert len(BLOCKS) >= 40
    assert any(block.page == "README.md" for block in BLOCKS)


def test_the_collector_on_a_sample(tmp_path: Path) -> None:
    page = tmp_path / "sample.md"
    page.write_text(textwrap.dedent("""\
        text
        <!-- docs-test: setup
        x = 1
        -->

        ```python
        y = x + 1
        ```

        - item

          ```py
          # not run: needs AWS credentials
          client.get_domain(domain_name="shop")
          ```

        ```text
        not python
        ```
        """), encoding="utf-8")
    global ROOT
    saved, ROOT = ROOT, tmp_path
    try:
        first, second = collect(page)
    finally:
        ROOT = saved
    assert (first.line, first.reason) == (6, None)
    assert first.setup.strip() == "x = 1" and first.setup.count("\n") == 3
    assert first.code.splitlines()[6] == "y = x + 1"
    assert (second.line, second.reason) == (12, "needs AWS credentials")
    assert second.code.splitlines()[13] == 'client.get_domain(domain_name="shop")'


# -- running them ----------------------------------------------------------------------------------

_LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def _offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """Refuse every connection that is not to 127.0.0.1 (DNS lookups included)."""
    resolve = socket.getaddrinfo
    connect = socket.socket.connect

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host not in _LOOPBACK:
            raise socket.gaierror(f"docs tests are offline: no lookup of {host!r}")
        return resolve(host, *args, **kwargs)

    def guarded_connect(self: socket.socket, address: Any) -> None:
        if isinstance(address, tuple) and address[0] not in _LOOPBACK:
            raise ConnectionRefusedError(f"docs tests are offline: no connection to {address[0]}")
        connect(self, address)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket.socket, "connect", guarded_connect)


@pytest.fixture
def bare_machine(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """A machine with no AWS set-up, offline; process-wide state that blocks change is put back."""
    import boto3

    from customer_profiles_sdk import logging as sdk_logging
    from customer_profiles_sdk import rules

    for name in list(os.environ):
        if name.startswith("AWS_") or name.lower() in ("http_proxy", "https_proxy"):
            monkeypatch.delenv(name)
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "absent" / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "absent" / "credentials"))
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)
    _offline(monkeypatch)
    monkeypatch.setattr(rules, "_globally_disabled", rules._globally_disabled)
    factory = logging.getLogRecordFactory()
    monkeypatch.setattr(sdk_logging, "_factory", sdk_logging._factory)
    monkeypatch.setattr(sdk_logging, "_holders", sdk_logging._holders)
    try:
        yield
    finally:
        logging.setLogRecordFactory(factory)


@dataclass
class _Page:
    namespace: dict[str, Any]
    emulator: Emulator
    done: int = 0  # how many of the page's runnable blocks ran


_pages: dict[str, _Page] = {}


#: Blocks that use the async client need aiobotocore (the async extra). Where it is missing they are
#: skipped, visibly; CI runs them in its aiobotocore leg (.ci/run, matrix leg 2).
NEEDS_ASYNC = re.compile(r"\bAsyncCustomerProfilesClient\b|\baiobotocore\b|\basync_client\(")
HAVE_ASYNC = importlib.util.find_spec("aiobotocore") is not None


def _runnable(page: str) -> list[Block]:
    return [block for block in BLOCKS if block.page == page and block.reason is None
            and (HAVE_ASYNC or not NEEDS_ASYNC.search(block.code))]


def _execute(page: _Page, block: Block) -> None:
    with page.emulator:
        if block.setup:
            exec(compile(block.setup, f"{ROOT / block.page} (set-up)", "exec"), page.namespace)
        exec(compile(block.code, str(ROOT / block.page), "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT), page.namespace)


def _page_before(block: Block) -> _Page:
    """The page's state with every runnable block above ``block`` run (in this process: replayed
    when the tests run out of order or on several workers)."""
    earlier = _runnable(block.page)
    position = earlier.index(block)
    page = _pages.get(block.page)
    if page is None or page.done != position:
        page = _Page(namespace={"__name__": "docs_block"}, emulator=Emulator())
        page.namespace["docs_emulator"] = page.emulator
        for previous in earlier[:position]:
            try:
                _execute(page, previous)
            except Exception as error:
                raise AssertionError(f"an earlier block of the page fails: {previous.id}") from error
            page.done += 1
        _pages[block.page] = page
    return page


@pytest.mark.parametrize("block", BLOCKS, ids=[block.id for block in BLOCKS])
@pytest.mark.usefixtures("bare_machine")
def test_block(block: Block) -> None:
    if block.reason is not None:
        # Not run, and says why; its syntax is still checked.
        compile(block.code, str(ROOT / block.page), "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
        return
    if not HAVE_ASYNC and NEEDS_ASYNC.search(block.code):
        compile(block.code, str(ROOT / block.page), "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
        pytest.skip("uses the async client: needs the async extra (aiobotocore); runs in CI's aiobotocore leg")
    page = _page_before(block)
    _pages.pop(block.page, None)  # back only if the block succeeds
    _execute(page, block)
    page.done += 1
    _pages[block.page] = page


# -- links -----------------------------------------------------------------------------------------

_LINK = re.compile(r"(?<!!)\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)|^\s*\[[^\]\n]+\]:\s*(\S+)", re.M)
_CODE = re.compile(r"^( *)(`{3,}|~{3,}).*?^\1\2`*\s*$|`[^`\n]+`", re.M | re.S)


def relative_links(text: str) -> list[str]:
    """The relative link targets of a Markdown text, outside code (images included)."""
    text = _CODE.sub("", text)
    targets = [first or second for first, second in _LINK.findall(text)]
    targets += re.findall(r"!\[[^\]\n]*\]\(\s*<?([^)\s>]+)", text)
    return [target for target in targets
            if not re.match(r"[a-z][a-z0-9+.-]*:|#|/", target, re.I)]


def test_relative_links_resolve() -> None:
    broken = []
    for page in PAGES:
        for target in relative_links(page.read_text(encoding="utf-8")):
            path = target.split("#", 1)[0].split("?", 1)[0]
            if path and not (page.parent / path).exists():
                broken.append(f"{page.relative_to(ROOT)}: {target}")
    assert not broken, "links to nothing in the repository:\n" + "\n".join(broken)


def test_relative_links_parser() -> None:
    text = textwrap.dedent("""\
        [a](guides/a.md#x) [b](https://example.com) [c](#anchor) ![img](pic.png "t")
        `[not](code.md)`
        ```python
        x = "[no](block.md)"
        ```
        [ref]: ../ref.md
        [autoref][customer_profiles_sdk.errors]
        """)
    assert sorted(relative_links(text)) == ["../ref.md", "guides/a.md#x", "pic.png"]


# -- the docs build command ------------------------------------------------------------------------


def test_docs_build_command_silences_the_banners() -> None:
    """The documented command sets the two variables that .ci/docs sets (MkDocs cannot set them
    from mkdocs.yml: the theme and the plugins print their notices before any hook runs)."""
    variables = set(re.findall(r"\b(NO_MKDOCS_2_WARNING|DISABLE_MKDOCS_2_WARNING)=", (ROOT / ".ci/docs").read_text()))
    assert variables == {"NO_MKDOCS_2_WARNING", "DISABLE_MKDOCS_2_WARNING"}
    for page in ("README.md", "docs/codegen.md"):
        text = (ROOT / page).read_text()
        shell = "\n".join(re.findall(r"^```sh\n(.*?)^```", text, re.M | re.S))
        commands = [line for line in shell.splitlines() if re.search(r"\bmkdocs (serve|build)", line.split("#")[0])]
        assert commands, page
        for command in commands:
            assert all(f"{name}=" in command for name in variables), f"{page}: {command.strip()}"


# -- calculated attributes: the refusal names the attribute and the fields --------------------------


def test_calculated_attribute_naming_a_target_is_refused_with_the_field_names() -> None:
    from customer_profiles_sdk import BadRequestError
    from customer_profiles_sdk.models import AttributeDetails, AttributeItem, ObjectTypeField

    emulator = Emulator()
    client = emulator.client()
    client.create_domain(domain_name="shop", default_expiration_days=30)
    secret = "_source.SecretSourcePath"
    client.put_profile_object_type(
        domain_name="shop", object_type_name="Orders", description="orders",
        fields={"total": ObjectTypeField(source=secret, target="Orders.Total"),
                **{f"f{i:03d}": ObjectTypeField(source=f"_source.V{i}") for i in range(60)}},
    )
    for name in ("Orders.Total", "Total", "Orders.missing"):
        with pytest.raises(BadRequestError) as caught:
            client.create_calculated_attribute_definition(
                domain_name="shop", calculated_attribute_name="spend", statistic="SUM",
                attribute_details=AttributeDetails(attributes=[AttributeItem(name=name)],
                                                   expression="{Orders." + name.rpartition(".")[2] + "}"),
            )
        message = caught.value.message  # whole: str() cuts service text at 256 characters
        assert f"{name} names no field of the object type Orders" in message
        assert "Orders.<key of its Fields map>" in message
        listed = message.rsplit("its fields are: ", 1)[1]
        assert listed.startswith("f000, f001,") and "and 11 more" in listed  # 61 names, 50 shown
        assert secret not in message and "_source" not in message
    emulator.backend.reset()


def test_unknown_field_message_never_quotes_a_malformed_name() -> None:
    from customer_profiles_sdk.local._calc import unknown_field_message

    message = unknown_field_message("Orders.jane@example.com", "Orders", ["ok", "x y z secret"])
    assert "jane@example.com" not in message and "secret" not in message
    assert "(malformed name)" in message and "ok" in message
    assert unknown_field_message("Orders.a", "Orders", []).endswith("its fields are: (none)")


# -- what `with Emulator():` gives customer-profiles clients (in process) -----------------------------


def _keys(client: Any) -> str | None:
    credentials = client._request_signer._credentials
    return None if credentials is None else str(credentials.access_key)


@pytest.mark.usefixtures("bare_machine")
def test_block_gives_keys_and_region_only_to_customer_profiles_clients() -> None:
    import boto3.session
    import botocore.session
    from botocore import UNSIGNED
    from botocore.config import Config
    from botocore.exceptions import NoRegionError

    from customer_profiles_sdk import CustomerProfilesClient

    original = botocore.session.Session.create_client
    environment = dict(os.environ)
    with Emulator(region="eu-west-1"):
        session = boto3.session.Session()
        plain: Any = session.client("customer-profiles")  # operations are added at run time
        assert (plain.meta.region_name, _keys(plain)) == ("eu-west-1", "emulator")
        assert plain.list_domains()["Items"] == []  # signed with the dummy keys, answered in process
        assert CustomerProfilesClient().boto3_client.meta.region_name == "eu-west-1"
        core = botocore.session.get_session()
        positional = core.create_client("customer-profiles", "ca-central-1")
        assert (positional.meta.region_name, _keys(positional)) == ("ca-central-1", "emulator")
        given = session.client("customer-profiles", region_name="sa-east-1", aws_access_key_id="AKIAGIVEN",
                               aws_secret_access_key="given")
        assert (given.meta.region_name, _keys(given)) == ("sa-east-1", "AKIAGIVEN")
        from_config = session.client("customer-profiles", config=Config(region_name="ap-east-1"))
        assert from_config.meta.region_name == "ap-east-1"
        core.set_default_client_config(Config(region_name="me-south-1"))
        assert core.create_client("customer-profiles").meta.region_name == "me-south-1"
        unsigned = session.client("customer-profiles", config=Config(signature_version=UNSIGNED))
        assert _keys(unsigned) is None
        with pytest.raises(NoRegionError):  # another service: made as botocore makes it
            session.client("dynamodb")
        with Emulator(region="us-west-2"):  # nested: the innermost emulator's region
            assert session.client("customer-profiles").meta.region_name == "us-west-2"
        assert session.client("customer-profiles").meta.region_name == "eu-west-1"
    assert botocore.session.Session.create_client is original
    assert dict(os.environ) == environment
    with pytest.raises(NoRegionError):  # after the block: botocore's own behaviour again
        boto3.session.Session().client("customer-profiles")
    assert _keys(plain) == "emulator"  # a client made inside keeps only the dummy keys


@pytest.mark.usefixtures("bare_machine")
def test_block_keeps_a_configured_region_and_never_reads_configured_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    import boto3.session

    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-north-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIACANARY")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "canary")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "canary-token")
    with Emulator():
        session = boto3.session.Session()
        client: Any = session.client("customer-profiles", aws_session_token="given-token")
        assert (client.meta.region_name, _keys(client)) == ("eu-north-1", "emulator")
        assert client._request_signer._credentials.token is None
        assert _keys(session.client("dynamodb")) == "AKIACANARY"  # other services: untouched


# -- the README's emulator block on a machine with no AWS set-up -----------------------------------

_DRIVER = r'''
import json, os, socket, sys
block, scenario = sys.argv[1], sys.argv[2]
events = []
sys.addaudithook(lambda event, args: events.append(event) if event == "subprocess.Popen" else None)
connects = []
_connect = socket.socket.connect
def connect(self, address):
    if isinstance(address, tuple) and address[0] not in ("127.0.0.1", "::1"):
        connects.append(str(address[0]))
        raise ConnectionRefusedError("offline")
    return _connect(self, address)
socket.socket.connect = connect
environment = dict(os.environ)
home = sorted(os.listdir(os.environ["HOME"]))
files = {name: open(path, "rb").read() for name in ("AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE")
         if os.path.exists(path := os.environ[name])}

exec(compile(block, "README.md", "exec"), {"__name__": "readme"})   # the block, as written

import boto3
from botocore.exceptions import NoRegionError
from customer_profiles_sdk import CustomerProfilesClient
from customer_profiles_sdk.local import Emulator
seen = {}
with Emulator() as emu:
    raw = boto3.client("customer-profiles")
    def capture(request, **kwargs):
        seen.setdefault("auth", request.headers["Authorization"].decode())
    raw.meta.events.register("before-send.customer-profiles", capture)
    raw.list_domains()
    sdk = CustomerProfilesClient()
    sdk.list_domains()
    seen.update(region=raw.meta.region_name, sdk_region=sdk.boto3_client.meta.region_name,
                popen=len(events), connects=list(connects))
    try:
        other = boto3.client("dynamodb")
        creds = other._request_signer._credentials
        seen["other"] = creds.access_key if creds is not None else None
    except NoRegionError:
        seen["other"] = "NoRegionError"
    seen["popen_after_other"] = len(events)
after = boto3.client("customer-profiles", region_name="us-east-1")
creds = after._request_signer._credentials
seen["after"] = creds.access_key if creds is not None else None
seen["unchanged"] = (dict(os.environ) == environment and sorted(os.listdir(os.environ["HOME"])) == home
                     and files == {name: open(os.environ[name], "rb").read() for name in files})
print("RESULT " + json.dumps(seen))
'''


def _readme_emulator_block() -> str:
    (block,) = [block for block in BLOCKS if block.page == "README.md" and "with Emulator()" in block.code]
    return block.code


def _run_block(tmp_path: Path, scenario: str, extra: dict[str, str]) -> dict[str, Any]:
    home = tmp_path / "home"
    home.mkdir()
    env = {name: value for name, value in os.environ.items()
           if not name.startswith("AWS_") and name.lower() not in ("http_proxy", "https_proxy", "no_proxy")}
    env.update(HOME=str(home), AWS_CONFIG_FILE=str(tmp_path / "absent" / "config"),
               AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "absent" / "credentials"))
    env.update(extra)
    env["PYTHONPATH"] = str(ROOT)
    completed = subprocess.run([sys.executable, "-c", _DRIVER, _readme_emulator_block(), scenario],
                               cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert "shop" in completed.stdout  # the block's own job read the domain back
    (line,) = [line for line in completed.stdout.splitlines() if line.startswith("RESULT ")]
    result: dict[str, Any] = json.loads(line[len("RESULT "):])
    return result


def test_readme_emulator_block_on_a_bare_machine(tmp_path: Path) -> None:
    """No HOME config, no AWS_* variable, config files that do not exist: the README block runs; the
    clients get the emulator's keys and region without any lookup (no metadata-service connection);
    a client of another service is made as botocore makes it (no region: NoRegionError)."""
    result = _run_block(tmp_path, "bare", {})
    assert "Credential=emulator/" in result["auth"]
    assert result["region"] == result["sdk_region"] == "us-east-1"
    assert result["connects"] == [] and result["popen"] == 0
    assert result["other"] == "NoRegionError"
    assert result["after"] is None  # after the block, botocore's own chain again: no keys here
    assert result["unchanged"] is True


@pytest.mark.slow
def test_readme_emulator_block_with_aws_configured_in_the_environment(tmp_path: Path) -> None:
    """Keys and a region in the environment: the region is kept, the keys are not used (the
    emulator's are), and another service's client still gets the real keys."""
    canary = "AKIACANARYCANARY0000"
    result = _run_block(tmp_path, "environment", {
        "AWS_ACCESS_KEY_ID": canary, "AWS_SECRET_ACCESS_KEY": "canary-secret", "AWS_DEFAULT_REGION": "eu-west-3"})
    assert "Credential=emulator/" in result["auth"] and canary not in result["auth"]
    assert result["region"] == result["sdk_region"] == "eu-west-3"
    assert result["other"] == canary and result["after"] == canary
    assert result["unchanged"] is True


@pytest.mark.slow
def test_readme_emulator_block_with_a_credential_process_configured(tmp_path: Path) -> None:
    """A profile with a region and a credential_process: the region is used, the process never runs
    for customer-profiles clients (the credential chain is not consulted), and runs for another
    service's client (untouched)."""
    config = tmp_path / "config"
    marker = tmp_path / "ran"
    process = f"{sys.executable} -c \"open({str(marker)!r}, 'w'); print('{{\\\"Version\\\": 1, " \
              f"\\\"AccessKeyId\\\": \\\"AKIAPROCESS\\\", \\\"SecretAccessKey\\\": \\\"s\\\"}}')\""
    config.write_text(f"[default]\nregion = ap-south-1\ncredential_process = {process}\n")
    result = _run_block(tmp_path, "process", {"AWS_CONFIG_FILE": str(config)})
    assert "Credential=emulator/" in result["auth"]
    assert result["region"] == result["sdk_region"] == "ap-south-1"
    assert result["popen"] == 0 and result["connects"] == []
    assert result["other"] == "AKIAPROCESS" and result["popen_after_other"] >= 1 and marker.exists()
    assert result["unchanged"] is True
