"""Run every benchmark and print the summary against the targets of docs/performance.md.

    python benchmarks/run.py            # the full run (a few minutes)
    python benchmarks/run.py --quick    # a smoke run: every script once, tiny sizes (CI)

Timings are medians of paired runs against raw boto3 in the same process (or, for cold start,
in alternating fresh processes). The quick run's figures are not meaningful; it only proves the
scripts work.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import calls
import cold_start
import gc_modes
import ingest
import memory
import redaction_scaling
import schema_build

#: docs/performance.md's targets (SDK / raw boto3, medians; within 3% counts).
TARGETS = {
    "small: GetProfileObjectType": 1.00,
    "small: CreateProfile": 1.00,
    "small: PutProfileObject": 1.00,
    "small: SearchProfiles, 1 profile": 1.00,
    "large: SearchProfiles, 100 profiles": 0.35,
    "large: ListProfileObjects, 100 objects": 0.58,
    "large: GetProfileObjectType, 200 fields": 0.47,
    "large: SearchProfiles, 1000 profiles": 0.35,
}
COLD_START_TARGET = 1.05


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="smoke run: tiny sizes, one round")
    args = parser.parse_args()
    quick = args.quick
    print("== cold start")
    cold = cold_start.main(["--runs", "2" if quick else "15"])
    print("\n== calls")
    rows = calls.main(["--rounds", "1", "--scale", "0.02"] if quick else ["--rounds", "15"])
    print("\n== the collector's pause, by body size (SDK / raw boto3, three settings)")
    gc_modes.main(["--rounds", "1", "--sizes", "15", "--scale", "0.05"] if quick
                  else ["--rounds", "9", "--list-objects"])
    print("\n== memory")
    memory.main(["--pages", "10", "--per-page", "10"] if quick else [])
    print("\n== schema builds")
    schema_build.main(["--runs", "1" if quick else "5"])
    print("\n== bulk ingestion (rate against an emulator limit, peak memory against input size)")
    ingest.main(["--quick"] if quick else [])
    print("\n== redaction of hostile text (cost for 8x the input)")
    scaling = redaction_scaling.main(["--quick"] if quick else [])
    print("\n== summary (SDK / raw boto3, median)")
    cold_ratio = cold["SDK client (CustomerProfilesClient) / boto3 + client"]
    print(f"  {'cold start: import + client':42} {cold_ratio:6.3f}  target <= {COLD_START_TARGET:.2f}")
    print(f"  {'':42} {'median':>6}  {'totals':>6}  {'SDK/baseline':>12}")
    for row in rows:
        print(f"  {row.name:42} {row.ratio:6.3f}  {row.totals:6.3f}  {row.sdk_to_baseline:12.3f}  "
              f"target <= {TARGETS[row.name]:.2f}")
    print(f"  {'redaction: worst family, input x8':42} {max(scaling.values()):6.1f}  target < 16 (linear: 8)")
    if quick:
        print("(quick run: figures not meaningful)")


if __name__ == "__main__":
    main()
