"""A few standard object type templates for the emulator.

The template ids and source names are those the service lists; the field mappings here are a
small, plausible subset written for the emulator, not a copy of the service's templates.
"""

from __future__ import annotations

from typing import Any


def _field(source: str, target: str, content_type: str = "STRING") -> dict[str, str]:
    return {"Source": f"_source.{source}", "Target": target, "ContentType": content_type}


TEMPLATES: dict[str, dict[str, Any]] = {
    "Shopify-Customer": {
        "TemplateId": "Shopify-Customer",
        "SourceName": "Shopify",
        "SourceObject": "Customer",
        "AllowProfileCreation": True,
        "Fields": {
            "ShopifyCustomerId": _field("id", "_profile.Attributes.ShopifyCustomerId"),
            "FirstName": _field("first_name", "_profile.FirstName", "NAME"),
            "LastName": _field("last_name", "_profile.LastName", "NAME"),
            "Email": _field("email", "_profile.EmailAddress", "EMAIL_ADDRESS"),
            "Phone": _field("phone", "_profile.PhoneNumber", "PHONE_NUMBER"),
        },
        "Keys": {
            "_shopifyCustomerId": [{"StandardIdentifiers": ["PROFILE", "UNIQUE"], "FieldNames": ["ShopifyCustomerId"]}],
            "_email": [{"StandardIdentifiers": ["PROFILE"], "FieldNames": ["Email"]}],
        },
    },
    "Salesforce-Contact": {
        "TemplateId": "Salesforce-Contact",
        "SourceName": "Salesforce",
        "SourceObject": "Contact",
        "AllowProfileCreation": True,
        "SourceLastUpdatedTimestampFormat": "ISO_8601",
        "Fields": {
            "Id": _field("Id", "_profile.Attributes.SalesforceContactId"),
            "FirstName": _field("FirstName", "_profile.FirstName", "NAME"),
            "LastName": _field("LastName", "_profile.LastName", "NAME"),
            "Email": _field("Email", "_profile.EmailAddress", "EMAIL_ADDRESS"),
            "MobilePhone": _field("MobilePhone", "_profile.MobilePhoneNumber", "PHONE_NUMBER"),
        },
        "Keys": {
            "_salesforceContactId": [{"StandardIdentifiers": ["PROFILE", "UNIQUE"], "FieldNames": ["Id"]}],
        },
    },
    "Zendesk-User": {
        "TemplateId": "Zendesk-User",
        "SourceName": "Zendesk",
        "SourceObject": "User",
        "AllowProfileCreation": True,
        "Fields": {
            "id": _field("id", "_profile.Attributes.ZendeskUserId"),
            "external_id": _field("external_id", "_profile.Attributes.ZendeskExternalId"),
            "email": _field("email", "_profile.EmailAddress", "EMAIL_ADDRESS"),
            "phone": _field("phone", "_profile.PhoneNumber", "PHONE_NUMBER"),
        },
        "Keys": {
            "_zendeskUserId": [{"StandardIdentifiers": ["PROFILE", "UNIQUE"], "FieldNames": ["id"]}],
            "_zendeskExternalId": [{"StandardIdentifiers": ["PROFILE"], "FieldNames": ["external_id"]}],
        },
    },
}
