"""The sources of one bulk run, in the order given: directory trees, explicit files, JSONL manifests.

``plan(sources)`` streams what to check, without reading any certificate (cheap: a walk, or the manifest's
lines); ``entries(plan)`` reads each request's files when it is its turn. ``duplicate_names(sources)`` is a
first pass over the same plan that finds the Names used more than once (the API requires unique names), so
every request using one can be told, the first one included.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from certcheck._files import _open_regular
from certcheck.sources import LINE_CAP, Entry, SourceError, read_manifest
from certcheck.sources.tree import NAME_MAX, Planned, Scan, plan_files, plan_tree

__all__ = ["MANIFEST_SUFFIXES", "Manifest", "duplicate_names", "entries", "plan"]

MANIFEST_SUFFIXES = (".jsonl", ".ndjson")


class Manifest:
    """A JSONL manifest named among the sources: its requests come from its lines."""

    def __init__(self, path: str) -> None:
        self.path = path

    def names(self) -> Iterator[str]:
        handle = _open_regular(self.path, "manifest")
        with handle:
            for raw in iter(lambda: handle.readline(LINE_CAP + 1), b""):
                line = raw.strip()
                if not line or line.startswith(b"#") or b'"Name"' not in line:
                    continue
                try:
                    name = json.loads(line).get("Name")
                except (ValueError, AttributeError, RecursionError):
                    continue
                if isinstance(name, str):
                    yield name


def _check_sources(sources: Sequence[str]) -> None:
    for text in sources:
        path = Path(text)
        if not path.exists():
            raise SourceError(f"{text}: no such file or directory")
        if not path.is_dir() and not path.is_file():
            raise SourceError(f"{text}: not a regular file or a directory")


def plan(
    sources: Sequence[str], scan: Scan | None = None, *, max_chars: int = NAME_MAX
) -> Iterator[Planned | Manifest]:
    """What the sources hold, in order: Planned requests (and unmatched files), and manifests. Consecutive
    explicit files are grouped together (by directory and base name). Raises SourceError when a source does
    not exist."""
    _check_sources(sources)
    scan = scan if scan is not None else Scan()
    files: list[str] = []
    for text in sources:
        path = Path(text)
        if path.is_file() and path.suffix.lower() not in MANIFEST_SUFFIXES:
            files.append(text)
            continue
        if files:
            yield from plan_files(files, scan, max_chars=max_chars)
            files = []
        if path.is_dir():
            yield from plan_tree(text, scan, max_chars=max_chars)
        else:
            yield Manifest(text)
    if files:
        yield from plan_files(files, scan, max_chars=max_chars)


def entries(planned: Iterable[Planned | Manifest], key_password: bytes | None = None) -> Iterator[Entry]:
    """The requests, read one at a time as they are pulled."""
    for item in planned:
        if isinstance(item, Manifest):
            yield from read_manifest(item.path, key_password=key_password)
        else:
            yield item.entry(key_password)


def duplicate_names(planned: Iterable[Planned | Manifest]) -> tuple[set[str], int]:
    """(Names used more than once, the number of entries): a first pass, reading no certificate."""
    counts: Counter[str] = Counter()
    total = 0
    for item in planned:
        if isinstance(item, Manifest):
            for name in item.names():
                counts[name] += 1
                total += 1
            continue
        total += 1
        if item.name and item.layout not in ("unmatched", "unreadable"):
            counts[item.name] += 1
    return {name for name, n in counts.items() if n > 1}, total
