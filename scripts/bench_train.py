"""Benchmark for `annotate train` (not a test): training throughput and wall time, prediction throughput, and a
learning curve on the real gold there is.

1. Training at scale: 1,000 news-length documents, made by re-sampling the five real gold/seed articles (each copy
   gets its own doc_id and cluster; its text and gold are the original's), trained with the default settings
   (configs/train.cfg, its time budget included) against a separate dev set (the five originals). Reports the
   pre-processing time, training words/s, epochs and steps done, and the total wall time (target < 30 min).
2. Prediction throughput of the trained pipeline (hybrid mode, record conversion included) as a ratio to raw
   `nlp.pipe` of its base pipeline over the same texts, in alternating blocks (the machine is shared).
3. A learning curve: gold/seed's one article outside the near-duplicate cluster of the others is the dev set; the
   model is trained on 1..4 of the others and scored (annotate.evaluate, model and hybrid modes) on it.

Run: scripts/bench_train [--docs 1000] [--skip-scale] [--skip-curve] [--curve-epochs 25] [--out DIR] [--model DIR]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED_GOLD = ROOT / "gold" / "seed" / "data.jsonl"
SEED_ARTICLES = ROOT / "gold" / "seed" / "articles.jsonl"
LABELS = ("CUE", "SOURCE", "CLAIM", "SUPPLEMENT")


def resampled(records, count: int):
    """`count` copies drawn round-robin, each with its own doc_id and cluster (so no split groups them)."""
    return [replace(records[number % len(records)], doc_id=f"{number:016x}",
                    meta={**records[number % len(records)].meta, "cluster": f"copy{number}"})
            for number in range(count)]


def log(message: str) -> None:
    print(message, flush=True)


def scale(records, work: Path, count: int) -> dict:
    from annotate.records import write_docs
    from annotate.train import train

    train_path, dev_path = work / "train1000.jsonl", work / "dev.jsonl"
    write_docs(train_path, resampled(records, count))
    write_docs(dev_path, records)
    marks: dict[str, float] = {}

    def watch(event) -> None:
        if event.kind == "preprocess" and event.done == count:
            marks["preprocessed"] = time.perf_counter()
        elif event.kind == "evaluation":
            log(f"  epoch {event.epoch} step {event.step}: dev F1 {event.score:.3f} "
                + " ".join(f"{label} {event.per_label.get(label, {}).get('f', 0):.2f}" for label in LABELS)
                + f" ({time.perf_counter() - started:.0f} s)")

    started = time.perf_counter()
    result = train(train_path, work / "model1000", dev_path=dev_path, on_progress=watch)
    total = time.perf_counter() - started
    preprocessing = marks.get("preprocessed", started) - started
    training_seconds = total - preprocessing
    # Words the span model was trained on: every epoch it saw the whole training set (the last one partly).
    return {"documents": result.train_docs, "train_words": result.train_words, "epochs": result.epochs,
            "steps": result.steps, "stopped_by_budget": result.stopped_by_budget,
            "preprocess_seconds": round(preprocessing, 1), "total_seconds": round(total, 1),
            "training_seconds": round(training_seconds, 1),
            "preprocess_words_per_second": round(result.train_words / preprocessing) if preprocessing else None,
            "best_dev": result.dev_scores, "model_dir": result.model_dir}


def throughput(model_dir: str, records, blocks: int = 6, block_size: int = 10) -> dict:
    from annotate.nlp import load_pipeline
    from annotate.preannotate import build_pipeline, preannotate_docs

    trained = build_pipeline(model_dir, mode="hybrid")
    base = load_pipeline(trained.meta["attribution_trained"]["base_pipeline"])
    texts = resampled(records, blocks * block_size)
    raw_time = trained_time = 0.0
    for number in range(blocks):
        block = texts[number * block_size:(number + 1) * block_size]
        sides = [("raw", lambda: list(base.pipe(record.text for record in block))),
                 ("trained", lambda: list(preannotate_docs(trained, block)))]
        for name, run in (sides if number % 2 == 0 else sides[::-1]):
            start = time.perf_counter()
            run()
            elapsed = time.perf_counter() - start
            if name == "raw":
                raw_time += elapsed
            else:
                trained_time += elapsed
    words = sum(len(record.text.split()) for record in texts)
    return {"documents": len(texts), "raw_seconds": round(raw_time, 2), "trained_seconds": round(trained_time, 2),
            "ratio_raw_over_trained": round(raw_time / trained_time, 3),
            "trained_words_per_second": round(words / trained_time)}


def learning_curve(records, work: Path, epochs: int) -> list[dict]:
    from annotate.evaluate import evaluate_files
    from annotate.preannotate import preannotate_file
    from annotate.records import write_docs
    from annotate.schema import load_schema

    from annotate.train import train

    clusters: dict[str, list] = {}
    for record in records:
        clusters.setdefault(record.meta.get("cluster", record.doc_id), []).append(record)
    dev = next(group[0] for group in reversed(list(clusters.values())) if len(group) == 1)
    pool = [record for record in records if record is not dev]
    dev_path, articles = work / "curve_dev.jsonl", work / "curve_dev_articles.jsonl"
    write_docs(dev_path, [dev])
    write_docs(articles, [replace(dev, annotator=None, spans=(), relations=())])
    schema = load_schema()
    rows = []
    for size in range(1, len(pool) + 1):
        train_path = work / f"curve_train{size}.jsonl"
        write_docs(train_path, pool[:size])
        started = time.perf_counter()
        result = train(train_path, work / f"curve{size}", dev_path=dev_path, max_epochs=epochs,
                       overrides={"training.batcher.size": 500, "training.eval_frequency": 10})
        row = {"train_docs": size, "train_words": result.train_words, "seconds": round(time.perf_counter() - started, 1),
               "span_model_dev": {label: result.dev_scores.get(label, {}).get("f") for label in LABELS}}
        for mode in ("rules", "model", "hybrid"):
            predictions = work / f"curve{size}_{mode}.jsonl"
            preannotate_file(articles, predictions, model=result.output_dir, mode=mode)
            evaluation = evaluate_files(predictions, dev_path, schema)
            row[mode] = {"CUE": round(evaluation.f1("CUE", "exact"), 3),
                         "SOURCE": round(evaluation.f1("SOURCE", "exact"), 3),
                         "CLAIM_overlap": round(evaluation.f1("CLAIM", "overlap"), 3)}
        log(f"  {size} training docs: {json.dumps(row)}")
        rows.append(row)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--skip-scale", action="store_true")
    parser.add_argument("--skip-curve", action="store_true")
    parser.add_argument("--curve-epochs", type=int, default=25)
    parser.add_argument("--out", type=Path, default=None, help="Keep the models and data here (default: a temp dir).")
    parser.add_argument("--model", default=None, help="Measure prediction throughput of this trained pipeline "
                                                      "instead of training the 1,000-document one.")
    args = parser.parse_args()

    from annotate.records import read_docs

    records = list(read_docs(SEED_GOLD))
    results: dict = {}
    with tempfile.TemporaryDirectory() as temp:
        work = args.out or Path(temp)
        work.mkdir(parents=True, exist_ok=True)
        if not args.skip_curve:
            log("Learning curve (dev: one held-out seed article):")
            results["learning_curve"] = learning_curve(records, work, args.curve_epochs)
        model_dir = args.model
        if not args.skip_scale and model_dir is None:
            log(f"Training on {args.docs} re-sampled news-length documents with the default settings:")
            results["scale"] = scale(records, work, args.docs)
            log(f"  {json.dumps(results['scale'])}")
            model_dir = results["scale"]["model_dir"]
        if model_dir is not None:
            log("Prediction throughput (hybrid, records included) against raw nlp.pipe of the base pipeline:")
            results["prediction"] = throughput(model_dir, records)
            log(f"  {json.dumps(results['prediction'])}")
    print(json.dumps(results, indent=2, sort_keys=True))


if __name__ == "__main__":
    main()
