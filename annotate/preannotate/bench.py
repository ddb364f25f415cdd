"""Benchmark: preannotate throughput against raw nlp.pipe, and peak RSS against corpus size.

Run by scripts/bench_preannotate. In one run, on the same texts and the same base model:
1. throughput: `nlp.pipe` of the base pipeline over the texts (the baseline), against the whole preannotate
   stream (read JSONL -> attribution pipeline -> AnnotatedDoc -> write JSONL), for each --n-process; runs alternate
   in pairs run back to back (the order alternating), so load from other processes penalises both sides alike. The
   ratio is baseline time / preannotate time (target >= 0.9), from the best time of each side and as the median of
   the pairs' ratios, by wall clock and by CPU time (process + workers): on a shared machine the wall clock also
   measures the neighbours.
2. memory: `annotate preannotate`'s library path in a fresh subprocess per corpus size (1x, 10x, 100x the seed
   corpus, replicated), with the peak RSS of its process tree (workers included) sampled by psutil.
Pipeline loading is outside every timing.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from ..records import read_docs, write_docs

DEFAULT_SEED = Path(__file__).resolve().parent.parent.parent / "gold" / "seed" / "articles.jsonl"


@dataclass(frozen=True)
class ThroughputRow:
    n_process: int
    docs: int
    characters: int
    raw_seconds: float  # wall clock, best of the repeats
    preannotate_seconds: float
    raw_cpu_seconds: float  # CPU time of the process and its workers, best of the repeats
    preannotate_cpu_seconds: float
    paired_ratio: float  # median over the repeats of raw/preannotate wall time, each pair run back to back
    paired_cpu_ratio: float

    @property
    def ratio(self) -> float:
        """Throughput of preannotate over throughput of raw nlp.pipe, by wall clock."""
        return self.raw_seconds / self.preannotate_seconds

    @property
    def cpu_ratio(self) -> float:
        """The same by CPU time: what the extra work costs, whatever else runs on the machine."""
        return self.raw_cpu_seconds / self.preannotate_cpu_seconds

    def to_dict(self) -> dict:
        return {**asdict(self), "ratio": round(self.ratio, 3), "cpu_ratio": round(self.cpu_ratio, 3),
                "paired_ratio": round(self.paired_ratio, 3), "paired_cpu_ratio": round(self.paired_cpu_ratio, 3),
                "raw_chars_per_second": round(self.characters / self.raw_seconds),
                "preannotate_chars_per_second": round(self.characters / self.preannotate_seconds)}


@dataclass(frozen=True)
class MemoryRow:
    n_process: int
    factor: int
    docs: int
    characters: int
    peak_rss_mb: float
    seconds: float


def replicate(seed: Path, factor: int, target: Path) -> tuple[int, int]:
    """The seed corpus `factor` times, each copy with its own doc_id; returns (docs, characters)."""
    seed_docs = list(read_docs(seed))

    def copies():
        for copy in range(factor):
            for doc in seed_docs:
                yield doc.with_(doc_id=f"{doc.doc_id}-{copy}")

    count = write_docs(target, copies())
    return count, factor * sum(len(doc.text) for doc in seed_docs)


def _cpu() -> float:
    """CPU seconds of this process and of its finished children (nlp.pipe's workers are joined when it ends)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _time_raw(nlp, texts: list[str], n_process: int, batch_size: int) -> tuple[float, float]:
    start, cpu = time.perf_counter(), _cpu()
    for _ in nlp.pipe(texts, n_process=n_process, batch_size=batch_size):
        pass
    return time.perf_counter() - start, _cpu() - cpu


def _time_preannotate(nlp, corpus: Path, output: Path, n_process: int, batch_size: int) -> tuple[float, float]:
    from .run import preannotate_docs

    start, cpu = time.perf_counter(), _cpu()
    write_docs(output, preannotate_docs(nlp, read_docs(corpus), n_process=n_process, batch_size=batch_size))
    return time.perf_counter() - start, _cpu() - cpu


def throughput(corpus: Path, workdir: Path, model: str | None, n_processes: list[int], batch_size: int,
               repeat: int) -> list[ThroughputRow]:
    from ..nlp import load_pipeline
    from .pipeline import build_pipeline

    texts = [doc.text for doc in read_docs(corpus)]
    characters = sum(len(text) for text in texts)
    raw = load_pipeline(model)
    attribution = build_pipeline(model)
    rows = []
    for n_process in n_processes:
        # Warm both up (first-call allocations, worker start-up paths) before timing.
        _time_raw(raw, texts[:10], n_process, batch_size)
        _time_preannotate(attribution, corpus, workdir / "warm.jsonl", 1, batch_size)
        raw_times, pre_times = [], []
        for attempt in range(repeat):
            # Alternate which side goes first, so a drift in machine load does not favour one side.
            sides = [lambda: raw_times.append(_time_raw(raw, texts, n_process, batch_size)),
                     lambda: pre_times.append(_time_preannotate(attribution, corpus, workdir / "out.jsonl",
                                                                n_process, batch_size))]
            for side in sides if attempt % 2 == 0 else reversed(sides):
                side()
        rows.append(ThroughputRow(
            n_process, len(texts), characters, min(t for t, _ in raw_times), min(t for t, _ in pre_times),
            min(c for _, c in raw_times), min(c for _, c in pre_times),
            statistics.median(r[0] / p[0] for r, p in zip(raw_times, pre_times)),
            statistics.median(r[1] / p[1] for r, p in zip(raw_times, pre_times))))
    return rows


def peak_rss(corpus: Path, output: Path, model: str | None, n_process: int, batch_size: int) -> tuple[float, float]:
    """Peak RSS (MB) of a fresh `preannotate_file` run, summed over its process tree, and its wall time."""
    import psutil

    command = [sys.executable, "-m", "annotate.preannotate.bench", "--child", str(corpus), str(output),
               "--n-process", str(n_process), "--batch-size", str(batch_size)]
    if model:
        command += ["--model", model]
    start = time.perf_counter()
    process = psutil.Popen(command)
    peak = 0
    while process.poll() is None:
        try:
            tree = [process] + process.children(recursive=True)
            peak = max(peak, sum(p.memory_info().rss for p in tree if p.is_running()))
        except psutil.Error:
            pass
        time.sleep(0.02)
    if process.returncode != 0:
        raise RuntimeError(f"benchmark child failed with exit code {process.returncode}: {' '.join(command)}")
    return peak / 2**20, time.perf_counter() - start


def run(seed: Path, factors: list[int], n_processes: list[int], model: str | None, batch_size: int,
        repeat: int, throughput_factor: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="bench_preannotate_") as tmp:
        workdir = Path(tmp)
        corpora = {}
        for factor in sorted(set(factors) | {throughput_factor}):
            path = workdir / f"corpus_{factor}x.jsonl"
            corpora[factor] = (path, *replicate(seed, factor, path))
        rows = throughput(corpora[throughput_factor][0], workdir, model, n_processes, batch_size, repeat)
        memory = []
        for n_process in n_processes:
            for factor in factors:
                path, docs, characters = corpora[factor]
                peak, seconds = peak_rss(path, workdir / "rss_out.jsonl", model, n_process, batch_size)
                memory.append(MemoryRow(n_process, factor, docs, characters, round(peak, 1), round(seconds, 2)))
    from ..nlp import default_model_name

    return {
        "model": model or default_model_name(),
        "seed": str(seed),
        "batch_size": batch_size,
        "repeat": repeat,
        "cpu_count": os.cpu_count(),
        "throughput_corpus": f"{throughput_factor}x",
        "throughput": [row.to_dict() for row in rows],
        "memory": [asdict(row) for row in memory],
    }


def format_report(result: dict) -> str:
    lines = [f"model {result['model']}, batch size {result['batch_size']}, best of {result['repeat']}, "
             f"{result['cpu_count']} CPUs; throughput on the {result['throughput_corpus']} corpus", "",
             "| n_process | docs | chars | raw nlp.pipe s | preannotate s | raw chars/s | preannotate chars/s "
             "| ratio, best | ratio, median of pairs | raw CPU s | preannotate CPU s | CPU ratio, best "
             "| CPU ratio, median of pairs |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for row in result["throughput"]:
        lines.append(f"| {row['n_process']} | {row['docs']} | {row['characters']} | {row['raw_seconds']:.2f} | "
                     f"{row['preannotate_seconds']:.2f} | {row['raw_chars_per_second']} | "
                     f"{row['preannotate_chars_per_second']} | {row['ratio']:.3f} | {row['paired_ratio']:.3f} | "
                     f"{row['raw_cpu_seconds']:.2f} | {row['preannotate_cpu_seconds']:.2f} | {row['cpu_ratio']:.3f} | "
                     f"{row['paired_cpu_ratio']:.3f} |")
    lines += ["", "| n_process | corpus | docs | chars | peak RSS MB | wall s |", "|---:|---:|---:|---:|---:|---:|"]
    for row in result["memory"]:
        lines.append(f"| {row['n_process']} | {row['factor']}x | {row['docs']} | {row['characters']} | "
                     f"{row['peak_rss_mb']} | {row['seconds']} |")
    return "\n".join(lines) + "\n"


def _child(argv: list[str]) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("corpus")
    parser.add_argument("output")
    parser.add_argument("--n-process", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--model")
    args = parser.parse_args(argv)
    from .run import preannotate_file

    preannotate_file(args.corpus, args.output, model=args.model, n_process=args.n_process, batch_size=args.batch_size)


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        _child(argv[1:])
        return
    parser = argparse.ArgumentParser(prog="bench_preannotate", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=Path, default=DEFAULT_SEED, help="seed articles JSONL (default: gold/seed)")
    parser.add_argument("--factors", default="1,10,100", help="corpus sizes for peak RSS, as multiples of the seed")
    parser.add_argument("--throughput-factor", type=int, default=10, help="corpus size for the throughput runs")
    parser.add_argument("--n-process", default="1,2", help="values of --n-process to measure")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--repeat", type=int, default=7, help="timed pairs of runs")
    parser.add_argument("--model", default=None, help="base spaCy pipeline (default: the preferred installed one)")
    parser.add_argument("--json", type=Path, default=None, help="also write the results as JSON here")
    args = parser.parse_args(argv)
    if not args.seed.is_file():
        parser.error(f"{args.seed}: no such file; run `annotate ingest gold/seed/raw -o {args.seed}` first")
    result = run(args.seed, [int(x) for x in args.factors.split(",")], [int(x) for x in args.n_process.split(",")],
                 args.model, args.batch_size, args.repeat, args.throughput_factor)
    sys.stdout.write(format_report(result))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, sort_keys=True) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
