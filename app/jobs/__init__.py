"""Queued work: rows in ``jobs``, claimed and run by a worker after the enqueuing commit."""
