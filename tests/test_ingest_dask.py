"""`annotate ingest --executor dask`: the near-duplicate pass's per-document and per-pair parts on real Dask
workers (a LocalCluster, and a `dask scheduler` with `dask worker` processes on loopback) give exactly the serial
result, down to the bytes of the output file. The corpus: the seed articles plus edited copies of them (a
rewritten lead, a dropped sentence, an aggregator page that splices two reports), so it has real passages.
"""

from __future__ import annotations

import json
from functools import partial
from pathlib import Path

import pytest

from annotate.distributed import dask_client, ordered_map
from annotate.errors import ExecutorError
from annotate.ingest import find_near_duplicates, load_rules, split_sentences
from annotate.labelstudio.server import free_port
from annotate.records import AnnotatedDoc, make_doc_id, read_docs

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "gold" / "seed" / "articles.jsonl"
SETTINGS = load_rules().near_duplicates


def edited_copies(texts: list[str]) -> list[str]:
    """For each article: a copy with a new lead and its last sentence dropped, a copy with a changed word in every
    third sentence, and an aggregator page splicing its first sentences with the next article's middle."""
    copies = []
    for number, text in enumerate(texts):
        sentences = split_sentences(text)
        other = split_sentences(texts[(number + 1) % len(texts)])
        copies.append(" ".join(["Here is what we know so far about the fighting in the region.", *sentences[:-1]]))
        copies.append(" ".join(sentence.replace(" the ", " a ", 1) if position % 3 == 0 else sentence
                               for position, sentence in enumerate(sentences)))
        copies.append(" ".join([*sentences[:3], "Elsewhere, a second report said:", *other[2:8],
                                "This page is updated as the news comes in."]))
    return copies


@pytest.fixture(scope="module")
def corpus() -> list[AnnotatedDoc]:
    texts = [doc.text for doc in read_docs(SEED)]
    texts += edited_copies(texts)
    return [AnnotatedDoc(doc_id=make_doc_id(text), text=text) for text in texts]


@pytest.fixture(scope="module")
def serial(corpus: list[AnnotatedDoc]):
    pairs = find_near_duplicates(corpus, SETTINGS)
    assert len(pairs) >= 20  # the edits kept real passages: every copy pairs with its original at least
    return pairs


def test_partition_sizes_do_not_change_the_result(corpus, serial):
    assert find_near_duplicates(corpus, SETTINGS, documents_per_partition=3, pairs_per_batch=2) == serial


@pytest.mark.integration
def test_a_local_cluster_finds_exactly_the_serial_pairs(corpus, serial):
    with dask_client(None, 2) as client:
        # Small partitions and batches: several tasks of each stage, finishing in any order on two workers.
        on_dask = find_near_duplicates(corpus, SETTINGS, partial(ordered_map, client, key_prefix="near-duplicates"),
                                       documents_per_partition=3, pairs_per_batch=2)
        finished: list[int] = []
        magnitudes = list(ordered_map(client, abs, [-n for n in range(30)], window=3, key_prefix="magnitudes",
                                      on_done=finished.append))
        with pytest.raises(ValueError, match="invalid literal"):  # a worker's error, as itself
            list(ordered_map(client, int, ["1", "2", "three", "4"], key_prefix="numbers"))
    assert on_dask == serial
    assert magnitudes == list(range(30))
    assert sorted(finished) == list(range(30))  # each item reported once, as its task finished


@pytest.fixture(scope="module")
def articles(corpus: list[AnnotatedDoc], tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("ingest-dask") / "raw.jsonl"
    path.write_text("".join(json.dumps({"text": doc.text}) + "\n" for doc in corpus), encoding="utf-8")
    return path


@pytest.mark.integration
def test_cli_on_a_scheduler_writes_the_local_bytes(articles: Path, dask_cluster, run_cli, tmp_path: Path) -> None:
    local, distributed = tmp_path / "local.jsonl", tmp_path / "dask.jsonl"
    run_cli("ingest", articles, "-o", local, check=True)
    done = run_cli("ingest", articles, "-o", distributed, "--executor", "dask", "--scheduler", dask_cluster.address,
                   "--json")
    assert done.returncode == 0, done.stderr
    assert len(json.loads(done.stdout)["near_duplicate_pairs"]) >= 20
    assert distributed.read_bytes() == local.read_bytes()


@pytest.mark.integration
def test_an_unreachable_scheduler_is_named(articles: Path, run_cli, tmp_path: Path) -> None:
    address = f"tcp://127.0.0.1:{free_port()}"
    with pytest.raises(ExecutorError, match=f"cannot reach the Dask scheduler at {address}"):
        with dask_client(address, 1, connect_timeout=2):
            pass
    done = run_cli("ingest", articles, "-o", tmp_path / "out.jsonl", "--executor", "dask", "--scheduler", address)
    assert done.returncode == 1
    assert f"Error: cannot reach the Dask scheduler at {address}" in done.stderr
    assert not (tmp_path / "out.jsonl").exists()


@pytest.mark.parametrize("options,message", [
    (["--scheduler", "tcp://127.0.0.1:8786"], "--scheduler needs --executor dask"),
    (["--n-process", "2"], "--n-process needs --executor dask"),
    (["--executor", "dask", "--n-process", "0"], "--n-process must be 1 or more, got 0"),
])
def test_executor_options_are_checked_first(options, message, articles: Path, run_cli, tmp_path: Path) -> None:
    done = run_cli("ingest", articles, "-o", tmp_path / "out.jsonl", *options)
    assert done.returncode == 1 and message in done.stderr
    assert not (tmp_path / "out.jsonl").exists()
