"""Change-point detection: step changes in one benchmark's series of run means.

Two phases, in the spirit of E-divisive-style tools (candidates, then a test per step):

1. Candidates, by binary segmentation of log(mean) (a step is a ratio, so scaling every
   time changes nothing). The series is first filtered with a running median of three:
   a single outlier run is never the middle of its window and vanishes, while a step
   lasting two runs or more passes unchanged (median filters preserve edges). A
   segment's candidate is where the standardised CUSUM
   `sqrt(k(m-k)/m) * |mean(z[:k]) - mean(z[k:])|` of the filtered series, divided by the
   run-to-run noise (MAD of successive differences, which steps barely move), peaks with
   at least `min_size` runs on each side; segments are split while that statistic
   exceeds `threshold`. The threshold is low on purpose: phase 2 decides.
2. Validation: each candidate is tested on the stretch between its neighbouring
   candidates, where it is the only step (testing it against the whole series would let
   other steps inflate the noise, binary segmentation's blind spot for a step up then
   down). The test is a permutation test of the maximum over k of the standardised
   Mann-Whitney statistic of the stretch's ranks. Ranks bound the weight of any single
   run, so a spike cannot make a step significant; and since the null distribution of
   ranks depends only on the stretch's length, it is computed once per length (exactly,
   over every ordering, up to 8 runs; from `permutations` seeded shuffles beyond; past 64
   runs, lengths within 2 % share one table) and reused, which makes 1,000 series of
   730 runs a matter of seconds. The p-values are
   Bonferroni-adjusted over the candidates standing (a noisy series offers several
   stretches, and only one needs to pass by chance): while the least significant one has
   p * candidates >= alpha it is dropped and its neighbours are retested. The false
   alarm rate on pure noise is thus about alpha per series (measured: 5 % of 1,000 noise
   series of 730 runs at alpha = 0.05), so lower alpha for large suites.

Each step is reported at the first run after it, with the medians of the raw values
between its neighbouring steps. Same input and seed: same output.

Limits, by design: a step needs `min_size` runs on each side, and because one run
cannot weigh more than its rank, a step at the very end of a long series is confirmed
only after a few runs (about four after it in a series of hundreds); the latest-vs-
previous comparison covers the newest run. With 8 runs, a clean 4-4 split reaches
p = 2/70 = 0.029, the best any test on 8 runs can do.
"""

from __future__ import annotations

import functools
import itertools
import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import stats

from vmbench.errors import UsageError
from vmbench.settings import StepSettings

FloatArray = npt.NDArray[np.float64]
_EXACT_MAX = 8  # 8! = 40,320 orderings: exact null distributions up to 8 runs


@dataclass(frozen=True)
class Step:
    """A step change: `index` is the first run after it (0-based position in the series)."""

    index: int
    before: float
    after: float
    p_value: float

    @property
    def change(self) -> float:
        """Relative change of the level: after / before - 1."""
        return self.after / self.before - 1.0


def median3(z: FloatArray) -> FloatArray:
    """Running median of three along the last axis; each end takes its nearest window."""
    a, b, c = z[..., :-2], z[..., 1:-1], z[..., 2:]
    mid = np.maximum(np.minimum(a, b), np.minimum(np.maximum(a, b), c))
    out: FloatArray = np.concatenate([mid[..., :1], mid, mid[..., -1:]], axis=-1)
    return out


def noise_scale(y: FloatArray) -> float:
    """Robust run-to-run noise: MAD of successive differences / sqrt 2 (steps barely move it)."""
    return float(1.4826 * np.median(np.abs(np.diff(y))) / math.sqrt(2.0))


def cusum_scan(z: FloatArray, min_size: int) -> tuple[float, int]:
    """Max standardised CUSUM of a series and the split position k where it peaks."""
    m = z.size
    k = np.arange(min_size, m - min_size + 1, dtype=np.float64)
    # sqrt(k(m-k)/m) * (S_k/k - (S_m - S_k)/(m-k)) = S_k * a_k - S_m * b_k
    weight = np.sqrt(k * (m - k) / m)
    csum = np.cumsum(z)
    stat = np.abs(
        csum[min_size - 1 : m - min_size] * (weight * m / (k * (m - k)))
        - csum[-1] * (weight / (m - k))
    )
    best = int(np.argmax(stat))
    return float(stat[best]), best + min_size


def rank_scan(ranks: FloatArray, min_size: int) -> tuple[FloatArray, npt.NDArray[np.intp]]:
    """Max over k of the standardised Mann-Whitney statistic, along the last axis.

    `ranks` are 1..m (ties averaged); returns the maximum |z| and the split k where it peaks.
    """
    m = ranks.shape[-1]
    k = np.arange(min_size, m - min_size + 1, dtype=np.float64)
    left = np.cumsum(ranks, axis=-1)[..., min_size - 1 : m - min_size]
    z = np.abs(left - k * (m + 1) / 2.0) / np.sqrt(k * (m - k) * (m + 1) / 12.0)
    best = np.argmax(z, axis=-1)
    peak: FloatArray = np.take_along_axis(z, best[..., None], axis=-1)[..., 0]
    return peak, best + min_size


def _null_length(m: int) -> int:
    # Beyond 64 runs the null distribution of the maximum changes slowly with the length
    # (like sqrt(log log m)), so lengths share the table of the nearest point of a grid
    # 2 % apart: a history then needs a few dozen tables instead of one per stretch length.
    if m <= 64:
        return m
    step = math.log(1.02)
    return round(math.exp(round(math.log(m) / step) * step))


@functools.cache
def _null(m: int, min_size: int, permutations: int, seed: int) -> tuple[FloatArray, bool]:
    """Sorted null distribution of `rank_scan`'s maximum for length m, and if it is exact."""
    if m <= _EXACT_MAX:
        orders = np.array(list(itertools.permutations(range(1, m + 1))), dtype=np.float64)
        exact = True
    else:
        rng = np.random.default_rng([seed, m, min_size])
        # float32 holds rank sums exactly (up to 2**24) at half the memory traffic.
        base = np.broadcast_to(np.arange(1, m + 1, dtype=np.float32), (permutations, m))
        orders = rng.permuted(base, axis=1)
        exact = False
    k = np.arange(min_size, m - min_size + 1, dtype=np.float64)
    left = np.cumsum(orders, axis=-1)[..., min_size - 1 : m - min_size]
    z = np.abs(left - k * (m + 1) / 2.0) * (1.0 / np.sqrt(k * (m - k) * (m + 1) / 12.0))
    peaks: FloatArray = np.sort(z.max(axis=-1).astype(np.float64))
    return peaks, exact


def rank_test(y: FloatArray, settings: StepSettings) -> float:
    """Permutation p-value that a stretch holds a step (max standardised Mann-Whitney)."""
    ranks = stats.rankdata(y).astype(np.float64)
    observed, _ = rank_scan(ranks, settings.min_size)
    length = _null_length(y.size)
    null, exact = _null(length, settings.min_size, settings.permutations, settings.seed)
    # Tolerance: orderings that reproduce the observed statistic count as at least as extreme.
    count = null.size - int(np.searchsorted(null, float(observed) * (1.0 - 1e-12)))
    return count / null.size if exact else (count + 1) / (null.size + 1)


def _candidates(y: FloatArray, start: int, settings: StepSettings, out: list[int]) -> None:
    m = y.size
    if m < 2 * settings.min_size or m < 3:
        return
    scale = noise_scale(y)
    peak, cut = cusum_scan(median3(y), settings.min_size)
    if not peak > settings.threshold * max(scale, np.finfo(np.float64).tiny):
        return
    out.append(start + cut)
    _candidates(y[:cut], start, settings, out)
    _candidates(y[cut:], start + cut, settings, out)


def _validate(y: FloatArray, cuts: list[int], settings: StepSettings) -> dict[int, float]:
    cache: dict[tuple[int, int], float] = {}
    cuts = sorted(cuts)
    while cuts:
        bounds = [0, *cuts, y.size]
        p = []
        for i in range(len(cuts)):
            lo, hi = bounds[i], bounds[i + 2]
            if (lo, hi) not in cache:
                cache[(lo, hi)] = rank_test(y[lo:hi], settings)
            p.append(cache[(lo, hi)])
        worst = int(np.argmax(p))
        # Bonferroni over the candidates still standing: a noisy series offers several
        # stretches to test, and only one of them needs to pass by chance.
        if p[worst] * len(cuts) < settings.alpha:
            return {cut: min(1.0, q * len(cuts)) for cut, q in zip(cuts, p, strict=True)}
        del cuts[worst]
    return {}


def detect_steps(values: npt.ArrayLike, settings: StepSettings | None = None) -> list[Step]:
    """Step changes in a series of positive values (run means in run order)."""
    settings = settings or StepSettings()
    x = np.asarray(values, dtype=np.float64)
    if x.ndim != 1:
        raise UsageError("detect_steps needs a one-dimensional series")
    if x.size and not (np.all(np.isfinite(x)) and np.all(x > 0)):
        raise UsageError("detect_steps needs finite positive values (times)")
    y = np.log(x)
    candidates: list[int] = []
    _candidates(y, 0, settings, candidates)
    found = _validate(y, candidates, settings)
    cuts = sorted(found)
    bounds = [0, *cuts, x.size]
    steps = []
    for i, cut in enumerate(cuts):
        before = float(np.median(x[bounds[i] : cut]))
        after = float(np.median(x[cut : bounds[i + 2]]))
        step = Step(index=cut, before=before, after=after, p_value=found[cut])
        if abs(step.change) >= settings.min_change:
            steps.append(step)
    return steps
