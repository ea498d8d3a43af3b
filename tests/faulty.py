"""A pipeline with a bug, for the test that no article is lost to one."""

from newsspider.archive.urls import canonical_url


class RaisingPipeline:
    """Raises KeyError on the article named by the FAULTY_URL setting."""

    def __init__(self, url: str):
        self.url = canonical_url(url)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.settings["FAULTY_URL"])

    def process_item(self, item):
        if item["url"] == self.url:
            raise KeyError("boom")
        return item
