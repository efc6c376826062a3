"""Paginators for all 29 NextToken operations, against a paging server on 127.0.0.1."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest

from customer_profiles_sdk import CustomerProfilesClient, PaginationError, ParamValidationError
from customer_profiles_sdk._generated.operations import OPERATIONS, PAGINATION
from customer_profiles_sdk.pagination import RESUME_PREFIX, Paginator

from . import synth
from .localserver import LocalServer, Received, Reply
from .test_client_ops import kwargs_for

PAGED = sorted(PAGINATION)
WITH_BOTOCORE_PAGINATOR = sorted(op for op in PAGED if OPERATIONS[op].botocore_paginator)


class PagingBackend:
    """Serves ``total`` distinct items of one operation, honouring max-results and next-token."""

    def __init__(self, op: str, total: int, default_size: int = 4) -> None:
        info = PAGINATION[op]
        response = synth.SHAPES[OPERATIONS[op].output_shape]
        member = synth.SHAPES[response["members"][info.items_wire]["shape"]]["member"]["shape"]
        self.wire = info.items_wire
        self.items = [stamp(member, index) for index in range(total)]
        self.default_size = default_size
        self.sizes: list[int | None] = []
        self.tokens: list[str | None] = []
        self.lock = threading.Lock()

    def __call__(self, request: Received) -> Reply:
        size_text = request.query.get("max-results", [None])[0]
        token = request.query.get("next-token", [None])[0]
        size = int(size_text) if size_text is not None else None
        with self.lock:
            self.sizes.append(size)
            self.tokens.append(token)
        start = int(token.removeprefix("tok-")) if token else 0
        end = start + (size or self.default_size)
        body: dict[str, Any] = {self.wire: self.items[start:end]}
        if end < len(self.items):
            body["NextToken"] = f"tok-{end}"
        return Reply(200, body)


def stamp(shape: str, number: int) -> Any:
    """A valid item of ``shape`` whose first plain string (depth first, no enum) is ``number`` in hex."""
    value = f"{number:032x}"
    spec = synth.SHAPES[shape]
    if spec["type"] == "string" and "enum" not in spec:
        return value
    assert spec["type"] == "structure", shape
    item = synth.valid(shape)
    for name, member in spec["members"].items():
        target = synth.SHAPES[member["shape"]]
        if (target["type"] == "string" and "enum" not in target) or target["type"] == "structure":
            item[name] = stamp(member["shape"], number)
            return item
    raise AssertionError(f"{shape} has no plain string member")


def seq(item: Any) -> int:
    """The number :func:`stamp` put in an item, read back from the client's (or botocore's) value."""
    value = item.to_boto() if hasattr(item, "to_boto") else item
    while isinstance(value, dict):
        value = next(v for v in value.values() if isinstance(v, str | dict) and not _is_enum_value(v))
    assert isinstance(value, str)
    return int(value, 16)


def _is_enum_value(value: Any) -> bool:
    return isinstance(value, str) and not (len(value) == 32 and all(c in "0123456789abcdef" for c in value))


def required_kwargs(op: str) -> dict[str, Any]:
    return kwargs_for(OPERATIONS[op].input_shape, synth.valid(OPERATIONS[op].input_shape))


def paginate(client: CustomerProfilesClient, op: str, **kwargs: Any) -> Paginator[Any, Any]:
    method: Callable[..., Paginator[Any, Any]] = getattr(client, f"paginate_{OPERATIONS[op].python_name}")
    return method(**required_kwargs(op), **kwargs)


@pytest.fixture(scope="module")
def client(server: LocalServer) -> CustomerProfilesClient:
    return server.client()


def test_every_nexttoken_operation_has_a_paginator() -> None:
    takes = sorted(op for op, info in OPERATIONS.items() if info.takes_next_token)
    assert len(takes) == 29 and PAGED == takes
    assert len(WITH_BOTOCORE_PAGINATOR) == 14
    for op in PAGED:
        assert callable(getattr(CustomerProfilesClient, f"paginate_{OPERATIONS[op].python_name}"))


@pytest.mark.parametrize("op", PAGED)
def test_items_across_pages_exactly_once(op: str, fresh_server: LocalServer, client: CustomerProfilesClient) -> None:
    low = PAGINATION[op].limit_bounds[0]
    size = max(3, low)
    backend = PagingBackend(op, total=3 * size + 1)
    fresh_server.respond = backend
    paginator = paginate(client, op, page_size=size)
    assert fresh_server.requests == []  # lazy: nothing fetched before iterating
    items = list(paginator)
    assert [seq(item) for item in items] == list(range(3 * size + 1))
    assert len(fresh_server.requests) == 4 and paginator.pages_fetched == 4
    assert backend.sizes == [size] * 4
    assert backend.tokens == [None, f"tok-{size}", f"tok-{2 * size}", f"tok-{3 * size}"]
    assert paginator.resume_token is None
    pages = list(paginator.pages())
    assert [type(page).__name__ for page in pages] == [OPERATIONS[op].output_shape] * 4
    assert sum(len(page.__dict__[PAGINATION[op].items]) for page in pages) == 3 * size + 1


@pytest.mark.parametrize("op", PAGED)
def test_max_items_then_resume(op: str, fresh_server: LocalServer, client: CustomerProfilesClient) -> None:
    low = PAGINATION[op].limit_bounds[0]
    size = max(3, low)
    total = 3 * size + 2
    backend = PagingBackend(op, total)
    fresh_server.respond = backend
    first = paginate(client, op, page_size=size, max_items=size + 2)
    got = [seq(item) for item in first]
    assert got == list(range(size + 2))
    token = first.resume_token
    assert token is not None
    rest = paginate(client, op, page_size=size, starting_token=token)
    assert [seq(item) for item in rest] == list(range(size + 2, total))
    assert rest.resume_token is None


@pytest.mark.parametrize("op", PAGED)
def test_breaking_out_mid_page_resumes_after_the_last_item_handed_out(
    op: str, fresh_server: LocalServer, client: CustomerProfilesClient
) -> None:
    size = max(3, PAGINATION[op].limit_bounds[0])
    total = 2 * size + 1
    fresh_server.respond = PagingBackend(op, total)
    paginator = paginate(client, op, page_size=size)
    taken = []
    for item in paginator:
        taken.append(seq(item))
        if len(taken) == size + 1:
            break
    token = paginator.resume_token
    assert token is not None and token.startswith(RESUME_PREFIX)
    rest = [seq(item) for item in paginate(client, op, page_size=size, starting_token=token)]
    assert taken + rest == list(range(total))


def test_resume_at_a_page_boundary_is_the_service_token(
    fresh_server: LocalServer, client: CustomerProfilesClient
) -> None:
    fresh_server.respond = PagingBackend("ListDomains", 10)
    paginator = client.paginate_list_domains(page_size=5, max_items=5)
    assert len(list(paginator)) == 5
    assert paginator.resume_token == "tok-5"
    assert len(fresh_server.requests) == 1


def test_last_request_asks_only_for_what_is_still_wanted(
    fresh_server: LocalServer, client: CustomerProfilesClient
) -> None:
    backend = PagingBackend("ListDomains", 100)
    fresh_server.respond = backend
    assert len(list(client.paginate_list_domains(page_size=10, max_items=25))) == 25
    assert backend.sizes == [10, 10, 5]
    backend.sizes.clear()
    assert len(list(client.paginate_list_domains(max_items=7))) == 7
    assert backend.sizes == [7]


def test_pages_cut_the_last_page_to_max_items(fresh_server: LocalServer, client: CustomerProfilesClient) -> None:
    backend = PagingBackend("ListRecommenderRecipes", 30)  # MaxResults >= 10: the server sends 10
    fresh_server.respond = backend
    paginator = client.paginate_list_recommender_recipes(max_items=4)
    pages = list(paginator.pages())
    assert len(pages) == 1 and backend.sizes == [10]
    assert pages[0].recommender_recipes is not None and len(pages[0].recommender_recipes) == 4
    assert paginator.resume_token is not None and paginator.resume_token.startswith(RESUME_PREFIX)
    rest = list(client.paginate_list_recommender_recipes(starting_token=paginator.resume_token))
    assert [seq(item) for item in rest] == list(range(4, 30))


def test_a_repeated_token_raises(fresh_server: LocalServer, client: CustomerProfilesClient) -> None:
    fresh_server.respond = lambda request: Reply(200, {"Items": [{"DomainName": "d", "CreatedAt": 1,
                                                                   "LastUpdatedAt": 1}], "NextToken": "again"})
    items = []
    with pytest.raises(PaginationError, match="already used") as caught:
        for item in client.paginate_list_domains():
            items.append(item)
    assert len(items) == 2 and len(fresh_server.requests) == 2
    assert "again" not in str(caught.value)


def test_a_cycle_of_tokens_raises(fresh_server: LocalServer, client: CustomerProfilesClient) -> None:
    cycle = {None: "a", "a": "b", "b": "a"}

    def respond(request: Received) -> Reply:
        token = request.query.get("next-token", [None])[0]
        return Reply(200, {"Items": [], "NextToken": cycle[token]})

    fresh_server.respond = respond
    with pytest.raises(PaginationError):
        list(client.paginate_list_domains())
    assert len(fresh_server.requests) == 3


def test_empty_pages_with_a_token_are_followed(fresh_server: LocalServer, client: CustomerProfilesClient) -> None:
    replies = iter([Reply(200, {"Items": [], "NextToken": "t1"}), Reply(200, {"Items": [], "NextToken": "t2"}),
                    Reply(200, {"Items": [{"DomainName": "d", "CreatedAt": 1, "LastUpdatedAt": 1}]})])
    fresh_server.respond = lambda request: next(replies)
    assert [d.domain_name for d in client.paginate_list_domains()] == ["d"]


@pytest.mark.parametrize(
    ("kwargs", "path", "rule"),
    [
        ({"page_size": 0}, "page_size", "min"),
        ({"page_size": 101}, "page_size", "max"),
        ({"max_items": 0}, "max_items", "min"),
        ({"starting_token": RESUME_PREFIX + "!!!"}, "starting_token", "type"),
        ({"starting_token": ""}, "starting_token", "min_length"),
    ],
)
def test_bad_paginator_arguments_raise_before_any_request(
    kwargs: dict[str, Any], path: str, rule: str, fresh_server: LocalServer, client: CustomerProfilesClient
) -> None:
    with pytest.raises(ParamValidationError) as caught:
        client.paginate_list_domains(**kwargs)
    assert [(p.path, p.rule) for p in caught.value.problems] == [(path, rule)]
    assert fresh_server.requests == []


@pytest.mark.parametrize("op", WITH_BOTOCORE_PAGINATOR)
def test_same_items_as_botocores_own_paginator(
    op: str, fresh_server: LocalServer, client: CustomerProfilesClient
) -> None:
    size = max(3, PAGINATION[op].limit_bounds[0])
    fresh_server.respond = PagingBackend(op, 2 * size + 1)
    ours = [seq(item) for item in paginate(client, op, page_size=size)]
    raw = fresh_server.raw_client()
    wire = synth.valid(OPERATIONS[op].input_shape)
    theirs: list[int] = []
    for page in raw.get_paginator(OPERATIONS[op].python_name).paginate(**wire, PaginationConfig={"PageSize": size}):
        theirs.extend(seq(item) for item in page[PAGINATION[op].items_wire])
    assert ours == theirs == list(range(2 * size + 1))


def test_a_paginator_can_be_iterated_again_from_the_start(
    fresh_server: LocalServer, client: CustomerProfilesClient
) -> None:
    fresh_server.respond = PagingBackend("ListDomains", 7)
    paginator = client.paginate_list_domains(page_size=3)
    assert len(list(paginator)) == 7
    assert len(list(paginator)) == 7
    assert len(fresh_server.requests) == 6


def test_one_page_in_memory_at_a_time(fresh_server: LocalServer, client: CustomerProfilesClient) -> None:
    import gc
    import weakref

    fresh_server.respond = PagingBackend("ListDomains", 9)
    alive: list[weakref.ref[Any]] = []
    for page in client.paginate_list_domains(page_size=3).pages():
        gc.collect()
        alive = [ref for ref in alive if ref() is not None]
        assert alive == []  # earlier pages are gone
        alive.append(weakref.ref(page))


def full_kwargs(op: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Every member of the request except NextToken and MaxResults: (Python kwargs, wire dict)."""
    wire = synth.valid(OPERATIONS[op].input_shape, True)
    wire.pop("NextToken", None)
    wire.pop("MaxResults", None)
    return kwargs_for(OPERATIONS[op].input_shape, wire), wire


@pytest.mark.parametrize("op", PAGED)
def test_every_argument_reaches_every_page_request(
    op: str, fresh_server: LocalServer, client: CustomerProfilesClient
) -> None:
    size = max(3, PAGINATION[op].limit_bounds[0])
    fresh_server.respond = PagingBackend(op, 2 * size + 1)
    kwargs, wire = full_kwargs(op)
    method: Callable[..., Paginator[Any, Any]] = getattr(client, f"paginate_{OPERATIONS[op].python_name}")
    assert len(list(method(**kwargs, page_size=size))) == 2 * size + 1
    ours = list(fresh_server.requests)
    fresh_server.reset()
    raw = fresh_server.raw_client()
    getattr(raw, OPERATIONS[op].python_name)(**wire, MaxResults=size)
    getattr(raw, OPERATIONS[op].python_name)(**wire, MaxResults=size, NextToken=f"tok-{size}")
    getattr(raw, OPERATIONS[op].python_name)(**wire, MaxResults=size, NextToken=f"tok-{2 * size}")
    theirs = fresh_server.requests
    assert [(r.method, r.path, r.query, r.json()) for r in ours] == [
        (r.method, r.path, r.query, r.json()) for r in theirs]


def test_item_iteration_holds_one_page_at_a_time(fresh_server: LocalServer, client: CustomerProfilesClient) -> None:
    import gc

    from customer_profiles_sdk.models import ListDomainsResponse

    fresh_server.respond = PagingBackend("ListDomains", 12)
    counts = []
    for _item in client.paginate_list_domains(page_size=3):
        gc.collect()
        # type() rather than isinstance(): pydantic 2.11's __instancecheck__ probes attributes, which
        # makes botocore's vendored six import lazy modules (dbm.gnu) found among gc objects.
        counts.append(sum(1 for obj in gc.get_objects() if type(obj) is ListDomainsResponse))
    assert len(counts) == 12 and max(counts) == 1


def test_mypy_sees_the_item_type_of_every_paginator(tmp_path: Any) -> None:
    from .test_typing import run_mypy

    lines = ["from customer_profiles_sdk import CustomerProfilesClient", "from typing import Any", "",
             "def check(client: CustomerProfilesClient, kw: Any) -> None:"]
    expected = {}
    for op in PAGED:
        info = OPERATIONS[op]
        response = synth.SHAPES[info.output_shape]
        member = synth.SHAPES[response["members"][PAGINATION[op].items_wire]["shape"]]["member"]["shape"]
        if synth.SHAPES[member]["type"] == "structure":
            from codegen.generator import module_name

            expected[len(lines) + 1] = f"customer_profiles_sdk._generated.shapes.{module_name(member)}.{member}"
        else:
            expected[len(lines) + 1] = "str"
        lines.append(f"    for item{len(lines)} in client.paginate_{info.python_name}(**kw):")
        lines.append(f"        reveal_type(item{len(lines) - 1})")
    result = run_mypy(tmp_path, "\n".join(lines) + "\n")
    revealed = {}
    for line in result.stdout.splitlines():
        if "Revealed type is" in line:
            number = int(line.split("sample.py:")[1].split(":")[0])
            revealed[number] = line.split('Revealed type is "')[1].rstrip('"').removeprefix("builtins.")
    assert revealed == {number + 1: name for number, name in expected.items()}, result.stdout
    assert len(revealed) == 29
