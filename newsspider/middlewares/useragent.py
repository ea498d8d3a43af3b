"""A User-Agent that says who crawls and where to reach them."""

from scrapy.downloadermiddlewares.useragent import UserAgentMiddleware

from newsspider import __version__


class ContactUserAgentMiddleware(UserAgentMiddleware):
    """Sends ``newsspider/<version> (+CONTACT_URL)`` unless USER_AGENT is set."""

    @classmethod
    def from_crawler(cls, crawler):
        agent = crawler.settings.get("USER_AGENT")
        if not agent or agent.startswith("Scrapy/"):
            agent = f"newsspider/{__version__} (+{crawler.settings.get('CONTACT_URL')})"
        middleware = cls(agent)
        middleware.crawler = crawler
        return middleware
