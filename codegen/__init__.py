"""Deterministic code generator for customer_profiles_sdk (not shipped in the wheel)."""
