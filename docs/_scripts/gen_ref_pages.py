"""Write the API reference pages at build time (run by the mkdocs-gen-files plugin).

Nothing this script writes is committed: the pages exist only inside the build, so they can never
be out of date with the code. The repository holds short stand-ins for the pages that other pages
link to (docs/reference/*.md), so that those links work when the Markdown is read in the
repository; this script replaces every one of them, and stops the build if one would be left in
the site. The lists come from the code itself:

* the operations from ``customer_profiles_sdk._generated.operations.OPERATIONS`` (one page per
  operation: the client method, its paginator if it has one, and its request and response models);
* the models from ``customer_profiles_sdk.models.__all__`` (an enum is a name that has a
  ``<Name>Literal`` companion; every other name is a structure). Request and response models go on
  their operation's page, every other structure on an alphabetical page, enums on one page.

Both modules are cheap to import (plain tuples and a lazy facade), and nothing here imports a
model. mkdocstrings then reads the classes statically with griffe from where they are really
defined (``customer_profiles_sdk._generated.shapes.<module>``), through the facade's
``TYPE_CHECKING`` imports, and shows them under their public path
``customer_profiles_sdk.models.<Name>``.

The script fails the build when a model or an operation would be left without a page, or placed
twice; docs/_scripts/check_site.py checks the built HTML against botocore's service model as well.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import mkdocs_gen_files

from customer_profiles_sdk import models
from customer_profiles_sdk._generated.operations import OPERATIONS, PAGINATION, PARTIAL_FAILURES

ROOT = Path(__file__).resolve().parents[2]
AWS_API = "https://docs.aws.amazon.com/customerprofiles/latest/APIReference/API_{name}.html"
CLIENT = "customer_profiles_sdk.client.CustomerProfilesClient"

#: Operation groups for the navigation: the first pattern that matches the operation name wins.
GROUPS: tuple[tuple[str, str], ...] = (
    ("Domains", r"^(Create|Get|Update|Delete)Domain$|^ListDomains$"),
    ("Domain layouts", r"DomainLayout"),
    ("Domain object types", r"DomainObjectType"),
    ("Recommenders", r"Recommend"),
    ("Identity resolution", r"Matches$|SimilarProfiles|IdentityResolutionJob|AutoMergingPreview|MergeProfiles"),
    ("Object types and templates", r"ProfileObjectType|ObjectTypeAttribute"),
    ("Profile objects", r"ProfileObjects?$"),
    ("Profiles", r"Profile"),
    ("Calculated attributes", r"CalculatedAttribute"),
    ("Segments", r"Segment"),
    ("Event streams", r"EventStream"),
    ("Event triggers", r"EventTrigger"),
    ("Integrations and workflows", r"Integration|Workflow"),
    ("Upload jobs", r"UploadJob"),
    ("Tags", r"[Tt]agResource|TagsForResource"),
)

#: Optional modules: their pages are written either way; mkdocstrings renders them only once the
#: module is in the tree (a missing module would fail the build). See docs/guides/testing.md.
EMULATOR_MODULES = {
    "customer_profiles_sdk.local": ("customer_profiles_sdk/local/__init__.py", "customer_profiles_sdk/local.py"),
    "customer_profiles_sdk.testing": ("customer_profiles_sdk/testing.py", "customer_profiles_sdk/testing/__init__.py"),
}

nav = mkdocs_gen_files.Nav()  # type: ignore[attr-defined, no-untyped-call]
placed: dict[str, str] = {}


def place(name: str, page: str) -> None:
    if name in placed:
        raise SystemExit(f"gen_ref_pages: model {name} placed on {placed[name]} and on {page}")
    placed[name] = page


written: set[str] = set()


def write(path: str, text: str) -> None:
    written.add(path)
    with mkdocs_gen_files.open(f"reference/{path}", "w") as handle:
        handle.write(text)


def directive(identifier: str, **options: object) -> str:
    lines = [f"::: {identifier}"]
    if options:
        lines.append("    options:")
        for key, value in options.items():
            rendered = str(value).lower() if isinstance(value, bool) else value
            lines.append(f"      {key}: {rendered}")
    return "\n".join(lines) + "\n"


def model(name: str, level: int = 3) -> str:
    # The generated docstring lists every member with its wire name and rules; pydantic's
    # ``__init__(**data)`` signature would say nothing, so it is not shown.
    return directive(
        f"customer_profiles_sdk.models.{name}", heading_level=level, show_signature=False, separate_signature=False
    )


def group_of(operation: str) -> str:
    for title, pattern in GROUPS:
        if re.search(pattern, operation):
            return title
    return "Other operations"


# -- names -----------------------------------------------------------------------------------------

exported = set(models.__all__)
enums = sorted(name for name in exported if f"{name}Literal" in exported)
literals = {f"{name}Literal" for name in enums}
structures = sorted(exported - set(enums) - literals)
operation_shapes = {info.input_shape for info in OPERATIONS.values()} | {
    info.output_shape for info in OPERATIONS.values()
}
missing = operation_shapes - set(structures)
if missing:
    raise SystemExit(f"gen_ref_pages: operation shapes missing from customer_profiles_sdk.models: {sorted(missing)}")

# -- operations ------------------------------------------------------------------------------------

groups: dict[str, list[str]] = defaultdict(list)
for name in sorted(OPERATIONS):
    groups[group_of(name)].append(name)

for name, info in sorted(OPERATIONS.items()):
    method = info.python_name
    page = f"operations/{method}.md"
    facts = [
        f"| operation | `{name}` ([AWS API reference]({AWS_API.format(name=name)})) |",
        f"| HTTP request | `{info.http_method} {info.request_uri}` |",
        f"| request model | [`{info.input_shape}`][customer_profiles_sdk.models.{info.input_shape}] |",
        f"| response model | [`{info.output_shape}`][customer_profiles_sdk.models.{info.output_shape}] |",
        "| service errors | " + ", ".join(f"`{error}`" for error in info.errors) + " |",
    ]
    if name in PAGINATION:
        items = PAGINATION[name]
        facts.append(
            f"| paginator | [`paginate_{method}`][{CLIENT}.paginate_{method}] yields the `{items.items_wire}` items |"
        )
    if name in PARTIAL_FAILURES:
        facts.append(
            "| partial failures | raises [`PartialFailureError`][customer_profiles_sdk.errors.PartialFailureError]"
            " unless `allow_partial=True` |"
        )
    parts = [
        f"# {method}\n",
        f"`client.{method}(...)` calls the **{name}** operation ({group_of(name)}).\n",
        facts[0] + "\n|---|---|\n" + "\n".join(facts[1:]) + "\n",
        "## Method\n",
        directive(f"{CLIENT}.{method}", heading_level=3),
    ]
    if name in PAGINATION:
        parts.append(directive(f"{CLIENT}.paginate_{method}", heading_level=3))
    parts += ["## Models\n", model(info.input_shape), model(info.output_shape)]
    place(info.input_shape, page)
    place(info.output_shape, page)
    write(page, "\n".join(parts))

# -- shared structures, grouped by first letter ----------------------------------------------------

shared = [name for name in structures if name not in operation_shapes]
by_letter: dict[str, list[str]] = defaultdict(list)
for name in shared:
    by_letter[name[0].upper()].append(name)

structure_pages: list[tuple[str, str]] = []
for letter, names in sorted(by_letter.items()):
    page = f"models/structures-{letter.lower()}.md"
    body = [
        f"# Structures: {letter}\n",
        "Structures used inside requests and responses, whose names start with "
        f"**{letter}**. Each is a pydantic model; see [Models](index.md) for what every model can do.\n",
    ]
    for name in names:
        place(name, page)
        body.append(model(name, level=2))
    write(page, "\n".join(body))
    structure_pages.append((letter, page))

body = [
    "# Enums\n",
    "Every enum shape is a `StrEnum`, with a `<Name>Literal` alias of its values for static typing. "
    "Fields typed with an enum accept a member or its string on input, and hold plain strings; a "
    "response may carry a value newer than the SDK, which is kept as it came.\n",
]
for name in enums:
    place(name, "models/enums.md")
    # The values go on one line per enum, not one heading per value (70 enums, ~500 values).
    # Importing an enum loads only its small StrEnum module, not pydantic.
    values = [member.value for member in getattr(models, name)]
    body.append(
        directive(
            f"customer_profiles_sdk.models.{name}",
            heading_level=2,
            members=False,
            show_signature=False,
            separate_signature=False,
        )
    )
    body.append(f"**Values** ({len(values)}): " + ", ".join(f"`{value}`" for value in values) + "\n")
write("models/enums.md", "\n".join(body))

unplaced = set(structures) | set(enums)
unplaced -= placed.keys()
if unplaced:
    raise SystemExit(f"gen_ref_pages: models without a page: {sorted(unplaced)}")

# -- model index ------------------------------------------------------------------------------------

index_lines = [
    "# Models\n",
    f"`customer_profiles_sdk.models` has {len(structures)} structure classes and {len(enums)} enums, "
    "one per shape of the service model, named exactly as the shape. The module loads each class "
    "lazily, on first use; the classes are generated into `customer_profiles_sdk._generated.shapes`, "
    "but always import them from `customer_profiles_sdk.models`.\n",
    "- Request and response models are on their operation's page "
    "(for example [`SearchProfilesRequest`][customer_profiles_sdk.models.SearchProfilesRequest]).",
    f"- The {len(shared)} other structures are on alphabetical pages: "
    + ", ".join(f"[{letter}](structures-{letter.lower()}.md)" for letter, _ in structure_pages)
    + ".",
    f"- The {len(enums)} enums are on [one page](enums.md).\n",
    "Every structure derives from one of the base classes below: "
    "[`InputShape`][customer_profiles_sdk._model.InputShape] for shapes that can appear in a request "
    "(strict), [`OutputShape`][customer_profiles_sdk._model.OutputShape] for shapes that are only "
    "received (lenient), and [`ResponseShape`][customer_profiles_sdk._model.ResponseShape] for the "
    "output of an operation. The guide [Validation rules](../../guides/validation.md) explains what "
    "strict and lenient mean in practice.\n",
    "## Base classes\n",
]
for base in ("Shape", "InputShape", "OutputShape", "ResponseShape", "RawValue"):
    index_lines.append(
        directive(
            f"customer_profiles_sdk._model.{base}", heading_level=3, members_order="source", inherited_members=False
        )
    )
write("models/index.md", "\n".join(index_lines))

# -- client, modules, emulator -----------------------------------------------------------------------

non_operation = ["__init__", "boto3_client", "send"]
write(
    "client.md",
    "\n".join(
        [
            "# Client\n",
            "[`CustomerProfilesClient`][customer_profiles_sdk.client.CustomerProfilesClient] has one method per "
            f"operation ({len(OPERATIONS)}) and one `paginate_<operation>` method for each of the "
            f"{len(PAGINATION)} operations that take `NextToken`. Each has its own page under "
            "[Operations](operations/index.md), with its request and response models. This page shows the "
            "constructor and the members that are not operations.\n",
            "`send(request)` is typed by one overload per request model (request class in, response class out); "
            "the overloads are not listed here.\n",
            directive(
                CLIENT,
                heading_level=2,
                members="[" + ", ".join(non_operation) + "]",
                inherited_members=True,
                show_overloads=False,
                merge_init_into_class=True,
            ),
            directive("customer_profiles_sdk.client.ResponseMetadata", heading_level=2, members_order="source"),
            directive("customer_profiles_sdk.client.DEFAULT_RETRY_MODE", heading_level=2),
        ]
    ),
)

write(
    "aio.md",
    "\n".join(
        [
            "# Async client\n",
            "[`AsyncCustomerProfilesClient`][customer_profiles_sdk.aio.AsyncCustomerProfilesClient] (the `async` "
            "extra, on aiobotocore) has the same operations and paginators as the sync client, as `async def` "
            "methods with the same arguments and return types; each operation's page documents the sync "
            "method. Its paginators are [`AsyncPaginator`][customer_profiles_sdk.pagination.AsyncPaginator]s. "
            "How to use it: [The async client](../guides/async.md).\n",
            directive(
                "customer_profiles_sdk.aio.AsyncCustomerProfilesClient",
                heading_level=2,
                members="[__init__, aiobotocore_client, close, send]",
                inherited_members=True,
                show_overloads=False,
                merge_init_into_class=True,
            ),
        ]
    ),
)

op_index = [
    "# Operations\n",
    f"All {len(OPERATIONS)} operations of the `customer-profiles` service, grouped by resource. "
    "Each page shows the client method, its paginator when the operation takes `NextToken`, and "
    "the request and response models.\n",
]
for title, _ in (*GROUPS, ("Other operations", "")):
    if not groups.get(title):
        continue
    op_index.append(f"## {title}\n")
    op_index.append("| method | operation | HTTP |\n|---|---|---|")
    for name in groups[title]:
        info = OPERATIONS[name]
        paginated = (
            f" (+ [`paginate_{info.python_name}`][{CLIENT}.paginate_{info.python_name}])" if name in PAGINATION else ""
        )
        op_index.append(
            f"| [`{info.python_name}`]({info.python_name}.md){paginated} | `{name}` | "
            f"`{info.http_method} {info.request_uri}` |"
        )
    op_index.append("")
write("operations/index.md", "\n".join(op_index))

modules: dict[str, tuple[str, str, dict[str, object]]] = {
    "errors.md": ("Errors", "customer_profiles_sdk.errors", {}),
    "pagination.md": ("Pagination", "customer_profiles_sdk.pagination", {"members": "[Paginator, AsyncPaginator]"}),
    "rules.md": ("Documented rules", "customer_profiles_sdk.rules", {"show_if_no_docstring": True}),
    "logging.md": ("Log redaction", "customer_profiles_sdk.logging", {}),
}
for page, (title, identifier, options) in modules.items():
    write(
        page,
        f"# {title}\n\n"
        + directive(identifier, heading_level=2, show_root_heading=True, members_order="source", **options),
    )

for identifier, candidates in EMULATOR_MODULES.items():
    short = identifier.rsplit(".", 1)[1]
    title = {"local": "Emulator", "testing": "pytest plugin"}[short]
    header = f"# {title}: `{identifier}`\n\nHow to use it: [Testing with the emulator](../guides/testing.md).\n"
    if any((ROOT / candidate).exists() for candidate in candidates):
        text = directive(identifier, heading_level=2, show_root_heading=True, members_order="source")
    else:
        text = (
            '!!! warning "Not in this build"\n\n'
            f"    `{identifier}` was not in the source tree when this site was built, so its reference "
            "could not be generated. The page fills itself in once the module exists.\n"
        )
        print(f"gen_ref_pages: {identifier} not found; wrote a placeholder page")
    write(f"{short}.md", header + "\n" + text)

# -- navigation (literate-nav reads reference/SUMMARY.md) -------------------------------------------

nav["Overview"] = "index.md"
nav["Client"] = "client.md"
nav["Async client"] = "aio.md"
nav["Operations"] = "operations/index.md"
for title, _ in (*GROUPS, ("Other operations", "")):
    for name in groups.get(title, []):
        nav["Operations", title, OPERATIONS[name].python_name] = f"operations/{OPERATIONS[name].python_name}.md"
nav["Models"] = "models/index.md"
for letter, page in structure_pages:
    nav["Models", f"Structures {letter}"] = page
nav["Models", "Enums"] = "models/enums.md"
nav["Errors"] = "errors.md"
nav["Pagination"] = "pagination.md"
nav["Documented rules"] = "rules.md"
nav["Log redaction"] = "logging.md"
nav["Emulator"] = "local.md"
nav["pytest plugin"] = "testing.md"

write(
    "index.md",
    "\n".join(
        [
            "# API reference\n",
            "Generated from the code at build time. Import paths shown are the public ones.\n",
            "- [Client](client.md): `CustomerProfilesClient`, its constructor and `send`; "
            "[Async client](aio.md): `AsyncCustomerProfilesClient`.",
            f"- [Operations](operations/index.md): all {len(OPERATIONS)} operations, one page each, with their "
            f"{len(PAGINATION)} paginators and their request and response models.",
            f"- [Models](models/index.md): the base classes, {len(shared)} shared structures and {len(enums)} enums.",
            "- [Errors](errors.md), [Pagination](pagination.md), [Documented rules](rules.md), "
            "[Log redaction](logging.md).",
            "- [Emulator](local.md) and its [pytest plugin](testing.md).",
            "",
        ]
    ),
)
with mkdocs_gen_files.open("reference/SUMMARY.md", "w") as handle:
    handle.writelines(nav.build_literate_nav())

# The committed stand-ins (docs/reference/*.md) must all have been replaced by generated pages.
REFERENCE = ROOT / "docs" / "reference"
stand_ins = {path.relative_to(REFERENCE).as_posix() for path in REFERENCE.rglob("*.md")}
if stand_ins - written:
    raise SystemExit(f"gen_ref_pages: stand-in pages that nothing generates: {sorted(stand_ins - written)}")
