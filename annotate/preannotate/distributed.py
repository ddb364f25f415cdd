"""Pre-annotation on a Dask cluster: the same stream as run.py, its partitions run by Dask workers.

The client reads and checks the input, cuts it into partitions of `partition_size` records and keeps a bounded
number of them in flight (memory stays flat in corpus size). Each worker process builds the pipeline once and
keeps it for every partition it runs. Results are written in input order with the same writer as the
single-process path, so the output is byte-identical to `--n-process 1`, and atomic.

A worker that dies mid-run loses its partitions; the scheduler reruns them elsewhere (up to Dask's
`distributed.scheduler.allowed-failures`), and since the client writes each partition once, in order, the
output has no gaps and no duplicates.

Dask is an optional extra (`pip install .[dask]`): nothing here imports it before `preannotate_file_dask` runs.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from spacy.language import Language

from ..distributed import dask_client, ordered_map
from ..errors import ConfigError, RecordError
from ..records import AnnotatedDoc, read_docs, write_docs
from .pipeline import annotator_name, build_pipeline
from .run import DEFAULT_BATCH_SIZE, PreannotateResult, _chunks, check_options, preannotate_docs
from .settings import load_settings

if TYPE_CHECKING:
    from distributed import Client

DEFAULT_PARTITION_SIZE = 50  # ~130 k characters of news: seconds of work, a small message


@dataclass(frozen=True)
class PipelineSpec:
    """What a worker needs to build the pipeline. The config's hash makes a long-lived worker rebuild its cached
    pipeline when the rules file changed between runs."""

    model: str | None
    config_path: str | None
    config_hash: str
    mode: str | None = None  # rules, model or hybrid (see build_pipeline)


_PIPELINES: dict[PipelineSpec, Language] = {}  # per worker process: built on the first partition, then reused


def _pipeline(spec: PipelineSpec) -> Language:
    nlp = _PIPELINES.get(spec)
    if nlp is None:
        _PIPELINES.clear()  # one pipeline per worker at a time: they are hundreds of MB each
        nlp = _PIPELINES[spec] = build_pipeline(spec.model, spec.config_path, mode=spec.mode)
    return nlp


def annotate_partition(spec: PipelineSpec, records: Sequence[AnnotatedDoc], first_number: int, source: str,
                       batch_size: int) -> list[AnnotatedDoc]:
    """Runs on a worker: predictions for one partition, in its order. A record error is re-numbered from the
    partition's place in the whole input, so that it names the record in the user's file."""
    nlp = _pipeline(spec)
    try:
        return list(preannotate_docs(nlp, records, n_process=1, batch_size=batch_size,
                                     chunk_size=max(1, len(records)), source=source))
    except RecordError as error:
        if error.path != source or error.line is None:
            raise
        raise RecordError(source, error.line + first_number - 1, error.field, error.problem, error.fix) from None


def _annotate_numbered(spec: PipelineSpec, source: str, batch_size: int, partition_size: int,
                       numbered: tuple[int, Sequence[AnnotatedDoc]]) -> list[AnnotatedDoc]:
    number, records = numbered
    return annotate_partition(spec, records, number * partition_size + 1, source, batch_size)


def ordered_results(client: Client, spec: PipelineSpec, records: Iterator[AnnotatedDoc], *, source: str,
                    batch_size: int, partition_size: int, on_done: Callable[[int], None] | None = None
                    ) -> Iterator[AnnotatedDoc]:
    """Predictions for `records` in input order, computed by the client's workers partition by partition
    (`ordered_map`: a bounded number in flight, so the client's memory does not grow with the corpus). `on_done`
    gets the count of finished documents as partitions finish (in any order); the results are yielded strictly
    in input order."""
    sizes: dict[int, int] = {}
    done = 0

    def partitions() -> Iterator[tuple[int, list[AnnotatedDoc]]]:
        for number, partition in enumerate(_chunks(records, partition_size)):
            sizes[number] = len(partition)
            yield number, partition

    def finished(number: int) -> None:
        nonlocal done
        done += sizes.pop(number)
        if on_done is not None:
            on_done(done)

    annotate = partial(_annotate_numbered, spec, source, batch_size, partition_size)
    for results in ordered_map(client, annotate, partitions(), key_prefix="preannotate", on_done=finished):
        yield from results


@contextmanager
def _local_workers_forked(spec: PipelineSpec, scheduler: str | None) -> Iterator[None]:
    """For a LocalCluster on Linux: build the pipeline here once, then have the workers forked from this process
    (Dask spawns fresh interpreters by default), so they start with spaCy imported and the pipeline built, shared
    copy-on-write, as spaCy's own --n-process workers do. Spawned, each worker would import and build it again:
    seconds of CPU per worker before its first document. A worker the nanny restarts is forked the same way."""
    if scheduler is not None or not sys.platform.startswith("linux"):  # fork is unsafe on macOS
        yield
        return
    try:
        import dask
        import distributed  # noqa: F401  (registers its config defaults, which the setting below must not shadow)
    except ImportError:
        yield  # dask_client says how to install the extra
        return
    _pipeline(spec)
    with dask.config.set({"distributed.worker.multiprocessing-method": "fork"}):
        yield


def preannotate_file_dask(input_path: str | os.PathLike[str], output_path: str | os.PathLike[str],
                          model: str | None = None, config_path: str | os.PathLike[str] | None = None, *,
                          mode: str | None = None,
                          scheduler: str | None = None, n_workers: int = 1, batch_size: int = DEFAULT_BATCH_SIZE,
                          partition_size: int = DEFAULT_PARTITION_SIZE,
                          on_record: Callable[[int], None] | None = None) -> PreannotateResult:
    """`preannotate_file` on a Dask cluster: the scheduler at `scheduler` (tcp://HOST:PORT), else a LocalCluster
    of `n_workers` processes. The workers read the model and `config_path` by these paths (shared storage on a
    real cluster); the input is read here and shipped to them."""
    check_options(n_workers, batch_size, partition_size)
    if not Path(input_path).is_file():
        raise ConfigError(f"{input_path}: no such file; give the articles JSONL written by `annotate ingest`")
    config = str(Path(config_path).resolve()) if config_path is not None else None
    spec = PipelineSpec(model, config, load_settings(config).hash, mode)
    source = f"{input_path} (record)"
    annotators: set[str] = set()
    count = 0

    with _local_workers_forked(spec, scheduler), dask_client(scheduler, n_workers) as client:
        def written() -> Iterator[AnnotatedDoc]:
            nonlocal count
            for record in ordered_results(client, spec, read_docs(input_path), source=source, batch_size=batch_size,
                                          partition_size=partition_size, on_done=on_record):
                count += 1
                annotators.add(record.annotator or "")
                yield record

        write_docs(output_path, written())
    # No record, no worker ever built the pipeline: build it here only to name the annotator.
    annotator = annotators.pop() if annotators else annotator_name(build_pipeline(model, config, mode=mode))
    return PreannotateResult(output=str(output_path), count=count, annotator=annotator)
