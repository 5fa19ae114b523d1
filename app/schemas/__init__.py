"""Pydantic response schemas of the JSON API."""
