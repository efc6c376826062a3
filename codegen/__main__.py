"""Command line of the generator.

    python -m codegen generate            # regenerate from codegen/model/
    python -m codegen check               # exit 1 if the committed output differs from a fresh one
    python -m codegen update              # take the model of the installed botocore, then generate
    python -m codegen update --botocore 1.45.0   # download that botocore wheel (pip) and use its model
    python -m codegen review              # exit 1 if a text member is neither redacted nor reviewed
    python -m codegen review --all        # every text member with its classification and reason

Members redacted beyond botocore's ``sensitive`` shapes, and those reviewed and left visible, are
listed in ``codegen/redact.json`` (see docs/security.md); the generator refuses entries the model
does not have.

``update`` also writes a CHANGELOG entry under "Unreleased" listing the operations, members and enum
values that changed between the old and new model. It never changes the boto3/botocore lower bound
in pyproject.toml: the package ships the model it was generated from (``customer_profiles_sdk/data``),
so a newer model needs no newer botocore (docs/design.md, "Supported botocore versions").
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from . import diff, generator, source

ROOT = Path(__file__).resolve().parent.parent
MARKER = "DO NOT EDIT"
#: The model files shipped in the package, copied from codegen/model/ (JSON has no comment for MARKER).
DATA_ROOT = "customer_profiles_sdk/data/customer-profiles/2020-08-15"


def _is_generated(path: Path) -> bool:
    if path.suffix == ".json" and (ROOT / DATA_ROOT).resolve() in path.resolve().parents:
        return True
    try:
        head = path.read_text(encoding="utf-8").splitlines()[:3]
    except (OSError, UnicodeDecodeError):
        return False
    return any(MARKER in line for line in head)


def fresh_files() -> dict[str, str]:
    service, paginators, version = source.load_committed()
    files = generator.generate(service, paginators, version)
    # The model the SDK's clients load: the committed copy, as botocore's loader reads it.
    files[f"{DATA_ROOT}/service-2.json"] = source.dumps(service)
    files[f"{DATA_ROOT}/paginators-1.json"] = source.dumps(paginators)
    for name, document in sorted(source.load_extras().items()):
        files[f"{DATA_ROOT}/{name}"] = source.dumps(document)
    return files


def _generated_on_disk(root: Path) -> set[str]:
    found = {str(p.relative_to(root)) for p in (root / generator.GENERATED_ROOT).rglob("*.py")}
    if (root / generator.MODELS_INIT).exists():
        found.add(generator.MODELS_INIT)
    if (root / DATA_ROOT).is_dir():
        found |= {str(p.relative_to(root)) for p in (root / DATA_ROOT).glob("*.json")}
    return found


def write(files: dict[str, str], root: Path = ROOT) -> int:
    changed = 0
    for rel, text in sorted(files.items()):
        path = root / rel
        if path.exists() and not _is_generated(path):
            raise SystemExit(f"refusing to overwrite hand-written file {rel}")
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            changed += 1
    for rel in sorted(_generated_on_disk(root) - set(files)):
        path = root / rel
        if _is_generated(path):
            path.unlink()
            changed += 1
    return changed


def check(root: Path = ROOT) -> list[str]:
    """Return the relative paths that differ from a fresh generation (empty when in sync)."""
    files = fresh_files()
    problems = []
    for rel, text in sorted(files.items()):
        path = root / rel
        if not path.exists():
            problems.append(f"missing: {rel}")
        elif path.read_text(encoding="utf-8") != text:
            problems.append(f"differs: {rel}")
    for rel in sorted(_generated_on_disk(root) - set(files)):
        problems.append(f"stale: {rel}")
    return problems


def _committed_model() -> generator.Model:
    service, paginators, version = source.load_committed()
    return generator.Model(service, paginators, version, generator.load_redactions())


def unreviewed() -> list[str]:
    """Text members of the committed model that the redaction list does not classify yet."""
    return _committed_model().unreviewed()


def _changelog_entry(old_version: str, new_version: str, lines: list[str]) -> str:
    title = f"- Service model updated from botocore {old_version} to {new_version}."
    body = [title] + ["  " + line for line in lines] if lines else [title + " No API changes."]
    return "\n".join(body)


_SECTION_ORDER = ("Added", "Changed", "Deprecated", "Removed", "Fixed", "Security")


def add_to_changelog(entry: str, path: Path) -> None:
    """Put ``entry`` in the "Changed" section of "Unreleased" (Keep a Changelog order)."""
    text = path.read_text(encoding="utf-8")
    marker = "## [Unreleased]"
    if marker not in text:
        raise SystemExit(f"{path} has no '{marker}' section")
    head, rest = text.split(marker, 1)
    next_release = rest.find("\n## [")
    unreleased, tail = (rest, "") if next_release < 0 else (rest[:next_release + 1], rest[next_release + 1:])
    # Split "Unreleased" into its "### X" subsections.
    parts = re.split(r"(?m)^### ", unreleased)
    preamble, sections = parts[0], {}
    for part in parts[1:]:
        title, _, body = part.partition("\n")
        sections[title.strip()] = body.strip("\n")
    changed = sections.get("Changed", "")
    sections["Changed"] = (changed + "\n" + entry).strip("\n") if changed else entry
    ordered = [t for t in _SECTION_ORDER if t in sections] + [t for t in sections if t not in _SECTION_ORDER]
    body = "".join(f"### {title}\n{sections[title]}\n\n" for title in ordered)
    path.write_text(head + marker + "\n" + preamble.strip("\n") + ("\n" if preamble.strip() else "")
                    + "\n" + body + tail, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m codegen")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("generate", help="regenerate the package from codegen/model/")
    sub.add_parser("check", help="fail when the committed output differs from a fresh generation")
    up = sub.add_parser("update", help="import a newer botocore model, log the change, regenerate")
    up.add_argument("--botocore", metavar="VERSION", help="download this botocore wheel with pip")
    up.add_argument("--no-changelog", action="store_true", help="do not edit CHANGELOG.md")
    review = sub.add_parser("review", help="list text members neither redacted nor reviewed in codegen/redact.json")
    review.add_argument("--all", action="store_true", help="list every text member with its classification")
    args = parser.parse_args(argv)

    if args.command == "generate":
        changed = write(fresh_files())
        print(f"generated; {changed} file(s) changed")
        return 0
    if args.command == "review":
        if args.all:
            for key, status, reason in _committed_model().text_members():
                print(f"{key}\t{status}\t{reason}")
        missing = unreviewed()
        for key in missing:
            print(f"unreviewed: {key}")
        print("every text member is classified" if not missing else
              f"{len(missing)} member(s) to classify in codegen/redact.json (see docs/security.md)")
        return 1 if missing else 0
    if args.command == "check":
        problems = check()
        for line in problems:
            print(line)
        print("in sync" if not problems else f"{len(problems)} generated file(s) out of date")
        return 1 if problems else 0
    # update
    old_service, _, old_version = source.load_committed()
    if args.botocore:
        service, paginators, version = source.from_botocore_wheel(args.botocore)
        extras = source.extras_from_botocore_wheel(args.botocore)
    else:
        service, paginators, version = source.from_installed_botocore()
        extras = source.extras_from_installed_botocore()
    lines = diff.diff_models(old_service, source.strip_docs(service))
    source.write_committed(service, paginators, version, extras=extras)
    if not args.no_changelog:
        add_to_changelog(_changelog_entry(old_version, version, lines), ROOT / "CHANGELOG.md")
    # The boto3/botocore pins are left alone: the model travels with the package.
    changed = write(fresh_files())
    print(f"model {old_version} -> {version}: {len(lines)} change line(s); {changed} file(s) changed")
    for key in unreviewed():
        print(f"unreviewed: {key} (classify it in codegen/redact.json)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
