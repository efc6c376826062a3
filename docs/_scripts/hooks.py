"""MkDocs hooks for this site (listed under ``hooks:`` in mkdocs.yml)."""

from __future__ import annotations

from mkdocs.plugins import event_priority
from mkdocs.structure.files import Files, InclusionLevel


@event_priority(-200)  # after literate-nav (-100), which reads the file in its own on_files
def on_files(files: Files, **kwargs: object) -> Files:
    """Keep the generated reference/SUMMARY.md (the reference navigation) out of the site and its search index."""
    summary = files.get_file_from_path("reference/SUMMARY.md")
    if summary is not None:
        summary.inclusion = InclusionLevel.EXCLUDED
    return files
