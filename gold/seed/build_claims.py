"""Compile the hand-made gold groups of figures (claims across outlets) into gold/seed/claims.jsonl.

    .venv/bin/python gold/seed/build_claims.py           # write gold/seed/claims.jsonl
    .venv/bin/python gold/seed/build_claims.py --check   # exit 1 if it is stale

Each figure is named by its document, the figure as written and a few words around it that make it unique in that
document; the script finds its character offsets in gold/seed/articles.jsonl. A group is one proposition stated in
several articles (see CLAIMS.md beside this file for the decisions); every figure not in a group is a singleton.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ARTICLES = HERE / "articles.jsonl"
OUTPUT = HERE / "claims.jsonl"

BBC_A, AFP_A, BBC_B, BBC_C, FR = "2efc5f23fc7092ac", "813412dce9bc1ea2", "cdbee2291877e314", "20c31d548ab02f90", "d287d4f88a4c2553"

# (document, figure as written, context that contains it once)
GROUPS: dict[str, list[tuple[str, str, str]]] = {
    "north_korean_troops_sent": [
        (BBC_A, "11,000", "some 11,000 troops sent"),
        (BBC_C, "11,000", "some 11,000 troops sent"),
        (BBC_B, "11,000", "of the 11,000 troops sent"),
        (BBC_A, "12,000", "around 12,000 North Korean troops"),
        (BBC_A, "12,000", "12,000 North Koreans in Kursk"),
        (FR, "12,000", "12,000 North Koreans were sent"),
        (BBC_A, "10,000", "more than 10,000 troops"),
        (AFP_A, "10,000", "more than 10,000 troops"),
    ],
    "north_korean_casualties": [
        (BBC_A, "1,000", "1,000 had been killed"),
        (BBC_C, "1,000", "1,000 had been killed"),
        (BBC_B, "1,000", "at least 1,000 of the"),
        (BBC_A, "4,000", "around 4,000 having"),
        (FR, "3,000", "3,000 men"),
        (FR, "1,100", "around 1,100"),
    ],
    "ukrainian_held_territory_in_kursk": [
        (BBC_B, "1,000", "1,000 sq km"),
        (BBC_C, "1,000", "1,000 sq km"),
        (FR, "hundreds", "hundreds of square kilometers"),
    ],
    "length_of_the_front": [
        (AFP_A, "1,000", "1,000-kilometer front"),
        (BBC_C, "1,000", "1,000km-long"),
    ],
    "settlements_captured": [
        (BBC_A, "dozens", "dozens of border settlements"),
        (AFP_A, "dozens", "dozens of settlements"),
    ],
    # Singletons: figures stated in one article only, or about another party.
    "russian_troops_in_kursk": [(BBC_A, "60,000", "60,000 troops")],
    "russian_civilians_under_ukrainian_control": [(AFP_A, "2,000", "2,000 Russian civilians")],
    "russian_soldiers_killed_by_september_2022": [(BBC_B, "5,937", "5,937 soldiers")],
    "russian_soldiers_killed_per_zelensky": [(BBC_B, "350,000", "350,000 Russian soldiers")],
    "ukrainian_military_casualties": [(BBC_B, "45,100", "at 45,100")],
    "new_offensive_advance": [(BBC_B, "2.5", "2.5km")],
    "russian_and_north_korean_personnel_destroyed": [(BBC_B, "hundreds", "hundreds of Russian and North Korean")],
    "soldiers_on_the_boat": [(FR, "a hundred", "a hundred other North Korean soldiers")],
}


def build() -> str:
    texts = {}
    for line in ARTICLES.read_text(encoding="utf-8").splitlines():
        if line.strip():
            record = json.loads(line)
            texts[record["doc_id"]] = record["text"]
    lines = []
    for name, figures in GROUPS.items():
        members = []
        for doc_id, figure, context in figures:
            text = texts[doc_id]
            if text.count(context) != 1:
                raise SystemExit(f"{name}: context {context!r} occurs {text.count(context)} times in {doc_id}")
            start = text.index(context) + context.index(figure)
            members.append({"doc_id": doc_id, "start": start, "end": start + len(figure), "text": figure})
        lines.append(json.dumps({"group": name, "members": members}, sort_keys=True, ensure_ascii=False))
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if claims.jsonl is stale")
    content = build()
    if parser.parse_args().check:
        current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.exists() else ""
        if current != content:
            print(f"{OUTPUT} is stale; run gold/seed/build_claims.py", file=sys.stderr)
            return 1
        return 0
    OUTPUT.write_text(content, encoding="utf-8")
    print(f"Wrote {OUTPUT} ({content.count(chr(10))} groups)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
