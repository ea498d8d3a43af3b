"""Scale a refresh out over several processes and machines, through Redis.

With ``-s REDIS_URL=redis://HOST:PORT/DB`` the archive's process seeds a shared
frontier (the due articles with their validators, and the listings) and collects what
every process hands back; ``-a role=worker`` processes, on any machine and without an
archive, take requests from the frontier, fetch and normalize them. Without
``REDIS_URL`` none of this is loaded (the add-on stays off).

Follow one request: the spider's ``start()`` yields it (``start.FrontierStart`` wraps
``start()``) -> ``scheduler.FrontierScheduler`` puts it into Redis
(``queue.LeasedQueue``, ``ledger.Ledger``) -> some process pops it with a lease ->
``politeness`` spaces it with every other process's requests to the site -> its
callback runs inside ``calls.LeasedCall``, which hands the result back -> the archive's
``results.Collector`` feeds the items to the pipelines, puts new requests into the
frontier and marks the request accounted for. ``frontier.Frontier`` is one process's
side of a run: joining it, heartbeats, leases, and what happens when Redis goes away.
"""

ARCHIVE = "archive"
WORKER = "worker"
ROLES = (ARCHIVE, WORKER)


def role_of(spider) -> str:
    """The process's role: ``-a role=worker``, or the archive's by default."""
    return getattr(spider, "role", None) or ARCHIVE


def argument_problems(spider_args: dict, settings) -> list[str]:
    """One line per bad ``-a role=…``, checked by the crawl command before anything runs."""
    role = spider_args.get("role")
    if role is None:
        return []
    if role not in ROLES:
        return [f"argument role={role!r}: not one of {', '.join(ROLES)}"]
    if role == WORKER and not settings.get("REDIS_URL"):
        return ["argument role='worker': needs -s REDIS_URL=redis://HOST:PORT/DB (the frontier)"]
    return []
