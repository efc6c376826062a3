"""customer_profiles_sdk: a typed, validating SDK for Amazon Connect Customer Profiles.

Models live in :mod:`customer_profiles_sdk.models` and load lazily; documented extra rules live in
:mod:`customer_profiles_sdk.rules`; exceptions in :mod:`customer_profiles_sdk.errors`.
"""

from .errors import CustomerProfilesError, ParamValidationError, Problem, ResponseParseError

__version__ = "0.1.0"

__all__ = ["CustomerProfilesError", "ParamValidationError", "Problem", "ResponseParseError", "__version__"]
