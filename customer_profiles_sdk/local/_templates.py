"""The standard object type templates the emulator offers, each one the service is known to have.

Only templates whose ids appear in AWS's public documentation are here (the list and the reasons
for the ones left out are in docs/guides/testing.md):

* ``Salesforce-Account`` and ``Salesforce-Contact``: named as template ids by the service's API
  reference (GetProfileObjectTypeTemplate) and botocore's documentation of it;
* ``Shopify-Customer``, ``Zendesk-users``, ``Segment-Identify``, ``Marketo-leads``: the object
  type names that the Amazon Connect Administrator Guide ("Mapping ... objects to the standard
  profile") gives for these sources; the API reference says an ObjectTypeName that matches a
  TemplateId uses that template.

What the guide shows is followed: which source field maps to which standard profile field, and
the search keys (its "standard index names") with their source fields. For Shopify and Segment it
also shows one field as the template writes it (name, and a ``Source`` under the EventBridge
event's ``detail``); their other fields follow that example. The rest is our approximation: the
other field names, every ``ContentType``, ``AllowProfileCreation`` (true), ``SourceName`` and
``SourceObject``, and the keys' ``StandardIdentifiers`` (every documented key finds the profile,
``PROFILE``; the object's own id is also its ``UNIQUE`` key).
"""

from __future__ import annotations

from typing import Any

_CONTENT_TYPES = {"email": "EMAIL_ADDRESS", "phone": "PHONE_NUMBER", "name": "NAME"}


def _field(source: str, target: str, kind: str = "") -> dict[str, str]:
    return {"Source": f"_source.{source}", "Target": f"_profile.{target}",
            "ContentType": _CONTENT_TYPES.get(kind, "STRING")}


def _fields(prefix: str, mapping: list[tuple[str, str, str]], names: dict[str, str] | None = None
            ) -> dict[str, dict[str, str]]:
    """Fields from (source field, profile target, kind) rows; a field is named after its source
    field (dots become ``_``) unless ``names`` gives its name."""
    names = names or {}
    return {names.get(source, source.replace(".", "_")): _field(prefix + source, target, kind)
            for source, target, kind in mapping}


def _keys(unique: tuple[str, str], *others: tuple[str, str]) -> dict[str, list[dict[str, list[str]]]]:
    """Keys from (key name, field name) pairs: the first is the object's own id."""
    keys = {unique[0]: [{"StandardIdentifiers": ["PROFILE", "UNIQUE"], "FieldNames": [unique[1]]}]}
    for key, field_name in others:
        keys[key] = [{"StandardIdentifiers": ["PROFILE"], "FieldNames": [field_name]}]
    return keys


def _address(source_prefix: str, target: str, parts: list[tuple[str, str]]) -> list[tuple[str, str, str]]:
    return [(source_prefix + source, f"{target}.{member}", "") for source, member in parts]


_STREET_CITY_STATE_COUNTRY_POSTAL = [("Street", "Address1"), ("City", "City"), ("State", "State"),
                                     ("Country", "Country"), ("PostalCode", "PostalCode")]


def _template(template_id: str, source_name: str, source_object: str, fields: dict[str, dict[str, str]],
              keys: dict[str, list[dict[str, list[str]]]]) -> dict[str, Any]:
    return {"TemplateId": template_id, "SourceName": source_name, "SourceObject": source_object,
            "AllowProfileCreation": True, "Fields": fields, "Keys": keys}


_SALESFORCE_ACCOUNT = _fields("", [
    ("Id", "Attributes.sfdcAccountId", ""),
    ("Name", "BusinessName", "name"),
    ("Phone", "PhoneNumber", "phone"),
    *_address("Billing", "BillingAddress", _STREET_CITY_STATE_COUNTRY_POSTAL),
    *_address("Shipping", "ShippingAddress", _STREET_CITY_STATE_COUNTRY_POSTAL),
    ("IsPersonAccount", "PartyType", ""),
    ("PersonMobilePhone", "MobilePhoneNumber", "phone"),
    ("PersonHomePhone", "HomePhoneNumber", "phone"),
    ("PersonEmail", "PersonalEmailAddress", "email"),
    *_address("PersonMailingAddress.", "MailingAddress", _STREET_CITY_STATE_COUNTRY_POSTAL),
    ("PersonBirthDate", "BirthDate", ""),
    *_address("PersonOther", "Address", _STREET_CITY_STATE_COUNTRY_POSTAL),
    ("FirstName", "FirstName", "name"),
    ("LastName", "LastName", "name"),
    ("MiddleName", "MiddleName", "name"),
    ("AccountNumber", "AccountNumber", ""),
])

_SALESFORCE_CONTACT = _fields("", [
    ("Id", "Attributes.sfdcContactId", ""),
    ("AccountId", "Attributes.sfdcAccountId", ""),
    ("LastName", "LastName", "name"),
    ("FirstName", "FirstName", "name"),
    ("MiddleName", "MiddleName", "name"),
    *_address("Other", "Address", _STREET_CITY_STATE_COUNTRY_POSTAL),
    *_address("Mailing", "MailingAddress", _STREET_CITY_STATE_COUNTRY_POSTAL),
    ("Phone", "PhoneNumber", "phone"),
    ("HomePhone", "HomePhoneNumber", "phone"),
    ("MobilePhone", "MobilePhoneNumber", "phone"),
    ("Email", "EmailAddress", "email"),
    ("Birthdate", "BirthDate", ""),
])

# Shopify and Segment objects arrive as EventBridge events: the guide's example field reads
# ``_source.detail.event.detail.payload.id`` (Shopify) and ``_source.detail.event.detail.userId``.
_SHOPIFY_CUSTOMER = _fields("detail.event.detail.payload.", [
    ("id", "Attributes.ShopifyCustomerId", ""),
    ("email", "EmailAddress", "email"),
    ("first_name", "FirstName", "name"),
    ("last_name", "LastName", "name"),
    ("note", "AdditionalInformation", ""),
    ("phone", "PhoneNumber", "phone"),
    *_address("default_address.", "Address", [("address1", "Address1"), ("address2", "Address2"), ("city", "City"),
                                             ("province", "Province"), ("country", "Country"), ("zip", "PostalCode")]),
], names={"id": "shopifyCustomerId"})

_SEGMENT_IDENTIFY = _fields("detail.event.detail.", [
    ("userId", "Attributes.SegmentUserId", ""),
    ("traits.company.name", "BusinessName", "name"),
    ("traits.firstName", "FirstName", "name"),
    ("traits.lastName", "LastName", "name"),
    ("traits.birthday", "BirthDate", ""),
    ("traits.gender", "Gender", ""),
    ("traits.phone", "PhoneNumber", "phone"),
    ("traits.email", "EmailAddress", "email"),
    *_address("traits.address.", "Address", [("street", "Address1"), ("city", "City"), ("state", "State"),
                                             ("country", "Country"), ("postalCode", "PostalCode")]),
], names={"userId": "segmentUserId"})

_ZENDESK_USERS = _fields("", [
    ("id", "Attributes.ZendeskUserId", ""),
    ("external_id", "Attributes.ZendeskExternalId", ""),
    ("email", "EmailAddress", "email"),
    ("phone", "PhoneNumber", "phone"),
])

# The guide's table writes "dataOfBirth"; its list of the object's fields has "dateOfBirth".
_MARKETO_LEADS = _fields("", [
    ("id", "Attributes.MarketoLeadId", ""),
    ("sfdcAccountId", "Attributes.sfdcAccountId", ""),
    ("sfdcContactId", "Attributes.sfdcContactId", ""),
    ("firstName", "FirstName", "name"),
    ("lastName", "LastName", "name"),
    ("middleName", "MiddleName", "name"),
    ("email", "EmailAddress", "email"),
    ("phone", "PhoneNumber", "phone"),
    ("mobilePhone", "MobilePhoneNumber", "phone"),
    *_address("billing", "BillingAddress", _STREET_CITY_STATE_COUNTRY_POSTAL),
    ("address", "Address.Address1", ""),
    ("city", "Address.City", ""),
    ("state", "Address.State", ""),
    ("country", "Address.Country", ""),
    ("postalcode", "Address.PostalCode", ""),
    ("gender", "Gender", ""),
    ("dateOfBirth", "BirthDate", ""),
])

TEMPLATES: dict[str, dict[str, Any]] = {
    template["TemplateId"]: template
    for template in (
        _template("Salesforce-Account", "Salesforce", "Account", _SALESFORCE_ACCOUNT,
                  _keys(("_salesforceAccountId", "Id"))),
        _template("Salesforce-Contact", "Salesforce", "Contact", _SALESFORCE_CONTACT,
                  _keys(("_salesforceContactId", "Id"), ("_salesforceAccountId", "AccountId"))),
        _template("Shopify-Customer", "Shopify", "Customer", _SHOPIFY_CUSTOMER,
                  _keys(("_shopifyCustomerId", "shopifyCustomerId"))),
        _template("Segment-Identify", "Segment", "Identify", _SEGMENT_IDENTIFY,
                  _keys(("_segmentUserId", "segmentUserId"))),
        _template("Zendesk-users", "Zendesk", "users", _ZENDESK_USERS,
                  _keys(("_zendeskUserId", "id"), ("_zendeskExternalId", "external_id"))),
        _template("Marketo-leads", "Marketo", "leads", _MARKETO_LEADS,
                  _keys(("_marketoLeadId", "id"), ("_salesforceAccountId", "sfdcAccountId"),
                        ("_salesforceContactId", "sfdcContactId"))),
    )
}
