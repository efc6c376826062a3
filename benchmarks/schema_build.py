"""Schema builds: how long it takes to build every model's validators, in fresh processes.

    python benchmarks/schema_build.py [--runs 5]

Each run is a new interpreter that imports every structure class, then builds, class by class:
the strict schema (pydantic's own, on first use of an input shape), the lenient validator and
the typed validator (both on first parse of a response). Models are lazy, so an application only
pays for the classes it uses; this is the bound a test suite touching every model pays once.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys

_CHILD = r"""
import json, time
import customer_profiles_sdk.models as models
from customer_profiles_sdk._model import Shape, _lenient_validator, _typed_validator
start = time.perf_counter()
classes = [getattr(models, name) for name in models.__all__]
classes = [c for c in classes if isinstance(c, type) and issubclass(c, Shape)]
imported = time.perf_counter()
for cls in classes:
    cls.model_rebuild(force=True)
strict = time.perf_counter()
for cls in classes:
    _lenient_validator(cls)
lenient = time.perf_counter()
for cls in classes:
    _typed_validator(cls)
typed = time.perf_counter()
print(json.dumps({"classes": len(classes), "import": imported - start, "strict": strict - imported,
                  "lenient": lenient - strict, "typed": typed - lenient}))
"""


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    runs = []
    for _ in range(args.runs):
        out = subprocess.run([sys.executable, "-c", _CHILD], check=True, capture_output=True, text=True).stdout
        runs.append(json.loads(out))
    medians = {key: statistics.median(run[key] for run in runs) for key in ("import", "strict", "lenient", "typed")}
    total = sum(medians.values())
    print(f"schema builds for {runs[0]['classes']} classes (median of {args.runs} fresh processes)")
    for key, label in (("import", "import every shape module"), ("strict", "strict schemas"),
                       ("lenient", "lenient validators"), ("typed", "typed validators")):
        print(f"  {label:28} {medians[key] * 1000:8.0f} ms")
    print(f"  {'total':28} {total * 1000:8.0f} ms")
    return {**medians, "total": total}


if __name__ == "__main__":
    main()
