"""Rules for settings: each is called with a setting's value and returns None,
or why the value is refused (one short phrase, e.g. ``not an integer``).

A value comes either as a string from ``-s NAME=VALUE`` or as the Python value
written in settings.py; each rule accepts both, as Scrapy's ``Settings.getint``,
``getfloat``, ``getbool`` and ``getlist`` do.
"""

from __future__ import annotations

import codecs
import json
import logging
import math
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

Rule = Callable[[object], str | None]


def as_int(value) -> int:
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        return int(value.strip())
    raise ValueError


def as_float(value) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError
    return float(value)


def out_of_range(number, low, high, low_open=False) -> str | None:
    if low is not None and (number <= low if low_open else number < low):
        return f"must be {'>' if low_open else '>='} {low}"
    if high is not None and number > high:
        return f"must be <= {high}"
    return None


@dataclass(frozen=True)
class Int:
    min: int | None = None
    max: int | None = None

    def __call__(self, value) -> str | None:
        try:
            number = as_int(value)
        except (TypeError, ValueError):
            return "not an integer"
        return out_of_range(number, self.min, self.max)


@dataclass(frozen=True)
class Float:
    min: float | None = None
    max: float | None = None
    above: bool = False
    """True: the value must be strictly greater than ``min``."""

    def __call__(self, value) -> str | None:
        try:
            number = as_float(value)
        except (TypeError, ValueError):
            return "not a number"
        if not math.isfinite(number):
            return "not a finite number"
        return out_of_range(number, self.min, self.max, low_open=self.above)


BOOL_VALUES = {True, False, "True", "False", "true", "false", "1", "0"}


def boolean(value) -> str | None:
    try:
        return None if value in BOOL_VALUES else "not a boolean (True or False)"
    except TypeError:  # unhashable: a list or a dict
        return "not a boolean (True or False)"


@dataclass(frozen=True)
class Choice:
    options: tuple[str, ...]

    def __call__(self, value) -> str | None:
        if value in self.options:
            return None
        return "not one of " + ", ".join(self.options)


def log_level(value) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return None
    if isinstance(value, str) and value in logging.getLevelNamesMapping():
        return None
    return "not a log level (DEBUG, INFO, WARNING, ERROR, CRITICAL)"


@dataclass(frozen=True)
class Text:
    optional: bool = False
    """True: None or an empty string is allowed (the code then uses its default)."""

    def __call__(self, value) -> str | None:
        if value is None or value == "":
            return None if self.optional else "must not be empty"
        if not isinstance(value, str) or not value.strip():
            return "must be non-empty text"
        return None


MODULE = re.compile(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*")


def module(value) -> str | None:
    return None if isinstance(value, str) and MODULE.fullmatch(value) else "not a module path"


def module_list(value) -> str | None:
    for item in listed(value):
        if module(item):
            return f"not a module path: {item!r}"
    return None


def url(value) -> str | None:
    if not isinstance(value, str):
        return "not an http(s) URL"
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname or value != value.strip():
        return "not an http(s) URL"
    return None


def redis_url(value) -> str | None:
    """A redis:// (or rediss://) URL with a host, and a database number if any; or nothing."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        return "not a redis://HOST:PORT/DB URL"
    parts = urlsplit(value)
    database = parts.path.lstrip("/")
    try:
        port_ok = parts.port is None or parts.port > 0
    except ValueError:
        port_ok = False
    if parts.scheme not in ("redis", "rediss") or not parts.hostname or not port_ok:
        return "not a redis://HOST:PORT/DB URL"
    if database and not database.isdigit():
        return f"database {database!r} is not a number"
    return None


def url_list(value) -> str | None:
    items = listed(value)
    for item in items:
        if url(item):
            return "not an http(s) URL" + (f": {item!r}" if len(items) > 1 else "")
    return None


@dataclass(frozen=True)
class Ints:
    min: int
    max: int

    def __call__(self, value) -> str | None:
        for item in listed(value):
            try:
                number = as_int(item)
            except (TypeError, ValueError):
                return f"not a list of integers: {item!r}"
            if out_of_range(number, self.min, self.max):
                return f"{item!r} is not between {self.min} and {self.max}"
        return None


def components(value) -> str | None:
    """A dict (or JSON object on the command line) of class paths to orders (or null)."""
    try:
        entries = json.loads(value) if isinstance(value, str) else dict(value.items())
    except (AttributeError, TypeError, ValueError):
        return "not a JSON object of class paths to order numbers"
    if not isinstance(entries, dict):
        return "not a JSON object of class paths to order numbers"
    for path, order in entries.items():
        if isinstance(path, str) and module(path):
            return f"not a class path: {path!r}"
        if order is not None and Int()(order):
            return f"order of {path} is not an integer or null"
    return None


def name_list(value) -> str | None:
    """Field names: a list, or comma-separated text on the command line."""
    names = listed(value)
    if not names or not all(isinstance(n, str) and n.strip().isidentifier() for n in names):
        return "not a list of field names"
    return None


def handlers(value) -> str | None:
    """A dict (or JSON object) of URL schemes to download handler class paths (or null)."""
    try:
        entries = json.loads(value) if isinstance(value, str) else dict(value.items())
    except (AttributeError, TypeError, ValueError):
        return "not a JSON object of URL schemes to handler class paths"
    if not isinstance(entries, dict):
        return "not a JSON object of URL schemes to handler class paths"
    for scheme, path in entries.items():
        if path is not None and (not isinstance(path, str) or module(path)):
            return f"handler of {scheme} is not a class path or null"
    return None


def encoding(value) -> str | None:
    if value is None:
        return None
    try:
        codecs.lookup(value)
    except (LookupError, TypeError):
        return "not a text encoding"
    return None


def folder(value) -> str | None:
    return None if isinstance(value, str) and value.strip() else "must be a folder path"


def subfolder(value) -> str | None:
    """A folder inside ARCHIVE_DIR: relative, and not climbing out of it."""
    if folder(value):
        return "must be a folder path"
    if os.path.isabs(value) or ".." in value.replace("\\", "/").split("/"):
        return "must be a folder inside ARCHIVE_DIR (relative, without '..')"
    return None


def cassette_path(value) -> str | None:
    """A cassette file, or nothing; whether it must exist depends on VCR_RECORD_MODE."""
    return None if value is None or isinstance(value, str) else "must be a file path"


def listed(value) -> list:
    """Items of a list setting, as Settings.getlist gives them."""
    if not value:
        return []
    if isinstance(value, str):
        return value.split(",")
    return list(value)
