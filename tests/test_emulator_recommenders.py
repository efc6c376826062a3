"""The emulator's recommenders, filters and schemas: lifecycles on the emulator clock, recipes
and the recommendations they derive from the stored objects (through the SDK client, and a plain
boto3 client over HTTP)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, cast

import pytest
from botocore import xform_name
from botocore.exceptions import ClientError

from customer_profiles_sdk import CustomerProfilesClient
from customer_profiles_sdk.local import Emulator
from customer_profiles_sdk.local._areas import _recommend

from .canned import method_kwargs
from .localserver import shipped_client

CANARY = "canary-5e1d"
EVENT_FIELDS = {
    "CustomerId": {"Source": "_source.customer"},
    "ItemId": {"Source": "_source.item"},
    "EventType": {"Source": "_source.event"},
    "EventValue": {"Source": "_source.value"},
}
EVENT_KEYS = {"_customer": [{"StandardIdentifiers": ["PROFILE"], "FieldNames": ["CustomerId"]}]}
CATALOG_FIELDS = {
    "Id": {"Source": "_source.id"}, "Name": {"Source": "_source.name"},
    "Category": {"Source": "_source.category"}, "Price": {"Source": "_source.price"},
}
CATALOG_KEYS = {"_item": [{"StandardIdentifiers": ["UNIQUE"], "FieldNames": ["Id"]}]}
CATEGORIES = {"A": "shoes", "B": "shoes", "C": "hats", "D": "hats", "E": "socks"}
# Who did what: ann A B, bob A B C, cid A C D, dan E (ann bought A, the rest are views).
HISTORY = [("ann", "A", "purchase"), ("ann", "B", "view"), ("bob", "A", "view"), ("bob", "B", "view"),
           ("bob", "C", "view"), ("cid", "A", "view"), ("cid", "C", "view"), ("cid", "D", "view"),
           ("dan", "E", "view")]


@dataclass
class Api:
    """One client kind over one emulator: ``api("CreateDomain", DomainName=...)`` -> wire dict."""

    emulator: Emulator
    sdk: CustomerProfilesClient | None
    boto: Any

    def __call__(self, operation: str, **params: Any) -> dict[str, Any]:
        if self.sdk is None:
            response = dict(getattr(self.boto, xform_name(operation))(**params))
            response.pop("ResponseMetadata")
            return response
        from customer_profiles_sdk.local._http import service_model

        shape = service_model().operation_model(operation).input_shape
        kwargs = method_kwargs(shape.name, params) if shape is not None else {}
        result: dict[str, Any] = getattr(self.sdk, xform_name(operation))(**kwargs).to_boto()
        return result

    def error(self, operation: str, **params: Any) -> tuple[str, int, str]:
        with pytest.raises(ClientError) as caught:
            self(operation, **params)
        response = cast(dict[str, Any], caught.value.response)
        return (response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"],
                response["Error"]["Message"])

    def code(self, operation: str, **params: Any) -> tuple[str, int]:
        return self.error(operation, **params)[:2]

    def advance(self, seconds: float) -> None:
        self.emulator.advance(seconds)


@pytest.fixture(params=["sdk", "boto3-http"])
def api(request: pytest.FixtureRequest) -> Iterator[Api]:
    emulator = Emulator()
    if request.param == "sdk":
        yield Api(emulator, emulator.client(), None)
        return
    with emulator.serve() as server:
        boto = shipped_client(f"http://127.0.0.1:{server.port}")
        yield Api(emulator, None, boto)


def shop(api: Api, history: list[tuple[str, str, str]] = HISTORY) -> dict[str, str]:
    """The domain "shop" with its catalog and the events of ``history``; profile ids by name."""
    api("CreateDomain", DomainName="shop", DefaultExpirationDays=365)
    api("PutProfileObjectType", DomainName="shop", ObjectTypeName="Events", Description="events",
        Fields=EVENT_FIELDS, Keys=EVENT_KEYS, AllowProfileCreation=True)
    api("PutProfileObjectType", DomainName="shop", ObjectTypeName="_catalogItem", Description="catalog",
        Fields=CATALOG_FIELDS, Keys=CATALOG_KEYS)
    for item, category in CATEGORIES.items():
        document = {"id": item, "name": f"item {item}", "category": category, "price": "9.99"}
        api("PutProfileObject", DomainName="shop", ObjectTypeName="_catalogItem", Object=json.dumps(document))
    return events(api, history)


def events(api: Api, history: list[tuple[str, str, str]]) -> dict[str, str]:
    for customer, item, event in history:
        document = {"customer": customer, "item": item, "event": event, "value": 1}
        api("PutProfileObject", DomainName="shop", ObjectTypeName="Events", Object=json.dumps(document))
    ids = {}
    for customer in sorted({c for c, _, _ in history}):
        found = api("SearchProfiles", DomainName="shop", KeyName="_customer", Values=[customer])["Items"]
        ids[customer] = found[0]["ProfileId"]
    return ids


def recommender(api: Api, name: str, recipe: str, *, ready: bool = True, **extra: Any) -> None:
    api("CreateRecommender", DomainName="shop", RecommenderName=name, RecommenderRecipeName=recipe, **extra)
    if ready:
        api.advance(70)


def status(api: Api, name: str) -> str:
    return str(api("GetRecommender", DomainName="shop", RecommenderName=name)["Status"])


def recommend(api: Api, profile_id: str, name: str, **extra: Any) -> list[tuple[str, float]]:
    answer = api("GetProfileRecommendations", DomainName="shop", ProfileId=profile_id, RecommenderName=name, **extra)
    return [(r["CatalogItem"]["Id"], r["Score"]) for r in answer["Recommendations"]]


# ------------------------------------------------------------------------------------ lifecycles


def test_a_recommender_walks_every_status_on_the_emulator_clock(api: Api) -> None:
    ids = shop(api)
    created = api("CreateRecommender", DomainName="shop", RecommenderName="r1",
                  RecommenderRecipeName="popular-items", Description="top", Tags={"team": "web"},
                  RecommenderConfig={"TrainingFrequency": 7})
    assert created["RecommenderArn"] == "arn:aws:profile:us-east-1:123456789012:domains/shop/recommenders/r1"
    assert created["Tags"] == {"team": "web"}
    got = api("GetRecommender", DomainName="shop", RecommenderName="r1")
    assert (got["Status"], got["RecommenderRecipeName"], got["Description"]) == ("PENDING", "popular-items", "top")
    assert got["RecommenderConfig"] == {"TrainingFrequency": 7}
    assert "ActiveRecommenderVersionName" not in got and not got.get("TrainingMetrics")
    assert api.code("GetProfileRecommendations", DomainName="shop", ProfileId=ids["ann"],
                    RecommenderName="r1") == ("BadRequestException", 400)
    api.advance(10)
    assert status(api, "r1") == "IN_PROGRESS"
    api.advance(59)
    assert status(api, "r1") == "IN_PROGRESS"
    api.advance(1)
    got = api("GetRecommender", DomainName="shop", RecommenderName="r1", TrainingMetricsCount=5)
    assert got["Status"] == "ACTIVE"
    first_version = got["ActiveRecommenderVersionName"]
    assert re.fullmatch(r"r1/\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}Z", first_version)
    assert len(got["TrainingMetrics"]) == 1
    assert set(got["TrainingMetrics"][0]["Metrics"]) >= {"hit", "coverage", "precision_at_5"}
    assert all(0 <= value <= 1 for value in got["TrainingMetrics"][0]["Metrics"].values())
    assert recommend(api, ids["ann"], "r1")[0][0] == "A"

    api("StopRecommender", DomainName="shop", RecommenderName="r1")
    assert status(api, "r1") == "STOPPING"
    assert api.code("StopRecommender", DomainName="shop", RecommenderName="r1") == ("BadRequestException", 400)
    assert api.code("GetProfileRecommendations", DomainName="shop", ProfileId=ids["ann"],
                    RecommenderName="r1") == ("BadRequestException", 400)
    api.advance(10)
    assert status(api, "r1") == "INACTIVE"
    api("StartRecommender", DomainName="shop", RecommenderName="r1")
    assert status(api, "r1") == "STARTING"
    assert api.code("StartRecommender", DomainName="shop", RecommenderName="r1") == ("BadRequestException", 400)
    api.advance(10)
    assert status(api, "r1") == "ACTIVE"

    # An update trains a new version while the recommender keeps serving the previous one.
    new_config = {"EventsConfig": {"EventParametersList": [{"EventType": "view", "EventWeight": 0.5}]}}
    assert api("UpdateRecommender", DomainName="shop", RecommenderName="r1",
               RecommenderConfig=new_config) == {"RecommenderName": "r1"}
    got = api("GetRecommender", DomainName="shop", RecommenderName="r1")
    assert got["Status"] == "ACTIVE" and got["LatestRecommenderUpdate"]["Status"] == "PENDING"
    assert got["RecommenderConfig"] == {"TrainingFrequency": 7}
    assert got["LatestRecommenderUpdate"]["RecommenderConfig"] == new_config
    assert recommend(api, ids["ann"], "r1")  # still served
    assert api.code("UpdateRecommender", DomainName="shop", RecommenderName="r1",
                    RecommenderConfig=new_config) == ("BadRequestException", 400)
    api.advance(10)
    update = api("GetRecommender", DomainName="shop", RecommenderName="r1")["LatestRecommenderUpdate"]
    assert update["Status"] == "IN_PROGRESS"
    api.advance(60)
    got = api("GetRecommender", DomainName="shop", RecommenderName="r1", TrainingMetricsCount=5)
    assert got["LatestRecommenderUpdate"]["Status"] == "ACTIVE" and got["RecommenderConfig"] == new_config
    second_version = got["ActiveRecommenderVersionName"]
    assert second_version != first_version
    assert len(got["TrainingMetrics"]) == 2
    assert got["TrainingMetrics"][0]["Time"] > got["TrainingMetrics"][1]["Time"]
    assert len(api("GetRecommender", DomainName="shop", RecommenderName="r1",
                   TrainingMetricsCount=0).get("TrainingMetrics") or []) == 0

    # Rolling back to the first version.
    api("UpdateRecommender", DomainName="shop", RecommenderName="r1", RecommenderVersionName=first_version)
    api.advance(70)
    got = api("GetRecommender", DomainName="shop", RecommenderName="r1")
    assert got["ActiveRecommenderVersionName"] == first_version
    assert got["RecommenderConfig"] == {"TrainingFrequency": 7}
    assert api.code("UpdateRecommender", DomainName="shop", RecommenderName="r1",
                    RecommenderVersionName="r1/2001-01-01T00-00-00Z") == ("ResourceNotFoundException", 404)

    api("UpdateRecommender", DomainName="shop", RecommenderName="r1", Description="renamed")
    assert api("GetRecommender", DomainName="shop", RecommenderName="r1")["Description"] == "renamed"

    api("DeleteRecommender", DomainName="shop", RecommenderName="r1")
    assert status(api, "r1") == "DELETING"
    assert [r["Status"] for r in api("ListRecommenders", DomainName="shop")["Recommenders"]] == ["DELETING"]
    assert api.code("CreateRecommender", DomainName="shop", RecommenderName="r1",
                    RecommenderRecipeName="popular-items") == ("BadRequestException", 400)
    assert api.code("DeleteRecommender", DomainName="shop", RecommenderName="r1") == ("BadRequestException", 400)
    api.advance(10)
    assert api.code("GetRecommender", DomainName="shop", RecommenderName="r1") == ("ResourceNotFoundException", 404)
    assert api("ListRecommenders", DomainName="shop")["Recommenders"] == []
    recommender(api, "r1", "popular-items", ready=False)  # the name is free again
    assert status(api, "r1") == "PENDING"


def test_a_recommender_fails_when_its_schema_goes_during_training_and_an_update_retrains_it(api: Api) -> None:
    shop(api)
    fields = {"_webAnalytics": [{"TargetFieldName": "Attributes.MealTime", "ContentType": "STRING",
                                 "FeatureType": "CATEGORICAL"}]}
    api("CreateRecommenderSchema", DomainName="shop", RecommenderSchemaName="s1", Fields=fields)
    recommender(api, "r2", "popular-items", ready=False, RecommenderSchemaName="s1")
    api("DeleteRecommenderSchema", DomainName="shop", RecommenderSchemaName="s1")
    api.advance(69)
    assert status(api, "r2") == "IN_PROGRESS"
    api.advance(1)
    got = api("GetRecommender", DomainName="shop", RecommenderName="r2")
    assert got["Status"] == "FAILED" and "schema" in got["FailureReason"]
    assert "ActiveRecommenderVersionName" not in got
    assert api.code("StopRecommender", DomainName="shop", RecommenderName="r2") == ("BadRequestException", 400)
    api("CreateRecommenderSchema", DomainName="shop", RecommenderSchemaName="s1", Fields=fields)
    api("UpdateRecommender", DomainName="shop", RecommenderName="r2", RecommenderConfig={"TrainingFrequency": 1})
    assert status(api, "r2") == "PENDING"
    api.advance(10)
    assert status(api, "r2") == "IN_PROGRESS"
    api.advance(60)
    got = api("GetRecommender", DomainName="shop", RecommenderName="r2")
    assert (got["Status"], got.get("FailureReason")) == ("ACTIVE", None)
    assert got["RecommenderConfig"] == {"TrainingFrequency": 1}


def test_filters_walk_their_statuses_and_a_bad_expression_fails(api: Api) -> None:
    shop(api)
    created = api("CreateRecommenderFilter", DomainName="shop", RecommenderFilterName="f1",
                  RecommenderFilterExpression='EXCLUDE ItemID WHERE Items.Category IN ("hats")',
                  Description="no hats", Tags={"k": "v"})
    assert created["RecommenderFilterArn"].endswith(":domains/shop/recommender-filters/f1")
    api("CreateRecommenderFilter", DomainName="shop", RecommenderFilterName="f2",
        RecommenderFilterExpression=f"SELECT {CANARY} FROM nowhere")
    got = api("GetRecommenderFilter", DomainName="shop", RecommenderFilterName="f1")
    assert (got["Status"], got["Description"], got["Tags"]) == ("PENDING", "no hats", {"k": "v"})
    api.advance(5)
    assert api("GetRecommenderFilter", DomainName="shop", RecommenderFilterName="f1")["Status"] == "IN_PROGRESS"
    api.advance(10)
    listed = api("ListRecommenderFilters", DomainName="shop")["RecommenderFilters"]
    assert [(f["RecommenderFilterName"], f["Status"]) for f in listed] == [("f1", "ACTIVE"), ("f2", "FAILED")]
    assert listed[1]["FailureReason"] and CANARY not in listed[1]["FailureReason"]
    assert api.code("CreateRecommenderFilter", DomainName="shop", RecommenderFilterName="f1",
                    RecommenderFilterExpression="EXCLUDE ItemID WHERE Items.X IN (1)") == ("BadRequestException", 400)
    assert api("DeleteRecommenderFilter", DomainName="shop", RecommenderFilterName="f1")["Message"]
    assert api("GetRecommenderFilter", DomainName="shop", RecommenderFilterName="f1")["Status"] == "DELETING"
    api.advance(10)
    assert api.code("GetRecommenderFilter", DomainName="shop", RecommenderFilterName="f1") == (
        "ResourceNotFoundException", 404)
    assert api.code("DeleteRecommenderFilter", DomainName="shop", RecommenderFilterName="f1") == (
        "ResourceNotFoundException", 404)


def test_schema_crud(api: Api) -> None:
    shop(api)
    fields = {"_catalogItem": [{"TargetFieldName": "Category", "FeatureType": "CATEGORICAL"}],
              "_webAnalytics": [{"TargetFieldName": "Location.City"}]}
    created = api("CreateRecommenderSchema", DomainName="shop", RecommenderSchemaName="s1", Fields=fields,
                  Tags={"a": "b"})
    assert created["RecommenderSchemaArn"].endswith(":domains/shop/recommender-schemas/s1")
    assert (created["Status"], created["Fields"], created["Tags"]) == ("ACTIVE", fields, {"a": "b"})
    got = api("GetRecommenderSchema", DomainName="shop", RecommenderSchemaName="s1")
    assert (got["Status"], got["Fields"], got["CreatedAt"]) == ("ACTIVE", fields, created["CreatedAt"])
    assert api.code("CreateRecommenderSchema", DomainName="shop", RecommenderSchemaName="s1",
                    Fields=fields) == ("BadRequestException", 400)
    assert api.code("CreateRecommenderSchema", DomainName="shop", RecommenderSchemaName="s2",
                    Fields={"Orders": [{"TargetFieldName": "x"}]}) == ("BadRequestException", 400)
    twice = {"_webAnalytics": [{"TargetFieldName": "x"}, {"TargetFieldName": "x"}]}
    assert api.code("CreateRecommenderSchema", DomainName="shop", RecommenderSchemaName="s2",
                    Fields=twice) == ("BadRequestException", 400)
    assert api.code("CreateRecommender", DomainName="shop", RecommenderName="r", RecommenderRecipeName="popular-items",
                    RecommenderSchemaName="nope") == ("ResourceNotFoundException", 404)
    api("DeleteRecommenderSchema", DomainName="shop", RecommenderSchemaName="s1")
    summary = api("ListRecommenderSchemas", DomainName="shop")["RecommenderSchemas"]
    assert [(s["RecommenderSchemaName"], s["Status"]) for s in summary] == [("s1", "DELETING")]
    assert api.code("CreateRecommenderFilter", DomainName="shop", RecommenderFilterName="f",
                    RecommenderFilterExpression="EXCLUDE ItemID WHERE Items.A IN (1)",
                    RecommenderSchemaName="s1") == ("BadRequestException", 400)
    api.advance(10)
    assert api.code("GetRecommenderSchema", DomainName="shop", RecommenderSchemaName="s1") == (
        "ResourceNotFoundException", 404)
    assert api.code("DeleteRecommenderSchema", DomainName="shop", RecommenderSchemaName="s1") == (
        "ResourceNotFoundException", 404)


def test_recipes_are_listed_with_descriptions_and_pages(api: Api) -> None:
    from customer_profiles_sdk.local._http import service_model

    names = cast(Any, service_model().shape_for("RecommenderRecipeName")).enum
    listed = api("ListRecommenderRecipes")
    assert [r["name"] for r in listed["RecommenderRecipes"]] == names
    assert all(r["description"] for r in listed["RecommenderRecipes"])
    assert "NextToken" not in listed or listed["NextToken"] is None
    assert api.code("ListRecommenderRecipes", NextToken="bm90LW91cnM=") == ("BadRequestException", 400)


@pytest.mark.parametrize(("operation", "member", "name", "size"), [
    ("ListRecommenders", "Recommenders", "RecommenderName", 2),
    ("ListRecommenderFilters", "RecommenderFilters", "RecommenderFilterName", 2),
    ("ListRecommenderSchemas", "RecommenderSchemas", "RecommenderSchemaName", 3),
])
def test_listings_page(api: Api, operation: str, member: str, name: str, size: int) -> None:
    api("CreateDomain", DomainName="shop", DefaultExpirationDays=365)
    for index in range(5):
        api("CreateRecommender", DomainName="shop", RecommenderName=f"r{index}",
            RecommenderRecipeName="popular-items")
        api("CreateRecommenderFilter", DomainName="shop", RecommenderFilterName=f"f{index}",
            RecommenderFilterExpression="EXCLUDE ItemID WHERE Items.A IN (1)")
        api("CreateRecommenderSchema", DomainName="shop", RecommenderSchemaName=f"s{index}",
            Fields={"_webAnalytics": [{"TargetFieldName": "x"}]})
    seen: list[dict[str, Any]] = []
    token = None
    pages = 0
    while True:
        page = api(operation, DomainName="shop", MaxResults=size, **({"NextToken": token} if token else {}))
        pages += 1
        seen += page[member]
        token = page.get("NextToken")
        if not token:
            break
    assert len(seen) == 5 and pages == -(-5 // size)
    assert [item[name][-1] for item in seen] == ["0", "1", "2", "3", "4"]
    if operation == "ListRecommenders":
        assert seen[0]["RecipeName"] == "popular-items" and seen[0]["Status"] == "PENDING"


# ------------------------------------------------------------------------------ recommendations


def test_recommended_for_you_ranks_what_similar_profiles_did_and_this_one_did_not(api: Api) -> None:
    ids = shop(api)
    recommender(api, "foryou", "recommended-for-you")
    assert recommend(api, ids["ann"], "foryou") == [("C", 1.0), ("D", 0.5), ("E", 0.25)]
    assert recommend(api, ids["ann"], "foryou", MaxResults=1) == [("C", 1.0)]
    answer = api("GetProfileRecommendations", DomainName="shop", ProfileId=ids["ann"], RecommenderName="foryou")
    assert answer["Recommendations"][0]["CatalogItem"] == {
        "Id": "C", "Name": "item C", "Category": "hats", "Price": "9.99"}
    only = api("GetProfileRecommendations", DomainName="shop", ProfileId=ids["ann"], RecommenderName="foryou",
               MetadataConfig={"MetadataColumns": ["Name"]})
    assert only["Recommendations"][0]["CatalogItem"] == {"Id": "C", "Name": "item C"}
    # New data counts at once: a purchase of D by bob lifts D for ann.
    events(api, [("bob", "D", "view"), ("bob", "D", "view")])
    assert [item for item, _ in recommend(api, ids["ann"], "foryou")][:2] == ["D", "C"]


def test_popular_and_paired_and_similar_items(api: Api) -> None:
    ids = shop(api)
    recommender(api, "pop", "popular-items")
    recommender(api, "pair", "frequently-paired-items")
    recommender(api, "sim", "similar-items")
    assert recommend(api, ids["dan"], "pop") == [("A", 1.0), ("B", 0.666667), ("C", 0.666667), ("D", 0.333333),
                                                 ("E", 0.333333)]
    assert recommend(api, ids["ann"], "pair") == [("C", 1.0), ("D", 0.5)]
    assert recommend(api, ids["ann"], "pair", Context={"ItemId": "D"}) == [("C", 1.0)]
    # similar-items adds the catalog items of a seed's category: D (hats, like C) for bob's items.
    assert [item for item, _ in recommend(api, ids["bob"], "sim")] == ["D"]
    assert recommend(api, ids["dan"], "sim") == []


def test_trending_now_compares_the_last_week_with_the_week_before(api: Api) -> None:
    ids = shop(api, [("ann", "X", "view"), ("bob", "X", "view")])
    recommender(api, "trend", "trending-now")
    assert [item for item, _ in recommend(api, ids["ann"], "trend")] == ["X"]
    api.advance(8 * 86400)
    events(api, [("ann", "Y", "view"), ("bob", "X", "view")])
    assert recommend(api, ids["ann"], "trend") == [("Y", 1.0)]


def test_personalized_ranking_orders_the_candidates(api: Api) -> None:
    ids = shop(api)
    recommender(api, "rank", "personalized-ranking")
    assert recommend(api, ids["ann"], "rank", CandidateIds=["E", "A", "Z", "C"]) == [
        ("A", 1.0), ("C", 0.75), ("E", 0.5), ("Z", 0.25)]
    assert api.code("GetProfileRecommendations", DomainName="shop", ProfileId=ids["ann"],
                    RecommenderName="rank") == ("BadRequestException", 400)
    # Other recipes keep only the candidates.
    recommender(api, "pop", "popular-items")
    assert recommend(api, ids["ann"], "pop", CandidateIds=["E", "B"]) == [("B", 0.666667), ("E", 0.333333)]


def test_events_config_counts_the_listed_event_types_with_their_weights(api: Api) -> None:
    ids = shop(api)
    config = {"EventsConfig": {"EventParametersList": [{"EventType": "purchase", "EventWeight": 1.0}]}}
    recommender(api, "buys", "popular-items", RecommenderConfig=config)
    assert recommend(api, ids["dan"], "buys") == [("A", 1.0)]
    high = {"EventsConfig": {"EventParametersList": [{"EventType": "view", "EventValueThreshold": 5.0}]}}
    recommender(api, "none", "popular-items", RecommenderConfig=high)
    assert recommend(api, ids["dan"], "none") == []


def test_filters_and_promotions_apply_to_recommendations(api: Api) -> None:
    ids = shop(api)
    recommender(api, "pop", "popular-items")
    api("CreateRecommenderFilter", DomainName="shop", RecommenderFilterName="nocat",
        RecommenderFilterExpression="EXCLUDE ItemID WHERE Items.Category IN ($CATS)")
    api("CreateRecommenderFilter", DomainName="shop", RecommenderFilterName="unbought",
        RecommenderFilterExpression='EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("purchase")')
    api("CreateRecommenderFilter", DomainName="shop", RecommenderFilterName="socks",
        RecommenderFilterExpression='INCLUDE ItemID WHERE Items.Category = "socks" OR Items.Id IN ("D")')
    not_yet = api.error("GetProfileRecommendations", DomainName="shop", ProfileId=ids["ann"], RecommenderName="pop",
                        RecommenderFilters=[{"Name": "nocat", "Values": {"CATS": '"hats"'}}])
    assert not_yet[:2] == ("BadRequestException", 400)
    api.advance(15)
    assert [i for i, _ in recommend(api, ids["ann"], "pop", RecommenderFilters=[
        {"Name": "nocat", "Values": {"CATS": '"hats","socks"'}}])] == ["A", "B"]
    assert [i for i, _ in recommend(api, ids["ann"], "pop", RecommenderFilters=[{"Name": "unbought"}])] == [
        "B", "C", "D", "E"]
    assert [i for i, _ in recommend(api, ids["bob"], "pop", RecommenderFilters=[{"Name": "unbought"}])] == [
        "A", "B", "C", "D", "E"]
    # Two of four slots are promoted: the best socks/D items come in, in rank order.
    promoted = recommend(api, ids["ann"], "pop", MaxResults=4, RecommenderPromotionalFilters=[
        {"Name": "socks", "PromotionName": "p", "PercentPromotedItems": 50}])
    assert [i for i, _ in promoted] == ["A", "B", "D", "E"]
    missing = api.error("GetProfileRecommendations", DomainName="shop", ProfileId=ids["ann"], RecommenderName="pop",
                        RecommenderFilters=[{"Name": "nocat", "Values": {"OTHER": CANARY}}])
    assert missing[:2] == ("BadRequestException", 400) and CANARY not in missing[2]
    assert api.code("GetProfileRecommendations", DomainName="shop", ProfileId=ids["ann"], RecommenderName="pop",
                    RecommenderFilters=[{"Name": "ghost"}]) == ("ResourceNotFoundException", 404)


def test_search_recommendations_finds_exactly_one_profile_by_a_key(api: Api) -> None:
    ids = shop(api)
    recommender(api, "foryou", "recommended-for-you")
    answer = api("SearchRecommendations", DomainName="shop", KeyName="_customer", KeyValues=["ann"],
                 Recommender={"Name": "foryou"}, MaxRecommendations=2)
    assert answer["ProfileId"] == ids["ann"]
    assert [r["CatalogItem"]["Id"] for r in answer["Recommendations"]] == ["C", "D"]
    by_id = api("SearchRecommendations", DomainName="shop", KeyName="_profileId", KeyValues=[ids["cid"]],
                Recommender={"Name": "foryou"})
    assert by_id["ProfileId"] == ids["cid"]
    no_one = api.error("SearchRecommendations", DomainName="shop", KeyName="_customer", KeyValues=[CANARY],
                       Recommender={"Name": "foryou"})
    assert no_one[:2] == ("ResourceNotFoundException", 404) and CANARY not in no_one[2]
    assert api.code("SearchRecommendations", DomainName="shop", KeyName="_customer", KeyValues=["ann", "bob"],
                    Recommender={"Name": "foryou"}) == ("BadRequestException", 400)
    assert api.code("SearchRecommendations", DomainName="shop", KeyName="_customer", KeyValues=["ann"],
                    Recommender={"Name": "ghost"}) == ("ResourceNotFoundException", 404)


def test_errors_are_modeled_and_quote_no_values(api: Api) -> None:
    ids = shop(api)
    recommender(api, "pop", "popular-items")
    assert api.code("GetProfileRecommendations", DomainName="shop", ProfileId="0" * 32,
                    RecommenderName="pop") == ("ResourceNotFoundException", 404)
    assert api.code("GetProfileRecommendations", DomainName="shop", ProfileId=ids["ann"],
                    RecommenderName="ghost") == ("ResourceNotFoundException", 404)
    assert api.code("GetRecommender", DomainName="nowhere", RecommenderName="pop") == (
        "ResourceNotFoundException", 404)
    assert api.code("ListRecommenders", DomainName="nowhere") == ("ResourceNotFoundException", 404)
    for operation in ("StartRecommender", "StopRecommender", "DeleteRecommender", "GetRecommender"):
        assert api.code(operation, DomainName="shop", RecommenderName="ghost") == ("ResourceNotFoundException", 404)
    assert api.code("CreateRecommender", DomainName="shop", RecommenderName="pop",
                    RecommenderRecipeName="trending-now") == ("BadRequestException", 400)
    bad_columns = api.error("CreateRecommender", DomainName="shop", RecommenderName="cols",
                            RecommenderRecipeName="popular-items",
                            RecommenderConfig={"IncludedColumns": {CANARY: ["x"]}})
    assert bad_columns[:2] == ("BadRequestException", 400) and CANARY not in bad_columns[2]
    described = api.error("CreateRecommender", DomainName="shop", RecommenderName="x",
                          RecommenderRecipeName="popular-items", Description=CANARY, RecommenderSchemaName="nope")
    assert CANARY not in described[2]
    assert api.code("UpdateRecommender", DomainName="shop", RecommenderName="pop",
                    RecommenderConfig={"TrainingFrequency": 1},
                    RecommenderVersionName="pop/2024-01-01T00-00-00Z") == ("BadRequestException", 400)


def test_the_area_state_goes_with_the_domain(api: Api) -> None:
    shop(api)
    recommender(api, "pop", "popular-items", ready=False)
    api("DeleteDomain", DomainName="shop")
    api("CreateDomain", DomainName="shop", DefaultExpirationDays=1)
    assert api("ListRecommenders", DomainName="shop")["Recommenders"] == []


def test_an_item_id_in_the_document_counts_when_the_object_type_maps_none(api: Api) -> None:
    ids = shop(api)
    api("PutProfileObjectType", DomainName="shop", ObjectTypeName="Clicks", Description="clicks",
        Fields={"CustomerId": {"Source": "_source.customer"}}, Keys=EVENT_KEYS)
    for _ in range(5):
        api("PutProfileObject", DomainName="shop", ObjectTypeName="Clicks",
            Object=json.dumps({"customer": "dan", "product_id": "Q"}))
    api("PutProfileObject", DomainName="shop", ObjectTypeName="Clicks", Object=json.dumps({"customer": "dan"}))
    recommender(api, "pop", "popular-items")
    assert recommend(api, ids["ann"], "pop")[0] == ("Q", 1.0)
    api("DeleteProfile", DomainName="shop", ProfileId=ids["dan"])
    assert "Q" not in [item for item, _ in recommend(api, ids["ann"], "pop")]


# ----------------------------------------------------------------------------- filter expressions


@pytest.mark.parametrize("expression", [
    'EXCLUDE ItemID WHERE Items.CATEGORY IN ("a", "b")',
    "INCLUDE ItemID WHERE Items.PRICE < 10 AND Items.GENRE NOT IN ($G) OR Users.tier = \"gold\"",
    'EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("click") | INCLUDE ItemID WHERE Items.X >= -1.5',
    "include itemid where items.x != $V   ",
])
def test_filter_expressions_the_emulator_reads(expression: str) -> None:
    assert _recommend.parse_filter(expression)


@pytest.mark.parametrize("expression", [
    "", "EXCLUDE", "EXCLUDE ItemID", "EXCLUDE ItemID WHERE", "EXCLUDE ItemID WHERE Items.X",
    "EXCLUDE ItemID WHERE Items.X IN (", 'EXCLUDE ItemID WHERE Items.X IN ("a"', "EXCLUDE Users WHERE Items.X = 1",
    "EXCLUDE ItemID WHERE Interactions.ITEM_ID IN (1)", "EXCLUDE ItemID WHERE Other.X = 1",
    'EXCLUDE ItemID WHERE Items.X = "unterminated', "EXCLUDE ItemID WHERE Items.X = 1 |",
    "EXCLUDE ItemID WHERE Items.X = 1 EXCLUDE", "EXCLUDE ItemID WHERE Items.X ~ 1",
])
def test_filter_expressions_the_emulator_refuses(expression: str) -> None:
    with pytest.raises(ValueError) as caught:
        _recommend.parse_filter(expression)
    assert "unterminated" not in str(caught.value)


def test_long_hostile_expressions_and_values_finish() -> None:
    """Inputs at the model's limits (2,500 and 3,000 characters) parse in linear time; a hang
    guard, not a timing assertion."""
    import threading

    results: list[object] = []

    def work() -> None:
        hostile = ['"' + "\\" * 2498, "(" * 2500, 'EXCLUDE ItemID WHERE Items.X IN (' + '"a",' * 600 + '"a")',
                   "EXCLUDE ItemID WHERE " + " AND ".join(["Items.X = 1"] * 150)]
        for text in hostile:
            try:
                results.append(_recommend.parse_filter(text[:2500]))
            except ValueError:
                results.append(None)
        parts = _recommend.parse_filter("EXCLUDE ItemID WHERE Items.X IN ($V)")
        for value in ('"' * 3000, '"\\' * 1500, "," * 3000, '"a",' * 750):
            results.append(_recommend.filter_values(parts, {"V": value}))

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    thread.join(60)
    assert not thread.is_alive() and len(results) == 8
