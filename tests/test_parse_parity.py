"""Both parse paths give the same response, and no error text copies what the service sent.

* ``fast_parse=False`` (botocore's parser) keeps a value of the wrong JSON type as sent, as the fast
  path does: no ``int()``/``float()``/``ensure_boolean()`` coercion, no string split into a list of
  characters, no ``ResponseParseError`` for a timestamp botocore cannot read. Compared, type for
  type, with the fast path on the same body, for every kind of member the service model has.
* A lone surrogate (``"\\ud800"``, valid JSON, not Unicode text) anywhere in a 2xx body, member
  names included, is kept; the response survives ``to_boto()``, ``to_json()``, ``repr``, pickle.
* Service-provided text in an exception (error code, message, a failed entry's code) is bounded and
  escaped; the full text stays on the error's attributes, and the class still comes from the full
  code.
* A URL in a transport error's text keeps its scheme, host and path, never its query string,
  fragment or user information.

Answers come from a ``before-send`` handler (tests/canned.py) or a 127.0.0.1 server.
"""

from __future__ import annotations

import copy
import functools
import json
import pickle
import socket
import time
from typing import Any

import pytest
from botocore.config import Config
from botocore.exceptions import (
    ConnectionClosedError,
    EndpointConnectionError,
    HTTPClientError,
    ProxyConnectionError,
    ReadTimeoutError,
)
from botocore.parsers import RestJSONParser

import customer_profiles_sdk.errors as errors_module
from customer_profiles_sdk import (
    BadRequestError,
    CustomerProfilesClient,
    MissingMemberError,
    PartialFailureError,
    ResourceNotFoundError,
    ResponseParseError,
    ServiceError,
    TransportError,
    UnmodeledServiceError,
)
from customer_profiles_sdk._model import RawValue
from customer_profiles_sdk.errors import transport_error

from .canned import Canned, sdk_client
from .localserver import LocalServer, Reply, dummy_session
from .test_fast_parse import strip_unknown
from .test_typed_failures import finished

SECRET = "SECRET-next-token-77e1"
#: The documented bound on each piece of quoted service text (errors.MAX_QUOTED_CHARS).
MAX_QUOTED_CHARS = 256


@pytest.fixture(scope="module")
def canned() -> Canned:
    return Canned()


@pytest.fixture(scope="module")
def clients(canned: Canned) -> dict[bool, CustomerProfilesClient]:
    return {True: sdk_client(canned), False: sdk_client(canned, fast_parse=False)}


def call(client: CustomerProfilesClient, op: str) -> Any:
    if op == "GetDomain":
        return client.get_domain(domain_name="shop")
    if op == "ListDomains":
        return client.list_domains()
    if op == "GetSimilarProfiles":
        return client.get_similar_profiles(domain_name="shop", match_type="RULE_BASED_MATCHING",
                                           search_key="k", search_value="v")
    if op == "GetProfileObjectType":
        return client.get_profile_object_type(domain_name="shop", object_type_name="o")
    if op == "ListProfileAttributeValues":
        return client.list_profile_attribute_values(domain_name="shop", attribute_name="a")
    raise AssertionError(op)


def both(canned: Canned, clients: dict[bool, CustomerProfilesClient], op: str, body: bytes) -> tuple[Any, Any]:
    canned.set(body)
    return call(clients[True], op), call(clients[False], op)


def nested(path: str, value: Any) -> dict[str, Any]:
    """``{"A": {"B": value}}`` for the path ``A.B``."""
    document: Any = value
    for name in reversed(path.split(".")):
        document = {name: document}
    return dict(document)


def at(document: Any, path: str) -> Any:
    for name in path.split("."):
        document = document[name]
    return document


# ---------------------------------------------------------------------------------------------
# 1 and 2: fast_parse=False keeps wrong-typed values as the fast path keeps them
# ---------------------------------------------------------------------------------------------

#: (operation, member path, the JSON type the model gives it) for each kind of member.
MEMBERS = [
    ("GetDomain", "DefaultExpirationDays", "integer"),
    ("GetDomain", "Stats.ProfileCount", "long"),
    ("GetSimilarProfiles", "ConfidenceScore", "double"),
    ("GetDomain", "Matching.Enabled", "boolean"),
    ("GetProfileObjectType", "AllowProfileCreation", "boolean"),
    ("GetDomain", "CreatedAt", "timestamp"),
    ("GetDomain", "Matching.AutoMerging.ConflictResolution.ConflictResolvingModel", "string"),
    ("GetDomain", "DomainName", "string"),
    ("GetSimilarProfiles", "ProfileIds", "list"),
    ("ListDomains", "Items", "list"),
    ("GetDomain", "Tags", "map"),
    ("GetDomain", "Matching", "structure"),
    ("GetDomain", "Stats", "structure"),
]
#: JSON values (as text) of every type, and the odd numbers.
VALUES = [
    "0", "7", "-3", "1.5", "1.0", "-0.0", "1e20", "-1e20", "1e308", "1e400", "-1e400", "NaN", "Infinity",
    "-Infinity", str(10**30), str(2**63), str(-(2**63) - 1), "true", "false", '"5"', '"1.5"', '"yes"', '""',
    '"true"', '"CANARY"', '"2020-01-01T00:00:00Z"', '"1700000000"', '"nan"', '"1e400"', '"abc"', "[]", "[1]",
    '["a", "b"]', "{}", '{"a": 1}', '{"Enabled": "yes"}', "1700000000", "1700000000.25",
]
#: The JSON types each model type takes as itself (anything else is kept in a RawValue).
CONFORMING = {
    "integer": (int,), "long": (int,), "double": (int, float), "boolean": (bool,),
    "timestamp": (int, float, str), "string": (str,), "list": (list,), "map": (dict,), "structure": (dict,),
}


def conforming(kind: str, value: Any) -> bool:
    if isinstance(value, bool) and kind != "boolean":
        return False
    return isinstance(value, CONFORMING[kind])


@pytest.mark.parametrize(("op", "path", "kind"), MEMBERS, ids=[f"{op}.{path}" for op, path, _ in MEMBERS])
def test_the_botocore_path_keeps_every_value_as_the_fast_path_keeps_it(
    op: str, path: str, kind: str, canned: Canned, clients: dict[bool, CustomerProfilesClient]
) -> None:
    for text in VALUES:
        sent = json.loads(text)
        body = json.dumps(nested(path, sent)).encode()
        fast, slow = both(canned, clients, op, body)  # neither raises
        # The same values of the same types (repr: NaN, 1 and 1.0 and True told apart), but for
        # the unknown members botocore drops.
        known = strip_unknown(fast.to_boto(), type(fast).__cp__.name)
        assert repr(slow.to_boto()) == repr(known), (path, text)
        assert repr(slow) == repr(type(slow).from_boto(known)), (path, text)
        if not conforming(kind, sent):
            # Kept as it came: never coerced to another value.
            back = at(slow.to_boto(), path)
            assert type(back) is type(sent) and repr(back) == repr(sent), (path, text)


@pytest.mark.parametrize(
    ("path", "text", "botocore_gave"),
    [
        ("DefaultExpirationDays", "1.5", 1),
        ("DefaultExpirationDays", "true", 1),
        ("DefaultExpirationDays", '"5"', 5),
        ("DefaultExpirationDays", "1e20", 10**20),
        ("Matching.Enabled", '"yes"', False),
        ("Matching.Enabled", "1", False),
    ],
)
def test_botocores_coercions_are_gone_on_the_botocore_path(
    path: str, text: str, botocore_gave: Any, canned: Canned, clients: dict[bool, CustomerProfilesClient]
) -> None:
    canned.set(json.dumps(nested(path, json.loads(text))).encode())
    raw = clients[False].boto3_client.get_domain(DomainName="shop")  # type: ignore[attr-defined]
    if path == "Matching.Enabled" and not hasattr(RestJSONParser, "_handle_boolean"):
        botocore_gave = json.loads(text)  # botocore before 1.35 has no boolean handler: passed through
    assert at(raw, path) == botocore_gave  # what plain boto3 still does
    result = call(clients[False], "GetDomain")
    assert repr(at(result.to_boto(), path)) == repr(json.loads(text)), "coerced"
    holder = result.matching if path.startswith("Matching.") else result
    attribute = "enabled" if path.startswith("Matching.") else "default_expiration_days"
    assert getattr(holder, attribute) == RawValue(json.loads(text))


def test_a_string_for_a_list_is_not_split_into_characters(
    canned: Canned, clients: dict[bool, CustomerProfilesClient]
) -> None:
    canned.set(b'{"ProfileIds": "abc"}')
    raw = clients[False].boto3_client.get_similar_profiles(  # type: ignore[attr-defined]
        DomainName="shop", MatchType="RULE_BASED_MATCHING", SearchKey="k", SearchValue="v")
    assert raw["ProfileIds"] == ["a", "b", "c"]  # plain boto3
    for fast_parse in (True, False):
        assert call(clients[fast_parse], "GetSimilarProfiles").profile_ids == RawValue("abc")


@pytest.mark.parametrize("value", ["1e308", "NaN", '"CANARY"', str(10**30), "Infinity", "-Infinity", "1e400",
                                   "true", "[1]", '{"a": 1}', str(-(10**30)), '"24:00999999999999999999,UTC"'])
def test_a_timestamp_botocore_cannot_read_is_kept_not_refused(
    value: str, canned: Canned, clients: dict[bool, CustomerProfilesClient]
) -> None:
    fast, slow = both(canned, clients, "GetDomain", f'{{"DomainName": "d", "CreatedAt": {value}}}'.encode())
    # CreatedAt is required: kept aside (to_boto has it), and reading it says it arrived with another type.
    assert read_kind(slow, "created_at") == read_kind(fast, "created_at") == MissingMemberError.UNEXPECTED_TYPE
    assert repr(slow.to_boto()["CreatedAt"]) == repr(fast.to_boto()["CreatedAt"]) == repr(json.loads(value))
    assert slow.domain_name == "d"


def read_kind(obj: Any, name: str) -> object:
    """The type of ``obj.name``, or the reason MissingMemberError gives for not reading it."""
    try:
        return type(getattr(obj, name))
    except MissingMemberError as exc:
        return exc.reason


@pytest.mark.parametrize("zone", ["Asia/Tokyo", "America/New_York"])
def test_timestamps_at_the_edges_of_datetime_agree_in_any_zone(
    zone: str, canned: Canned, clients: dict[bool, CustomerProfilesClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    """botocore reads these (in the machine's zone); the model cannot give them in UTC, so both
    paths keep them as sent."""
    monkeypatch.setenv("TZ", zone)
    time.tzset()
    try:
        for value in ['"0001-01-01T00:00:00+09:00"', '"9999-12-31T23:59:59-05:00"', "-62135596800", "253402300799",
                      "253402300800", '"Mon, 01 Jan 0001 00:00:00 +0500"', '"0001-01-01T00:00:00"']:
            fast, slow = both(canned, clients, "GetDomain", f'{{"CreatedAt": {value}}}'.encode())
            assert repr(slow.to_boto()) == repr(fast.to_boto()), value
            assert read_kind(slow, "created_at") == read_kind(fast, "created_at"), value
    finally:
        monkeypatch.undo()
        time.tzset()


def test_the_botocore_path_still_reads_conforming_values_as_botocore_does(
    canned: Canned, clients: dict[bool, CustomerProfilesClient]
) -> None:
    body = {"DomainName": "d", "DefaultExpirationDays": 5, "CreatedAt": 1700000000.5, "Tags": {"k": "v"},
            "Stats": {"ProfileCount": 2**63 - 1}, "Matching": {"Enabled": True}}
    canned.set(json.dumps(body).encode())
    raw = clients[False].boto3_client.get_domain(DomainName="shop")  # type: ignore[attr-defined]
    slow = call(clients[False], "GetDomain")
    assert slow.created_at == raw["CreatedAt"] and slow.default_expiration_days == 5
    assert slow.to_boto()["Stats"] == raw["Stats"] and slow.matching.enabled is True
    canned.set(b'{"ProfileIds": [], "ConfidenceScore": 3}')
    assert type(call(clients[False], "GetSimilarProfiles").confidence_score) is float  # as float(3)


def test_a_union_with_two_members_is_still_refused_on_the_botocore_path(
    canned: Canned, clients: dict[bool, CustomerProfilesClient]
) -> None:
    group = {"Dimensions": [{"ProfileAttributes": {"FirstName": {"DimensionType": "INCLUSIVE", "Values": ["a"]}},
                             "CalculatedAttributes": {}}]}
    canned.set(json.dumps({"SegmentDefinitionName": "s", "SegmentGroups": {"Groups": [group]}}).encode())
    with pytest.raises(ResponseParseError) as caught:
        clients[False].get_segment_definition(domain_name="shop", segment_definition_name="s")
    assert caught.value.__cause__ is None and caught.value.__context__ is None
    kept = clients[True].get_segment_definition(domain_name="shop", segment_definition_name="s")
    assert kept.to_boto()["SegmentGroups"]["Groups"] == [group]


@pytest.mark.parametrize("body", [b'[["DomainName", "x"]]', b'"DomainName"', b"null", b"5", b"[]"])
def test_a_json_body_that_is_not_an_object_is_refused_on_both_paths(
    body: bytes, canned: Canned, clients: dict[bool, CustomerProfilesClient]
) -> None:
    for fast_parse in (True, False):
        canned.set(body)
        with pytest.raises(ResponseParseError):
            call(clients[fast_parse], "GetDomain")


def test_direct_boto3_calls_keep_botocores_own_handlers(
    canned: Canned, clients: dict[bool, CustomerProfilesClient]
) -> None:
    """The lenient handlers act only inside the SDK's fast_parse=False call."""
    canned.set(b'{"DefaultExpirationDays": 1.5, "CreatedAt": 1e20}')
    assert call(clients[False], "GetDomain").default_expiration_days == RawValue(1.5)
    with pytest.raises(RuntimeError):
        clients[False].boto3_client.get_domain(DomainName="shop")  # type: ignore[attr-defined]
    canned.set(b'{"DefaultExpirationDays": 1.5}')
    assert clients[False].boto3_client.get_domain(DomainName="shop")["DefaultExpirationDays"] == 1  # type: ignore[attr-defined]


def test_status_code_members_are_still_filled_on_the_botocore_path(
    canned: Canned, clients: dict[bool, CustomerProfilesClient]
) -> None:
    canned.set(b'{"Items": "not a list"}', status=207)
    result = call(clients[False], "ListProfileAttributeValues")
    assert result.status_code == 207 and result.items == RawValue("not a list")


# ---------------------------------------------------------------------------------------------
# 3: lone surrogates
# ---------------------------------------------------------------------------------------------


def uses(result: Any) -> None:
    """Everything a caller may do with a response, without an exception."""
    result.to_boto()
    json.loads(result.to_json())
    repr(result)
    str(result)
    assert pickle.loads(pickle.dumps(result)).to_boto() == result.to_boto()
    assert copy.deepcopy(result).to_boto() == result.to_boto()


def test_a_lone_surrogate_member_name_keeps_the_response(
    canned: Canned, clients: dict[bool, CustomerProfilesClient]
) -> None:
    fast, slow = both(canned, clients, "GetDomain", b'{"\\ud800": "x", "DomainName": "p", "DefaultExpirationDays": 3}')
    for result in (fast, slow):
        assert result.domain_name == "p" and result.default_expiration_days == 3
        uses(result)
    assert fast.model_extra == {"\ud800": "x"}  # kept as an unknown member
    assert fast.to_boto() == {"DomainName": "p", "DefaultExpirationDays": 3, "\ud800": "x"}
    assert json.loads(fast.to_json())["\ud800"] == "x"
    assert slow.to_boto() == {"DomainName": "p", "DefaultExpirationDays": 3}  # botocore drops unknown members


@pytest.mark.parametrize(
    ("op", "body"),
    [
        ("GetDomain", '{"DomainName": "a\\ud800b", "\\udfff\\ud800": {"\\udc00": ["\\ud800"]}}'),
        ("GetDomain", '{"DomainName": "p", "Tags": {"\\ud800": "\\udfff", "k": "v\\udc00"}}'),
        ("GetDomain", '{"DomainName": "p", "X": {"\\udc00": ["\\ud800", {"\\ud800": 1}]}}'),
        ("GetDomain", '{"DomainName": "p", "Matching": {"\\ud800": 1, "Enabled": true}}'),
        ("ListDomains", '{"Items": [{"DomainName": "\\ud800", "\\ud800": 2}], "\\ud800": 1}'),
        ("GetSimilarProfiles", '{"ProfileIds": ["\\ud800", "ok"], "\\ud800x": null}'),
        ("ListProfileAttributeValues", '{"\\ud800": 1, "Items": [{"Value": "\\udc00"}]}'),
    ],
)
def test_lone_surrogates_anywhere_in_a_body_are_kept_losslessly(
    op: str, body: str, canned: Canned, clients: dict[bool, CustomerProfilesClient]
) -> None:
    fast, slow = both(canned, clients, op, body.encode())
    sent = json.loads(body)
    back = fast.to_boto()
    back.pop("StatusCode", None)
    assert back == {key: value for key, value in sent.items() if value is not None}  # nothing lost
    uses(fast)
    uses(slow)


# ---------------------------------------------------------------------------------------------
# 4: service text in errors is bounded and escaped
# ---------------------------------------------------------------------------------------------

FORGED = "\r\n2024-01-01 CRITICAL forged line\x1b[31m\u2028\u0085\ud800"


def error_text(error: BaseException) -> str:
    return str(error) + repr(error) + repr(error.args)


def assert_bounded(error: BaseException, limit: int = 4 * MAX_QUOTED_CHARS + 400) -> None:
    for text in (str(error), repr(error)):
        assert len(text) <= limit, len(text)
        assert text.isprintable(), "an unescaped control character"
        text.encode("utf-8")  # no lone surrogate


@pytest.mark.parametrize(
    ("body", "headers", "cls"),
    [
        ({"__type": "X" * 1_000_000, "message": "m"}, {}, UnmodeledServiceError),
        ({"message": "m"}, {"x-amzn-ErrorType": "Y" * 60_000}, UnmodeledServiceError),
        ({"__type": "BadRequestException", "message": "M" * 5_000_000}, {}, BadRequestError),
        ({"__type": "BadRequestException" + "x" * 10_000, "message": "m"}, {}, UnmodeledServiceError),
        ({"message": "m" * 100_000}, {"x-amzn-ErrorType": "ResourceNotFoundException:" + "z" * 60_000},
         ResourceNotFoundError),
        ({"__type": "Bad" + FORGED, "Message": "boom" + FORGED}, {}, UnmodeledServiceError),
        ({"__type": "BadRequestException", "message": {"nested": ["x" * 100_000] * 50}}, {}, BadRequestError),
        ({"__type": "BadRequestException", "message": 10**4000}, {}, BadRequestError),
    ],
    ids=["1MB __type", "60KB header", "5MB message", "modeled code plus tail", "header with a huge tail",
         "control characters", "message an object", "message a huge number"],
)
def test_service_error_text_is_bounded_and_escaped(
    body: dict[str, Any], headers: dict[str, str], cls: type[ServiceError], canned: Canned,
    clients: dict[bool, CustomerProfilesClient],
) -> None:
    payload = json.dumps(body).encode()
    for fast_parse in (True, False):
        canned.set(payload, 400, headers)
        with pytest.raises(ServiceError) as caught:
            call(clients[fast_parse], "GetDomain")
        error = caught.value
        assert type(error).__name__ == cls.__name__ and isinstance(error, cls)
        assert_bounded(error)
        assert "GetDomain" in str(error)
        # The full text stays where it was: the response dict, .code and .message.
        body_type: str = body.get("__type", "")
        code = headers.get("x-amzn-ErrorType", body_type).split(":")[0]
        assert error.code == code
        raw_message = body.get("message", body.get("Message"))
        if isinstance(raw_message, str):
            assert error.message == raw_message and error.response["Error"]["Message"] == raw_message
        if len(code) > MAX_QUOTED_CHARS or (isinstance(raw_message, str) and len(raw_message) > MAX_QUOTED_CHARS):
            assert "more characters)" in str(error)
        again = pickle.loads(pickle.dumps(error))
        assert str(again) == str(error) and again.code == error.code
        assert "\n" not in str(error) and "\r" not in str(error) and "\x1b" not in str(error)


def test_control_characters_are_escaped_not_dropped(
    canned: Canned, clients: dict[bool, CustomerProfilesClient]
) -> None:
    canned.set(json.dumps({"__type": "Odd\nCode", "Message": "line1\nline2\ttab"}).encode(), 400)
    with pytest.raises(UnmodeledServiceError) as caught:
        call(clients[True], "GetDomain")
    text = str(caught.value)
    assert "Odd\\nCode" in text and "line1\\nline2\\ttab" in text
    assert caught.value.code == "Odd\nCode"  # the attribute is the service's code, unchanged


def test_a_short_printable_message_is_botocores_text_unchanged(
    canned: Canned, clients: dict[bool, CustomerProfilesClient]
) -> None:
    canned.set(json.dumps({"Message": "Domain shop was not found é ✓"}).encode(), 404,
               {"x-amzn-ErrorType": "ResourceNotFoundException:http://internal/"})
    with pytest.raises(ResourceNotFoundError) as caught:
        call(clients[True], "GetDomain")
    assert str(caught.value) == ("An error occurred (ResourceNotFoundException) when calling the GetDomain "
                                 "operation: Domain shop was not found é ✓")


def test_partial_failure_text_is_bounded_and_escaped(canned: Canned) -> None:
    client = sdk_client(canned)
    errors = [{"Code": f"C{i}-" + "q" * 100_000 + FORGED, "Message": "M" * 1000, "ProfileId": f"id{i}"}
              for i in range(200)]
    canned.set(json.dumps({"Errors": errors, "Profiles": []}).encode())
    with pytest.raises(PartialFailureError) as caught:
        client.batch_get_profile(domain_name="shop", profile_ids=["a" * 32])
    error = caught.value
    assert_bounded(error, limit=12 * 200)
    assert "200 entries failed" in str(error) and "and 190 more codes" in str(error)
    assert [failure.code for failure in error.failures] == [e["Code"] for e in errors]  # kept whole


@pytest.mark.parametrize("size", [0, 1, MAX_QUOTED_CHARS, MAX_QUOTED_CHARS + 1, 10**6])
def test_quoted_bounds_and_counts(size: int) -> None:
    assert errors_module.MAX_QUOTED_CHARS == MAX_QUOTED_CHARS
    text = "\n" * size
    out = errors_module.quoted(text)
    assert len(out) <= MAX_QUOTED_CHARS + 40 and "\n" not in out
    shown = out.split("... (")[0].count("\\n")
    rest = size - shown
    assert (f"... ({rest} more character" in out) == (rest > 0)


# ---------------------------------------------------------------------------------------------
# 5: URLs in transport errors lose their query string
# ---------------------------------------------------------------------------------------------


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def test_a_connection_error_does_not_quote_the_query_string() -> None:
    client = CustomerProfilesClient(session=dummy_session(), endpoint_url=f"http://127.0.0.1:{closed_port()}",
                                    config=Config(retries={"total_max_attempts": 1}, connect_timeout=5))
    with pytest.raises(TransportError) as caught:
        client.list_domains(next_token=SECRET, max_results=5)
    error = caught.value
    assert isinstance(error, EndpointConnectionError)
    assert SECRET not in error_text(error) and "max-results" not in error_text(error)
    assert SECRET not in repr(getattr(error, "kwargs", {}))
    assert "http://127.0.0.1:" in str(error) and "/domains" in str(error)
    assert SECRET not in error_text(pickle.loads(pickle.dumps(error)))


def test_a_read_timeout_does_not_quote_the_query_string(fresh_server: LocalServer) -> None:
    fresh_server.respond = lambda request: Reply(200, {"Items": []}, delay=1.0)
    client = fresh_server.client(Config(retries={"total_max_attempts": 1}, read_timeout=0.2))
    with pytest.raises(TransportError) as caught:
        client.list_domains(next_token=SECRET)
    assert isinstance(caught.value, ReadTimeoutError)
    assert SECRET not in error_text(caught.value) and "/domains" in str(caught.value)


@pytest.mark.parametrize(
    "exc",
    [
        EndpointConnectionError(endpoint_url=f"https://h.example/domains?next-token={SECRET}#frag"),
        ReadTimeoutError(endpoint_url=f"https://h.example:8443/p/q?a=1&next-token={SECRET}"),
        ConnectionClosedError(endpoint_url=f"http://h/p?{SECRET}"),
        ProxyConnectionError(proxy_url=f"http://user:{SECRET}@proxy.example:3128/"),
        HTTPClientError(error=ValueError(f"Max retries exceeded with url: /domains?next-token={SECRET} (x)")),
        HTTPClientError(error=ValueError(f"url='https://user:{SECRET}@h/p?x={SECRET}'\n2024 forged")),
    ],
    ids=["endpoint", "read timeout", "closed", "proxy credentials", "relative url", "quoted url"],
)
def test_transport_errors_keep_scheme_host_and_path_only(exc: Exception) -> None:
    error = transport_error(exc)  # type: ignore[arg-type]
    for candidate in (error, pickle.loads(pickle.dumps(error))):
        assert isinstance(candidate, TransportError) and isinstance(candidate, type(exc))
        assert SECRET not in error_text(candidate)
        assert SECRET not in repr({k: v for k, v in candidate.kwargs.items() if isinstance(v, str)})  # type: ignore[attr-defined]
        assert "\n" not in str(candidate)


def scrub_and_quote(text: str) -> str:
    return str(errors_module.quoted(errors_module.without_url_secrets(text)))


def test_without_url_secrets_is_exact_and_linear() -> None:
    without_url_secrets = errors_module.without_url_secrets
    assert without_url_secrets('at "https://u:p@h:1/a/b?c=d#e" and /x/y?z=1 ok?') == 'at "https://h:1/a/b" and /x/y ok?'
    assert without_url_secrets("no url here: what? yes#1") == "no url here: what? yes#1"
    for hostile in ("a" * 300_000, "/" * 300_000 + "?", " /" * 150_000 + "?", "a:" * 150_000 + "//", "x://" * 75_000,
                    "http://" + "/" * 300_000 + "?q"):
        # Minutes if a scan were quadratic; milliseconds here. The guard only catches a hang.
        finished(functools.partial(scrub_and_quote, hostile))
