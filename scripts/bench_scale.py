"""Benchmark past one machine: Dask pre-annotation, and push/pull of 5,000 and 50,000 news-length tasks on SQLite
and on PostgreSQL. A benchmark, not a test: it takes long and prints markdown tables (and JSON with --json).

1. Dask: the seed articles replicated to each of --dask-docs document counts, pre-annotated by `--n-process 2`,
   by Dask with 2 local workers and by Dask with 1 worker (LocalCluster, started inside the timing, as a user
   would run it). Ratio = n-process-2 time / Dask-2 time (target >= 0.8); scaling = Dask-1 time / Dask-2 time.
   Each run's CPU seconds (this process and its children) show the fixed cost: Dask's workers each import and
   load the pipeline, where --n-process forks a parent that loaded it once. The per-document cost is the
   steady-state wall time per document with one worker (after its first partition), used for the paper estimate
   of a million articles.
2. Push and pull: the seed articles' predictions (spans, attributes, relations) replicated to N tasks, each copy
   with its own text (a numbered line appended) and doc_id. For each database and N, in fresh processes whose peak
   RSS is read from getrusage: raw SDK `import_tasks` in chunks of 1,000 (the baseline), `annotate push`, a
   re-push of the unchanged file, then a project whose tasks each carry one submitted annotation: raw SDK
   `exports.as_json` against `annotate pull`. With --pull-source predictions, pull and the raw export read the
   pushed project instead (`pull --include-predictions`: the same payload, one import fewer per size). A raw
   export that would exhaust the machine's memory is stopped and reported. Targets: peak RSS at the largest N
   <= 1.5x at the smallest; re-push <= 10% of the first push.

Run: scripts/bench_scale [--dask-docs 200,1000] [--sizes 5000,50000] [--databases sqlite,postgresql] [--skip-dask]
     [--pull-source annotations|predictions] [--skip-push-pull] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from annotate.records import read_docs, write_docs  # noqa: E402

SEED = ROOT / "gold" / "seed" / "articles.jsonl"
IMPORT_CHUNK = 1000
RAW_EXPORT_TIMEOUT = 3 * 3600.0
RAW_EXPORT_LOCK = Path(tempfile.gettempdir()) / "annotate-bench-scale-raw-export.lock"
MIN_AVAILABLE_MB = 2048  # a raw export is stopped before the machine runs out of memory


def peak_rss_mb() -> float:
    """This process's peak resident set (VmHWM). Not getrusage's ru_maxrss: that survives exec, so a child would
    report its parent's peak when that is higher."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ---------------------------------------------------------------------------------------------------------
# 1. Dask against --n-process


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (the workers of a closed LocalCluster, spaCy's
    n-process workers)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def replicate(seed: Path, count: int, target: Path) -> int:
    docs = list(read_docs(seed))
    return write_docs(target, (docs[n % len(docs)].with_(doc_id=f"{docs[n % len(docs)].doc_id}-{n}")
                               for n in range(count)))


def bench_dask(docs: int, workdir: Path) -> dict:
    from annotate.preannotate import preannotate_file, preannotate_file_dask

    articles = workdir / f"articles-{docs}.jsonl"
    replicate(SEED, docs, articles)
    rows = {}

    def timed(name: str, run) -> None:
        marks: list[tuple[float, int]] = []
        cpu_before = cpu_seconds()
        start = time.perf_counter()
        run(lambda done: marks.append((time.perf_counter(), done)))
        seconds = time.perf_counter() - start
        cpu = cpu_seconds() - cpu_before
        first_time, first_done = marks[0] if marks else (start, 0)
        steady = (marks[-1][0] - first_time) / max(1, marks[-1][1] - first_done) if len(marks) > 1 else None
        rows[name] = {"seconds": seconds, "cpu_seconds": cpu, "steady_seconds_per_doc": steady}
        print(f"[dask] {docs} docs, {name}: {seconds:.1f} s, {cpu:.1f} CPU s", file=sys.stderr)

    outputs = {name: workdir / f"{name}-{docs}.jsonl" for name in ("n_process_2", "dask_2", "dask_1")}
    timed("n_process_2", lambda report: preannotate_file(articles, outputs["n_process_2"], n_process=2,
                                                         on_record=report))
    timed("dask_2", lambda report: preannotate_file_dask(articles, outputs["dask_2"], n_workers=2, on_record=report))
    timed("dask_1", lambda report: preannotate_file_dask(articles, outputs["dask_1"], n_workers=1, on_record=report))
    identical = len({path.read_bytes() for path in outputs.values()}) == 1
    per_doc = rows["dask_1"]["steady_seconds_per_doc"]
    return {"docs": docs, "runs": rows, "identical_outputs": identical,
            "ratio_dask2_vs_nprocess2": rows["n_process_2"]["seconds"] / rows["dask_2"]["seconds"],
            "scaling_dask1_over_dask2": rows["dask_1"]["seconds"] / rows["dask_2"]["seconds"],
            "per_doc_seconds_one_worker": per_doc,
            "million_docs_hours": {str(n): 1_000_000 * per_doc / n / 3600 for n in (1, 8, 32, 128)} if per_doc else {}}


# ---------------------------------------------------------------------------------------------------------
# 2. push and pull, each measured in a fresh process (--child)


def make_predictions(count: int, target: Path) -> int:
    """The seed predictions replicated: copy n appends a line to the text (offsets unchanged) and gets its own
    doc_id, so that every task is a distinct news-length article with a model's spans and links."""
    from annotate.preannotate import preannotate_docs
    from annotate.preannotate.pipeline import build_pipeline
    from annotate.records import make_doc_id

    seed = list(preannotate_docs(build_pipeline(), read_docs(SEED)))

    def copies():
        for n in range(count):
            doc = seed[n % len(seed)]
            text = f"{doc.text}\n\nArchive copy {n}."
            yield doc.with_(doc_id=make_doc_id(text), text=text)
    return write_docs(target, copies())


def child(args: list[str]) -> dict:
    """One measured operation in this (fresh) process; prints seconds and peak RSS."""
    from annotate.labelstudio.client import LabelStudioClient
    from annotate.labelstudio.results import doc_to_results, doc_to_task
    from annotate.schema import load_schema

    operation, credentials, project, path = args
    client = LabelStudioClient.from_environment(credentials)
    sdk = client._sdk  # the raw baselines call the SDK directly, as a user of the SDK alone would
    baseline = peak_rss_mb()
    start = time.perf_counter()
    if operation == "push":
        from annotate.labelstudio.sync import push
        summary = push(read_docs(path), project=project, client=client)
        result = {"tasks_created": summary.tasks_created, "listed": summary.listed}
    elif operation in ("pull", "pull_predictions"):
        from annotate.labelstudio.sync import pull_to_file
        count, _ = pull_to_file(path, project=project, client=client,
                                include_predictions=operation == "pull_predictions")
        result = {"records": count}
    elif operation in ("raw_import", "raw_import_annotated"):
        schema = load_schema()
        from annotate.labelstudio.sync import ensure_project
        from annotate.schema import render_label_config
        found, _, _ = ensure_project(client, project, render_label_config(schema), schema)
        batch: list[dict] = []
        sent = 0
        for doc in read_docs(path):
            task = doc_to_task(doc, schema)
            if operation == "raw_import_annotated":
                task["annotations"] = [{"result": doc_to_results(doc, schema), "lead_time": 12.5}]
            batch.append(task)
            if len(batch) == IMPORT_CHUNK:
                sdk.projects.import_tasks(id=found.id, request=batch)
                sent, batch = sent + len(batch), []
        if batch:
            sdk.projects.import_tasks(id=found.id, request=batch)
            sent += len(batch)
        result = {"tasks": sent}
    elif operation in ("raw_export", "raw_export_predictions"):
        from label_studio_sdk import LabelStudio

        from annotate.labelstudio.client import resolve_connection
        found = client.find_project(project)
        connection = resolve_connection(credentials)
        # The SDK's export is one synchronous request: at 50,000 tasks it outlasts the default 300 s read timeout.
        patient = LabelStudio(base_url=connection.url, api_key=connection.api_key, timeout=RAW_EXPORT_TIMEOUT)
        if operation == "raw_export":
            exported = patient.projects.exports.as_json(found.id)
        else:
            # as_json gives predictions as ids only; with their results, as `pull --include-predictions` reads
            # them, the SDK user goes through a snapshot, then loads the whole download.
            snapshot = patient.projects.exports.create(id=found.id, title="raw",
                                                       serialization_options={"predictions": {"only_id": False}})
            while snapshot.status != "completed":
                if snapshot.status == "failed":
                    raise SystemExit("the export snapshot failed")
                time.sleep(1)
                snapshot = patient.projects.exports.get(found.id, snapshot.id)
            exported = json.loads(b"".join(patient.projects.exports.download(found.id, snapshot.id,
                                                                             export_type="JSON")))
        result = {"tasks": len(exported)}
    else:
        raise SystemExit(f"unknown operation {operation}")
    return {**result, "seconds": time.perf_counter() - start, "peak_rss_mb": peak_rss_mb(),
            "rss_after_imports_mb": baseline}


def available_mb() -> float:
    with open("/proc/meminfo", encoding="ascii") as meminfo:
        for line in meminfo:
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) / 1024
    return float("inf")


def measure(operation: str, credentials: Path, project: str, path: Path, env: dict) -> dict:
    """Run one operation in a fresh process. A raw export holds the whole project in memory (in the server and
    here): only one runs at a time across concurrent benchmarks, and it is stopped, and reported as such, when
    the machine has less than MIN_AVAILABLE_MB left."""
    command = [sys.executable, __file__, "--child", operation, str(credentials), project, str(path)]
    if not operation.startswith("raw_export"):
        done = subprocess.run(command, capture_output=True, text=True, env=env)
        if done.returncode != 0:
            raise RuntimeError(f"{operation} failed:\n{done.stderr[-3000:]}")
        return _row(operation, project, done.stdout)
    import fcntl
    with open(RAW_EXPORT_LOCK, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
            child_process = subprocess.Popen(command, stdout=out, stderr=err, text=True, env=env)
            start, lowest = time.perf_counter(), available_mb()
            while child_process.poll() is None:
                lowest = min(lowest, available_mb())
                if lowest < MIN_AVAILABLE_MB:
                    child_process.kill()
                    child_process.wait()
                    row = {"failed": f"stopped after {time.perf_counter() - start:.0f} s: less than "
                                     f"{MIN_AVAILABLE_MB} MB of memory left on the machine"}
                    print(f"[push/pull] {operation} {project}: {row['failed']}", file=sys.stderr)
                    return row
                time.sleep(0.5)
            out.seek(0), err.seek(0)
            if child_process.returncode != 0:
                row = {"failed": f"exit {child_process.returncode}: {err.read()[-500:].strip()}"}
                print(f"[push/pull] {operation} {project}: {row['failed']}", file=sys.stderr)
                return row
            row = _row(operation, project, out.read())
            row["lowest_available_mb"] = lowest
            return row


def _row(operation: str, project: str, stdout: str) -> dict:
    row = json.loads(stdout.strip().splitlines()[-1])
    print(f"[push/pull] {operation} {project}: {row['seconds']:.1f} s, peak RSS {row['peak_rss_mb']:.0f} MB",
          file=sys.stderr)
    return row


def bench_push_pull(database: str, sizes: list[int], workdir: Path, results: dict, save,
                    pull_source: str = "annotations") -> dict:
    from annotate.labelstudio import server
    from annotate.labelstudio.scratch_postgres import start_scratch_postgres

    scratch = start_scratch_postgres() if database == "postgresql" else None
    data_dir = workdir / f"ls-{database}"
    env = {**os.environ, "ANNOTATE_CACHE_DIR": str(workdir / f"cache-{database}"), "PYTHONPATH": str(ROOT)}
    env.pop("LABEL_STUDIO_API_KEY", None)
    print(f"[push/pull] starting Label Studio on {database} (a minute or two)...", file=sys.stderr)
    info = server.start(data_dir, port=server.free_port(), database=scratch.database if scratch else None)
    try:
        for size in sizes:
            path = workdir / f"predictions-{size}.jsonl"
            if not path.exists():
                make_predictions(size, path)
            pulled = workdir / f"pulled-{database}-{size}.jsonl"
            row = results[str(size)] = {"pull_source": pull_source}
            if pull_source == "annotations":
                pull_steps = (("annotated_import", "raw_import_annotated", f"annotated-{size}"),
                              ("pull", "pull", f"annotated-{size}"), ("raw_export", "raw_export", f"annotated-{size}"))
            else:  # the pushed project itself: `pull --include-predictions` against the raw export of the same tasks
                pull_steps = (("pull", "pull_predictions", f"push-{size}"),
                              ("raw_export", "raw_export_predictions", f"push-{size}"))
            # Saved after every step: a long run that dies late keeps what it measured.
            for key, operation, project in (("raw_import", "raw_import", f"raw-{size}"),
                                            ("push", "push", f"push-{size}"), ("repush", "push", f"push-{size}"),
                                            *pull_steps):
                row[key] = measure(operation, info.credentials_path, project, pulled if key == "pull" else path, env)
                if key == "pull":
                    pulled.unlink(missing_ok=True)
                save()
            row["repush_fraction"] = row["repush"]["seconds"] / row["push"]["seconds"]
            row["push_ratio"] = row["raw_import"]["seconds"] / row["push"]["seconds"]
            if "seconds" in row["raw_export"]:
                row["pull_ratio"] = row["raw_export"]["seconds"] / row["pull"]["seconds"]
            save()
    finally:
        server.stop(data_dir)
        if scratch is not None:
            scratch.stop()
    return results


def print_tables(results: dict) -> None:
    if results.get("dask"):
        print("\nDask against --n-process 2 (wall s, CPU s of all processes)\n")
        print("| docs | n-process 2 | Dask 2 workers | Dask 1 worker | ratio np2/dask2 (>= 0.8) | dask1/dask2 | "
              "identical |")
        print("|---:|---:|---:|---:|---:|---:|---|")
        for docs, dask in sorted(results["dask"].items(), key=lambda item: int(item[0])):
            runs = dask["runs"]
            cells = " | ".join(f"{runs[name]['seconds']:.1f} ({runs[name]['cpu_seconds']:.0f} CPU)"
                               for name in ("n_process_2", "dask_2", "dask_1"))
            print(f"| {docs} | {cells} | {dask['ratio_dask2_vs_nprocess2']:.2f} | "
                  f"{dask['scaling_dask1_over_dask2']:.2f} | {dask['identical_outputs']} |")
        largest = results["dask"][max(results["dask"], key=int)]
        if largest["per_doc_seconds_one_worker"]:
            print(f"\nsteady cost per document on one worker: {largest['per_doc_seconds_one_worker']:.3f} s")
    for database, sizes in results.get("push_pull", {}).items():
        print(f"\nPush and pull on {database}\n")
        print("| tasks | raw import s | push s | re-push s | re-push/push | raw export s | pull s | "
              "push RSS MB | pull RSS MB | raw export RSS MB |")
        print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for size, row in sizes.items():
            raw = row["raw_export"]
            raw_seconds, raw_rss = ((f"{raw['seconds']:.1f}", f"{raw['peak_rss_mb']:.0f}") if "seconds" in raw
                                    else ("failed", "failed"))
            print(f"| {size} | {row['raw_import']['seconds']:.1f} | {row['push']['seconds']:.1f} | "
                  f"{row['repush']['seconds']:.1f} | {row['repush_fraction']:.3f} | {raw_seconds} | "
                  f"{row['pull']['seconds']:.1f} | {row['push']['peak_rss_mb']:.0f} | {row['pull']['peak_rss_mb']:.0f} | "
                  f"{raw_rss} |")
            if "failed" in raw:
                print(f"\nraw export of {size} tasks: {raw['failed']}")
        if len(sizes) > 1:
            small, large = sizes[min(sizes, key=int)], sizes[max(sizes, key=int)]
            for side in ("push", "pull", "raw_export"):
                if "peak_rss_mb" in small[side] and "peak_rss_mb" in large[side]:
                    print(f"{side}: peak RSS largest/smallest = "
                          f"{large[side]['peak_rss_mb'] / small[side]['peak_rss_mb']:.2f} (target <= 1.5 for push and pull)")


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        warnings.simplefilter("ignore", FutureWarning)
        print(json.dumps(child(sys.argv[2:])))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dask-docs", default="200,1000",
                        help="Comma-separated document counts for the Dask comparison.")
    parser.add_argument("--sizes", default="5000,50000")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--pull-source", choices=("annotations", "predictions"), default="annotations",
                        help="What pull reads: an annotated copy of the tasks (a third import of every size), or "
                             "the pushed project's predictions (`pull --include-predictions`; no third import).")
    parser.add_argument("--skip-dask", action="store_true")
    parser.add_argument("--skip-push-pull", action="store_true")
    parser.add_argument("--json", type=Path, help="Also write the results as JSON here (after every stage).")
    args = parser.parse_args()
    results: dict = {}

    def save() -> None:
        if args.json:
            args.json.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")

    with tempfile.TemporaryDirectory(prefix="bench-scale-") as scratch:
        workdir = Path(scratch)
        if not args.skip_dask:
            results["dask"] = {}
            for docs in (int(n) for n in args.dask_docs.split(",")):
                results["dask"][str(docs)] = bench_dask(docs, workdir)
                save()
        if not args.skip_push_pull:
            results["push_pull"] = {}
            for database in args.databases.split(","):
                results["push_pull"][database] = {}
                bench_push_pull(database, [int(n) for n in args.sizes.split(",")], workdir,
                                results["push_pull"][database], save, args.pull_source)
    print_tables(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
