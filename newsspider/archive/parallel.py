"""Spread CPU-bound work over the machine's cores: a process pool, or nothing.

Used where one process would leave cores idle for long (reading and
fingerprinting every file of a 100,000-entry archive on a cold open). The
workers are spawned, not forked: the caller may run threads (Scrapy's
reactor does), and a fork copies their locks in whatever state they are.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from itertools import repeat


def cores() -> int:
    """The CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def in_worker_processes(function: Callable, shared, items: list, chunk: int = 500) -> list | None:
    """``function(shared, chunk)`` over ``items`` in chunks, one worker per core; the
    results concatenated in order. None when it cannot run in parallel (one core, or no
    pool can start here): the caller then does the work itself.

    ``function`` must be a module-level function (workers import it).
    """
    workers = min(cores(), -(-len(items) // chunk))
    if workers < 2:
        return None
    chunks = [items[start : start + chunk] for start in range(0, len(items), chunk)]
    context = multiprocessing.get_context("spawn")
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            parts = pool.map(function, repeat(shared), chunks)
            return [result for part in parts for result in part]
    except (OSError, BrokenProcessPool):  # no semaphores (/dev/shm), a worker killed
        return None
