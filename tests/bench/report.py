"""docs/benchmarks.md: each `make bench-*` target writes its own "## ..." section and keeps the others."""

from __future__ import annotations

import pathlib

DOC = pathlib.Path(__file__).resolve().parents[2] / "docs" / "benchmarks.md"
HEADER = "# Benchmarks\n\nEach section is written by its own `make bench-*` target.\n"


def write_section(section_title: str, text: str, end_marker: str | None = None, doc: pathlib.Path = DOC):
    """Put ``text`` (starting with the ``section_title`` line) in place of that section of ``doc``, or
    append it when the section is not there yet.

    The old section ends at ``end_marker`` (included) when given and found, else just before the next
    "## " heading (or at the end of the file). One blank line separates the new text from what follows
    it (the next "## " section, or notes written by hand below an end marker inside the section);
    everything else in the file is left as it was.
    """
    doc.parent.mkdir(parents=True, exist_ok=True)
    content = doc.read_text() if doc.exists() else HEADER
    if section_title in content:
        start = content.index(section_title)
        end = content.find(end_marker, start) if end_marker else -1
        if end != -1:
            end += len(end_marker)
        else:  # no end marker (or an older copy without it): up to the next section
            nxt = content.find("\n## ", start + len(section_title))
            end = nxt if nxt != -1 else len(content)
        rest = content[end:].lstrip("\n")
        content = content[:start] + text.rstrip("\n") + "\n" + ("\n" if rest else "") + rest
    else:
        content = content.rstrip("\n") + "\n\n" + text
    doc.write_text(content)
