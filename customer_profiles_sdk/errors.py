"""Exceptions raised by customer_profiles_sdk.

Every exception the SDK raises derives from :class:`CustomerProfilesError`. Client-side
validation failures raise :class:`ParamValidationError`, which is also a :class:`ValueError`.

No exception text produced here contains an input value: values sent to Customer Profiles are
often personal data (names, emails, phone numbers, addresses), so errors name the field path and
the broken rule only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["CustomerProfilesError", "ParamValidationError", "Problem", "ResponseParseError"]


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


class _ProblemsError(CustomerProfilesError, ValueError):
    """An error that lists :class:`Problem` entries for one botocore shape."""

    def __init__(self, shape: str, problems: Sequence[Problem]) -> None:
        self.shape = shape
        self.problems: tuple[Problem, ...] = tuple(problems)
        lines = [self._headline()]
        lines.extend(f"  {p}" for p in self.problems)
        super().__init__("\n".join(lines))

    def _headline(self) -> str:
        raise NotImplementedError

    def __reduce__(self) -> tuple[type[_ProblemsError], tuple[str, tuple[Problem, ...]]]:
        return (type(self), (self.shape, self.problems))


class ParamValidationError(_ProblemsError):
    """Input failed client-side validation; nothing was sent to AWS.

    ``shape`` names the botocore shape that was validated and ``problems`` lists every broken rule.
    """

    def _headline(self) -> str:
        count = len(self.problems)
        return f"{count} invalid parameter{'s' if count != 1 else ''} for {self.shape}:"


class ResponseParseError(_ProblemsError):
    """A response could not be parsed at all (not a JSON object, or not valid JSON).

    Lenient parsing keeps anything inside a well-formed object, so this is raised only when the
    document itself is unusable. Like every SDK error, its text holds no response content.
    """

    def _headline(self) -> str:
        return f"cannot parse the response as {self.shape}:"
