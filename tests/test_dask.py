"""`annotate preannotate --executor dask`: a real `dask scheduler` and two `dask worker` processes on loopback.

The seed corpus replicated to 200 documents must come out byte-identical to `--n-process 1`, also when one worker
is killed mid-run (its partitions are rerun on the other). An unreachable scheduler is an error naming it.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from annotate.errors import ExecutorError, RecordError
from annotate.labelstudio.server import free_port
from annotate.preannotate import preannotate_file, preannotate_file_dask
from annotate.distributed import dask_client
from annotate.records import read_docs, write_docs

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "gold" / "seed" / "articles.jsonl"
DOCS = 200
PARTITION = 10


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed articles replicated to 200 documents, each copy under its own doc_id."""
    seed = list(read_docs(SEED))
    path = tmp_path_factory.mktemp("dask") / "articles.jsonl"
    write_docs(path, (seed[number % len(seed)].with_(doc_id=f"{seed[number % len(seed)].doc_id}-{number}")
                      for number in range(DOCS)))
    return path


@pytest.fixture(scope="module")
def single_process_output(corpus: Path) -> bytes:
    output = corpus.with_name("single.jsonl")
    result = preannotate_file(corpus, output, n_process=1)
    assert result.count == DOCS
    return output.read_bytes()


@pytest.fixture(scope="module")
def cluster(dask_cluster):
    """`dask scheduler` and two `dask worker` processes (conftest.py), fresh for this module: a test kills one."""
    return dask_cluster


def test_cli_on_a_scheduler_matches_one_process(corpus: Path, single_process_output: bytes, cluster,
                                                run_cli, tmp_path: Path) -> None:
    output = tmp_path / "dask.jsonl"
    done = run_cli("preannotate", corpus, "-o", output, "--executor", "dask", "--scheduler", cluster.address,
                   "--partition-size", PARTITION, "--json")
    assert done.returncode == 0, done.stderr
    assert f'"records": {DOCS}' in done.stdout
    assert output.read_bytes() == single_process_output
    assert not list(tmp_path.glob(".*annotate-tmp*"))  # the atomic write left no temp behind


def test_a_worker_killed_mid_run_has_its_partitions_rerun(corpus: Path, single_process_output: bytes,
                                                          cluster, tmp_path: Path) -> None:
    from distributed import default_client

    victim = cluster.workers[1]
    lost: list[int] = []  # how many tasks the victim held when it was killed

    def kill_once_busy(done: int) -> None:
        if done < PARTITION or lost:
            return
        # The run's own client (the newest in this process): kill the victim only while it holds work, so that the
        # kill loses partitions that must be rerun.
        client = default_client()
        address = next(address for address, info in client.scheduler_info()["workers"].items()
                       if info["name"] == "worker-1")
        deadline = time.monotonic() + 30
        while not client.processing().get(address) and time.monotonic() < deadline:
            time.sleep(0.05)
        lost.append(len(client.processing().get(address, ())))
        os.kill(victim.pid, signal.SIGKILL)

    output = tmp_path / "dask-killed.jsonl"
    counts: list[int] = []
    result = preannotate_file_dask(corpus, output, scheduler=cluster.address, partition_size=PARTITION,
                                   on_record=lambda done: (counts.append(done), kill_once_busy(done)))
    assert victim.wait(timeout=10) == -signal.SIGKILL
    assert lost and lost[0] >= 1
    assert result.count == DOCS
    assert counts == sorted(counts) and counts[-1] >= DOCS  # progress reached every document
    assert output.read_bytes() == single_process_output


def test_record_errors_name_the_record_in_the_whole_input(tmp_path: Path) -> None:
    """An error raised on a worker reaches the caller as the same AnnotateError, numbered in the user's file."""
    seed = list(read_docs(SEED))
    articles = tmp_path / "articles.jsonl"
    too_long = seed[0].with_(doc_id="too-long", text="Officials said it. " * 60_000)  # > spaCy's max_length
    write_docs(articles, [*seed, *seed[:2], too_long])  # record 8, in the second partition of 5
    with pytest.raises(RecordError) as caught:
        preannotate_file_dask(articles, tmp_path / "out.jsonl", n_workers=1, partition_size=5)
    assert caught.value.line == 8 and "too-long" in str(caught.value)
    assert not (tmp_path / "out.jsonl").exists()


def test_an_unreachable_scheduler_is_named(tmp_path: Path, run_cli) -> None:
    address = f"tcp://127.0.0.1:{free_port()}"
    with pytest.raises(ExecutorError, match=f"cannot reach the Dask scheduler at {address}"):
        with dask_client(address, 1, connect_timeout=2):
            pass
    done = run_cli("preannotate", SEED, "-o", tmp_path / "out.jsonl", "--scheduler", address)
    assert done.returncode == 1 and "--scheduler needs --executor dask" in done.stderr


def test_a_local_cluster_forks_workers_with_the_pipeline_built(corpus: Path, single_process_output: bytes,
                                                               tmp_path: Path) -> None:
    """Without --scheduler the LocalCluster's workers are forked from a process that built the pipeline, so none
    builds it again (as spaCy's --n-process workers); the output stays byte-identical."""
    from annotate.preannotate.distributed import PipelineSpec, _local_workers_forked
    from annotate.preannotate.settings import load_settings

    spec = PipelineSpec(None, None, load_settings(None).hash)
    with _local_workers_forked(spec, None), dask_client(None, 2) as client:
        built = client.run(_pipelines_built)
    assert len(built) == 2 and all(specs == [spec] for specs in built.values())

    output = tmp_path / "local.jsonl"
    result = preannotate_file_dask(corpus, output, n_workers=2, partition_size=PARTITION)
    assert result.count == DOCS
    assert output.read_bytes() == single_process_output


def _pipelines_built() -> list:
    """On a worker: the specs of the pipelines it holds (by module reference: the pipelines stay there)."""
    from annotate.preannotate.distributed import _PIPELINES
    return list(_PIPELINES)
