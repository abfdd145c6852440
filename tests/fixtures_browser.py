"""Fixtures for browser tests: a live server and Debian's Chromium through Playwright."""
