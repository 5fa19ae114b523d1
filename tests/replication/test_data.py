"""Readers for XTREME and intermediate-task files, on tiny files written here."""

import json

import pytest

from replication.data import (
    DataFormatError,
    load_split,
    read_bucc,
    read_commonsenseqa,
    read_copa,
    read_cosmosqa,
    read_hellaswag,
    read_nli,
    read_pair_tsv,
    read_qqp,
    read_squad,
    read_sst2,
    read_tagging,
    read_tatoeba,
)
from replication.tasks import get_task


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_pair_tsv_reads_csv_quoting_and_optional_label(tmp_path):
    f = write(tmp_path / "dev-de.tsv", 'Ein "Satz"\tZwei\tentailment\n"a ""quoted"" one"\tb\tneutral\n')
    examples = read_pair_tsv(f)
    assert [(e.text_a, e.text_b, e.label) for e in examples] == [
        ('Ein "Satz"', "Zwei", "entailment"), ('a "quoted" one', "b", "neutral"),
    ]
    test = write(tmp_path / "test-de.tsv", "a\tb\n")
    assert read_pair_tsv(test)[0].label is None


def test_pair_tsv_rejects_wrong_field_count_with_line(tmp_path):
    f = write(tmp_path / "x.tsv", "a\tb\tneutral\nonly-one-field\n")
    with pytest.raises(DataFormatError) as err:
        read_pair_tsv(f)
    assert str(err.value) == f"{f}:2: expected 2 or 3 tab-separated fields, got 1"


def test_tagging_splits_sentences_and_strips_language_prefix(tmp_path):
    f = write(tmp_path / "panx-raw", "en:John\tB-PER\nen:lives\tO\n\n\nen:in\tO\nen:Paris\tB-LOC\n")
    sentences = read_tagging(f)
    assert [s.tokens for s in sentences] == [["John", "lives"], ["in", "Paris"]]
    assert sentences[1].labels == ["O", "B-LOC"]
    unlabelled = write(tmp_path / "test-en.tsv", "Hello\nworld\n\nBye\n")
    assert [(s.tokens, s.labels) for s in read_tagging(unlabelled)] == [(["Hello", "world"], None), (["Bye"], None)]
    # A colon inside an unprefixed file is kept.
    assert read_tagging(write(tmp_path / "c.tsv", "http://x\tO\n"))[0].tokens == ["http://x"]


def test_tagging_errors_name_the_line(tmp_path):
    mixed = write(tmp_path / "mixed.tsv", "a\tO\nb\n")
    with pytest.raises(DataFormatError, match=r"mixed.tsv:2: some lines have a tag"):
        read_tagging(mixed)
    prefix = write(tmp_path / "prefix.tsv", "en:a\tO\nde:b\tO\n")
    with pytest.raises(DataFormatError, match=r"prefix.tsv:2: token 'de:b' lacks the 'en:' prefix"):
        read_tagging(prefix)


def test_squad_reads_v1_and_v2_and_reports_malformed(tmp_path):
    data = {"version": "2.0", "data": [{"title": "T", "paragraphs": [{"context": "Paris is big.", "qas": [
        {"id": "q1", "question": "What?", "answers": [{"text": "Paris", "answer_start": 0}]},
        {"id": "q2", "question": "Why?", "answers": [], "is_impossible": True},
    ]}]}]}
    examples = read_squad(write(tmp_path / "s.json", json.dumps(data)))
    assert [e.qid for e in examples] == ["q1", "q2"]
    assert examples[0].answers[0].text == "Paris" and examples[1].is_impossible
    with pytest.raises(DataFormatError, match=r"bad.json:1: invalid JSON"):
        read_squad(write(tmp_path / "bad.json", "{not json"))
    broken = {"data": [{"paragraphs": [{"context": "c", "qas": [{"question": "no id"}]}]}]}
    with pytest.raises(DataFormatError, match="malformed SQuAD record"):
        read_squad(write(tmp_path / "broken.json", json.dumps(broken)))


def test_bucc_reads_sentences_and_gold(tmp_path):
    write(tmp_path / "de-en.dev.de", "de-1\tHallo Welt\nde-2\tTschüss\n")
    write(tmp_path / "de-en.dev.en", "en-1\tHello world\nen-2\tBye\n")
    write(tmp_path / "de-en.dev.gold", "de-1\ten-1\n")
    split = read_bucc(tmp_path / "de-en.dev", "de")
    assert split.src["de-2"] == "Tschüss" and split.tgt["en-1"] == "Hello world"
    assert split.gold == [("de-1", "en-1")]
    write(tmp_path / "de-en.dev.gold", "de-9\ten-1\n")
    with pytest.raises(DataFormatError, match=r"de-en.dev.gold:1: gold pair .* unknown sentence id"):
        read_bucc(tmp_path / "de-en.dev", "de")
    with pytest.raises(DataFormatError, match=r"de-en.test.de:0: file not found"):
        read_bucc(tmp_path / "de-en.test", "de")


def test_tatoeba_requires_equal_line_counts(tmp_path):
    src = write(tmp_path / "af-en.af", "Hallo\nDankie\n")
    tgt = write(tmp_path / "af-en.en", "Hello\nThanks\n")
    assert read_tatoeba(src, tgt).tgt == ["Hello", "Thanks"]
    short = write(tmp_path / "short.en", "Hello\n")
    with pytest.raises(DataFormatError, match="1 lines but"):
        read_tatoeba(src, short)


def test_nli_formats(tmp_path):
    mnli = write(tmp_path / "train.tsv", "index\tgenre\tsentence1\tsentence2\tgold_label\n"
                 "0\tfic\tA man.\tA person.\tentailment\n1\tfic\tX\tY\t-\n")
    assert [(e.text_a, e.label) for e in read_nli(mnli)] == [("A man.", "entailment")]
    anli = write(tmp_path / "anli.jsonl", json.dumps({"uid": "u1", "context": "c", "hypothesis": "h", "label": "c"}) + "\n")
    assert read_nli(anli)[0].label == "contradiction"
    bad = write(tmp_path / "bad.jsonl", json.dumps({"premise": "p", "hypothesis": "h", "label": "maybe"}) + "\n")
    with pytest.raises(DataFormatError, match=r"bad.jsonl:1: unknown NLI label 'maybe'"):
        read_nli(bad)


def test_qqp_and_sst2(tmp_path):
    qqp = write(tmp_path / "qqp.tsv", "id\tqid1\tqid2\tquestion1\tquestion2\tis_duplicate\n1\t1\t2\tHow?\tWhy?\t0\n")
    pair = read_qqp(qqp)[0]
    assert (pair.text_a, pair.text_b, pair.label) == ("How?", "Why?", "0")
    sst = write(tmp_path / "sst.tsv", "sentence\tlabel\ngreat film \t1\nbad\t2\n")
    with pytest.raises(DataFormatError, match=r"sst.tsv:3: label must be 0 or 1"):
        read_sst2(sst)


def test_multiple_choice_formats(tmp_path):
    hs = write(tmp_path / "hs.jsonl", json.dumps({"ind": 7, "ctx": "He", "endings": ["a", "b", "c", "d"], "label": 2}) + "\n")
    assert read_hellaswag(hs)[0].label == 2 and read_hellaswag(hs)[0].guid == "7"
    cq = write(tmp_path / "cq.jsonl", json.dumps({"id": "x", "context": "c", "question": "q", "answer0": "0",
                                                  "answer1": "1", "answer2": "2", "answer3": "3", "label": "3"}) + "\n")
    assert read_cosmosqa(cq)[0].choices == ["0", "1", "2", "3"] and read_cosmosqa(cq)[0].label == 3
    cs = write(tmp_path / "cs.jsonl", json.dumps({"id": "y", "answerKey": "B", "question": {
        "stem": "Where?", "choices": [{"label": "A", "text": "here"}, {"label": "B", "text": "there"}]}}) + "\n")
    assert read_commonsenseqa(cs)[0].label == 1
    copa = write(tmp_path / "copa.jsonl", json.dumps({"idx": 0, "premise": "p", "choice1": "a", "choice2": "b",
                                                      "question": "cause", "label": 5}) + "\n")
    with pytest.raises(DataFormatError, match=r"copa.jsonl:1: label 5 out of range"):
        read_copa(copa)
    cut = write(tmp_path / "cut.jsonl", '{"ind": 1, "ctx": "x"\n')
    with pytest.raises(DataFormatError, match=r"cut.jsonl:1: invalid JSON"):
        read_hellaswag(cut)


def test_load_split_follows_the_task_layout(tmp_path):
    write(tmp_path / "xnli" / "dev-sw.tsv", "a\tb\tneutral\n")
    assert load_split("xnli", "dev", "sw", tmp_path)[0].label == "neutral"
    write(tmp_path / "tatoeba" / "af-en.af", "Hallo\n")
    write(tmp_path / "tatoeba" / "af-en.en", "Hello\n")
    assert load_split(get_task("tatoeba"), "test", "af", tmp_path).src == ["Hallo"]
    with pytest.raises(DataFormatError, match=r"xnli/test-sw.tsv:0: missing test file for xnli \(sw\)"):
        load_split("xnli", "test", "sw", tmp_path)
    with pytest.raises(DataFormatError, match="has no train split"):
        load_split("tatoeba", "train", "af", tmp_path)
    with pytest.raises(DataFormatError, match="has no language 'xx'"):
        load_split("xnli", "dev", "xx", tmp_path)
