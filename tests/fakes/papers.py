"""Synthetic stand-ins for the papers the sample reports cite, served by the fake arXiv.

The texts are written for tests, not copied from the papers. 2005.13013 has two versions
that disagree the way the real ones do (v1: seven intermediate tasks, +6.1 points on XTREME;
v2: nine tasks, +5.4 points), and v2 has an HTML page with a results table.
"""

from __future__ import annotations

from datetime import datetime, timezone

from tests.fakes.arxiv_server import FakePaper, FakeVersion


def _when(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, 12, 0, tzinfo=timezone.utc)


_STILTS_V1_PAGES = (
    "English intermediate-task training improves zero-shot cross-lingual transfer too\n\n"
    "Abstract\n\n"
    "Intermediate-task training has been shown to substantially improve pretrained model "
    "performance on many language understanding tasks, at least in monolingual English "
    "settings. Using seven intermediate language-understanding tasks, we evaluate "
    "intermediate-task transfer in a zero-shot cross-lingual setting on the XTREME benchmark. "
    "Evaluating our best performing models for each target task on the XTREME benchmark yields "
    "an average improvement of 6.1 points.",
    "1 Results\n\n"
    "Intermediate-task training on SQuAD and MNLI yields target-task improvements of 8.0 and "
    "7.1 points. Multi-task intermediate-task training on all 7 tasks performs best. XNLI does "
    "not see benefits from intermediate training.",
)

_STILTS_V2_PAGES = (
    "English intermediate-task training improves zero-shot cross-lingual transfer too\n\n"
    "Abstract\n\n"
    "Intermediate-task training, fine-tuning a pretrained model on an intermediate task before "
    "fine-tuning again on the target task, often improves model performance substantially on "
    "language understanding tasks in monolingual English settings. Using nine intermediate "
    "language-understanding tasks, we evaluate intermediate-task transfer in a zero-shot "
    "cross-lingual setting on the XTREME benchmark. We see large improvements from intermediate "
    "training on the BUCC and Tatoeba sentence retrieval tasks and moderate improvements on "
    "question-answering target tasks. Evaluating our best performing models for each target "
    "task on the XTREME benchmark yields an average improvement of 5.4 points.",
    "1 Introduction\n\n"
    "We use the pretrained XLM-R Large model as a starting point for all our experiments, as it "
    "currently achieves state-of-the-art performance on many zero-shot cross-lingual transfer "
    "tasks. We follow a three-phase approach to training: (i) we use a publicly available MLM; "
    "(ii) we perform intermediate-task training on an English task; (iii) we fine-tune on the "
    "target task in English and evaluate on the other languages.",
    "2 Results\n\n"
    "Intermediate-task training on SQuAD, MNLI, and HellaSwag yields large target-task "
    "improvements of 8.2, 7.5, and 7.0 points. Multi-task intermediate-task training on all 9 "
    "tasks performs best, improving by 8.7 points. TyDiQA shows consistent improvements with "
    "many intermediate tasks, whereas XNLI does not see benefits from intermediate training.",
)

_STILTS_V2_HTML = """<!DOCTYPE html>
<html lang="en"><head><title>English intermediate-task training (v2)</title>
<style>.ltx_table { border: 0 }</style><script>var x = 1;</script></head>
<body><nav>arXiv HTML navigation</nav>
<article class="ltx_document">
<h1 class="ltx_title">English intermediate-task training improves zero-shot cross-lingual transfer too</h1>
<section><h2>2 Results</h2>
<p>Evaluating our best performing models for each target task on the XTREME benchmark yields an
average improvement of <math alttext="5.4"><mn>5.4</mn></math> points.</p>
<figure class="ltx_table" id="S2.T1">
<figcaption>Table 1: Improvement over XLM-R Large by intermediate task.</figcaption>
<table class="ltx_tabular">
<tr><th>Intermediate task</th><th>Avg. improvement</th></tr>
<tr><td>SQuAD</td><td>8.2</td></tr>
<tr><td>MNLI</td><td>7.5</td></tr>
<tr><td>HellaSwag</td><td>7.0</td></tr>
<tr><td>Multi-task (all 9)</td><td>8.7</td></tr>
</table></figure>
</section></article><footer>arXiv footer</footer></body></html>
"""

STILTS = FakePaper(
    base="2005.13013",
    authors=("Jason Phang", "Iacer Calixto", "Phu Mon Htut", "Yada Pruksachatkun", "Haokun Liu",
             "Clara Vania", "Katharina Kann", "Samuel R. Bowman"),
    categories=("cs.CL",),
    versions=(
        FakeVersion(1, "English intermediate-task training improves zero-shot cross-lingual transfer too",
                    "Using seven intermediate tasks ... an average improvement of 6.1 points.",
                    _STILTS_V1_PAGES, _when(2020, 5, 26)),
        FakeVersion(2, "English intermediate-task training improves zero-shot cross-lingual transfer too",
                    "Using nine intermediate tasks ... an average improvement of 5.4 points.",
                    _STILTS_V2_PAGES, _when(2020, 9, 30), html=_STILTS_V2_HTML,
                    comment="AACL-IJCNLP 2020"),
    ),
)


def _generic(base: str, latest: int, title: str, topic: str, year: int) -> FakePaper:
    versions = tuple(
        FakeVersion(
            n, title, f"We study {topic}. This is version {n}.",
            (f"{title}\n\nAbstract\n\nWe study {topic}. This synthetic test paper is version {n} "
             f"of {base}.",
             f"1 Method\n\nOur experiments cover {topic} across many languages. Version {n} "
             f"reports {70 + n}.{n} points on average."),
            _when(year, min(12, n + 1), 10),
        )
        for n in range(1, latest + 1)
    )
    return FakePaper(base, ("A. Author", "B. Author"), ("cs.CL", "cs.LG"), versions)


SAMPLE_PAPERS: tuple[FakePaper, ...] = (
    STILTS,
    _generic("2003.11080", 5, "A massively multilingual multi-task benchmark (synthetic)",
             "cross-lingual generalization on nine tasks in 40 languages", 2020),
    _generic("2104.07412", 2, "Towards more challenging multilingual evaluation (synthetic)",
             "a harder benchmark of ten tasks in 50 languages", 2021),
    _generic("2007.08970", 3, "Synthetic paper 2007.08970", "multilingual pretraining", 2020),
    _generic("2109.13620", 1, "Synthetic paper 2109.13620", "task transferability", 2021),
    _generic("2306.02078", 1, "Synthetic paper 2306.02078", "instruction tuning", 2023),
    _generic("2306.12916", 3, "Synthetic paper 2306.12916", "cross-lingual alignment", 2023),
    _generic("2506.15415", 1, "Synthetic paper 2506.15415", "sentence retrieval", 2025),
)
