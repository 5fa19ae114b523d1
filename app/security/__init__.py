"""Access control: API tokens with roles, web sessions in signed cookies, CSRF tokens.

- ``roles``: viewer < editor < admin, and what each may do.
- ``tokens``: creating, listing, revoking and checking API tokens (stored as SHA-256 hashes).
- ``secret``: the installation's signing key (setting or ``DATA_DIR/secret_key``).
- ``sessions``: the signed session cookie of a web sign-in, and the CSRF token bound to it.
- ``deps``: the FastAPI dependencies routes use (``authorize``, ``EditorDep``, ``AdminDep``...).
"""
