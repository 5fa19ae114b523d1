"""The lexicon's prefiltered scan finds exactly what the full regex scan finds."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from verifier.lexicon import _hits, _matcher, find_entities

FORMS = sorted(_matcher().forms)
# Texts made of lexicon forms in any case, glued by spaces, hyphens, punctuation and word pieces:
# the places where a match may start, stop, or must not happen ("pre-XNLI", "XNLIs", "mT5-XL").
PIECES = st.one_of(st.sampled_from(FORMS), st.sampled_from(FORMS).map(str.upper),
                   st.sampled_from(FORMS).map(str.title), st.sampled_from(["pre", "s", "2", "_", "é", "x"]))
GLUE = st.sampled_from([" ", "-", "", ". ", "(", ")", ", ", "/", "\n", "--"])


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(PIECES, GLUE), min_size=1, max_size=12))
def test_prefiltered_scan_equals_the_full_scan(parts) -> None:
    text = "".join(piece + glue for piece, glue in parts)
    matcher = _matcher()
    assert [h.span() for h in _hits(text, matcher)] == [h.span() for h in matcher.pattern.finditer(text)]


def test_longest_form_and_word_boundaries() -> None:
    names = [(e.name, e.text) for e in find_entities("XTREME-R, not XTREME; pre-XNLI and XNLIs; mT5-XL on XNLI.")]
    assert ("XTREME-R", "XTREME-R") in names and ("XTREME", "XTREME") in names
    assert [text for _, text in names].count("XNLI") == 1  # neither "pre-XNLI" nor "XNLIs"
