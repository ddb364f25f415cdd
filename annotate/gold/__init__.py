"""Gold: one record per document, by adjudication, ground truth or consensus (consensus.py, pure), written with
its conflicts and a README.md datasheet (datasheet.py)."""

from __future__ import annotations

from .consensus import METHODS, Conflict, DocGold, GoldResult, build_gold, consensus
from .datasheet import GoldFiles, datasheet, freeze_agreement, make_gold

__all__ = ["METHODS", "Conflict", "DocGold", "GoldResult", "GoldFiles", "build_gold", "consensus", "datasheet",
           "freeze_agreement", "make_gold"]
