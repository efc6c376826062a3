"""A griffe extension: turn the reST roles in our docstrings into links for the site.

The code's docstrings are written for ``help()`` and IDEs, with Sphinx-style roles
(:class:`ObjectTypeKey`, :meth:`pages`, :mod:`customer_profiles_sdk.rules`) and reST ``::``
literal blocks. Rendered as Markdown these would show the role names. This extension rewrites
them while griffe loads the package:

* a role becomes an optional autorefs link: the target is resolved like Python would (model names
  to ``customer_profiles_sdk.models.<Name>``, other names through the object's scope), and the link
  stays plain code if nothing on the site has that identifier, so a reference to an undocumented
  private helper never breaks ``mkdocs build --strict``;
* a reST literal block (``text::``, a blank line, an indented block) becomes a fenced Python code
  block at the indentation of the paragraph, so that it also works inside a list item;
* the closing ``AWS API reference: <url>`` line becomes a link named after the operation or shape;
* reST section titles (a line underlined with ``---``) become bold lines, and reST definition
  lists (a ````term```` line followed by indented text) become bullet items.

The source files are not touched.
"""

from __future__ import annotations

import html
import re
from typing import Any

import griffe

ROLE = re.compile(r":(?:py:)?(class|meth|func|attr|mod|data|exc|obj):`(~?)([^`]+)`")
UNDERLINE = re.compile(r"^(?P<title>\S[^\n]*)\n(?P<line>-{3,}|={3,})$", re.MULTILINE)
AWS_LINK = re.compile(r"^AWS API reference: (https://docs\.aws\.amazon\.com/\S+/API_(\w+)\.html)$", re.MULTILINE)
DEFINITION = re.compile(r"^(?P<term>``[^`\n]+``)\n(?P<body>(?:    \S[^\n]*\n?)+)", re.MULTILINE)


def literal_blocks(text: str) -> str:
    """Turn reST literal blocks (a paragraph ending in ``::`` and an indented block) into fences."""
    lines = text.split("\n")
    out: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        stripped = line.rstrip()
        follows = index + 2 < len(lines) and not lines[index + 1].strip()
        if not (stripped.endswith("::") and follows):
            out.append(line)
            index += 1
            continue
        indent = len(line) - len(line.lstrip())
        if line.lstrip().startswith(("* ", "- ")):
            indent += 2
        block_start = index + 2
        end = block_start
        while end < len(lines) and (not lines[end].strip() or len(lines[end]) - len(lines[end].lstrip()) > indent):
            end += 1
        while end > block_start and not lines[end - 1].strip():
            end -= 1
        block = lines[block_start:end]
        if not block or len(block[0]) - len(block[0].lstrip()) <= indent:
            out.append(line)
            index += 1
            continue
        cut = min(len(b) - len(b.lstrip()) for b in block if b.strip())
        head = stripped[:-1] if stripped[:-2].strip() else ""
        if head:
            out.append(head)
        out += ["", " " * indent + "```python"]
        out += [(" " * indent + b[cut:]) if b.strip() else "" for b in block]
        out += [" " * indent + "```"]
        index = end
    return "\n".join(out)


class SphinxRoles(griffe.Extension):
    """Rewrite Sphinx roles and reST constructs in every docstring of the package."""

    def __init__(self) -> None:
        self.models: set[str] = set()

    def on_package(self, *, pkg: griffe.Module, **kwargs: Any) -> None:
        if pkg.name != "customer_profiles_sdk":
            return
        facade = pkg.members.get("models")
        if facade is not None:
            self.models = {
                name
                for name, member in facade.members.items()
                if isinstance(member, griffe.Alias)
                and member.target_path.startswith("customer_profiles_sdk._generated.shapes.")
            }
        self._walk(pkg, seen=set())

    def on_package_loaded(self, *, pkg: griffe.Module, **kwargs: Any) -> None:
        """The same, under the hook's name in griffe 1.x before ``on_package`` (run once either way)."""
        if not self.models:
            self.on_package(pkg=pkg, **kwargs)

    def _walk(self, obj: griffe.Object, seen: set[str]) -> None:
        if obj.path in seen:
            return
        seen.add(obj.path)
        if obj.docstring is not None:
            obj.docstring.value = self.rewrite(obj, obj.docstring.value)
        for member in obj.members.values():
            if not member.is_alias:
                self._walk(member, seen)  # type: ignore[arg-type]

    # -- rewriting ---------------------------------------------------------------------------------

    def rewrite(self, obj: griffe.Object, text: str) -> str:
        text = AWS_LINK.sub(r"AWS API reference: [\2](\1)", text)
        text = ROLE.sub(lambda match: self._link(obj, *match.groups()), text)
        text = literal_blocks(text)
        text = UNDERLINE.sub(lambda match: f"**{match['title']}**\n", text)
        text = DEFINITION.sub(
            lambda match: f"- {match['term']}: " + " ".join(line.strip() for line in match["body"].splitlines()) + "\n",
            text,
        )
        return text

    def _link(self, obj: griffe.Object, role: str, tilde: str, target: str) -> str:
        target = target.strip()
        shown = target.rsplit(".", 1)[-1] if tilde else target
        if role in ("meth", "func"):
            shown += "()"
        path = self._resolve(obj, target)
        code = f"<code>{html.escape(shown)}</code>"
        if path is None:
            return code
        return f'<autoref identifier="{html.escape(path)}" optional>{code}</autoref>'

    def _resolve(self, obj: griffe.Object, target: str) -> str | None:
        if target in self.models:
            return f"customer_profiles_sdk.models.{target}"
        if target.startswith("customer_profiles_sdk"):
            return target
        scope: griffe.Object | None = obj
        while scope is not None:
            try:
                return scope.resolve(target)
            except (griffe.NameResolutionError, ValueError, KeyError):
                pass
            if target.split(".")[0] in scope.members:
                return f"{scope.path}.{target}"
            scope = scope.parent
        return None
