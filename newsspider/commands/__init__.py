"""Custom Scrapy commands, found through the COMMANDS_MODULE setting."""
