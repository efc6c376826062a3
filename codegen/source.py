"""Read botocore's customer-profiles model, strip documentation, and store the committed copy.

The committed copy lives in ``codegen/model/``:

* ``service-2.json``   - botocore's service model, documentation strings removed
* ``paginators-1.json`` - botocore's paginator config
* ``VERSION``           - the botocore version both came from
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
        return from_wheel(wheel.read_bytes(), version)


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
                    model_dir: Path = MODEL_DIR) -> None:
    model_dir.mkdir(parents=True, exist_ok=True)
    (model_dir / "service-2.json").write_text(dumps(strip_docs(service)), encoding="utf-8")
    (model_dir / "paginators-1.json").write_text(dumps(strip_docs(paginators)), encoding="utf-8")
    (model_dir / "VERSION").write_text(version + "\n", encoding="utf-8")
