"""Benchmark: preannotate throughput against raw nlp.pipe, and peak RSS against corpus size.

Run by scripts/bench_preannotate (which makes the seed articles first if needed). In one run, on the same texts and the same base model:
1. throughput: `nlp.pipe` of the base pipeline over the texts (the baseline), against the whole preannotate
   stream (read JSONL -> attribution pipeline -> AnnotatedDoc -> write JSONL), for each --n-process. The corpus is
   cut into blocks and each block is run by both sides back to back (the order alternating), so changes in the
   load from other processes fall on both sides alike. The ratio is baseline time / preannotate time over all
   blocks (target >= 0.9), also given as the median of the blocks' ratios, by wall clock and by CPU time (process
   + workers).
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

from annotate.records import read_docs, write_docs

DEFAULT_SEED = Path(__file__).resolve().parent.parent / "gold" / "seed" / "articles.jsonl"


@dataclass(frozen=True)
class ThroughputRow:
    n_process: int
    docs: int
    characters: int
    raw_seconds: float  # wall clock for one pass over the corpus (mean of the passes)
    preannotate_seconds: float
    raw_cpu_seconds: float  # CPU time of the process and its workers for one pass
    preannotate_cpu_seconds: float
    paired_ratio: float  # median over the blocks of raw/preannotate wall time, each block run back to back
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
    from annotate.preannotate.run import preannotate_docs

    start, cpu = time.perf_counter(), _cpu()
    write_docs(output, preannotate_docs(nlp, read_docs(corpus), n_process=n_process, batch_size=batch_size))
    return time.perf_counter() - start, _cpu() - cpu


def throughput(corpus: Path, workdir: Path, model: str | None, n_processes: list[int], batch_size: int,
               repeat: int, block_docs: int) -> list[ThroughputRow]:
    """Both sides over the same corpus, block by block: each block of `block_docs` x n_process documents is run by
    one side and then the other (the order alternating), `repeat` passes over the corpus. Interleaving at this
    grain cancels the drifts in machine load that decide whole-run timings on a shared machine."""
    from annotate.nlp import load_pipeline
    from annotate.preannotate.pipeline import build_pipeline

    records = list(read_docs(corpus))
    characters = sum(len(record.text) for record in records)
    raw = load_pipeline(model)
    attribution = build_pipeline(model)
    rows = []
    for n_process in n_processes:
        size = block_docs * n_process
        blocks = []
        for number, start in enumerate(range(0, len(records), size)):
            path = workdir / f"block_{n_process}_{number}.jsonl"
            write_docs(path, records[start:start + size])
            blocks.append((path, [record.text for record in records[start:start + size]]))
        # Warm both up (first-call allocations, worker start-up paths) before timing.
        _time_raw(raw, blocks[0][1], n_process, batch_size)
        _time_preannotate(attribution, blocks[0][0], workdir / "warm.jsonl", n_process, batch_size)
        raw_total, pre_total, ratios = [0.0, 0.0], [0.0, 0.0], ([], [])
        for attempt in range(repeat):
            for number, (path, texts) in enumerate(blocks):
                timed = {}
                order = ("raw", "pre") if (attempt + number) % 2 == 0 else ("pre", "raw")
                for side in order:
                    timed[side] = (_time_raw(raw, texts, n_process, batch_size) if side == "raw" else
                                   _time_preannotate(attribution, path, workdir / "out.jsonl", n_process, batch_size))
                for i in (0, 1):
                    raw_total[i] += timed["raw"][i]
                    pre_total[i] += timed["pre"][i]
                    ratios[i].append(timed["raw"][i] / timed["pre"][i])
        rows.append(ThroughputRow(
            n_process, len(records), characters, raw_total[0] / repeat, pre_total[0] / repeat,
            raw_total[1] / repeat, pre_total[1] / repeat, statistics.median(ratios[0]), statistics.median(ratios[1])))
    return rows


def peak_rss(corpus: Path, output: Path, model: str | None, n_process: int, batch_size: int) -> tuple[float, float]:
    """Peak RSS (MB) of a fresh `preannotate_file` run, summed over its process tree, and its wall time."""
    import psutil

    command = [sys.executable, str(Path(__file__).resolve()), "--child", str(corpus), str(output),
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
        repeat: int, throughput_factor: int, block_docs: int = 10) -> dict:
    with tempfile.TemporaryDirectory(prefix="bench_preannotate_") as tmp:
        workdir = Path(tmp)
        corpora = {}
        for factor in sorted(set(factors) | {throughput_factor}):
            path = workdir / f"corpus_{factor}x.jsonl"
            corpora[factor] = (path, *replicate(seed, factor, path))
        rows = throughput(corpora[throughput_factor][0], workdir, model, n_processes, batch_size, repeat, block_docs)
        memory = []
        for n_process in n_processes:
            for factor in factors:
                path, docs, characters = corpora[factor]
                peak, seconds = peak_rss(path, workdir / "rss_out.jsonl", model, n_process, batch_size)
                memory.append(MemoryRow(n_process, factor, docs, characters, round(peak, 1), round(seconds, 2)))
    from annotate.nlp import default_model_name

    return {
        "model": model or default_model_name(),
        "seed": str(seed),
        "batch_size": batch_size,
        "repeat": repeat,
        "block_docs": block_docs,
        "cpu_count": os.cpu_count(),
        "throughput_corpus": f"{throughput_factor}x",
        "throughput": [row.to_dict() for row in rows],
        "memory": [asdict(row) for row in memory],
    }


def format_report(result: dict) -> str:
    lines = [f"model {result['model']}, batch size {result['batch_size']}, {result['cpu_count']} CPUs; throughput on "
             f"the {result['throughput_corpus']} corpus, {result['repeat']} passes, the two sides interleaved in "
             f"blocks of {result['block_docs']} x n_process documents; seconds are per pass", "",
             "| n_process | docs | chars | raw nlp.pipe s | preannotate s | raw chars/s | preannotate chars/s "
             "| ratio | ratio, median of blocks | raw CPU s | preannotate CPU s | CPU ratio "
             "| CPU ratio, median of blocks |",
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
    from annotate.preannotate.run import preannotate_file

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
    parser.add_argument("--repeat", type=int, default=3, help="timed passes over the throughput corpus")
    parser.add_argument("--block", type=int, default=10,
                        help="documents per interleaved block, times n_process")
    parser.add_argument("--model", default=None, help="base spaCy pipeline (default: the preferred installed one)")
    parser.add_argument("--json", type=Path, default=None, help="also write the results as JSON here")
    args = parser.parse_args(argv)
    if not args.seed.is_file():
        parser.error(f"{args.seed}: no such file; run `annotate ingest gold/seed/raw -o {args.seed}` first")
    result = run(args.seed, [int(x) for x in args.factors.split(",")], [int(x) for x in args.n_process.split(",")],
                 args.model, args.batch_size, args.repeat, args.throughput_factor, args.block)
    sys.stdout.write(format_report(result))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, sort_keys=True) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
