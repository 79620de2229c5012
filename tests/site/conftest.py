"""Fixtures of the site tests, defined in sitekit.py."""

from sitekit import browser, server, site  # noqa: F401
