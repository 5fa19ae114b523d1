"""Highlighting in evidence passages: the numbers and the claim's content terms.

A number the claim also states gets ``<mark class="num match">``; any other number
``<mark class="num">``; a word whose stem is one of the claim's content terms ``<mark class="term">``.
Everything else is escaped, so a passage can never inject markup.
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

from verifier.claims import STOPWORDS, content_terms, stem

NUMBER = re.compile(r"(?<![\w.])[-+−]?\d+(?:[.,]\d+)*(?:\s?%)?")
WORD = re.compile(r"[A-Za-z][A-Za-z0-9'-]*")
TOKEN = re.compile(f"{NUMBER.pattern}|{WORD.pattern}")
MAX_PASSAGE = 20_000


def _number_key(text: str) -> str:
    """``5.4``, ``5.40`` and ``+5.4 %`` compare equal."""
    cleaned = text.replace("−", "-").replace("%", "").replace(",", "").strip().lstrip("+")
    try:
        return repr(float(cleaned))
    except ValueError:
        return cleaned


def claim_numbers(claim: str) -> frozenset[str]:
    return frozenset(_number_key(m.group()) for m in NUMBER.finditer(claim))


def highlight(passage: str, claim: str) -> Markup:
    """``passage`` as escaped HTML with its numbers and the claim's terms marked."""
    passage = passage[:MAX_PASSAGE]
    terms = content_terms(claim)
    numbers = claim_numbers(claim)
    out: list[str] = []
    last = 0
    for match in TOKEN.finditer(passage):
        token = match.group()
        out.append(str(escape(passage[last:match.start()])))
        if NUMBER.fullmatch(token):
            cls = "num match" if _number_key(token) in numbers else "num"
            out.append(f'<mark class="{cls}">{escape(token)}</mark>')
        elif token.lower() not in STOPWORDS and len(token) > 1 and stem(token) in terms:
            out.append(f'<mark class="term">{escape(token)}</mark>')
        else:
            out.append(str(escape(token)))
        last = match.end()
    out.append(str(escape(passage[last:])))
    return Markup("".join(out))
