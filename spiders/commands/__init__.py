"""Project commands for the `scrapy` CLI (COMMANDS_MODULE): a checked `crawl`, and more."""
