"""`annotate train`: a spaCy pipeline trained on the team's gold that predicts attribution spans with scores.

    from annotate.train import train
    result = train("gold/NAME/data.jsonl", "models/news")   # models/news/model-best, models/news/README.md

See training.py for the pipeline and docs/train.md for the architecture, the loop and the figures.
"""

from __future__ import annotations

from . import components  # noqa: F401  (registers the config's functions)
from .data import TrainingDataError
from .training import BEST, SPAN_COMPONENT, TrainEvent, TrainResult, train

__all__ = ["BEST", "SPAN_COMPONENT", "TrainEvent", "TrainResult", "TrainingDataError", "train"]
