"""``python -m app.cli ...``: the ``claimtrace`` command (worker processes start it this way)."""

from app.cli import main

main()
