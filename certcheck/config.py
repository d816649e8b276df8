"""The config file: ``certcheck.toml``, or ``[tool.certcheck]`` in ``pyproject.toml``.

Found by walking up from the working directory: in each directory ``certcheck.toml`` first, then a
``pyproject.toml`` that has a ``[tool.certcheck]`` table (one without it is passed over, as ruff does); the first
found is used, nothing is merged. ``certcheck.toml`` holds the keys at its top level (or, equally, under
``[tool.certcheck]``). Flags on the command line win over the file.

Every key is checked: an unknown key, or a value of the wrong type or outside its choices, is a ``ConfigError``
that names the file and the key (the CLI exits 2), so a typo never passes for a setting.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["CONFIG_NAMES", "EXAMPLE", "KEYS", "Config", "ConfigError", "find_config", "load_config"]

CONFIG_NAMES = ("certcheck.toml", "pyproject.toml")

# key -> (what it takes, its choices or None). Keys use the flags' spelling.
KEYS: dict[str, tuple[str, tuple[str, ...] | None]] = {
    "select": ("list of codes or prefixes", None),
    "ignore": ("list of codes or prefixes", None),
    "fail-on": ("string", ("error", "warning", "never")),
    "min-severity": ("string", ("error", "warning", "info")),
    "profile": ("string", ("2025-11", "2024-07")),
    "expiry-warning-days": ("number of days", None),
    "format": ("string", ("text", "json", "jsonl", "sarif", "junit", "github")),
}

EXAMPLE = """\
# certcheck.toml -- or the same keys under [tool.certcheck] in pyproject.toml.
# certcheck looks for it from the working directory upwards; flags on the command line win.
# `certcheck rules` lists every finding code; `certcheck rules CODE` explains one.

# Keep only these codes or prefixes (default: all). A prefix ends at a dot: "chain." is every chain code.
# select = ["pair.", "chain.", "validity.", "key."]

# Drop these codes or prefixes. An unknown code is an error, so a typo never silently disables a check.
ignore = ["chain.leaf_only"]

# Exit 1 when a finding is at or above this severity: "error" (default), "warning" or "never".
fail-on = "error"

# Show only findings at or above this severity: "info" (default), "warning" or "error". Display only.
# min-severity = "warning"

# The API page to check against: "2025-11" (default) or "2024-07".
profile = "2025-11"

# Warn when a certificate expires within this many days (default 30).
expiry-warning-days = 30

# Output format: "text" (default), "json", "jsonl", "sarif", "junit" or "github".
# format = "sarif"
"""


class ConfigError(Exception):
    """The config file cannot be used (unreadable, invalid TOML, an unknown key, a bad value)."""


@dataclass(frozen=True)
class Config:
    path: Path | None = None  # None: no file
    values: dict[str, Any] = field(default_factory=dict)  # validated, under the keys of KEYS

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)


def _toml_load(data: bytes, path: Path) -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    try:
        parsed: dict[str, Any] = tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML ({exc})") from None
    return parsed


def _read(path: Path) -> dict[str, Any]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read it ({exc.strerror or exc})") from None
    return _toml_load(data, path)


def _table(path: Path, document: dict[str, Any]) -> dict[str, Any] | None:
    """The certcheck settings in a parsed file, or None when a pyproject.toml has no [tool.certcheck]."""
    tool = document.get("tool")
    section = tool.get("certcheck") if isinstance(tool, dict) else None
    if path.name == "pyproject.toml" or section is not None:
        if section is None:
            return None
        if not isinstance(section, dict):
            raise ConfigError(f"{path}: [tool.certcheck] must be a table")
        if path.name != "pyproject.toml" and set(document) != {"tool"}:
            extra = sorted(set(document) - {"tool"})
            raise ConfigError(f"{path}: unknown key {extra[0]!r} beside [tool.certcheck]")
        return section
    return document


def find_config(start: Path | None = None) -> Path | None:
    """The config file that applies in ``start`` (default: the working directory), or None."""
    here = (start or Path.cwd()).resolve()
    for directory in (here, *here.parents):
        candidate = directory / "certcheck.toml"
        if candidate.is_file():
            return candidate
        candidate = directory / "pyproject.toml"
        if candidate.is_file():
            try:
                # A pyproject.toml that never says "certcheck" has no [tool.certcheck]: not parsed, which keeps
                # tomllib off the start-up of every pre-commit run (benchmarks/bench_startup.py).
                if b"certcheck" not in candidate.read_bytes():
                    continue
                if _table(candidate, _read(candidate)) is not None:
                    return candidate
            except ConfigError:
                return candidate  # a broken pyproject.toml that may be ours: load_config reports it
    return None


def load_config(path: Path) -> Config:
    """Read and check one config file."""
    table = _table(path, _read(path))
    if table is None:
        raise ConfigError(f"{path}: no [tool.certcheck] table")
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key not in KEYS:
            raise ConfigError(f"{path}: unknown key {key!r}; known keys: {', '.join(KEYS)}")
        values[key] = _check(path, key, value)
    return Config(path, values)


def _check(path: Path, key: str, value: Any) -> Any:
    choices = KEYS[key][1]
    where = f"{path}: {key}"
    if key in ("select", "ignore"):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f'{where} must be a list of codes or prefixes, e.g. ["chain.leaf_only"]')
        return tuple(value)
    if key == "expiry-warning-days":
        from certcheck.validate import MAX_WARNING_DAYS

        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"{where} must be a number of days")
        if not (math.isfinite(value) and 0 <= value <= MAX_WARNING_DAYS):
            raise ConfigError(f"{where} must be between 0 and {MAX_WARNING_DAYS}")
        return float(value)
    if not isinstance(value, str) or (choices is not None and value not in choices):
        raise ConfigError(f"{where} must be one of {', '.join(choices or ())}, not {value!r}")
    return value
