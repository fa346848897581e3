"""Change-point detection: step changes in one benchmark's series of run-level estimates.

The unit is the run (one robust estimate per run, by default the median of its samples):
samples of one process share its machine state, runs are the replicates. Everything works
on log(estimate), so a step is a ratio and scaling every time changes nothing.

1. Noise model, once per series: an AR(1) model of the run-to-run noise (a runner slow
   today tends to be slow tomorrow). Since Var(y_t - y_t-L) = 2 sigma^2 (1 - phi^L), the
   winsorised scales (clipped at 3 MAD sigmas) of differences at lag 1 and at lag L
   (n / 20, from 2 to `NOISE_LAG`) give phi whatever sigma is, then sigma; a step moves
   only L of the n - L differences (5 %), so the model barely sees steps. phi is clipped
   to [0, `MAX_PHI`] and shrunk toward the prior `StepSettings.short_phi` with weight
   n / (n + 40); series shorter than `MIN_AR_RUNS` take the prior.
2. Statistic: for a split at k of a stretch, the difference of the two segment means
   divided by its exact standard error under AR(1) noise (Var of a block mean is
   sigma^2 g(L) / L with g(L) = (1+phi)/(1-phi) - 2 phi (1-phi^L) / (L (1-phi)^2), and two
   adjacent block means covary by sigma^2 phi (1-phi^L1)(1-phi^L2) / ((1-phi)^2 L1 L2)).
   This is a z-type test on magnitude: a +25 % step against 3 % noise with 2 runs after it
   is about 8 standard errors, which a rank test (smallest p 2/21 on 5 + 2 runs) can never
   show.
3. Candidates: binary segmentation of the running median of three of the series (a lone
   spike never survives it, a step of two runs or more does) while the statistic exceeds
   `threshold` (low on purpose: step 4 decides).
4. Test: each candidate on the stretch between its neighbours, on the unfiltered series
   with each run clipped at `WINSOR` sigmas about the running median of three (a spike
   or a heavy-tailed run cannot make a step; series under `MIN_AR_RUNS` runs use the
   two-sample t with sigma pooled from the two segments, m - 2 degrees of freedom).
   Its p-value accounts for the search over split positions: the smaller of Bonferroni
   over the positions and Siegmund's approximation for the maximum of a standardised
   two-sample statistic (James, James & Siegmund 1987, with the discrete-time correction
   nu), after mapping the statistic to a normal quantile through Student's t with the
   degrees of freedom of sigma (short series pay for their uncertain noise). Within a
   series, candidates are eliminated Holm-fashion: while the weakest has p * candidates
   >= `alpha` it is dropped and its neighbours are retested (the series' family-wise
   error). Across the benchmarks of a suite, `vmbench.history.trend.change_points` adds
   Benjamini-Hochberg at `fdr`.
   A step found is then placed where the clipped unfiltered series splits best, within
   `REFINE_RUNS` runs of the candidate.
5. Step or drift: a candidate whose stretch a straight line fits better than a step (same
   number of parameters) is a ramp, not a step, and is dropped: slow drift shows in the
   drift table, not as a staircase of steps.
6. Bursts: two opposite steps around fewer than `confirm_runs` runs, after which the level
   is back within noise, are a burst (one heavy-tailed shock decaying through AR(1)
   noise looks like that), not two steps.
7. Size: a step must change the level by at least `min_noise` noise sigmas and
   `min_change`; a step followed by fewer than `confirm_runs` runs is provisional, and says
   how many runs it rests on.

Each step is reported at the first run after it, with the medians of the raw values
between its neighbouring steps. Deterministic: no random numbers.

Calibration (benchmarks/trend_calibration.py, figures in the README, "Trends
calibration"): the false-step rate holds for AR(1) phi up to 0.4; heavier
autocorrelation (phi 0.6) and heavy-tailed (t3) noise give more false steps than that,
still far fewer than Otava, e-divisive or ruptures on the same histories.

Over 400 lines because the noise model, the scan statistic and its p-value, candidate
search, validation and suite control are one pipeline whose pieces share the AR(1)
variance formula and are calibrated together; split apart they would be tested apart.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import special

from vmbench.errors import UsageError
from vmbench.settings import MAX_PHI, StepSettings

FloatArray = npt.NDArray[np.float64]
NOISE_LAG = 8  # longest lag of the differences the noise model compares with lag 1
MIN_AR_RUNS = 20  # below this many runs phi is not estimated (StepSettings.short_phi)
PHI_PRIOR_RUNS = 40  # weight of the prior phi (StepSettings.short_phi), in runs
REFINE_RUNS = 3  # a step may move this many runs when refined on the unfiltered series
WINSOR = 2.5  # segment values are clipped this many sigmas about the segment's median
_MAD = 1.4826  # MAD to sigma of a normal


@dataclass(frozen=True)
class Noise:
    """Run-to-run noise of one series of log estimates: marginal sigma, AR(1) phi, and the
    degrees of freedom sigma rests on."""

    sigma: float
    phi: float
    df: int
    short: bool = False  # too few runs for a series-wide sigma: each split pools its own


@dataclass(frozen=True)
class Step:
    """A step change: `index` is the first run after it (0-based position in the series).

    `runs_before` / `runs_after` are the runs between it and its neighbouring steps (the
    runs the test rests on); `provisional` is true while fewer than
    `StepSettings.confirm_runs` runs follow it; `noise` is the series' relative run-to-run
    noise (sigma of log) and `phi` its AR(1) coefficient.
    """

    index: int
    before: float
    after: float
    p_value: float
    runs_before: int = 0
    runs_after: int = 0
    provisional: bool = False
    noise: float = math.nan
    phi: float = math.nan
    q_value: float = math.nan  # Benjamini-Hochberg across a suite (`suite_steps`)

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


def median(a: FloatArray) -> float:
    """`np.median` of a non-empty 1-D float array, bit for bit (NaN when it holds one),
    without its general-purpose machinery: the noise model takes four medians a series,
    and that overhead was a third of the change-point search on a year of 1,000 series."""
    ordered = np.sort(a)
    if np.isnan(ordered[-1]):  # NaN sorts last
        return math.nan
    half = ordered.size // 2
    # np.median takes the mean of the middle one or two, a sum that starts at +0.0.
    if ordered.size % 2:
        return float(0.0 + ordered[half])
    return float((0.0 + ordered[half - 1] + ordered[half]) / 2.0)


def _robust_scale(r: FloatArray) -> float:
    return float(_MAD * median(np.abs(r - median(r))))


def _winsorised_scale(d: FloatArray) -> float:
    """Root mean square of d about its median, each value clipped at 3 robust sigmas:
    nearly as efficient as the standard deviation on normal noise (the ratio of two such
    scales is what estimates phi, and a MAD wastes two thirds of the runs), while a step
    or an outlier moves it by at most 3 sigmas a value."""
    centred = d - median(d)
    bound = 3.0 * _MAD * median(np.abs(centred))
    return float(np.sqrt(np.mean(np.clip(centred, -bound, bound) ** 2)))


def noise_model(y: FloatArray, short_phi: float) -> Noise:
    """AR(1) noise of a series of log estimates (see the module docstring, step 1)."""
    n = y.size
    if n < 3:
        return Noise(0.0, short_phi, 0)
    diffs = np.diff(y)
    if n < MIN_AR_RUNS:
        s_d = _MAD * median(np.abs(diffs))
        return Noise(s_d / math.sqrt(2.0 * (1.0 - short_phi)), short_phi, n - 2, short=True)
    lag = max(2, min(NOISE_LAG, n // 20))  # a step moves `lag` of the n - lag differences
    s_1 = _winsorised_scale(diffs)
    s_l = _winsorised_scale(y[lag:] - y[:-lag])
    if s_l <= 0.0:
        return Noise(s_1 / math.sqrt(2.0), 0.0, n - 2)
    # Var(y_t - y_t-L) = 2 sigma^2 (1 - phi^L): the ratio of lag-1 to lag-L differences
    # gives phi whatever sigma is, and a step moves only L of the n - L differences.
    ratio = (s_1 / s_l) ** 2
    phi = 0.0
    for _ in range(20):
        phi = min(MAX_PHI, max(0.0, 1.0 - ratio * (1.0 - phi**lag)))
    # phi from a few dozen runs is uncertain (its standard error is about 1.5 / sqrt(n)):
    # shrink it toward the prior, with weight n / (n + PHI_PRIOR_RUNS).
    weight = n / (n + PHI_PRIOR_RUNS)
    phi = weight * phi + (1.0 - weight) * short_phi
    sigma = s_1 / math.sqrt(2.0 * (1.0 - phi))
    return Noise(sigma, phi, n - 2)


def diff_variance(n1: FloatArray, n2: FloatArray, phi: float) -> FloatArray:
    """Var(mean of the second block - mean of the first) for adjacent blocks of n1 and n2
    runs of AR(1) noise with unit marginal variance."""
    if phi <= 0.0:
        out0: FloatArray = 1.0 / n1 + 1.0 / n2
        return out0
    q = 1.0 - phi

    def block(m: FloatArray) -> FloatArray:
        g = (1.0 + phi) / q - 2.0 * phi * (1.0 - phi**m) / (m * q * q)
        res: FloatArray = g / m
        return res

    cross = phi * (1.0 - phi**n1) * (1.0 - phi**n2) / (q * q * n1 * n2)
    out: FloatArray = block(n1) + block(n2) - 2.0 * cross
    return out


def scan(y: FloatArray, noise: Noise, min_size: int) -> tuple[FloatArray, npt.NDArray[np.intp]]:
    """Standardised step statistic (after - before, in standard errors) at every split k
    with at least `min_size` runs each side, and those k."""
    m = y.size
    k = np.arange(min_size, m - min_size + 1)
    if k.size == 0:
        return np.zeros(k.size), k
    csum = np.cumsum(y)
    kf = k.astype(np.float64)
    left = csum[k - 1] / kf
    right = (csum[-1] - csum[k - 1]) / (m - kf)
    if noise.short:
        # Two-sample t: sigma pooled from the two segments (m - 2 degrees of freedom).
        sq = np.cumsum(y * y)
        ss = sq[k - 1] - kf * left**2 + (sq[-1] - sq[k - 1]) - (m - kf) * right**2
        sigma = np.sqrt(np.maximum(ss, 0.0) / max(m - 2, 1))
    else:
        sigma = np.full(k.size, noise.sigma)
    se = sigma * np.sqrt(diff_variance(kf, m - kf, noise.phi))
    with np.errstate(divide="ignore", invalid="ignore"):
        t: FloatArray = np.where(
            se > 0.0, (right - left) / se, np.where(right != left, np.inf, 0.0)
        )
    return t, k


def _nu(x: FloatArray) -> FloatArray:
    # Siegmund's discrete-time overshoot correction.
    h = x / 2.0
    cdf = special.ndtr(h)
    out: FloatArray = (
        (2.0 / x) * (cdf - 0.5) / (h * cdf + np.exp(-h * h / 2) / math.sqrt(2 * math.pi))
    )
    return out


@functools.lru_cache(maxsize=4096)
def _scan_p(z: float, m: int, min_size: int) -> float:
    """P(max over splits of |statistic| >= z) on m runs: min(Bonferroni, Siegmund)."""
    positions = m - 2 * min_size + 1
    single = 2.0 * float(special.ndtr(-z))
    bonferroni = single * positions
    t = np.arange(min_size, m - min_size + 1, dtype=np.float64) / m
    x = z * np.sqrt(1.0 / (m * t * (1.0 - t)))
    density = z * math.exp(-z * z / 2.0) / math.sqrt(2.0 * math.pi)
    siegmund = 2.0 * density * float(np.sum(_nu(x) / (2.0 * t * (1.0 - t)))) / m
    return min(1.0, bonferroni, siegmund)


def scan_p_value(statistic: float, m: int, min_size: int, df: int) -> float:
    """p-value of a split chosen by searching a stretch of m runs (see module step 4)."""
    a = abs(statistic)
    if not math.isfinite(a):
        return 0.0
    if df < 1:
        return 1.0
    # Student's t with the noise's degrees of freedom, mapped to the normal quantile.
    z = float(-special.ndtri(max(special.stdtr(df, -a), 1e-300)))
    return _scan_p(round(z, 3), m, min_size)


def _candidates(
    z: FloatArray, start: int, noise: Noise, settings: StepSettings, out: list[int]
) -> None:
    if z.size < 2 * settings.min_size:
        return
    t, k = scan(z, noise, settings.min_size)
    if t.size == 0:
        return
    best = int(np.argmax(np.abs(t)))
    if not abs(t[best]) > settings.threshold:
        return
    cut = int(k[best])
    out.append(start + cut)
    _candidates(z[:cut], start, noise, settings, out)
    _candidates(z[cut:], start + cut, noise, settings, out)


def _is_ramp(y: FloatArray, cut: int) -> bool:
    """True when a straight line fits the stretch at least as well as a step at `cut`."""
    m = y.size
    left, right = y[:cut], y[cut:]
    rss_step = float(np.sum((left - left.mean()) ** 2) + np.sum((right - right.mean()) ** 2))
    x = np.arange(m, dtype=np.float64)
    xc = x - x.mean()
    slope = float(np.dot(xc, y - y.mean()) / np.dot(xc, xc))
    rss_line = float(np.sum((y - y.mean() - slope * xc) ** 2))
    return rss_line <= rss_step


def _stretch_p(
    y: FloatArray,
    smooth: FloatArray,
    lo: int,
    cut: int,
    hi: int,
    noise: Noise,
    settings: StepSettings,
) -> float:
    part = y[lo:hi]
    k = cut - lo
    if k < settings.min_size or part.size - k < settings.min_size:
        return 1.0
    if part.size >= 3 * settings.min_size + 2 and _is_ramp(part, k):
        return 1.0
    if noise.short:
        t, _ = scan(part, noise, settings.min_size)
        statistic = float(t[k - settings.min_size])
        df = part.size - 2
    else:
        # Winsorised segment means: a run weighs at most WINSOR sigmas away from the
        # running median of three, so a lone spike (which that median never follows) or
        # a heavy-tailed run cannot make a step, while a step of two runs passes whole.
        bound = WINSOR * noise.sigma
        clipped = np.clip(part, smooth[lo:hi] - bound, smooth[lo:hi] + bound)
        lo_mean = float(clipped[:k].mean())
        hi_mean = float(clipped[k:].mean())
        se = noise.sigma * math.sqrt(
            float(
                diff_variance(np.array([float(k)]), np.array([float(part.size - k)]), noise.phi)[0]
            )
        )
        statistic = (
            (hi_mean - lo_mean) / se if se > 0 else (math.inf if hi_mean != lo_mean else 0.0)
        )
        df = noise.df
    return scan_p_value(statistic, part.size, settings.min_size, df)


def _validate(
    y: FloatArray, smooth: FloatArray, cuts: list[int], noise: Noise, settings: StepSettings
) -> dict[int, float]:
    cache: dict[tuple[int, int, int], float] = {}
    cuts = sorted(set(cuts))
    while cuts:
        bounds = [0, *cuts, y.size]
        p = []
        for i, cut in enumerate(cuts):
            key = (bounds[i], cut, bounds[i + 2])
            if key not in cache:
                cache[key] = _stretch_p(y, smooth, *key, noise, settings)
            p.append(cache[key])
        worst = int(np.argmax(p))
        # Holm-style over the candidates still standing: a noisy series offers several
        # stretches to test, and only one of them needs to pass by chance.
        if p[worst] * len(cuts) < settings.alpha:
            return {cut: min(1.0, q * len(cuts)) for cut, q in zip(cuts, p, strict=True)}
        del cuts[worst]
    return {}


def _refine(
    y: FloatArray,
    smooth: FloatArray,
    found: dict[int, float],
    noise: Noise,
    settings: StepSettings,
) -> dict[int, float]:
    """Move each step to where the clipped series itself splits best, within
    `REFINE_RUNS` of where the filtered series put it (the running median blurs an edge
    by a run, and the split of the filtered series need not be the best one)."""
    cuts = sorted(found)
    bounds = [0, *cuts, y.size]
    bound = WINSOR * noise.sigma
    clipped = np.clip(y, smooth - bound, smooth + bound)
    out: dict[int, float] = {}
    for i, cut in enumerate(cuts):
        lo, hi = bounds[i], bounds[i + 2]
        t, k = scan(clipped[lo:hi], noise, settings.min_size)
        near = np.abs(k + lo - cut) <= REFINE_RUNS
        if noise.short or not near.any():
            out[cut] = found[cut]
            continue
        best = int(k[near][np.argmax(np.abs(t[near]))]) + lo
        out[best] = found[cut]
    return out


def _drop_transients(
    y: FloatArray, cuts: list[int], noise: Noise, settings: StepSettings
) -> list[int]:
    """Drop pairs of opposite steps around fewer than `confirm_runs` runs after which the
    level is back within `min_noise` sigmas of where it was: a burst, not a step (under
    heavy-tailed AR(1) noise one shock makes such a decaying bump)."""
    bounds = [0, *cuts, y.size]
    drop: set[int] = set()
    for i in range(len(cuts) - 1):
        if cuts[i] in drop or cuts[i + 1] - cuts[i] >= settings.confirm_runs:
            continue
        before = float(np.median(y[bounds[i] : cuts[i]]))
        inside = float(np.median(y[cuts[i] : cuts[i + 1]]))
        after = float(np.median(y[cuts[i + 1] : bounds[i + 3]]))
        opposite = (inside - before) * (after - inside) < 0
        if opposite and abs(after - before) < max(settings.min_noise, 1.0) * noise.sigma:
            drop.update((cuts[i], cuts[i + 1]))
    return [c for c in cuts if c not in drop]


def detect_steps(values: npt.ArrayLike, settings: StepSettings | None = None) -> list[Step]:
    """Step changes in a series of positive values (run-level estimates in run order).

    The p-values are per series (Holm over its candidates); for a suite, use
    `vmbench.history.trend.change_points`, which adds FDR control across benchmarks.
    """
    settings = settings or StepSettings()
    x = np.asarray(values, dtype=np.float64)
    if x.ndim != 1:
        raise UsageError("detect_steps needs a one-dimensional series")
    if x.size and not (np.all(np.isfinite(x)) and np.all(x > 0)):
        raise UsageError("detect_steps needs finite positive values (times)")
    if x.size < 2 * settings.min_size or x.size < 3:
        return []
    y = np.log(x)
    noise = noise_model(y, settings.short_phi)
    candidates: list[int] = []
    smooth = median3(y)
    _candidates(smooth, 0, noise, settings, candidates)
    found = _refine(y, smooth, _validate(y, smooth, candidates, noise, settings), noise, settings)
    cuts = _drop_transients(y, sorted(found), noise, settings)
    bounds = [0, *cuts, x.size]
    floor = max(math.log1p(settings.min_change), settings.min_noise * noise.sigma)
    steps = []
    for i, cut in enumerate(cuts):
        before = float(np.median(x[bounds[i] : cut]))
        after = float(np.median(x[cut : bounds[i + 2]]))
        if abs(math.log(after / before)) < floor:
            continue
        runs_after = bounds[i + 2] - cut
        steps.append(
            Step(
                index=cut,
                before=before,
                after=after,
                p_value=found[cut],
                runs_before=cut - bounds[i],
                runs_after=runs_after,
                provisional=i == len(cuts) - 1 and runs_after < settings.confirm_runs,
                noise=noise.sigma,
                phi=noise.phi,
            )
        )
    return steps


def suite_steps(per_series: list[list[Step]], fdr: float) -> list[list[Step]]:
    """Benjamini-Hochberg across the series of a suite: one hypothesis per series ("it
    has a step"), with the smallest of its Holm-adjusted p-values.

    With R series rejected out of n, a step is kept when its own p-value is at most the
    BH threshold fdr R / n; its `q_value` is the larger of its series' BH q-value and
    p n / R (at most `fdr` exactly when it is kept).
    """
    n = len(per_series)
    if n == 0:
        return []
    best = np.array([min((s.p_value for s in steps), default=1.0) for steps in per_series])
    order = np.argsort(best, kind="stable")
    ranks = np.arange(1, n + 1)
    q_sorted = np.minimum.accumulate((best[order] * n / ranks)[::-1])[::-1]
    q_series = np.empty(n)
    q_series[order] = np.minimum(q_sorted, 1.0)
    rejected = int(np.count_nonzero(q_series <= fdr))
    out: list[list[Step]] = []
    for steps, q_own in zip(per_series, q_series, strict=True):
        kept = []
        for step in steps:
            q = max(float(q_own), step.p_value * n / rejected) if rejected else 1.0
            if q <= fdr:
                kept.append(dataclasses.replace(step, q_value=min(q, 1.0)))
        out.append(kept)
    return out
