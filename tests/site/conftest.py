"""Fixtures of the site tests, defined in sitekit.py."""

from sitekit import browser, server, site, visit  # noqa: F401
