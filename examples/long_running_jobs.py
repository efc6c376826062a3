"""Long-running jobs: a segment estimate and a recommender, each waited for with a waiter.

    python examples/long_running_jobs.py          # offline, against the SDK's in-memory emulator
    python examples/long_running_jobs.py --aws    # real AWS: default credentials and region

``client.wait_for_<resource>(...)`` polls the resource's Get operation, with growing pauses, until
it reaches a final state: it returns the last response, or raises WaiterFailedError (a failure
state) or WaiterTimeoutError. Offline, the waiters get ``sleep=emulator.advance``: each pause moves
the emulator's clock instead of sleeping, so a recommender "trains" in milliseconds. With
``--aws`` they really sleep (the recommender's training can take an hour or more; with as little
data as this example sends, AWS may well end it FAILED, which the example reports). A recommender
is billed while it exists: the example deletes it, and waits until it is gone, even after an
error. The domain is created and deleted as in the other examples.
"""

from __future__ import annotations

from collections.abc import Callable

from _common import main

from customer_profiles_sdk import CustomerProfilesClient, WaiterFailedError, WaiterTimeoutError
from customer_profiles_sdk.local import installed
from customer_profiles_sdk.models import SegmentGroupStructure
from customer_profiles_sdk.waiters import WaitProgress

# Sample personal data: never printed (the SDK's reprs show such members as <redacted>).
PEOPLE = [("Jane", "jane@example.com"), ("Sam", "sam@example.org"), ("Jane", "jane.doe@example.net")]
SEGMENT = SegmentGroupStructure.model_validate({"Include": "ALL", "Groups": [{"Type": "ALL", "Dimensions": [
    {"ProfileAttributes": {"FirstName": {"DimensionType": "INCLUSIVE", "Values": ["Jane"]}}}]}]})


class Statuses:
    """A progress callback that remembers each status change (and prints nothing personal)."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def __call__(self, step: WaitProgress) -> None:
        # No status: a failed poll about to be retried, or (the last call) a deleted resource's 404.
        status = step.status or ("gone (404)" if step.next_delay is None else "(retrying)")
        if not self.seen or self.seen[-1] != status:
            self.seen.append(status)


def run(client: CustomerProfilesClient, domain: str, aws: bool) -> None:
    # Offline (and wherever an emulator answers process-wide, as in the SDK's tests of --aws mode),
    # the pauses advance the emulator's clock; against AWS, sleep=None sleeps for real.
    emulator = installed()
    sleep: Callable[[float], None] | None = emulator.advance if emulator is not None else None
    print(f"pauses:       {'advance the emulator clock' if sleep is not None else 'real sleeping'}")

    for first_name, email in PEOPLE:
        client.create_profile(domain_name=domain, first_name=first_name, email_address=email)

    # 1. A segment estimate: HTTP 202 and RUNNING, then SUCCEEDED with the count.
    estimate_id = client.create_segment_estimate(domain_name=domain, segment_query=SEGMENT).estimate_id
    if estimate_id is None:
        raise SystemExit("CreateSegmentEstimate answered no EstimateId")
    estimate_progress = Statuses()
    estimate = client.wait_for_segment_estimate(domain_name=domain, estimate_id=estimate_id, delay=2,
                                                max_delay=10, timeout=600, progress=estimate_progress, sleep=sleep)
    print(f"estimate:     {' -> '.join(estimate_progress.seen)}, {estimate.estimate} profile(s) match")

    # 2. A recommender: PENDING, IN_PROGRESS (training), then ACTIVE, or FAILED.
    client.create_recommender(domain_name=domain, recommender_name="popular", recommender_recipe_name="popular-items",
                              description="Popular items")
    try:
        training = Statuses()
        try:
            recommender = client.wait_for_recommender(
                domain_name=domain, recommender_name="popular", delay=20 if sleep else 60, max_delay=600,
                timeout=4 * 3600, progress=training, sleep=sleep)
            print(f"recommender:  {' -> '.join(training.seen)}")
            print(f"recipe:       {recommender.recommender_recipe_name}, ready for get_profile_recommendations")
        except WaiterFailedError as error:
            reason = getattr(error.last_response, "failure_reason", None)
            print(f"recommender:  {' -> '.join(training.seen)}: ended {error.status} after {error.elapsed:.0f} s"
                  f" (a failure reason is {'given' if reason else 'not given'})")
        except WaiterTimeoutError as error:
            print(f"recommender:  still {error.status} after {error.elapsed:.0f} s; gave up waiting")
    finally:
        # 3. Delete it, and wait until the service answers 404 (it is DELETING for a while).
        client.delete_recommender(domain_name=domain, recommender_name="popular")
        going = Statuses()
        client.wait_for_recommender_deleted(domain_name=domain, recommender_name="popular", delay=5,
                                            max_delay=60, timeout=3600, progress=going, sleep=sleep)
        print(f"deleted:      {' -> '.join(going.seen)}")


if __name__ == "__main__":
    main(__doc__, run, "cpsdk-example-long-running-jobs")
