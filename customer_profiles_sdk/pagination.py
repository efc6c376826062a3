"""Lazy paginators for every Customer Profiles operation that takes ``NextToken``.

``client.paginate_<op>(...)`` returns a :class:`Paginator`. Iterating it yields the items of the
operation's list member one by one, fetching one page at a time; :meth:`Paginator.pages` yields the
typed responses instead. Both honour ``max_items``, ``page_size`` and ``starting_token``, and
:attr:`Paginator.resume_token` tells where to start next time.

This module is hand-written; the generator never touches it.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

from .errors import PaginationError, ParamValidationError, Problem

__all__ = ["Paginator"]

ItemT = TypeVar("ItemT")
PageT = TypeVar("PageT")

#: Prefix of resume tokens that point into the middle of a page (see :attr:`Paginator.resume_token`).
RESUME_PREFIX = "cpsdk1:"


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
    except (ValueError, KeyError, TypeError, UnicodeError, binascii.Error):
        raise ParamValidationError(
            f"paginate {operation}",
            [Problem("starting_token", "type", "not a resume token produced by this SDK, nor a service token")],
        ) from None
    return token, skip


class Paginator(Generic[ItemT, PageT]):
    """Iterate an operation's items (or its pages) lazily, one page in memory at a time.

    * ``for item in paginator`` yields items across pages; ``paginator.pages()`` yields the typed
      responses. Each pass starts again from ``starting_token`` (or the first page).
    * ``max_items`` stops after that many items. The last page of :meth:`pages` is cut to fit.
    * ``page_size`` is sent as the operation's ``MaxResults``. When fewer items remain than a
      page holds, the last request asks only for what is needed (within the member's bounds).
    * :attr:`resume_token` is ``None`` once a pass has read everything; after stopping early (at
      ``max_items`` or by leaving the loop) it is the token to pass as ``starting_token`` to carry
      on exactly after the last item handed out. It is the service's own ``NextToken`` when the
      stop falls on a page boundary; otherwise an SDK token (prefix ``cpsdk1:``) that also records
      how many items of that page to skip. Resume with the same arguments and ``page_size``.
    * A service that sends a token already seen in this pass raises :class:`PaginationError`,
      instead of looping for ever.

    Items typed as a model may arrive as a :class:`~customer_profiles_sdk._model.RawValue` when the
    service sends something of another type; nothing is dropped.
    """

    def __init__(
        self,
        operation: str,
        fetch: Callable[[str | None, int | None], PageT],
        items_of: Callable[[PageT], list[ItemT]],
        token_of: Callable[[PageT], str | None],
        set_items: Callable[[PageT, list[ItemT]], None],
        *,
        page_size: int | None = None,
        max_items: int | None = None,
        starting_token: str | None = None,
        limit_bounds: tuple[int, int] | None = None,
    ) -> None:
        if max_items is not None and (isinstance(max_items, bool) or not isinstance(max_items, int) or max_items < 1):
            raise ParamValidationError(
                f"paginate {operation}", [Problem("max_items", "min", "must be an integer >= 1")]
            )
        if starting_token is not None and not isinstance(starting_token, str):
            raise ParamValidationError(
                f"paginate {operation}", [Problem("starting_token", "type", "must be a string")]
            )
        self.operation = operation
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
    def start_token(self) -> str | None:
        """The service ``NextToken`` the first page is requested with (from ``starting_token``)."""
        return self._start[0]

    @property
    def resume_token(self) -> str | None:
        """Where the most recent pass stopped: ``None`` if it read everything (see the class docs).

        After a :class:`PaginationError` it is not meaningful.
        """
        return self._resume

    def __iter__(self) -> Iterator[ItemT]:
        state = _Pass()
        self._begin()
        for token, skip, items, next_token, _page in self._fetch_pages(state):
            end = self._end(state, skip, len(items))
            if skip >= end:
                self._resume = next_token if end >= len(items) else encode_resume_token(token, end)
                continue
            for index in range(skip, end):
                state.handed += 1
                # Set before handing the item out: the consumer may stop right after it.
                self._resume = next_token if index + 1 >= len(items) else encode_resume_token(token, index + 1)
                yield items[index]

    def pages(self) -> Iterator[PageT]:
        """Yield each page's typed response; with ``max_items`` the last page is cut to fit.

        A cut page keeps the service's ``next_token``; continue from :attr:`resume_token` instead.
        """
        state = _Pass()
        self._begin()
        for token, skip, items, next_token, page in self._fetch_pages(state):
            end = self._end(state, skip, len(items))
            kept = items[skip:end]
            if skip or end < len(items):
                self._set_items(page, kept)
            state.handed += len(kept)
            self._resume = next_token if end >= len(items) else encode_resume_token(token, end)
            yield page

    def _begin(self) -> None:
        self._resume = self.starting_token
        self.pages_fetched = 0

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

    def _fetch_pages(self, state: _Pass) -> Iterator[tuple[str | None, int, list[ItemT], str | None, PageT]]:
        token, skip = self._start
        seen: set[str] = set() if token is None else {token}
        while True:
            wanted = None if self.max_items is None else self.max_items - state.handed + skip
            page = self._fetch(token, self._request_size(wanted, skip))
            self.pages_fetched += 1
            items = self._items_of(page)
            next_token = self._token_of(page) or None
            if skip and len(items) <= skip and next_token is not None:
                raise PaginationError(
                    f"{self.operation}: the page at the resume token has {len(items)} items, not more than the "
                    f"{skip} already handed out; the token does not match these arguments"
                )
            yield token, skip, items, next_token, page
            if self.max_items is not None and state.handed >= self.max_items:
                return
            if next_token is None:
                return
            if next_token in seen:
                raise PaginationError(
                    f"{self.operation}: the service sent a NextToken already used in this pass "
                    f"(after page {self.pages_fetched}); stopping instead of looping for ever"
                )
            seen.add(next_token)
            token, skip = next_token, 0


class _Pass:
    """The state of one pass (one iteration): passes over one paginator do not share it."""

    __slots__ = ("handed",)

    def __init__(self) -> None:
        self.handed = 0
