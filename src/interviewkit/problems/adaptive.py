"""Adaptive question selection with item response theory (2PL, partial credit).

catsim does this well for right/wrong answers; interview questions end with a score in
[0, 1] (tests passed, hints used), so the likelihood here is the fractional Bernoulli one,
``P(θ)^s · (1 - P(θ))^(1 - s)``, which is the 2PL likelihood when ``s`` is 0 or 1 and
weighs a partly solved problem in between. The ability estimate is the posterior mean
(EAP) under a normal prior, computed on a fixed quadrature grid: no iterative fitting that
can fail to converge after one or two answers, and the posterior SD is the standard error.
The next item maximises Fisher information at the estimate, chosen at random among the
best ``top_k`` (randomesque exposure control) so that a leaked bank does not mean every
candidate of the same ability sees the same sequence.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

GRID = np.linspace(-4.0, 4.0, 161)
"""Quadrature points on the ability scale (abilities beyond ±4 are not told apart)."""

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Item:
    """A problem as IRT sees it."""

    id: str
    a: float
    b: float


@dataclass(frozen=True)
class Response:
    a: float
    b: float
    score: float
    """In [0, 1]: 1 solved, 0 failed, between for partial credit."""


@dataclass(frozen=True)
class Estimate:
    theta: float
    se: float


def probability(theta: FloatArray | float, a: float, b: float) -> FloatArray:
    """2PL probability of success at ability ``theta``."""
    return np.asarray(1.0 / (1.0 + np.exp(-a * (np.asarray(theta) - b))), dtype=np.float64)


def estimate(
    responses: Sequence[Response], prior_mean: float = 0.0, prior_sd: float = 1.0
) -> Estimate:
    """EAP ability and its standard error after ``responses``."""
    log_posterior = -0.5 * ((GRID - prior_mean) / prior_sd) ** 2
    for response in responses:
        p = np.clip(probability(GRID, response.a, response.b), 1e-12, 1 - 1e-12)
        s = min(max(response.score, 0.0), 1.0)
        log_posterior = log_posterior + s * np.log(p) + (1 - s) * np.log1p(-p)
    weights = np.exp(log_posterior - log_posterior.max())
    weights /= weights.sum()
    mean = float(np.dot(weights, GRID))
    variance = float(np.dot(weights, (GRID - mean) ** 2))
    return Estimate(theta=mean, se=variance**0.5)


def information(theta: float, a: FloatArray, b: FloatArray) -> FloatArray:
    """Fisher information of 2PL items at ``theta``: a² P (1 - P)."""
    p = 1.0 / (1.0 + np.exp(-a * (theta - b)))
    return np.asarray(a * a * p * (1.0 - p), dtype=np.float64)


@dataclass(frozen=True)
class StopRule:
    max_se: float = 0.3
    max_items: int = 10

    def done(self, current: Estimate, answered: int) -> bool:
        return answered >= self.max_items or (answered > 0 and current.se <= self.max_se)


def select(
    items: Sequence[Item],
    theta: float,
    *,
    top_k: int = 3,
    rng: random.Random | None = None,
) -> Item | None:
    """The next item: maximum information at ``theta``, randomised among the best ``top_k``."""
    if not items:
        return None
    a = np.fromiter((item.a for item in items), dtype=np.float64, count=len(items))
    b = np.fromiter((item.b for item in items), dtype=np.float64, count=len(items))
    info = information(theta, a, b)
    k = max(1, min(top_k, len(items)))
    best = np.argpartition(-info, k - 1)[:k] if k < len(items) else np.arange(len(items))
    ranked: list[int] = sorted(best.tolist(), key=lambda i: -info[i])
    return items[(rng or random.Random()).choice(ranked)]


def difficulty_label(b: float) -> str:
    """Where an IRT difficulty sits on the bank's easy/medium/hard scale."""
    if b < -0.5:
        return "easy"
    if b <= 0.8:
        return "medium"
    return "hard"
