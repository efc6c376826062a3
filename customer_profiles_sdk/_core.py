"""Hand-written runtime of :class:`~customer_profiles_sdk.CustomerProfilesClient`.

The generated ``_generated/client.py`` adds one typed method per operation on top of
:class:`ClientCore`; every method ends in :meth:`ClientCore._call` or :meth:`ClientCore._paginate`.
The generator never writes this module.

Importing it does not import pydantic or any model: models load on the first call, so creating a
client costs what creating the boto3 client costs.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import os
import time
import typing
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple, Self

import botocore.exceptions
from botocore.config import Config
from botocore.exceptions import ClientError
from botocore.parsers import ResponseParserError

from ._compat import installed_botocore, missing_operations, private_session, same_input, unknown_member
from ._generated.operations import OPERATIONS, PAGINATION, PARTIAL_FAILURES, REQUEST_OPERATIONS
from ._transport import BODY_KEY, SdkCall, install, parse_body, pickled, sdk_call
from .errors import (
    Failure,
    OperationNotSupportedError,
    ParamValidationError,
    PartialFailureError,
    Problem,
    ResponseParseError,
    service_error,
    transport_error,
)
from .pagination import AsyncPaginator, Paginator
from .waiters import Waiting

if TYPE_CHECKING:
    import boto3.session
    import botocore.session
    from botocore.client import BaseClient

    from ._model import InputShape, ResponseShape

__all__ = ["DEFAULT_RETRY_MODE", "AsyncClientCore", "ClientCore", "ResponseMetadata"]

SERVICE_NAME = "customer-profiles"

#: Operations whose response body holds a secret: GetUploadJobPath's ClientToken is the SSE-C key
#: of the upload. Their bodies never reach botocore's parser (see ``_CoreBase._prepare``).
SECRET_BODIES = frozenset({"GetUploadJobPath"})

#: The retry mode used when neither the given Config, nor AWS_RETRY_MODE, nor the profile's
#: ``retry_mode`` chooses one. See docs/client.md ("Retries and timeouts").
DEFAULT_RETRY_MODE = "standard"

# botocore exceptions that mean "no usable HTTP response" (IncompleteReadError: see _transport).
_TRANSPORT_ERRORS = (
    botocore.exceptions.HTTPClientError,
    botocore.exceptions.ConnectionError,
    botocore.exceptions.IncompleteReadError,
)


class ResponseMetadata(NamedTuple):
    """What botocore reports about the HTTP exchange of a successful call."""

    request_id: str | None
    http_status: int | None
    retry_attempts: int
    headers: Mapping[str, str]


def _metadata(raw: Mapping[str, Any] | None) -> ResponseMetadata | None:
    if not isinstance(raw, Mapping):
        return None
    request_id = raw.get("RequestId")
    status = raw.get("HTTPStatusCode")
    return ResponseMetadata(
        request_id=str(request_id) if request_id else None,
        http_status=int(status) if status is not None else None,
        retry_attempts=int(raw.get("RetryAttempts", 0) or 0),
        headers=dict(raw.get("HTTPHeaders") or {}),
    )


class _Spec(NamedTuple):
    operation: str
    method: str
    request: type[InputShape]
    response: type[ResponseShape]
    #: ``_model.validate_request``, held here because importing it inside every call costs about
    #: a microsecond, and importing it at module level would load pydantic with the client.
    validate: Callable[[type[InputShape], Any], InputShape]


@functools.cache
def _spec(operation: str) -> _Spec:
    from . import models
    from ._model import validate_request

    info = OPERATIONS[operation]
    return _Spec(operation, info.python_name, getattr(models, info.input_shape), getattr(models, info.output_shape),
                 validate_request)


def _session_retries(session: Any) -> tuple[dict[str, Any], bool]:
    """(retry settings of the session's default client config, whether something chose a mode).

    A mode counts as chosen when it comes from ``AWS_RETRY_MODE``, the session's variables, the
    profile's ``retry_mode`` or the session's default client config.
    """
    core = getattr(session, "_session", session)  # a boto3 Session wraps a botocore Session
    defaults: dict[str, Any] = {}
    try:
        default_config = core.get_default_client_config()
        defaults = dict(getattr(default_config, "retries", None) or {})
    except Exception:  # not a botocore session: botocore reports that when it creates the client
        pass
    if "mode" in defaults or os.environ.get("AWS_RETRY_MODE"):
        return defaults, True
    try:
        if core.instance_variables().get("retry_mode"):
            return defaults, True
        return defaults, bool(core.get_scoped_config().get("retry_mode"))
    except Exception:  # an unusable profile is botocore's to report, when it creates the client
        return defaults, False


def default_config(session: Any, config: Config | None) -> Config:
    """``config`` with the SDK's default retry mode filled in, unless something else chose one.

    botocore merges the session's default client config with ``config`` by replacing whole
    settings, so the retry settings are merged here, key by key: session defaults, then ``config``,
    then the SDK's mode.
    """
    given: dict[str, Any] = dict(getattr(config, "retries", None) or {})
    defaults, chosen = _session_retries(session)
    if "mode" in given or chosen:
        return config if config is not None else Config()
    retries = {**defaults, **given, "mode": DEFAULT_RETRY_MODE}
    extra = Config(retries=typing.cast(Any, retries))
    return config.merge(extra) if config is not None else extra


class _CoreBase:
    """What the sync and async clients share: everything but the I/O.

    Request validation, the wire dict, the model checks for a ``client=`` client, the parse of
    the answer and of failures, and the paginators' requests are written once, here. A subclass
    adds :meth:`_send` (the one call into botocore: ``method(**payload)`` or ``await
    method(**payload)``), its construction, and :attr:`_PAGINATOR`. :meth:`_call`,
    :meth:`_send_request` and :meth:`_paginate` return whatever ``_send`` returns: a response in
    :class:`ClientCore`, an awaitable in :class:`AsyncClientCore`. See docs/design.md ("The async
    client").
    """

    _PAGINATOR: type[Paginator[Any, Any]] | type[AsyncPaginator[Any, Any]]
    _client: Any
    _fast_parse: bool
    _missing: frozenset[str]
    _same_input: dict[str, bool] | None
    _skip_validation: bool

    def _send(self, spec: _Spec, request: InputShape, allow_partial: bool, validated: bool = True) -> Any:
        raise NotImplementedError

    def _adopt(self, client: Any, fast_parse: bool, session: Any, region_name: Any, endpoint_url: Any,
               config: Any, kind: str) -> None:
        """Take a client passed as ``client=`` (a boto3 or aiobotocore client, by ``kind``)."""
        self._fast_parse = bool(fast_parse)
        given = [name for name, value in (("session", session), ("region_name", region_name),
                                           ("endpoint_url", endpoint_url), ("config", config)) if value is not None]
        if given:
            raise TypeError(f"pass either client= or {', '.join(given)}, not both")
        service = getattr(getattr(getattr(client, "meta", None), "service_model", None), "service_name", None)
        if service != SERVICE_NAME:
            raise TypeError(f"client= must be {kind} client for {SERVICE_NAME!r}, got one for {service!r}")
        is_async = inspect.iscoroutinefunction(getattr(client, "_make_api_call", None))
        if is_async != (self._PAGINATOR is AsyncPaginator):
            raise TypeError(f"client= must be {kind} client, not {'an aiobotocore' if is_async else 'a boto3'} one")
        self._missing = missing_operations(client)
        self._same_input = {}
        self._client = client
        self._skip_validation = install(client)

    def _created(self, client: Any, fast_parse: bool) -> None:
        self._fast_parse = bool(fast_parse)
        #: What the client's own model lacks (client= only; the SDK's clients use the shipped model).
        self._missing = frozenset()
        self._same_input = None
        self._client = client
        self._skip_validation = install(client)

    @staticmethod
    def _waiting(name: str, deleted: bool, sleep: Any, options: dict[str, Any], asynchronous: bool = False) -> Waiting:
        """The polling state of the waiter ``name``: every option (``sleep`` too) is checked, and
        every problem named, before anything is sent."""
        from ._generated.waiters import WAITERS

        if deleted:
            options = {key: value for key, value in options.items() if key not in ("success_states", "failure_states")}
        return Waiting(WAITERS[name], deleted=deleted, sleep=sleep, asynchronous=asynchronous, **options)

    def _prepare(self, spec: _Spec, request: InputShape, validated: bool) -> tuple[dict[str, Any], SdkCall]:
        """The request's wire dict, and the state the transport hooks see during the call."""
        payload = _wire(request)
        if self._same_input is not None:
            self._check_model(spec.operation, payload)
        # botocore's validation is skipped only for parameters the SDK validated, and only if they
        # reach botocore's serializer unchanged (compared as pickled bytes; see _transport).
        expected = pickled(payload) if validated and self._skip_validation else None
        # A body with a secret is parsed by the SDK even with fast_parse=False: botocore's parser
        # logs every body it reads at DEBUG level.
        fast = self._fast_parse or spec.operation in SECRET_BODIES
        return payload, SdkCall(spec.operation, expected, fast)

    # -- calls ---------------------------------------------------------------------------------
    def _call(self, operation: str, params: dict[str, Any], allow_partial: bool = False) -> Any:
        spec = _spec(operation)
        request = spec.validate(spec.request, {name: value for name, value in params.items() if value is not None})
        return self._send(spec, request, allow_partial)

    def _send_request(self, request: Any, allow_partial: bool = False) -> Any:
        from ._model import InputShape

        if not isinstance(request, InputShape):
            raise TypeError(f"send() takes an <Operation>Request model, not {type(request).__name__}")
        operation = REQUEST_OPERATIONS.get(type(request).__cp__.name)
        if operation is None:
            raise TypeError(f"{type(request).__name__} is not the request of an operation")
        spec = _spec(operation)
        # Re-check everything: model_copy(update=...) and in-place edits of nested lists and
        # dicts bypass validation, and the request may have been built long ago.
        checked = spec.validate(spec.request, request)
        return self._send(spec, checked, allow_partial)

    def _parse(self, spec: _Spec, raw: dict[str, Any], allow_partial: bool) -> Any:
        # botocore's dict is not modified: Stubber replies and after-call handlers may hold it.
        metadata = raw.get("ResponseMetadata")
        members = {key: value for key, value in raw.items() if key != "ResponseMetadata" and key != BODY_KEY}
        body = raw.get(BODY_KEY)
        if isinstance(body, bytes):
            # The fast path: the raw body, which botocore did not parse (see _transport).
            response = parse_body(spec.response, body, members)
        else:
            # botocore parsed the body (fast_parse=False), or a Stubber answered.
            response = spec.response.from_boto(members)
        response._set_response_metadata(_metadata(metadata))
        if not allow_partial and spec.operation in PARTIAL_FAILURES:
            _check_partial(spec.operation, response)
        return response

    def _check_model(self, operation: str, payload: dict[str, Any] | None) -> None:
        """For a client passed as ``client=``: raise before sending when its model lacks the
        operation, or a member that ``payload`` sets (names only; never values)."""
        if operation in self._missing:
            raise OperationNotSupportedError(
                f"{operation} is not in the service model of the boto3 client passed as client= "
                f"(botocore {installed_botocore()}); nothing was sent. Let the SDK create the client "
                f"(session=, region_name=), which brings its own model, or upgrade botocore.",
                operation, "", installed_botocore())
        if payload is None:
            return
        cache = self._same_input
        assert cache is not None
        same = cache.get(operation)
        if same:  # the common case, decided once per operation
            return
        model = self._client.meta.service_model
        if same is None:
            same = cache[operation] = same_input(model, operation)
            if same:
                return
        member = unknown_member(model.operation_model(operation).input_shape, payload)
        if member is not None:
            raise OperationNotSupportedError(
                f"{operation}: the member {member} is not in the service model of the boto3 client "
                f"passed as client= (botocore {installed_botocore()}); nothing was sent. Leave it "
                f"unset, let the SDK create the client (session=, region_name=), or upgrade botocore.",
                operation, member, installed_botocore())

    # -- pagination ----------------------------------------------------------------------------
    def _paginate(
        self,
        operation: str,
        params: dict[str, Any],
        *,
        page_size: int | None,
        max_items: int | None,
        starting_token: str | None,
    ) -> Any:
        spec = _spec(operation)
        if self._same_input is not None:
            self._check_model(operation, None)  # a missing operation raises now, not at the first page
        info = PAGINATION[operation]
        fields = {name: value for name, value in params.items() if value is not None}
        items_name = info.items

        def fetch(token: str | None, size: int | None) -> Any:
            update: dict[str, Any] = {"next_token": token}
            if size is not None:
                update[info.limit] = size
            # Not re-validated (a service token is passed on as received), so botocore validates.
            return self._send(spec, first.model_copy(update=update), False, validated=False)

        def items_of(page: Any) -> list[Any]:
            value = page.__dict__.get(items_name)
            if value is None:
                return []
            if not isinstance(value, list):
                raise ResponseParseError(
                    spec.response.__cp__.name, [Problem(info.items_wire, "type", "expected a list of items")]
                )
            return value

        def token_of(page: Any) -> str | None:
            value = page.__dict__.get("next_token")
            if value is None or isinstance(value, str):
                return value
            raise ResponseParseError(spec.response.__cp__.name, [Problem("NextToken", "type", "expected a string")])

        def set_items(page: Any, items: list[Any]) -> None:
            page.__dict__[items_name] = items

        # The paginator checks its own arguments and decodes the starting token; the request is
        # validated now too, so bad input raises here and not at the first iteration.
        paginator = self._PAGINATOR(
            operation,
            fetch,
            items_of,
            token_of,
            set_items,
            page_size=page_size,
            max_items=max_items,
            starting_token=starting_token,
            limit_bounds=info.limit_bounds,
        )
        if paginator.page_size is not None:  # checked by the paginator, under the name page_size
            fields[info.limit] = paginator.page_size
        if paginator.start_token is not None:
            fields["next_token"] = paginator.start_token
        try:
            first = spec.request.model_validate(fields)
        except ParamValidationError as exc:
            # The page size and the token come from page_size and starting_token: name those.
            renamed = {spec.request.__cp__.wire[info.limit]: "page_size", "NextToken": "starting_token"}
            problems = [dataclasses.replace(p, path=renamed.get(p.path, p.path)) for p in exc.problems]
            error = ParamValidationError(exc.shape, problems, exc.problem_count)
        else:
            return paginator
        raise error


class ClientCore(_CoreBase):
    """Holds one boto3 client and turns typed requests into calls on it.

    Build it from an existing boto3 client::

        CustomerProfilesClient(client=boto3.client("customer-profiles"))

    or let it create one from a boto3 (or botocore) session, a region and a botocore ``Config``::

        CustomerProfilesClient(region_name="eu-west-2", config=Config(read_timeout=10))

    The client is created once and its settings are never changed afterwards, so one instance may
    be shared between threads (boto3 clients are thread-safe; sessions are not, so the session is
    only used here, in the constructor). A client passed in keeps its own retry and timeout
    settings. The SDK adds two hooks to it (see ``_transport``) that act only during the SDK's own
    calls: calls made directly on the boto3 client behave as if the SDK were not there.

    The SDK creates its boto3 client from a private clone of the session that loads the model
    shipped in the package, so every operation works on every supported botocore; the session
    itself is not changed. A client passed as ``client=`` keeps its own model: an operation or a
    request member that model lacks raises
    :class:`~customer_profiles_sdk.errors.OperationNotSupportedError` before anything is sent, and
    the other operations keep working (docs/client.md, "botocore versions").

    ``fast_parse=False`` turns off parsing the raw response body (botocore parses it, and the
    model is built from botocore's dict, which drops unknown members; a value of the wrong JSON
    type is kept as sent, as on the fast path, not converted by botocore). See docs/performance.md.
    """

    def __init__(
        self,
        *,
        client: BaseClient | None = None,
        session: boto3.session.Session | botocore.session.Session | None = None,
        region_name: str | None = None,
        endpoint_url: str | None = None,
        config: Config | None = None,
        fast_parse: bool = True,
    ) -> None:
        if client is not None:
            self._adopt(client, fast_parse, session, region_name, endpoint_url, config, "a boto3")
            return
        if session is None:
            import boto3
            import boto3.session

            # boto3's default session when the program set one up (boto3.setup_default_session),
            # as boto3.client() would use it; otherwise a fresh one (the default is not created).
            session = boto3.DEFAULT_SESSION or boto3.session.Session()
        final = default_config(session, config)
        self._created(private_session(session).create_client(
            SERVICE_NAME, region_name=region_name, endpoint_url=endpoint_url, config=final
        ), fast_parse)


    _PAGINATOR = Paginator

    @property
    def boto3_client(self) -> BaseClient:
        """The underlying boto3 client, for anything this SDK does not cover. Do not modify it."""
        return typing.cast("BaseClient", self._client)

    def __repr__(self) -> str:
        meta = self._client.meta
        return f"{type(self).__name__}(region_name={meta.region_name!r}, endpoint_url={meta.endpoint_url!r})"

    def _send(self, spec: _Spec, request: InputShape, allow_partial: bool, validated: bool = True) -> Any:
        # The seam with AsyncClientCore._send: the same lines, but for its "await".
        payload, call = self._prepare(spec, request, validated)
        method = getattr(self._client, spec.method)
        token = sdk_call.set(call)
        try:
            raw = method(**payload)
        except Exception as exc:
            error = _error_for(spec, exc)
            if error is None:
                raise
        else:
            return self._parse(spec, raw, allow_partial)
        finally:
            sdk_call.reset(token)
        raise error  # outside the except block: no __context__ (see _error_for)

    def _wait(self, name: str, params: dict[str, Any], *, deleted: bool = False, sleep: Any = None,
              **options: Any) -> Any:
        # The seam with AsyncClientCore._wait: the same loop, but for "await" (Waiting decides).
        waiting = self._waiting(name, deleted, sleep, options)
        while True:
            try:
                response = self._call(waiting.spec.operation, params)
            except Exception as exc:
                pause = waiting.failed(exc)
            else:
                pause = waiting.answered(response)
            if pause is None:
                return waiting.result
            slept = (sleep or time.sleep)(pause)
            if inspect.isawaitable(slept):  # no coroutine function, yet it gave an awaitable: nothing paused
                close = getattr(slept, "close", None)
                if callable(close):
                    close()
                raise ParamValidationError(f"wait_for_{waiting.name}", [Problem(
                    "sleep", "type", "must pause and return, not give an awaitable, on the sync client")])

class AsyncClientCore(_CoreBase):
    """Holds one aiobotocore client and turns typed requests into awaited calls on it.

    Built like :class:`ClientCore`, from an aiobotocore client (``client=``, which the caller
    keeps and closes), or from an aiobotocore (or aioboto3) session, a region, an endpoint and a
    botocore ``Config``; then the client is created from a private clone of the session, with the
    SDK's model and retry default, on ``async with`` or the first call, and closed by
    :meth:`close`. Everything but the awaited call itself is :class:`_CoreBase`'s.
    """

    _PAGINATOR = AsyncPaginator

    def __init__(
        self,
        *,
        client: Any = None,
        session: Any = None,
        region_name: str | None = None,
        endpoint_url: str | None = None,
        config: Config | None = None,
        fast_parse: bool = True,
    ) -> None:
        self._creator: Any = None
        self._opening: Any = None
        self._closed = False
        if client is not None:
            self._adopt(client, fast_parse, session, region_name, endpoint_url, config, "an aiobotocore")
            return
        if session is None:
            import importlib

            session = importlib.import_module("aiobotocore.session").get_session()
        elif not inspect.iscoroutinefunction(getattr(getattr(session, "_session", session), "get_credentials", None)):
            raise TypeError(f"session= must be an aiobotocore or aioboto3 session, not {type(session).__name__}")
        self._fast_parse = bool(fast_parse)
        self._client = None
        # What _created() sets for a client the SDK creates, known now: calls and paginators made
        # before the client is open read them.
        self._missing = frozenset()
        self._same_input = None
        self._skip_validation = False
        # Nothing is created or connected yet: aiobotocore creates clients in a coroutine, made
        # only when the client is opened (never left un-awaited by a client that is not used).
        self._creator = _ClientCreator(private_session(session), region_name=region_name,
                                       endpoint_url=endpoint_url, config=default_config(session, config))

    async def _open(self) -> Any:
        """The aiobotocore client, created once (concurrent first calls share the creation)."""
        if self._client is not None:
            return self._client
        if self._closed:
            raise RuntimeError("this AsyncCustomerProfilesClient is closed")
        import asyncio

        if self._opening is None:
            self._opening = asyncio.ensure_future(self._create())
        # Shielded: a first caller that is cancelled does not cancel the creation the others await.
        return await asyncio.shield(self._opening)

    async def _create(self) -> Any:
        client = await self._creator.__aenter__()
        self._created(client, self._fast_parse)
        return client

    async def close(self) -> None:
        """Close the aiobotocore client the SDK created (its connections); a client passed as
        ``client=`` is left open for its owner to close. Either way, calls made through this object
        after ``close()`` raise ``RuntimeError``; closing again does nothing."""
        if self._closed:
            return
        self._closed = True
        if self._creator is None:
            return  # client=: its owner closes it
        opening, self._opening = self._opening, None
        if opening is not None:
            try:
                await opening
            except Exception:
                return  # the creation failed: nothing to close
            self._client = None
            await self._creator.__aexit__(None, None, None)

    async def __aenter__(self) -> Self:
        await self._open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @property
    def aiobotocore_client(self) -> Any:
        """The underlying aiobotocore client (None until it is created: ``async with`` or the first
        call), for anything this SDK does not cover. Do not modify it."""
        return self._client

    def __repr__(self) -> str:
        if self._client is None:
            return f"{type(self).__name__}({'closed' if self._closed else 'not opened'})"
        meta = self._client.meta
        return f"{type(self).__name__}(region_name={meta.region_name!r}, endpoint_url={meta.endpoint_url!r})"

    async def _send(self, spec: _Spec, request: InputShape, allow_partial: bool, validated: bool = True) -> Any:
        # The seam with ClientCore._send: the same lines, but for "await".
        if self._closed:
            raise RuntimeError("this AsyncCustomerProfilesClient is closed")
        client = self._client if self._client is not None else await self._open()
        payload, call = self._prepare(spec, request, validated)
        method = getattr(client, spec.method)
        token = sdk_call.set(call)
        try:
            raw = await method(**payload)
        except Exception as exc:
            error = _error_for(spec, exc)
            if error is None:
                raise
        else:
            return self._parse(spec, raw, allow_partial)
        finally:
            sdk_call.reset(token)
        raise error  # outside the except block: no __context__ (see _error_for)

    async def _wait(self, name: str, params: dict[str, Any], *, deleted: bool = False, sleep: Any = None,
                    **options: Any) -> Any:
        # The seam with ClientCore._wait. ``sleep`` may be a coroutine function or a plain one.
        import asyncio

        waiting = self._waiting(name, deleted, sleep, options, asynchronous=True)
        while True:
            try:
                response = await self._call(waiting.spec.operation, params)
            except Exception as exc:
                pause = waiting.failed(exc)
            else:
                pause = waiting.answered(response)
            if pause is None:
                return waiting.result
            slept = asyncio.sleep(pause) if sleep is None else sleep(pause)
            if inspect.isawaitable(slept):
                await slept


class _ClientCreator:
    """aiobotocore's ``create_client()`` context for the SDK's settings, made when entered."""

    __slots__ = ("_context", "_session", "_settings")

    def __init__(self, session: Any, **settings: Any) -> None:
        self._session = session
        self._settings = settings
        self._context: Any = None

    async def __aenter__(self) -> Any:
        self._context = self._session.create_client(SERVICE_NAME, **self._settings)
        return await self._context.__aenter__()

    async def __aexit__(self, *exc: Any) -> Any:
        return await self._context.__aexit__(*exc)


def _wire(request: InputShape) -> dict[str, Any]:
    """The request's wire dict: what ``to_boto()`` returns, built by pydantic-core's serializer.

    A validated input shape holds no unknown members, no RawValue and no ``None`` inside lists
    or maps, so dropping ``None`` members under their wire names gives exactly ``to_boto()``
    (tested for every request shape), in a third of the time. Each call builds new containers.
    """
    return typing.cast(
        "dict[str, Any]",
        type(request).__pydantic_serializer__.to_python(request, by_alias=True, exclude_none=True, warnings=False),
    )


def _error_for(spec: _Spec, exc: Exception) -> Exception | None:
    """The SDK's error for what botocore raised during a call, or None: raise ``exc`` unchanged.

    The caller raises the result outside its ``except`` block, so the error's ``__context__`` is
    empty; a service or transport error has ``exc`` as its ``__cause__``, a parse error nothing
    (the parser's message may quote the body: only its class name is kept).
    """
    error: Exception
    if isinstance(exc, ClientError):
        error = service_error(exc)
    elif isinstance(exc, _TRANSPORT_ERRORS):
        error = transport_error(exc)
    else:
        if isinstance(exc, ResponseParserError):
            # Mostly ParserFailure: the transport's guard stands for whatever botocore's parser
            # raised on a 2xx answer, and names its class in ``kind``.
            kind = getattr(exc, "kind", None) or type(exc).__name__
        elif _raised_in_parser(exc):
            # Without the guard (a client whose endpoint could not be wrapped), botocore's parser
            # fails this way on some bodies (a non-numeric integer, a huge timestamp). Anything
            # raised elsewhere (a user's event handler, a credential provider) is not a response
            # problem and goes through unchanged.
            kind = type(exc).__name__
        else:
            return None
        return ResponseParseError(
            spec.response.__cp__.name, [Problem("", "parse", f"botocore could not parse the response ({kind})")]
        )
    error.__cause__ = exc  # as "raise error from exc"
    return error


def _raised_in_parser(exc: BaseException) -> bool:
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename.replace("\\", "/").endswith("botocore/parsers.py"):
            return True
        tb = tb.tb_next
    return False


def _check_partial(operation: str, response: ResponseShape) -> None:
    """Raise ``PartialFailureError[<the operation's response class>]`` if an entry failed."""
    errors_name, id_wire = PARTIAL_FAILURES[operation]
    entries = response.__dict__.get(errors_name)
    if not entries:
        return
    if not isinstance(entries, list):
        entries = [entries]
    failures = [_failure(entry, id_wire) for entry in entries]
    raise PartialFailureError(operation, response, failures)


def _failure(entry: Any, id_wire: str) -> Failure:
    from ._model import Shape

    data = entry.to_boto() if isinstance(entry, Shape) else entry if isinstance(entry, Mapping) else {}
    return Failure(
        id=str(data.get(id_wire) or ""),
        code=str(data.get("Code") or ""),
        message=str(data.get("Message") or ""),
    )
