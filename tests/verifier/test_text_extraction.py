"""PDF, HTML and plain text to passages with pages and character offsets."""

from __future__ import annotations

import pytest

from tests.fakes.arxiv_server import make_pdf
from tests.fakes.papers import STILTS
from verifier.text import (
    Document,
    TextExtractionError,
    combine_pdf_and_html,
    extract_document,
    html_tables_text,
    html_to_document,
    normalise_plain,
    pdf_to_document,
    sniff_kind,
    split_passages,
)


def _assert_spans(doc: Document, passages) -> None:
    assert [p.index for p in passages] == list(range(len(passages)))
    for passage in passages:
        assert doc.text[passage.start:passage.end] == passage.text
    starts = [p.start for p in passages]
    assert starts == sorted(starts)


def test_pdf_pages_become_passages_with_page_numbers():
    v2 = STILTS.version(2)
    doc = pdf_to_document(make_pdf(v2.pages, v2.title))
    passages = split_passages(doc)
    _assert_spans(doc, passages)
    assert [s.page for s in doc.pages] == [1, 2, 3]
    by_text = {p.text: p for p in passages}
    headline = ("Evaluating our best performing models for each target task on the XTREME benchmark "
                "yields an average improvement of 5.4 points.")
    assert by_text[headline].page == 1  # one sentence although the PDF wrapped it over lines
    three_phase = next(p for p in passages if p.text.startswith("We follow a three-phase approach"))
    assert three_phase.page == 2 and three_phase.text.endswith("evaluate on the other languages.")
    assert next(p for p in passages if "8.2, 7.5, and 7.0 points" in p.text).page == 3


def test_wrapped_lines_are_joined_and_line_end_hyphens_kept_without_a_space():
    raw = ("We evaluate zero-shot transfer on the XTREME benchmark with many languages, and cross-\n"
           "lingual alignment improves for most of the nine intermediate tasks we have studied.\n"
           "Short closing line.")
    assert normalise_plain(raw) == (
        "We evaluate zero-shot transfer on the XTREME benchmark with many languages, and "
        "cross-lingual alignment improves for most of the nine intermediate tasks we have studied. "
        "Short closing line."
    )
    text = ("The multilingual models were trained with intermediate-task training on a very large "
            "collection of English tasks that we describe here in considerable detail so that the "
            "line wraps. ")
    doc = pdf_to_document(make_pdf((text * 3,)))  # fpdf2 wraps it over several lines
    assert "  " not in doc.text and "\n" not in doc.text
    assert doc.text.count("intermediate-task training") == 3


def test_unreadable_and_empty_pdfs_are_errors_that_say_so():
    with pytest.raises(TextExtractionError, match="PDF: cannot be read"):
        pdf_to_document(b"%PDF-1.4\nthis is not really a pdf")
    with pytest.raises(TextExtractionError, match="no extractable text on any of its 1 pages"):
        pdf_to_document(make_pdf(("",)))


def test_html_keeps_table_cells_and_drops_page_furniture():
    html = STILTS.version(2).html
    doc = html_to_document(html)
    assert "arXiv HTML navigation" not in doc.text and "var x" not in doc.text and "footer" not in doc.text
    assert "Table 1: Improvement over XLM-R Large by intermediate task.\nIntermediate task | Avg. improvement\n" \
           "SQuAD | 8.2\nMNLI | 7.5\nHellaSwag | 7.0\nMulti-task (all 9) | 8.7" in doc.text
    assert "an average improvement of 5.4 points." in doc.text  # <math alttext> kept inline
    passages = split_passages(doc)
    _assert_spans(doc, passages)
    table = next(p for p in passages if p.text.startswith("Table 1:"))
    assert "SQuAD | 8.2" in table.text and table.page is None


def test_long_tables_are_split_at_row_boundaries():
    rows = "".join(f"<tr><td>language {i}</td><td>{i}.5</td></tr>" for i in range(60))
    doc = html_to_document(f"<table><caption>Table 9: Per-language scores.</caption>{rows}</table>")
    passages = split_passages(doc, max_chars=200)
    _assert_spans(doc, passages)
    assert len(passages) > 5 and all(len(p.text) <= 200 for p in passages)
    assert passages[0].text.startswith("Table 9: Per-language scores.\nlanguage 0 | 0.5")
    assert all(line.count(" | ") == 1 for p in passages[1:] for line in p.text.split("\n"))


def test_caption_after_the_table_joins_it():
    html = ("<p>Intro.</p><table><tr><td>a</td><td>1</td></tr></table>"
            "<figcaption>Table 2: After.</figcaption><p>End.</p>")
    assert html_tables_text(html) == "Table 2: After.\na | 1"


def test_combining_pdf_and_html_appends_only_the_tables():
    v2 = STILTS.version(2)
    pdf = pdf_to_document(make_pdf(v2.pages))
    both = combine_pdf_and_html(pdf, v2.html)
    assert both.kind == "pdf+html" and both.text.startswith(pdf.text)
    assert both.text.endswith("Multi-task (all 9) | 8.7")
    assert both.text.count("average improvement of 5.4 points") == 1  # prose not doubled
    tail = split_passages(both)[-1]
    assert tail.page is None and tail.text.startswith("Table 1:")


def test_sentence_splitting_respects_abbreviations_and_decimals():
    doc = extract_document(
        b"Phang et al. show gains of 5.4 points, e.g. on XNLI (see Fig. 2). The v1 paper says 6.1!\n"
        b"A. Conneau wrote it. Is it true? Yes.",
        "text",
    )
    texts = [p.text for p in split_passages(doc)]
    assert texts == [
        "Phang et al. show gains of 5.4 points, e.g. on XNLI (see Fig. 2).",
        "The v1 paper says 6.1!",
        "A. Conneau wrote it.",
        "Is it true?",
        "Yes.",
    ]


def test_over_long_sentences_are_chunked_at_word_boundaries():
    doc = extract_document(("word " * 600).encode(), "text")
    passages = split_passages(doc, max_chars=300)
    _assert_spans(doc, passages)
    assert all(len(p.text) <= 300 and not p.text.startswith(" ") for p in passages)
    assert sum(p.text.count("word") for p in passages) == 600


def test_plain_text_paragraphs_and_wrapping():
    raw = ("Intermediate-task training on SQuAD helps a lot on the target tasks that we\n"
           "consider in this paper and in the appendix of the paper.\n\n"
           "2 Results\n\nShort line.\r\n")
    assert normalise_plain(raw) == (
        "Intermediate-task training on SQuAD helps a lot on the target tasks that we consider in "
        "this paper and in the appendix of the paper.\n\n2 Results\n\nShort line."
    )
    with pytest.raises(TextExtractionError, match="plain text: the file holds no text"):
        extract_document(b"  \n\n ", "text")


def test_sniffing_the_kind_of_a_file():
    assert sniff_kind(make_pdf(("x",))) == "pdf"
    assert sniff_kind(b"<!DOCTYPE html><html></html>") == "html"
    assert sniff_kind(b"<p>fragment</p>", "paper.html") == "html"
    assert sniff_kind(b"Plain words.") == "text"
    with pytest.raises(TextExtractionError, match="paper.bin: binary content that is not a PDF"):
        sniff_kind(b"\x89PNG\x00\x00", "paper.bin")
    with pytest.raises(TextExtractionError, match="unknown document kind 'docx'"):
        extract_document(b"x", "docx")
