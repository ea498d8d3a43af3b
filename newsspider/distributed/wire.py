"""What travels through Redis, as JSON: requests, items, raw exchanges, shipped responses.

scrapy-redis pickles by default; pickle from a shared server would let anyone who can
write to Redis run code in the archive's process. JSON only rebuilds what it names, and
only classes of newsspider (items, dataclasses) and Scrapy's own requests. Bytes, tuples,
dicts with non-text keys (Scrapy's headers) and those objects are tagged::

    {"$b": "<base64>"}   {"$t": [...]}   {"$m": [[key, value], ...]}
    {"$i": "newsspider.items.ArticleItem", "f": {...}}   {"$d": "module.Class", "f": {...}}

The module has ``dumps`` and ``loads``, so it also serves as scrapy-redis's
``SCHEDULER_SERIALIZER``.
"""

from __future__ import annotations

import base64
import dataclasses
import json

import scrapy
from scrapy.utils.misc import load_object

TRUSTED = "newsspider."
"""Only classes from this package are rebuilt from the wire."""


def dumps(obj) -> bytes:
    return json.dumps(encode(obj), ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def loads(data: bytes | str):
    return decode(json.loads(data))


def encode(obj):
    if obj is None or isinstance(obj, bool | int | float | str):
        return obj
    if isinstance(obj, bytes):
        return {"$b": base64.b64encode(obj).decode("ascii")}
    if isinstance(obj, tuple):
        return {"$t": [encode(v) for v in obj]}
    if isinstance(obj, list):
        return [encode(v) for v in obj]
    if isinstance(obj, scrapy.Item):
        return {"$i": _path(obj), "f": {k: encode(v) for k, v in obj.items()}}
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        fields = {f.name: encode(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
        return {"$d": _path(obj), "f": fields}
    if isinstance(obj, dict):
        if all(isinstance(k, str) and not k.startswith("$") for k in obj):
            return {k: encode(v) for k, v in obj.items()}
        return {"$m": [[encode(k), encode(v)] for k, v in obj.items()]}
    raise TypeError(f"cannot send {type(obj).__name__} through Redis: {obj!r:.80}")


def decode(obj):
    if isinstance(obj, list):
        return [decode(v) for v in obj]
    if not isinstance(obj, dict):
        return obj
    if "$b" in obj:
        return base64.b64decode(obj["$b"])
    if "$t" in obj:
        return tuple(decode(v) for v in obj["$t"])
    if "$m" in obj:
        return {_hashable(decode(k)): decode(v) for k, v in obj["$m"]}
    if "$i" in obj:
        cls = _trusted(obj["$i"], lambda c: issubclass(c, scrapy.Item))
        return cls({k: decode(v) for k, v in obj["f"].items()})
    if "$d" in obj:
        cls = _trusted(obj["$d"], dataclasses.is_dataclass)
        return cls(**{k: decode(v) for k, v in obj["f"].items()})
    return {k: decode(v) for k, v in obj.items()}


def _path(obj) -> str:
    cls = type(obj)
    return f"{cls.__module__}.{cls.__qualname__}"


def _trusted(path: str, kind):
    if not path.startswith(TRUSTED):
        raise ValueError(f"refusing to rebuild {path!r} from Redis (not a newsspider class)")
    cls = load_object(path)
    if not isinstance(cls, type) or not kind(cls):
        raise ValueError(f"refusing to rebuild {path!r} from Redis (not an item or dataclass)")
    return cls


def _hashable(key):
    return tuple(_hashable(k) for k in key) if isinstance(key, list) else key
