"""Retries that wait as long as the server asks (``Retry-After``)."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from scrapy.downloadermiddlewares.retry import RetryMiddleware, get_retry_request
from scrapy.utils.response import response_status_message

logger = logging.getLogger(__name__)


class RetryAfterMiddleware(RetryMiddleware):
    """Scrapy's RetryMiddleware, plus a pause of ``Retry-After`` seconds.

    A Retry-After longer than ``RETRY_AFTER_MAX`` is not waited for: the
    request fails for this run and the next run tries again.
    """

    def __init__(self, settings):
        super().__init__(settings)
        self.retry_after_max = settings.getfloat("RETRY_AFTER_MAX", 600)

    async def process_response(self, request, response):
        if request.meta.get("dont_retry") or response.status not in self.retry_http_codes:
            return response
        delay = retry_after_seconds(response.headers.get(b"Retry-After"))
        if delay is not None and delay > self.retry_after_max:
            logger.warning(
                "%s answered %s with Retry-After %ss (over RETRY_AFTER_MAX): not retried this run",
                request.url,
                response.status,
                int(delay),
            )
            return response
        retry = get_retry_request(
            request,
            reason=response_status_message(response.status),
            spider=self.crawler.spider,
            max_retry_times=request.meta.get("max_retry_times", self.max_retry_times),
            priority_adjust=request.meta.get("priority_adjust", self.priority_adjust),
        )
        if retry is None:
            return response
        if delay:
            await asyncio.sleep(delay)
        return retry


def retry_after_seconds(value: bytes | None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date)."""
    if not value:
        return None
    text = value.decode("latin-1").strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
