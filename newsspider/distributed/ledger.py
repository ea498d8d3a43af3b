"""One run's frontier in Redis: the queue, the requests in flight and the accounting.

Every request put into the frontier gets an id (``000000000042``) and stays *pending*
until the archive's process has its result: that is how the archive's process knows
what it seeded and what came back. Keys, under ``<namespace>:<run>:``::

    queue     ZSET  id -> -priority        what waits (scrapy-redis's priority order)
    requests  HASH  id -> request (wire)   kept until accounted for, to put it back
    scores    HASH  id -> -priority
    pending   HASH  id -> URL              seeded and not accounted for yet
    leases    ZSET  id -> deadline (ms)    taken by a process, not returned yet
    holders   HASH  id -> process name
    requeued  HASH  id -> times put back after a lease ran out
    results   STREAM                       what the processes hand back
    dupefilter SET                         fingerprints (scrapy-redis), this run only
    workers   HASH  name -> last seen (ms)
    state     STRING running | finished | failed | stopped

Each change that touches more than one key is one Lua script, so a process killed at any
instant leaves the run consistent. Deadlines come from Redis's clock (``TIME``), never
from the machines', which may disagree.
"""

from __future__ import annotations

KEYS = ("queue", "requests", "scores", "pending", "leases", "holders", "requeued", "results")
KEYS += ("dupefilter", "workers", "state", "ids")

_NOW = "local t = redis.call('TIME') local now = t[1] * 1000 + math.floor(t[2] / 1000)\n"

PUSH = """
local id = ARGV[1]
if id == '' then
  id = string.format('%012d', redis.call('INCR', KEYS[7]))
  redis.call('HSET', KEYS[4], id, ARGV[4])
elseif redis.call('HEXISTS', KEYS[4], id) == 0 then
  return false
end
redis.call('HSET', KEYS[2], id, ARGV[2])
redis.call('HSET', KEYS[3], id, ARGV[3])
redis.call('ZADD', KEYS[1], ARGV[3], id)
redis.call('ZREM', KEYS[5], id)
redis.call('HDEL', KEYS[6], id)
return id
"""
"""KEYS queue requests scores pending leases holders ids; ARGV id ('' for a new
request) data score url. A retry or redirect keeps its id and gives its lease back;
one whose id was accounted for meanwhile is dropped (false)."""

POP = (
    _NOW
    + """
local found = redis.call('ZRANGE', KEYS[1], 0, 0)
if #found == 0 then return false end
local id = found[1]
redis.call('ZREM', KEYS[1], id)
redis.call('ZADD', KEYS[3], now + tonumber(ARGV[2]), id)
redis.call('HSET', KEYS[4], id, ARGV[1])
return {id, redis.call('HGET', KEYS[2], id)}
"""
)
"""KEYS queue requests leases holders; ARGV name lease_ms: take the first request and
hold it for lease_ms."""

SHIP = """
if redis.call('HGET', KEYS[2], ARGV[1]) == ARGV[2] then
  redis.call('ZREM', KEYS[1], ARGV[1])
end
return redis.call('XADD', KEYS[3], '*', 'm', ARGV[3])
"""
"""KEYS leases holders results; ARGV id name message: hand a result back; the lease ends
with it (a result waiting to be read is never put back)."""

RENEW = (
    _NOW
    + """
for i = 3, #ARGV do
  if redis.call('HGET', KEYS[2], ARGV[i]) == ARGV[1] then
    redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[2]), ARGV[i])
  end
end
return now
"""
)
"""KEYS leases holders; ARGV name lease_ms ids...: a live process extends its leases."""

REAP = (
    _NOW
    + """
local out = {}
for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now)) do
  redis.call('ZREM', KEYS[1], id)
  local holder = redis.call('HGET', KEYS[2], id) or ''
  redis.call('HDEL', KEYS[2], id)
  if redis.call('HINCRBY', KEYS[5], id, 1) <= tonumber(ARGV[1]) then
    redis.call('ZADD', KEYS[3], redis.call('HGET', KEYS[4], id), id)
    table.insert(out, {id, holder, 'requeued'})
  else
    table.insert(out, {id, holder, 'lost'})
  end
end
return out
"""
)
"""KEYS leases holders queue scores requeued; ARGV times: leases that ran out are put
back in the queue up to ``times`` times, then reported lost."""

RELEASE = """
local n = 0
for i = 2, #ARGV do
  if redis.call('HGET', KEYS[2], ARGV[i]) == ARGV[1] then
    redis.call('ZREM', KEYS[1], ARGV[i])
    redis.call('HDEL', KEYS[2], ARGV[i])
    redis.call('ZADD', KEYS[3], redis.call('HGET', KEYS[4], ARGV[i]), ARGV[i])
    n = n + 1
  end
end
return n
"""
"""KEYS leases holders queue scores; ARGV name ids...: a process that stops puts back
what it holds, at once."""

ACK = """
if redis.call('HDEL', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[1])
redis.call('ZREM', KEYS[4], ARGV[1])
redis.call('HDEL', KEYS[5], ARGV[1])
redis.call('ZREM', KEYS[6], ARGV[1])
return 1
"""
"""KEYS pending requests scores leases holders queue; ARGV id: the request is accounted
for (1), or was already (0: a late second result, ignored)."""


class Ledger:
    """The keys and scripts of one run; every method is one round trip to Redis."""

    def __init__(self, redis, namespace: str, run: str):
        self.redis = redis
        self.run = run
        self.key = {name: f"{namespace}:{run}:{name}" for name in KEYS}
        self._push = redis.register_script(PUSH)
        self._pop = redis.register_script(POP)
        self._ship = redis.register_script(SHIP)
        self._renew = redis.register_script(RENEW)
        self._reap = redis.register_script(REAP)
        self._release = redis.register_script(RELEASE)
        self._ack = redis.register_script(ACK)

    def keys(self, *names: str) -> list[str]:
        return [self.key[name] for name in names]

    def push(self, lease: str | None, data: bytes, score: float, url: str) -> str | None:
        keys = self.keys("queue", "requests", "scores", "pending", "leases", "holders", "ids")
        found = self._push(keys=keys, args=[lease or "", data, score, url])
        return found.decode() if found else None

    def pop(self, name: str, lease_ms: int) -> tuple[str, bytes] | None:
        keys = self.keys("queue", "requests", "leases", "holders")
        found = self._pop(keys=keys, args=[name, lease_ms])
        return (found[0].decode(), found[1]) if found else None

    def ship(self, lease: str, name: str, message: bytes) -> None:
        self._ship(keys=self.keys("leases", "holders", "results"), args=[lease, name, message])

    def renew(self, name: str, lease_ms: int, leases) -> None:
        self._renew(keys=self.keys("leases", "holders"), args=[name, lease_ms, *leases])

    def reap(self, times: int) -> list[tuple[str, str, str]]:
        keys = self.keys("leases", "holders", "queue", "scores", "requeued")
        return [tuple(v.decode() for v in row) for row in self._reap(keys=keys, args=[times])]

    def release(self, name: str, leases) -> int:
        if not leases:
            return 0
        keys = self.keys("leases", "holders", "queue", "scores")
        return self._release(keys=keys, args=[name, *leases])

    def ack(self, lease: str) -> bool:
        keys = self.keys("pending", "requests", "scores", "leases", "holders", "queue")
        return bool(self._ack(keys=keys, args=[lease]))

    def request(self, lease: str) -> bytes | None:
        return self.redis.hget(self.key["requests"], lease)

    def pending(self) -> int:
        return self.redis.hlen(self.key["pending"])

    def queued(self) -> int:
        return self.redis.zcard(self.key["queue"])

    def read(self, after: str, count: int) -> list[tuple[str, bytes]]:
        found = self.redis.xread({self.key["results"]: after}, count=count)
        if not found:
            return []
        return [(mid.decode(), fields[b"m"]) for mid, fields in found[0][1]]

    def forget(self, message_ids: list[str]) -> None:
        if message_ids:
            self.redis.xdel(self.key["results"], *message_ids)

    def drop(self) -> None:
        """Delete the run's data (its state stays, so late workers learn how it ended)."""
        self.redis.delete(*self.keys(*(k for k in KEYS if k != "state")))
