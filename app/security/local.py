"""The local user's token printed by `claimtrace up`: made once, kept in the data dir (0600).

Kept rather than made anew on every run, so a re-run prints the same token and scripts keep
working. The data dir already holds the SQLite database, so a file there readable only by its
owner adds no new exposure. A token that stopped working (revoked, or another database) is
replaced.
"""

from __future__ import annotations

from app.db import session_scope
from app.security.secret import write_private
from app.security.tokens import authenticate, create_token
from app.settings import Settings

LOCAL_TOKEN_FILE = "local-token"
LOCAL_TOKEN_NAME = "local user (claimtrace up)"
LOCAL_ROLE = "admin"  # the person who runs the installation owns it


def ensure_local_token(settings: Settings) -> tuple[str, bool]:
    """The local admin token and whether it was just created."""
    path = settings.data_dir / LOCAL_TOKEN_FILE
    with session_scope(settings) as session:
        if path.is_file():
            path.chmod(0o600)
            token = path.read_text(encoding="utf-8").strip()
            if authenticate(session, token) is not None:
                return token, False
            path.unlink()
        token = create_token(session, role=LOCAL_ROLE, name=LOCAL_TOKEN_NAME).token
        write_private(path, token + "\n")
    return token, True
