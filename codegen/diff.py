"""Describe what changed between two service models, for the CHANGELOG.

The output follows the spirit of AWS's API change notes: operations added or removed, members
added to, removed from or changed in each shape, and enum values added or removed.
"""

from __future__ import annotations

from typing import Any


def _members(shape: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return dict(shape.get("members", {}))


def _constraints(shape: dict[str, Any]) -> dict[str, Any]:
    return {k: shape[k] for k in ("type", "min", "max", "pattern", "sensitive", "union") if k in shape}


def diff_models(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Return Markdown bullet lines describing the change from ``old`` to ``new``."""
    lines: list[str] = []
    old_ops, new_ops = old["operations"], new["operations"]
    old_shapes, new_shapes = old["shapes"], new["shapes"]

    added_ops = sorted(set(new_ops) - set(old_ops))
    removed_ops = sorted(set(old_ops) - set(new_ops))
    if added_ops:
        lines.append(f"- Operations added ({len(added_ops)}): " + ", ".join(f"`{o}`" for o in added_ops))
    if removed_ops:
        removed_text = ", ".join(f"`{o}`" for o in removed_ops)
        lines.append(f"- Operations removed ({len(removed_ops)}): {removed_text}")

    changed_ops = []
    for name in sorted(set(old_ops) & set(new_ops)):
        o, n = old_ops[name], new_ops[name]
        if o.get("http") != n.get("http"):
            changed_ops.append(f"`{name}` HTTP binding {o.get('http')} -> {n.get('http')}")
    for entry in changed_ops:
        lines.append(f"- Operation changed: {entry}")

    for name in sorted(set(new_shapes) - set(old_shapes)):
        if new_shapes[name]["type"] == "structure":
            members = ", ".join(f"`{m}`" for m in _members(new_shapes[name]))
            lines.append(f"- Shape added: `{name}` ({members or 'no members'})")
        elif "enum" in new_shapes[name]:
            lines.append(f"- Enum added: `{name}` ({', '.join(new_shapes[name]['enum'])})")
    for name in sorted(set(old_shapes) - set(new_shapes)):
        lines.append(f"- Shape removed: `{name}`")

    for name in sorted(set(old_shapes) & set(new_shapes)):
        o, n = old_shapes[name], new_shapes[name]
        om, nm = _members(o), _members(n)
        added = [m for m in nm if m not in om]
        removed = [m for m in om if m not in nm]
        if added:
            lines.append(f"- `{name}`: members added " + ", ".join(f"`{m}`" for m in added))
        if removed:
            lines.append(f"- `{name}`: members removed " + ", ".join(f"`{m}`" for m in removed))
        for m in nm:
            if m in om and om[m].get("shape") != nm[m].get("shape"):
                lines.append(f"- `{name}.{m}`: type `{om[m].get('shape')}` -> `{nm[m].get('shape')}`")
        req_added = sorted(set(n.get("required", [])) - set(o.get("required", [])))
        req_removed = sorted(set(o.get("required", [])) - set(n.get("required", [])))
        if req_added:
            lines.append(f"- `{name}`: now required " + ", ".join(f"`{m}`" for m in req_added))
        if req_removed:
            lines.append(f"- `{name}`: no longer required " + ", ".join(f"`{m}`" for m in req_removed))
        if "enum" in o or "enum" in n:
            ev_added = [v for v in n.get("enum", []) if v not in o.get("enum", [])]
            ev_removed = [v for v in o.get("enum", []) if v not in n.get("enum", [])]
            if ev_added:
                lines.append(f"- Enum `{name}`: values added " + ", ".join(f"`{v}`" for v in ev_added))
            if ev_removed:
                lines.append(f"- Enum `{name}`: values removed " + ", ".join(f"`{v}`" for v in ev_removed))
        if _constraints(o) != _constraints(n):
            lines.append(f"- `{name}`: constraints {_constraints(o)} -> {_constraints(n)}")
    return lines
