"""Exceptions raised by customer_profiles_sdk.

Every exception the SDK itself raises derives from :class:`CustomerProfilesError`: validation
(:class:`ParamValidationError`, also a :class:`ValueError`), service errors (:class:`ServiceError`
and its subclasses, also botocore ``ClientError`` s), transport failures (:class:`TransportError`),
unusable responses (:class:`ResponseParseError`), pagination and batch failures. botocore errors
that concern the setup rather than the call, such as ``NoCredentialsError`` or ``NoRegionError``,
pass through unchanged, as do exceptions raised by your own botocore event handlers.

No exception text produced here contains an input value: values sent to Customer Profiles are
often personal data (names, emails, phone numbers, addresses), so errors name the field path and
the broken rule only. Text the service or the network stack provides (an error code, a message,
a failed entry's code, a connection error) is quoted bounded and escaped (:func:`quoted`), and a
URL in it loses its query string, fragment and user information (:func:`without_url_secrets`).
"""

from __future__ import annotations

import pickle
import re
import reprlib
import threading
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Generic, TypeVar

from botocore.exceptions import BotoCoreError, ClientError, WaiterError

__all__ = [
    "AccessDeniedError",
    "BadRequestError",
    "CustomerProfilesError",
    "Failure",
    "IncompatibleBotocoreError",
    "InternalServerError",
    "MissingMemberError",
    "OperationNotSupportedError",
    "PaginationError",
    "ParamValidationError",
    "PartialFailureError",
    "Problem",
    "ResourceNotFoundError",
    "ResponseParseError",
    "ServiceError",
    "ThrottlingError",
    "TransportError",
    "UnmodeledServiceError",
    "UploadError",
    "WaiterFailedError",
    "WaiterTimeoutError",
]

_E = TypeVar("_E", bound=BaseException)
if typing.TYPE_CHECKING:
    # PEP 696 default: a bare ``PartialFailureError`` (``except PartialFailureError as exc``) is
    # ``PartialFailureError[Any]``. Run time needs no default, nor typing_extensions at import.
    from typing_extensions import TypeVar as _DefaultTypeVar

    _ResponseT = _DefaultTypeVar("_ResponseT", default=Any)
else:
    _ResponseT = TypeVar("_ResponseT")


# ---------------------------------------------------------------------------------------------
# Quoting text that comes from outside: bounded, escaped, URLs without their secrets.
# ---------------------------------------------------------------------------------------------

#: At most this many characters of each piece of service-provided text (an error code, a
#: message) are written into an exception's text; the rest is counted, never copied.
MAX_QUOTED_CHARS = 256
#: The same bound for the whole text of a :class:`TransportError`.
MAX_TRANSPORT_CHARS = 1024
#: At most this many distinct error codes are named in a :class:`PartialFailureError`'s text.
MAX_LISTED_CODES = 10

_SHORT_REPR = reprlib.Repr()


def quoted(value: Any, limit: int = MAX_QUOTED_CHARS) -> str:
    """``value`` as it may appear in an exception's text: at most ``limit`` characters.

    Every character that is not printable (``str.isprintable``: control characters, newlines,
    line and paragraph separators, lone surrogates, bidirectional overrides, ...) is written as
    its Python escape (``\\n``, ``\\x1b``, ``\\u2028``), so quoted text can neither start a new
    log line nor break an encoder. Whatever is cut off is counted: ``... (N more characters)``.
    The work is bounded by ``limit``, whatever the length of ``value``. Anything but a ``str`` is
    shown by ``reprlib`` (itself bounded), or as ``<type name>``.
    """
    if isinstance(value, str):
        text = value
    else:
        try:
            text = _SHORT_REPR.repr(value)
        except Exception:  # an int too long for repr(), a broken __repr__, ...
            text = f"<{type(value).__name__}>"
    head = text[:limit]
    if len(text) <= limit and head.isprintable():
        return text
    pieces: list[str] = []
    size = used = 0
    for char in head:
        piece = char if char.isprintable() else repr(char)[1:-1]
        if size + len(piece) > limit:
            break
        pieces.append(piece)
        size += len(piece)
        used += 1
    rest = len(text) - used
    if rest:
        pieces.append(f"... ({rest} more character{'s' if rest != 1 else ''})")
    return "".join(pieces)


# A URL: a scheme of at most 32 characters (so the scan stays linear), "://", then up to a space,
# a quote or an angle bracket.
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]{0,31}://[^\s\"'<>]*")
# A path on its own (``url: /domains/x?next-token=...``, as urllib3 writes it), starting a word.
_PATH_QUERY = re.compile(r"(?<![^\s\"'(<=])(/[^\s\"'<>?#]*)[?#][^\s\"'<>]*")


def _url_without_secrets(match: re.Match[str]) -> str:
    url = match.group(0)
    scheme, _, rest = url.partition("://")
    rest = re.split(r"[?#]", rest, maxsplit=1)[0]
    authority, slash, path = rest.partition("/")
    host = authority.rpartition("@")[2]  # user:password@ is dropped
    return f"{scheme}://{host}{slash}{path}"


def without_url_secrets(text: str) -> str:
    """``text`` with every URL cut to its scheme, host, port and path.

    The query string and fragment (a ``next-token``, a signature), and user information (a
    proxy's ``user:password@``), are removed, from absolute URLs and from paths that start a word.
    Linear in the length of ``text``.
    """
    if "://" in text:
        text = _URL.sub(_url_without_secrets, text)
    if "?" in text or "#" in text:
        text = _PATH_QUERY.sub(r"\1", text)
    return text


class CustomerProfilesError(Exception):
    """Base class of every exception raised by customer_profiles_sdk."""


@dataclass(frozen=True, slots=True)
class Problem:
    """One broken rule found by client-side validation.

    ``path`` is the wire path of the offending member, for example
    ``Keys[<key>][0].StandardIdentifiers[1]``. Map keys and the names of unknown members are input,
    so they never appear: a map key shows as ``<key>`` and an unknown member as ``<unknown member>``.
    ``rule`` is one of ``required``, ``min_length``, ``max_length``, ``min``, ``max``, ``enum``,
    ``pattern``, ``union``, ``unknown_member``, ``type`` or the name of a documented rule from
    :mod:`customer_profiles_sdk.rules`. ``message`` explains the rule and never contains the value.
    """

    path: str
    rule: str
    message: str

    def __str__(self) -> str:
        where = self.path or "<root>"
        return f"{where}: {self.message} [rule={self.rule}]"


#: At most this many problems are written into an error's text; the rest are counted ("and K more").
MAX_LISTED_PROBLEMS = 20
#: At most this many problems are kept in an error's ``problems``; ``problem_count`` counts them all.
MAX_KEPT_PROBLEMS = 1000


class _ProblemsError(CustomerProfilesError, ValueError):
    """An error that lists :class:`Problem` entries for one botocore shape.

    Hostile or mistaken input can break a rule thousands of times (50,000 unknown members, a list
    of 100,000 bad items), so the report is bounded: ``problems`` keeps the first
    :data:`MAX_KEPT_PROBLEMS`, ``problem_count`` is the full count, and the text lists the first
    :data:`MAX_LISTED_PROBLEMS` followed by ``... and K more``.
    """

    def __init__(self, shape: str, problems: Sequence[Problem], problem_count: int | None = None) -> None:
        self.shape = shape
        if not isinstance(problems, Sequence):  # any iterable, as before
            problems = tuple(problems)
        kept: tuple[Problem, ...] = tuple(problems[:MAX_KEPT_PROBLEMS])
        self.problems: tuple[Problem, ...] = kept
        # A caller that translated only the first problems says how many there were in all
        # (explicitly, or as the ``total`` of the list it passes).
        if problem_count is None:
            problem_count = getattr(problems, "total", None)
        #: How many problems were found; ``problems`` holds at most :data:`MAX_KEPT_PROBLEMS` of them.
        self.problem_count: int = max(len(problems), len(kept), int(problem_count or 0))
        lines = [self._headline()]
        lines.extend(f"  {p}" for p in kept[:MAX_LISTED_PROBLEMS])
        more = self.problem_count - min(len(kept), MAX_LISTED_PROBLEMS)
        if more > 0:
            lines.append(f"  ... and {more} more")
        super().__init__("\n".join(lines))

    def _headline(self) -> str:
        raise NotImplementedError

    def __reduce__(self) -> tuple[type[_ProblemsError], tuple[str, tuple[Problem, ...], int]]:
        return (type(self), (self.shape, self.problems, self.problem_count))


class ParamValidationError(_ProblemsError):
    """Input failed client-side validation; nothing was sent to AWS.

    ``shape`` names the botocore shape that was validated and ``problems`` lists the broken rules
    (the first :data:`MAX_KEPT_PROBLEMS`; ``problem_count`` is how many there were in all).
    """

    def _headline(self) -> str:
        count = self.problem_count
        return f"{count} invalid parameter{'s' if count != 1 else ''} for {self.shape}:"


class ResponseParseError(_ProblemsError):
    """A response could not be parsed at all (not a JSON object, not valid JSON, nested more than
    64 levels deep, or refused by botocore's own parser when ``fast_parse=False``).

    Lenient parsing keeps anything inside a well-formed object, so this is raised only when the
    document itself is unusable. Like every SDK error, its text holds no response content.
    """

    def _headline(self) -> str:
        return f"cannot parse the response as {self.shape}:"


class MissingMemberError(CustomerProfilesError, AttributeError):
    """A member the service model marks as required is not there to read.

    Responses are parsed leniently: a reply that lacks a required member, sends it as ``null``, or
    sends a value of the wrong type still parses, and keeps everything it carried. Reading such a
    member (``response.profile_id``) raises this error instead of handing back ``None`` or the
    unexpected value under a type that promises a ``str``. It is an ``AttributeError``, so
    ``getattr(response, "profile_id", None)`` and ``hasattr`` work as usual. A value of the wrong
    type is still in ``response.to_boto()`` under its wire name.

    ``shape`` is the botocore shape, ``member`` the wire name, ``name`` the Python attribute name
    and ``reason`` either ``"absent"`` or ``"unexpected_type"``. The text names these (and for
    an unexpected type, the Python type the value arrived as), never the value.
    """

    ABSENT: ClassVar[str] = "absent"
    UNEXPECTED_TYPE: ClassVar[str] = "unexpected_type"

    def __init__(self, shape: str, member: str, name: str, reason: str = "absent", arrived_as: str = "") -> None:
        self.shape = shape
        self.member = member
        self.reason = reason
        self.arrived_as = arrived_as
        if reason == self.UNEXPECTED_TYPE:
            what = f"arrived with an unexpected type ({arrived_as or 'unknown'}); its value is kept in to_boto()"
        else:
            what = "is absent from the response"
        super().__init__(
            f"{shape}.{member} (attribute {name!r}) is required by the service model but {what}; "
            f"use getattr(obj, {name!r}, default) to read it when it may be missing",
            name=name,
        )

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.shape, self.member, self.name, self.reason, self.arrived_as))


# ---------------------------------------------------------------------------------------------
# Service errors: typed, and still botocore ClientErrors.
# ---------------------------------------------------------------------------------------------


def _bounded_response(error_response: Any) -> Any:
    """``error_response`` with its error code and message quoted (:func:`quoted`), for the text
    of a :class:`ServiceError`; anything else in it is left as it is."""
    error = error_response.get("Error") if isinstance(error_response, Mapping) else None
    if not isinstance(error, Mapping):
        return error_response
    bounded = dict(error)
    for key in ("Code", "Message"):
        if key in bounded:
            bounded[key] = quoted(bounded[key])
    return {**error_response, "Error": bounded}


class ServiceError(CustomerProfilesError, ClientError):
    """Customer Profiles answered with an error.

    A subclass of :class:`botocore.exceptions.ClientError`, so ``except ClientError`` code keeps
    working, and ``err.response`` is botocore's error dict. The original ClientError is the
    ``__cause__``. When botocore raised one of its modeled classes (``client.exceptions.X``), the
    raised object is also an instance of that class, so ``except client.exceptions.X`` keeps
    working too.

    The text is botocore's: the error code, the operation and the service's message. The SDK adds
    no request values to it. The code and the message are quoted bounded and escaped
    (:func:`quoted`: at most :data:`MAX_QUOTED_CHARS` characters each, control characters and
    newlines escaped); :attr:`code`, :attr:`message` and ``response`` hold them in full.
    """

    #: The modeled error code this class stands for (empty for the fallback class).
    code_name: ClassVar[str] = ""
    #: The HTTP status the service model gives for this error.
    default_http_status: ClassVar[int | None] = None

    def __init__(self, error_response: Any, operation_name: Any) -> None:
        super().__init__(_bounded_response(error_response), quoted(operation_name))
        # botocore's dict, whole and unchanged (the text above was built from a bounded copy).
        self.response = error_response
        self.operation_name = operation_name

    @property
    def code(self) -> str:
        """The error code, for example ``ResourceNotFoundException``."""
        return str(self.response.get("Error", {}).get("Code", "") or self.code_name)

    @property
    def message(self) -> str:
        """The service's message (may be empty)."""
        error = self.response.get("Error", {})
        return str(error.get("Message") or error.get("message") or "")

    @property
    def request_id(self) -> str | None:
        """The request id, for AWS support (``x-amzn-RequestId``)."""
        metadata = self.response.get("ResponseMetadata", {})
        # botocore leaves RequestId out for a 5xx whose body is empty or HTML; the header has it.
        value = metadata.get("RequestId") or (metadata.get("HTTPHeaders") or {}).get("x-amzn-requestid")
        return str(value) if value else None

    @property
    def http_status(self) -> int | None:
        """The HTTP status code of the final attempt."""
        value = self.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        return int(value) if value is not None else None

    @property
    def retry_attempts(self) -> int:
        """How many times botocore retried before giving up (0 when it did not retry)."""
        return int(self.response.get("ResponseMetadata", {}).get("RetryAttempts", 0) or 0)

    def __reduce__(self) -> tuple[Any, ...]:
        # Dynamic subclasses (mixed with botocore's per-session classes) pickle as the SDK class.
        return (_static_class(type(self)), (self.response, self.operation_name))


class BadRequestError(ServiceError):
    """``BadRequestException`` (HTTP 400): the service rejected the request. Not retried."""

    code_name = "BadRequestException"
    default_http_status = 400


class AccessDeniedError(ServiceError):
    """``AccessDeniedException`` (HTTP 403): the caller may not do this. Not retried."""

    code_name = "AccessDeniedException"
    default_http_status = 403


class ResourceNotFoundError(ServiceError):
    """``ResourceNotFoundException`` (HTTP 404): a named resource does not exist. Not retried."""

    code_name = "ResourceNotFoundException"
    default_http_status = 404


class ThrottlingError(ServiceError):
    """``ThrottlingException`` (HTTP 429): too many requests; raised once retries are exhausted."""

    code_name = "ThrottlingException"
    default_http_status = 429


class InternalServerError(ServiceError):
    """``InternalServerException`` (HTTP 500): the service failed; raised once retries are exhausted."""

    code_name = "InternalServerException"
    default_http_status = 500


class UnmodeledServiceError(ServiceError):
    """An error code the service model does not name (for example a gateway's 502 or 503)."""


#: Modeled error code -> SDK class.
SERVICE_ERRORS: dict[str, type[ServiceError]] = {
    cls.code_name: cls
    for cls in (BadRequestError, AccessDeniedError, ResourceNotFoundError, ThrottlingError, InternalServerError)
}


class TransportError(CustomerProfilesError):
    """No usable HTTP response: the connection failed, was reset, or timed out.

    The original botocore exception is the ``__cause__``. The raised object is also an instance of
    that botocore class (``ReadTimeoutError``, ``EndpointConnectionError``, ...), so existing
    ``except`` clauses keep working.

    Its text is botocore's, with every URL cut to scheme, host and path (a request URL's query
    string may hold a ``next-token``; a proxy URL may hold a password), escaped and bounded to
    :data:`MAX_TRANSPORT_CHARS` characters. The same goes for the string values in ``kwargs``.
    The ``__cause__`` is botocore's exception as botocore made it.
    """

    def __reduce__(self) -> tuple[Any, ...]:
        botocore_class = next(
            (c for c in type(self).__mro__ if issubclass(c, BotoCoreError) and not issubclass(c, TransportError)), None
        )
        kwargs = getattr(self, "kwargs", None)
        if botocore_class is None or kwargs is None:
            return (TransportError, self.args)
        return (_rebuild_transport_error, (botocore_class, {key: _portable(value) for key, value in kwargs.items()}))


def _portable(value: Any) -> Any:
    """``value`` if it survives a pickle round trip, else its scrubbed text: some urllib3 releases
    (2.0) cannot rebuild their own exceptions (``NewConnectionError`` wants two arguments)."""
    if isinstance(value, str | int | float | bool | None):
        return value
    try:
        pickle.loads(pickle.dumps(value))
    except Exception:  # whatever the object's own pickling raises
        return quoted(without_url_secrets(str(value)), MAX_TRANSPORT_CHARS)
    return value


def _rebuild_transport_error(botocore_class: type[BotoCoreError], kwargs: dict[str, Any]) -> TransportError:
    return _scrubbed(_mixed_class(TransportError, botocore_class)(**kwargs))


def _scrubbed(error: TransportError) -> TransportError:
    """``error`` with its text and its string ``kwargs`` freed of URL secrets, and bounded."""
    error.args = (quoted(without_url_secrets(str(error)), MAX_TRANSPORT_CHARS),)
    kwargs = getattr(error, "kwargs", None)
    if isinstance(kwargs, dict):
        error.kwargs = {  # type: ignore[attr-defined]
            key: without_url_secrets(value) if isinstance(value, str) else value for key, value in kwargs.items()
        }
    return error


class IncompatibleBotocoreError(CustomerProfilesError, RuntimeError):
    """A botocore model cannot carry a call: the base of :class:`OperationNotSupportedError`.

    No longer raised when a client is created (the SDK's clients bring their own model); kept so
    that ``except IncompatibleBotocoreError`` goes on working. ``minimum`` and ``installed`` hold
    two botocore versions (the first that has what was needed, if known, and the installed one).
    """

    def __init__(self, message: str, minimum: str = "", installed: str = "") -> None:
        super().__init__(message)
        self.minimum = minimum
        self.installed = installed

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (str(self), self.minimum, self.installed))


class OperationNotSupportedError(IncompatibleBotocoreError):
    """The boto3 client passed as ``client=`` has a model that lacks an operation or a member.

    Raised by the call, before anything is sent; the client's other operations keep working.
    ``operation`` names the operation and ``member`` the member path it lacks ("" when the whole
    operation is missing). Let the SDK create the client (it brings its own model) or upgrade
    botocore.
    """

    def __init__(self, message: str, operation: str = "", member: str = "", installed: str = "") -> None:
        super().__init__(message, "", installed)
        self.operation = operation
        self.member = member

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (str(self), self.operation, self.member, self.installed))


class PaginationError(CustomerProfilesError):
    """A paginator could not go on: the service repeated a token, sent ``max_empty_pages`` empty
    pages in a row or passed ``max_pages`` requests, or a resume token is unusable."""


class UploadError(CustomerProfilesError):
    """The CSV file of an upload job did not reach the job's upload URL.

    Either no answer came at all (the connection failed or timed out; ``status`` is None), or the
    URL refused the file: ``status`` is the HTTP status and ``code`` the S3 error code of the
    answer (``AccessDenied`` for an expired URL, ``InvalidArgument`` for a wrong SSE-C key, ...;
    None when the answer named none). ``job_id`` is the upload job, when one was created (None
    for a bare upload). The job is left as it is, in status ``CREATED``: read it with
    ``get_upload_job``, stop it with ``stop_upload_job``.

    The text names the status, the code and the job; never the upload URL or its query (a
    signature), the SSE-C key (the job's ``ClientToken``), a header value or the answer's body.
    """

    def __init__(self, message: str, *, status: int | None = None, code: str | None = None,
                 job_id: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.job_id = job_id

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (str(self),), {"status": self.status, "code": self.code, "job_id": self.job_id})


class _WaiterError(CustomerProfilesError, WaiterError):
    """A waiter stopped without reaching a success state. ``last_response`` is the last response
    model it read (None if every poll failed); ``status`` its status value; ``waiter`` the
    waiter's name; ``elapsed`` the seconds it waited. A botocore ``WaiterError`` too."""

    def __init__(self, waiter: str, reason: str, last_response: Any, status: str | None, elapsed: float) -> None:
        WaiterError.__init__(self, waiter, reason, last_response)
        self.waiter = waiter
        self.status = status
        self.elapsed = elapsed

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.waiter, self.kwargs["reason"], self.last_response, self.status, self.elapsed))


class WaiterFailedError(_WaiterError):
    """The resource reached one of the waiter's failure states (``status`` says which)."""


class WaiterTimeoutError(_WaiterError):
    """The waiter's ``timeout`` passed before the resource reached a success or failure state."""


@dataclass(frozen=True, slots=True)
class Failure:
    """One failed entry of a batch call: the id it concerns, the error code and the message.

    The service's per-entry message can quote the entry (a key value, part of an object), so it
    is kept out of ``repr()``; read ``failure.message`` when you need it.
    """

    id: str
    code: str
    message: str = field(repr=False)


class PartialFailureError(CustomerProfilesError, Generic[_ResponseT]):
    """A batch call answered HTTP 200 but some entries failed.

    Raised by ``batch_get_profile``, ``batch_get_calculated_attribute_for_profile`` and
    ``batch_put_profile_object`` unless ``allow_partial=True`` is passed. ``response`` is the full
    typed response (the successful entries are in it, nothing is lost), ``failures`` lists each
    failed entry and ``failed_ids`` their ids. The text gives counts and error codes only.

    The class is generic in the response type: ``batch_get_profile`` raises a
    ``PartialFailureError[BatchGetProfileResponse]``. ``except PartialFailureError as exc`` catches
    every one of them (an ``except`` clause cannot name a parametrized class); there ``exc`` is
    ``PartialFailureError[Any]``, and annotating a variable gives ``.response`` its type::

        try:
            result = client.batch_get_profile(domain_name="shop", profile_ids=ids)
        except PartialFailureError as exc:
            failure: PartialFailureError[BatchGetProfileResponse] = exc
            result = failure.response  # a BatchGetProfileResponse, for mypy and pyright too
    """

    def __init__(self, operation_name: str, response: _ResponseT, failures: Sequence[Failure]) -> None:
        self.operation_name = operation_name
        self.response = response
        self.failures: tuple[Failure, ...] = tuple(failures)
        codes: dict[str, int] = {}
        for failure in self.failures:
            code = failure.code or "no code"
            codes[code] = codes.get(code, 0) + 1
        # The codes come from the service: each is quoted bounded, and at most MAX_LISTED_CODES
        # of them are named.
        ranked = sorted(codes.items())
        summary = ", ".join(f"{quoted(code, 64)} x{count}" for code, count in ranked[:MAX_LISTED_CODES])
        if len(ranked) > MAX_LISTED_CODES:
            summary += f", and {len(ranked) - MAX_LISTED_CODES} more codes"
        count = len(self.failures)
        super().__init__(
            f"{operation_name}: {count} entr{'ies' if count != 1 else 'y'} failed ({summary}); "
            "see .failures, .failed_ids and .response, or pass allow_partial=True"
        )

    @property
    def failed_ids(self) -> tuple[str, ...]:
        """The ids of the failed entries, in the order the service listed them."""
        return tuple(failure.id for failure in self.failures)

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.operation_name, self.response, self.failures))


# ---------------------------------------------------------------------------------------------
# Mixing SDK classes with the botocore class that was raised.
# ---------------------------------------------------------------------------------------------

_MIXED_LOCK = threading.Lock()


def _mixed_class(ours: type[_E], theirs: type[BaseException]) -> type[_E]:
    """Return a class deriving from both ``ours`` and ``theirs``.

    It is cached on ``theirs`` itself, not in a module-level table: botocore creates its modeled
    exception classes per session, and a global cache would keep every session's classes alive.
    """
    if issubclass(theirs, ours) or theirs in ours.__mro__:
        return ours
    key = f"_cp_mixed_{ours.__name__}"
    cls = theirs.__dict__.get(key)
    if cls is None:
        with _MIXED_LOCK:
            cls = theirs.__dict__.get(key)
            if cls is None:
                namespace = {"__module__": ours.__module__, "__qualname__": ours.__qualname__, "_cp_static": ours}
                cls = type(ours.__name__, (ours, theirs), namespace)
                setattr(theirs, key, cls)
    return typing.cast(type[_E], cls)


def _static_class(cls: type[Any]) -> type[Any]:
    return typing.cast(type[Any], cls.__dict__.get("_cp_static", cls))


def service_error(exc: ClientError) -> ServiceError:
    """Translate botocore's ClientError into the SDK's typed error (``__cause__`` set by the caller)."""
    code = str(exc.response.get("Error", {}).get("Code", ""))
    ours: type[ServiceError] = SERVICE_ERRORS.get(code, UnmodeledServiceError)
    cls = ours if type(exc) is ClientError else _mixed_class(ours, type(exc))
    return cls(exc.response, exc.operation_name)


def transport_error(exc: BotoCoreError) -> TransportError:
    """Translate a botocore connection or timeout error into :class:`TransportError`."""
    cls = _mixed_class(TransportError, type(exc))
    try:
        error = cls(**getattr(exc, "kwargs", {}))
    except Exception:  # a botocore class whose constructor we cannot replay
        error = TransportError(str(exc))
    return _scrubbed(error)
