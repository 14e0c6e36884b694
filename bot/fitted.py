"""The answer/decline model: a logistic fit of whether answering with the chosen reading is right.

Written by `python eval/fit.py` from the tune sets (leave-one-set-out); do not edit by hand.
"""

from __future__ import annotations

import math

WEIGHTS: dict[str, float] = {
    'bayes': 1.9991,
    'bayes_agrees': 0.2165,
    'bayes_near_miss': -0.9968,
    'claim': 0.4897,
    'explained': -0.6887,
    'lead': 1.1753,
    'named': -0.2131,
    'near_miss': -4.2935,
    'novel': -1.6841,
    'open_question': 1.5526,
    'question_type': 0.9517,
    'score': 1.6058,
    'similarity': 1.6446,
    'two_readings': -0.3591,
    'unexplained': -0.5371,
    'words': 0.0455,
}
BIAS = -3.4278
ANSWER_AT = 0.762  # confidence needed to answer
CLARIFY_AT = 0.457  # between the two, with close readings, ask which was meant


def confidence(features: dict[str, float]) -> float:
    """The fitted probability that answering is right."""
    z = BIAS + sum(weight * features.get(name, 0.0) for name, weight in WEIGHTS.items())
    return 1 / (1 + math.exp(-max(min(z, 30.0), -30.0)))
