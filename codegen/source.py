"""Read botocore's customer-profiles model, strip documentation, and store the committed copy.

The committed copy lives in ``codegen/model/``:

* ``service-2.json``   - botocore's service model, documentation strings removed
* ``paginators-1.json`` - botocore's paginator config
* ``VERSION``           - the botocore version both came from
* ``endpoint-rule-set-1.json``, ``paginators-1.sdk-extras.json`` - what else botocore needs to use
  the model (endpoint rules; paginator extras), copied unchanged in content

``python -m codegen generate`` copies all of them except ``VERSION`` into the package
(``customer_profiles_sdk/data/``), where the SDK's clients load them (see ``_compat``).
"""

from __future__ import annotations

import gzip
import io
import json
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any

SERVICE = "customer-profiles"
API_VERSION = "2020-08-15"
MODEL_DIR = Path(__file__).resolve().parent / "model"
_DOC_KEYS = frozenset({"documentation", "documentationUrl"})
#: Files botocore reads besides the service model and the paginators, stored as they came.
EXTRA_FILES = ("endpoint-rule-set-1.json", "paginators-1.sdk-extras.json")


def strip_docs(node: Any) -> Any:
    """Return a copy of a botocore model with every documentation string removed."""
    if isinstance(node, dict):
        return {key: strip_docs(value) for key, value in node.items() if key not in _DOC_KEYS}
    if isinstance(node, list):
        return [strip_docs(item) for item in node]
    return node


def dumps(document: Any) -> str:
    """Stable JSON text for a committed model file (botocore's order is kept)."""
    return json.dumps(document, indent=1, ensure_ascii=False) + "\n"


def load_committed(model_dir: Path = MODEL_DIR) -> tuple[dict[str, Any], dict[str, Any], str]:
    """Return (service model, paginators, botocore version) from the committed copy."""
    service = json.loads((model_dir / "service-2.json").read_text(encoding="utf-8"))
    paginators = json.loads((model_dir / "paginators-1.json").read_text(encoding="utf-8"))
    version = (model_dir / "VERSION").read_text(encoding="utf-8").strip()
    return service, paginators, version


def load_extras(model_dir: Path = MODEL_DIR) -> dict[str, Any]:
    """Return {file name: document} for the committed :data:`EXTRA_FILES` that exist."""
    return {name: json.loads((model_dir / name).read_text(encoding="utf-8"))
            for name in EXTRA_FILES if (model_dir / name).exists()}


def _extras_from(read: Any) -> dict[str, Any]:
    """:data:`EXTRA_FILES` read with ``read(name) -> bytes | None`` (a ``.gz`` twin is tried first)."""
    found = {}
    for name in EXTRA_FILES:
        for candidate in (name + ".gz", name):
            data = read(candidate)
            if data is not None:
                found[name] = _read_maybe_gz(data, candidate)
                break
    return found


def extras_from_installed_botocore() -> dict[str, Any]:
    import botocore

    base = Path(botocore.__file__).resolve().parent / "data" / SERVICE / API_VERSION
    return _extras_from(lambda name: (base / name).read_bytes() if (base / name).exists() else None)


def _read_maybe_gz(data: bytes, name: str) -> Any:
    if name.endswith(".gz"):
        data = gzip.decompress(data)
    return json.loads(data.decode("utf-8"))


def from_installed_botocore() -> tuple[dict[str, Any], dict[str, Any], str]:
    """Read the model shipped by the botocore installed in this interpreter."""
    import botocore

    base = Path(botocore.__file__).resolve().parent / "data" / SERVICE / API_VERSION
    service_file = next(p for p in (base / "service-2.json.gz", base / "service-2.json") if p.exists())
    service = _read_maybe_gz(service_file.read_bytes(), service_file.name)
    paginators = json.loads((base / "paginators-1.json").read_text(encoding="utf-8"))
    return service, paginators, botocore.__version__


def from_botocore_wheel(version: str) -> tuple[dict[str, Any], dict[str, Any], str]:
    """Download botocore==VERSION's wheel with pip (no install) and read the model from it."""
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
             "-d", tmp, f"botocore=={version}"],
            check=True,
        )
        wheel = next(Path(tmp).glob("botocore-*.whl"))
        data = wheel.read_bytes()
        _WHEEL_EXTRAS[version] = extras_from_wheel(data)
        return from_wheel(data, version)


#: The extras of the wheels :func:`from_botocore_wheel` read, by version.
_WHEEL_EXTRAS: dict[str, dict[str, Any]] = {}


def extras_from_botocore_wheel(version: str) -> dict[str, Any]:
    """The extras of the wheel that :func:`from_botocore_wheel` read for ``version``."""
    return _WHEEL_EXTRAS[version]


def extras_from_wheel(wheel_bytes: bytes) -> dict[str, Any]:
    prefix = f"botocore/data/{SERVICE}/{API_VERSION}/"
    with zipfile.ZipFile(io.BytesIO(wheel_bytes)) as archive:
        names = set(archive.namelist())
        return _extras_from(lambda name: archive.read(prefix + name) if prefix + name in names else None)


def from_wheel(wheel_bytes: bytes, version: str) -> tuple[dict[str, Any], dict[str, Any], str]:
    prefix = f"botocore/data/{SERVICE}/{API_VERSION}/"
    with zipfile.ZipFile(io.BytesIO(wheel_bytes)) as archive:
        names = set(archive.namelist())
        candidates = (prefix + "service-2.json.gz", prefix + "service-2.json")
        service_name = next(n for n in candidates if n in names)
        service = _read_maybe_gz(archive.read(service_name), service_name)
        paginators = json.loads(archive.read(prefix + "paginators-1.json").decode("utf-8"))
    return service, paginators, version


def write_committed(service: dict[str, Any], paginators: dict[str, Any], version: str,
                    model_dir: Path = MODEL_DIR, extras: dict[str, Any] | None = None) -> None:
    model_dir.mkdir(parents=True, exist_ok=True)
    for name, document in (extras or {}).items():
        (model_dir / name).write_text(dumps(document), encoding="utf-8")
    (model_dir / "service-2.json").write_text(dumps(strip_docs(service)), encoding="utf-8")
    (model_dir / "paginators-1.json").write_text(dumps(strip_docs(paginators)), encoding="utf-8")
    (model_dir / "VERSION").write_text(version + "\n", encoding="utf-8")
