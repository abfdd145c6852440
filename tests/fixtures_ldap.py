"""Fixtures for a real OpenLDAP slapd (see COMPONENTS.md)."""
