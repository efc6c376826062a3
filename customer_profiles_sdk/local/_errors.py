"""The emulator's service errors: a code and HTTP status as the real service gives them."""

from __future__ import annotations


class EmulatorError(Exception):
    """An error answer of the emulated service.

    ``code`` is the modeled error name (``ResourceNotFoundException``, ...), ``status`` its HTTP
    status. ``message`` must never contain request values (they may be personal data).
    """

    def __init__(self, code: str, message: str, status: int) -> None:
        super().__init__(f"{code} ({status}): {message}")
        self.code = code
        self.message = message
        self.status = status


def bad_request(message: str) -> EmulatorError:
    return EmulatorError("BadRequestException", message, 400)


def not_found(message: str) -> EmulatorError:
    return EmulatorError("ResourceNotFoundException", message, 404)


def access_denied(message: str) -> EmulatorError:
    return EmulatorError("AccessDeniedException", message, 403)


def not_implemented(operation: str) -> EmulatorError:
    """The answer to every operation the emulator does not model: never a fake success."""
    return EmulatorError(
        "NotImplementedByEmulator",
        f"{operation} is not implemented by the customer_profiles_sdk emulator; "
        "run it against AWS (see docs/guides/testing.md for what the emulator models)",
        501,
    )
