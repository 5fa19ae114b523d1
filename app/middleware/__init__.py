"""ASGI middleware, outermost first: request context (id, security headers, access log, last-resort
500), Host allow-list, CORS (when allow-listed), body size and strict JSON."""
