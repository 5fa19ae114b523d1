"""Claimtrace web service: HTTP, settings, database, CLI."""

__version__ = "0.1.0"
