"""Lazy paginators for every Customer Profiles operation that takes ``NextToken``.

``client.paginate_<op>(...)`` returns a :class:`Paginator`. Iterating it yields the items of the
operation's list member one by one, fetching one page at a time; :meth:`Paginator.pages` yields the
typed responses instead. Both honour ``max_items``, ``page_size`` and ``starting_token``, and
:attr:`Paginator.resume_token` tells where to start next time.

A pass never runs unbounded on a misbehaving service: a repeated ``NextToken``, more than
``max_empty_pages`` empty pages in a row, or more than ``max_pages`` requests raise
:class:`~customer_profiles_sdk.errors.PaginationError`. The defaults are the module-level
:data:`DEFAULT_MAX_EMPTY_PAGES` and :data:`DEFAULT_MAX_PAGES` (read when a paginator is made).

This module is hand-written; the generator never touches it.
"""

from __future__ import annotations

import base64
import binascii
import enum
import hashlib
import json
import numbers
import operator
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any, Final, Generic, Literal, TypeVar

from .errors import PaginationError, ParamValidationError, Problem

__all__ = ["DEFAULT_MAX_EMPTY_PAGES", "DEFAULT_MAX_PAGES", "AsyncPaginator", "Paginator"]

ItemT = TypeVar("ItemT")
PageT = TypeVar("PageT")

#: Prefix of resume tokens that point into the middle of a page (see :attr:`Paginator.resume_token`).
RESUME_PREFIX = "cpsdk1:"

#: Default ``max_empty_pages``: pages in a row that hold no item but still carry a ``NextToken``.
#: A real listing has no reason to send a hundred empty pages in a row (each costs a request);
#: a service that does so for ever would otherwise keep a pass, even one with ``max_items``,
#: requesting pages without end.
DEFAULT_MAX_EMPTY_PAGES: int | None = 100
#: Default ``max_pages``: requests per pass. A million pages is 100 million items at a page size
#: of 100 (hours of requests), far beyond any real listing, yet it guarantees that a pass over a
#: service that never stops sending tokens ends.
DEFAULT_MAX_PAGES: int | None = 1_000_000
#: How many of a pass's most recent tokens are remembered exactly, as 16-byte digests whatever the
#: token's length (about 1 MB when full). A token that comes back within this many pages is
#: caught before any item repeats; a longer cycle is still caught, by Brent's cycle detection
#: (see _TokenGuard), after at most about three times its length in requests.
RECENT_TOKENS: Final = 10_000


class _Default(enum.Enum):
    DEFAULT = "default"


_DEFAULT: Final = _Default.DEFAULT


def encode_resume_token(token: str | None, skip: int) -> str:
    """A resume token for "request the page at ``token`` again and skip ``skip`` items"."""
    if skip == 0 and token is not None:
        return token
    body = json.dumps({"token": token, "skip": skip}, separators=(",", ":")).encode()
    return RESUME_PREFIX + base64.urlsafe_b64encode(body).decode("ascii")


def decode_resume_token(operation: str, value: str) -> tuple[str | None, int]:
    """Split a resume token into (service token or None, items to skip on that page)."""
    if not value.startswith(RESUME_PREFIX):
        return value, 0
    try:
        data = json.loads(base64.urlsafe_b64decode(value[len(RESUME_PREFIX):].encode("ascii")))
        token, skip = data["token"], data["skip"]
        if not (token is None or isinstance(token, str)) or not isinstance(skip, int) or skip < 0:
            raise ValueError
    except (ValueError, KeyError, TypeError, UnicodeError, binascii.Error, RecursionError):
        raise ParamValidationError(
            f"paginate {operation}",
            [Problem("starting_token", "type", "not a resume token produced by this SDK, nor a service token")],
        ) from None
    return token, skip


class _PaginatorBase(Generic[ItemT, PageT]):
    """What :class:`Paginator` and :class:`AsyncPaginator` share: the options and their checks,
    the limits, the resume token and the page-to-page logic (:class:`_Walk`), none of it doing I/O.
    """

    def __init__(
        self,
        operation: str,
        fetch: Callable[[str | None, int | None], Any],
        items_of: Callable[[PageT], list[ItemT]],
        token_of: Callable[[PageT], str | None],
        set_items: Callable[[PageT, list[ItemT]], None],
        *,
        page_size: int | None = None,
        max_items: int | None = None,
        starting_token: str | None = None,
        limit_bounds: tuple[int, int] | None = None,
        max_pages: int | Literal[_Default.DEFAULT] | None = _DEFAULT,
        max_empty_pages: int | Literal[_Default.DEFAULT] | None = _DEFAULT,
    ) -> None:
        # The paginator's own options are reported under their own names (never as the request's
        # MaxResults or NextToken), all at once, before anything is sent.
        problems: list[Problem] = []
        if page_size is not None:
            low, high = limit_bounds if limit_bounds is not None else (1, None)
            bounds = f"from {low} to {high}" if high is not None else f">= {low}"
            whole = _exact_whole(page_size)
            if whole is None:
                problems.append(Problem("page_size", "type", f"must be an integer {bounds}"))
            elif whole < low:
                problems.append(Problem("page_size", "min", f"must be an integer {bounds}"))
            elif high is not None and whole > high:
                problems.append(Problem("page_size", "max", f"must be an integer {bounds}"))
            else:
                page_size = whole
        if max_items is not None:
            whole = _whole(max_items)
            if whole is None or whole < 1:
                rule = "type" if whole is None else "min"
                problems.append(Problem("max_items", rule, "must be an integer >= 1"))
            else:
                max_items = whole
        if starting_token is not None and not isinstance(starting_token, str):
            problems.append(Problem("starting_token", "type", "must be a string"))
        if problems:
            raise ParamValidationError(f"paginate {operation}", problems)
        self.operation = operation
        self.max_pages = DEFAULT_MAX_PAGES if max_pages is _DEFAULT else max_pages
        self.max_empty_pages = DEFAULT_MAX_EMPTY_PAGES if max_empty_pages is _DEFAULT else max_empty_pages
        self._fetch = fetch
        self._items_of = items_of
        self._token_of = token_of
        self._set_items = set_items
        self.page_size = page_size
        self.max_items = max_items
        self.starting_token = starting_token
        self._start: tuple[str | None, int] = (
            decode_resume_token(operation, starting_token) if starting_token is not None else (None, 0)
        )
        self._limit_bounds = limit_bounds
        self._resume: str | None = starting_token
        #: Pages fetched by the most recent pass.
        self.pages_fetched = 0

    @property
    def max_pages(self) -> int | None:
        """At most this many requests per pass (``None``: no limit); see the class docs."""
        return self._max_pages

    @max_pages.setter
    def max_pages(self, value: int | None) -> None:
        self._max_pages = _limit(self.operation, "max_pages", value)

    @property
    def max_empty_pages(self) -> int | None:
        """At most this many empty pages in a row (``None``: no limit); see the class docs."""
        return self._max_empty_pages

    @max_empty_pages.setter
    def max_empty_pages(self, value: int | None) -> None:
        self._max_empty_pages = _limit(self.operation, "max_empty_pages", value)

    @property
    def start_token(self) -> str | None:
        """The service ``NextToken`` the first page is requested with (from ``starting_token``)."""
        return self._start[0]

    @property
    def resume_token(self) -> str | None:
        """Where the most recent pass stopped: ``None`` if it read everything (see the class docs).

        After a :class:`PaginationError` for ``max_pages`` or ``max_empty_pages`` it is where to
        carry on; after any other :class:`PaginationError` it is not meaningful.
        """
        return self._resume

    def _begin(self) -> _Walk[ItemT, PageT]:
        """Start a pass: the resume token goes back to ``starting_token``."""
        self._resume = self.starting_token
        self.pages_fetched = 0
        return _Walk(self)

    def _end(self, state: _Pass, skip: int, length: int) -> int:
        if self.max_items is None:
            return length
        return min(length, skip + self.max_items - state.handed)

    def _request_size(self, wanted: int | None, skip: int) -> int | None:
        """The page size to ask for.

        ``page_size``, or less when fewer items are still wanted; and when resuming mid-page, at
        least ``skip + 1`` so that the page reaches past the items already handed out (the
        service's default page size is unknown, so it is never relied on then).
        """
        size = self.page_size
        if self._limit_bounds is None:
            return size
        low, high = self._limit_bounds
        if wanted is not None and wanted < (size if size is not None else high):
            size = max(low, wanted)
        if skip and (size is None or size <= skip):
            size = min(high, max(low, skip + 1)) if size is not None else high
        return size

    def _hand_out(self, walk: _Walk[ItemT, PageT], page: _Page[ItemT, PageT]) -> Iterator[ItemT]:
        """The items of one fetched page that this pass hands out, one by one (no I/O)."""
        state, (token, skip, items, next_token, _page) = walk.state, page
        end = self._end(state, skip, len(items))
        if skip >= end:
            self._resume = next_token if end >= len(items) else encode_resume_token(token, end)
            return
        for index in range(skip, end):
            state.handed += 1
            # Set before handing the item out: the consumer may stop right after it.
            self._resume = next_token if index + 1 >= len(items) else encode_resume_token(token, index + 1)
            yield items[index]

    def _cut(self, walk: _Walk[ItemT, PageT], page: _Page[ItemT, PageT]) -> PageT:
        """One fetched page as :meth:`pages` hands it out: cut to ``max_items`` (no I/O)."""
        state, (token, skip, items, next_token, response) = walk.state, page
        end = self._end(state, skip, len(items))
        kept = items[skip:end]
        if skip or end < len(items):
            self._set_items(response, kept)
        state.handed += len(kept)
        self._resume = next_token if end >= len(items) else encode_resume_token(token, end)
        return response


class Paginator(_PaginatorBase[ItemT, PageT]):
    """Iterate an operation's items (or its pages) lazily, one page in memory at a time.

    * ``for item in paginator`` yields items across pages; ``paginator.pages()`` yields the typed
      responses. Each pass starts again from ``starting_token`` (or the first page).
    * ``max_items`` stops after that many items. The last page of :meth:`pages` is cut to fit.
    * ``page_size`` is sent as the operation's ``MaxResults``. When fewer items remain than a
      page holds, the last request asks only for what is needed (within the member's bounds).
      An invalid ``page_size``, ``max_items`` or ``starting_token`` raises
      :class:`~customer_profiles_sdk.errors.ParamValidationError` naming that argument.
    * :attr:`resume_token` is ``None`` once a pass has read everything; after stopping early (at
      ``max_items`` or by leaving the loop) it is the token to pass as ``starting_token`` to carry
      on exactly after the last item handed out. It is the service's own ``NextToken`` when the
      stop falls on a page boundary; otherwise an SDK token (prefix ``cpsdk1:``) that also records
      how many items of that page to skip. Resume with the same arguments and ``page_size``.
      The tokens are the same for :class:`AsyncPaginator`: either one resumes the other's pass.
    * A service that sends a token already seen in this pass raises :class:`PaginationError`,
      instead of looping for ever. Memory stays bounded however long the pass: the last
      :data:`RECENT_TOKENS` tokens are remembered as digests, and older cycles are caught too.
    * ``max_empty_pages`` (default :data:`DEFAULT_MAX_EMPTY_PAGES`, 100): after that many pages in
      a row with no item but a ``NextToken``, the pass raises :class:`PaginationError`.
      ``max_pages`` (default :data:`DEFAULT_MAX_PAGES`, 1,000,000): a pass makes at most that many
      requests; if the service still sends a ``NextToken`` after the last, it raises
      :class:`PaginationError`. Either may be ``None`` (no limit). Both are also attributes, so a
      paginator returned by ``client.paginate_<op>(...)`` can be adjusted before it is iterated.
      After either error, :attr:`resume_token` is where to carry on if you decide to.

    Items typed as a model may arrive as a :class:`~customer_profiles_sdk._model.RawValue` when the
    service sends something of another type; nothing is dropped.
    """

    _fetch: Callable[[str | None, int | None], PageT]

    def __iter__(self) -> Iterator[ItemT]:
        walk = self._begin()
        while (request := walk.next_request()) is not None:
            yield from self._hand_out(walk, walk.received(self._fetch(*request)))

    def pages(self) -> Iterator[PageT]:
        """Yield each page's typed response; with ``max_items`` the last page is cut to fit.

        A cut page keeps the service's ``next_token``; continue from :attr:`resume_token` instead.
        """
        walk = self._begin()
        while (request := walk.next_request()) is not None:
            yield self._cut(walk, walk.received(self._fetch(*request)))


class AsyncPaginator(_PaginatorBase[ItemT, PageT]):
    """The asynchronous :class:`Paginator`: ``async for item in paginator`` and
    ``async for page in paginator.pages()``, with the same options, limits, guards and resume
    tokens (a token from either kind of paginator resumes the other). Returned by the
    ``paginate_<op>`` methods of :class:`~customer_profiles_sdk.AsyncCustomerProfilesClient`.
    """

    _fetch: Callable[[str | None, int | None], Awaitable[PageT]]

    async def __aiter__(self) -> AsyncIterator[ItemT]:
        walk = self._begin()
        while (request := walk.next_request()) is not None:
            for item in self._hand_out(walk, walk.received(await self._fetch(*request))):
                yield item

    async def pages(self) -> AsyncIterator[PageT]:
        """Yield each page's typed response; with ``max_items`` the last page is cut to fit."""
        walk = self._begin()
        while (request := walk.next_request()) is not None:
            yield self._cut(walk, walk.received(await self._fetch(*request)))


#: One fetched page: (the token it was requested with, items to skip, its items, its NextToken,
#: the response).
_Page = tuple[str | None, int, list[ItemT], str | None, PageT]


class _Walk(Generic[ItemT, PageT]):
    """The page-to-page logic of one pass, without I/O: :meth:`next_request` says which page to
    fetch next (or None when the pass is over), :meth:`received` checks the fetched page. The
    sync and async paginators only differ in how they fetch between the two."""

    __slots__ = ("_first", "_guard", "_next", "_paginator", "_skip", "_token", "state")

    def __init__(self, paginator: _PaginatorBase[ItemT, PageT]) -> None:
        self._paginator = paginator
        self.state = _Pass()
        self._token, self._skip = paginator._start
        self._guard = _TokenGuard(self._token)
        self._first = True
        self._next: str | None = None

    def next_request(self) -> tuple[str | None, int | None] | None:
        """``(token, page size)`` of the next page to fetch, or None: the pass is over.

        Raises :class:`PaginationError` when the service misbehaves (a repeated token, too many
        empty pages in a row, or a token still sent after ``max_pages`` requests).
        """
        paginator, state = self._paginator, self.state
        if not self._first:
            next_token = self._next
            if paginator.max_items is not None and state.handed >= paginator.max_items:
                return None
            if next_token is None:
                return None
            # The limits are read here, so a change made while the pass runs applies at once.
            if self._guard.repeated(next_token):
                raise PaginationError(
                    f"{paginator.operation}: the service sent a NextToken already used in this pass "
                    f"(after page {state.fetched}); stopping instead of looping for ever"
                )
            limit = paginator.max_empty_pages
            if limit is not None and state.empty_run >= limit:
                raise PaginationError(
                    f"{paginator.operation}: {state.empty_run} page{'s' if state.empty_run != 1 else ''} in a row "
                    "held no item but a NextToken "
                    f"(max_empty_pages={limit}, {state.fetched} requests in this pass); "
                    "stopping. Raise max_empty_pages or carry on from resume_token if this is expected"
                )
            if paginator.max_pages is not None and state.fetched >= paginator.max_pages:
                raise PaginationError(
                    f"{paginator.operation}: the service still sent a NextToken after {state.fetched} requests "
                    f"in this pass (max_pages={paginator.max_pages}); stopping. Raise max_pages or carry on "
                    "from resume_token if this is expected"
                )
            self._token, self._skip = next_token, 0
        self._first = False
        wanted = None if paginator.max_items is None else paginator.max_items - state.handed + self._skip
        return self._token, paginator._request_size(wanted, self._skip)

    def received(self, page: PageT) -> _Page[ItemT, PageT]:
        """Check the page just fetched for :meth:`next_request`'s request; returns it split up."""
        paginator, state, skip = self._paginator, self.state, self._skip
        paginator.pages_fetched += 1
        state.fetched += 1
        items = paginator._items_of(page)
        next_token = paginator._token_of(page) or None
        if skip and len(items) <= skip and next_token is not None:
            raise PaginationError(
                f"{paginator.operation}: the page at the resume token has {len(items)} items, not more than the "
                f"{skip} already handed out; the token does not match these arguments"
            )
        state.empty_run = state.empty_run + 1 if len(items) <= skip else 0
        self._next = next_token
        return self._token, skip, items, next_token, page


def _limit(operation: str, name: str, value: object) -> int | None:
    """Check a ``max_pages`` / ``max_empty_pages`` value: an integer >= 1, or None."""
    if value is None:
        return None
    whole = _whole(value)
    if whole is None or whole < 1:
        rule = "type" if whole is None else "min"
        raise ParamValidationError(
            f"paginate {operation}", [Problem(name, rule, "must be an integer >= 1, or None for no limit")]
        )
    return whole


def _whole(value: object) -> int | None:
    """``value`` as a plain ``int`` when it is an integer of any type (numpy's too), else None.

    ``bool`` is not an integer here, as in the models (docs/models.md, "Numbers").
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        return None
    try:
        return operator.index(value)
    except TypeError:
        return None


def _exact_whole(value: object) -> int | None:
    """As :func:`_whole`, and a ``Decimal`` or ``Fraction`` with a whole value too (``Decimal("5")``).

    The same values the models take for an integer member (MaxResults, which ``page_size`` sets).
    """
    whole = _whole(value)
    if whole is not None or isinstance(value, bool):
        return whole
    from decimal import Decimal
    from fractions import Fraction

    if isinstance(value, Decimal) and value.is_finite():
        if value.adjusted() > 18:  # beyond any page size: int() of 1e999999999 would take a while
            return 2**63 if value > 0 else -(2**63)
        return int(value) if value == value.to_integral_value() else None
    if isinstance(value, Fraction) and value.denominator == 1:
        return int(value)
    return None


def _digest(token: str) -> bytes:
    return hashlib.blake2b(token.encode("utf-8", "surrogatepass"), digest_size=16).digest()


class _TokenGuard:
    """Tells whether a pass has seen a token before, in bounded memory.

    The last :data:`RECENT_TOKENS` tokens are kept as digests, so a short cycle is caught at its
    first repeat. A longer cycle is caught by Brent's algorithm: one more digest (the "mark") is
    moved to the current token after 1, 2, 4, 8, ... steps; once the interval reaches the cycle's
    length with the mark inside the cycle, the cycle comes back to the mark. Tokens are never
    kept as text.
    """

    __slots__ = ("_mark", "_order", "_power", "_recent", "_steps")

    def __init__(self, first: str | None) -> None:
        self._recent: set[bytes] = set()
        self._order: deque[bytes] = deque()
        self._mark: bytes | None = None
        self._power = 1
        self._steps = 0
        if first is not None:
            self._mark = _digest(first)
            self._remember(self._mark)

    def _remember(self, digest: bytes) -> None:
        self._recent.add(digest)
        self._order.append(digest)
        if len(self._order) > RECENT_TOKENS:
            self._recent.discard(self._order.popleft())

    def repeated(self, token: str) -> bool:
        """True if ``token`` was seen before in this pass (as far as can be told); else remember it."""
        digest = _digest(token)
        if digest == self._mark or digest in self._recent:
            return True
        self._remember(digest)
        self._steps += 1
        if self._steps >= self._power:
            self._mark = digest
            self._power *= 2
            self._steps = 0
        return False


class _Pass:
    """The state of one pass (one iteration): passes over one paginator do not share it."""

    __slots__ = ("empty_run", "fetched", "handed")

    def __init__(self) -> None:
        self.handed = 0
        #: Requests made by this pass, and how many of the last ones in a row were empty pages.
        self.fetched = 0
        self.empty_run = 0
