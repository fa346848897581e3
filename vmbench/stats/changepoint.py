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
4b. Trailing test: a step in the last runs is what a team needs soonest, and the search
   above pays for every split of the stretch (a +10 % step two runs old against 3 %
   noise is about 4.5 standard errors, under what a search over 100 splits needs). So
   the series' alpha is split (Bonferroni, `FAMILIES`) between that search and a test of
   only the trailing splits, those leaving `min_size` to `confirm_runs - 1` runs after
   them (the steps that would be provisional): the best of them is a candidate when its
   statistic passes `threshold` and no candidate lies there, and a candidate there gets
   the t p-value times the number of trailing splits. When at least `MIN_AR_RUNS` runs
   precede it, the noise (sigma, phi, df) is the model of those runs alone: the step
   cannot inflate it, and it is independent of the trailing runs' own noise. A series
   with no more than `FAMILIES` times as many splits as trailing ones (under 10 runs by
   default) is one family, the search, which is the sharper there.
   The search's candidates come from the running median, which blurs an edge by a run,
   so a step two runs old may be offered a run early or late, where its trailing
   statistic is much weaker; and a step one or two runs older than the trailing splits
   still lifts the trailing split beside it (the stretch before that split holds one or
   two runs of the new level among many) while the search may not pass it. So when the
   search puts candidates within `confirm_runs + min_size - 1` runs of the end, the best
   trailing split (which the trailing p-value already pays for) is validated in their
   place too, and stands in for them when it validates more steps (a step the search
   confirms keeps its place). Without it a +10 % step against 3 % AR(1) noise (phi 0.4)
   found with 3 runs after it was lost again with 5 in 14 of 200 series.
4c. Short series in a suite (`suite_noise`): the variance each split pools from a
   handful of runs is moderated toward a prior fitted to every series of the suite
   (Smyth's empirical Bayes, `vmbench.stats.runmodel`), and the t reference gets the
   posterior degrees of freedom: alike benchmarks lend each other their noise, unlike
   ones (a small fitted d0) barely do.
5. Step or drift: a candidate whose stretch a straight line fits better than a step (same
   number of parameters) is a ramp, not a step, and is dropped: slow drift shows in the
   drift table, not as a staircase of steps.
6. Bursts: two opposite steps around fewer than `confirm_runs` runs, after which the level
   is back within noise, are a burst (one heavy-tailed shock decaying through AR(1)
   noise looks like that), not two steps.
7. Size: a step must change the level by at least `min_noise` noise sigmas and
   `min_change`; a step followed by fewer than `confirm_runs` runs is provisional, and says
   how many runs it rests on. A provisional step must not rest on one run: none of its
   runs may lie more than 2 `WINSOR` sigmas from the median of the others (a spike in
   the last two runs would otherwise carry their mean with its clipped weight).
   A provisional step is confirmed when `confirm_runs` runs follow it and the search over
   the whole series (no longer the trailing test) still finds it.

Each step is reported at the first run after it, with the medians of the raw values
between its neighbouring steps. Deterministic: no random numbers.

Calibration (benchmarks/trend_calibration.py, figures in the README, "Trends
calibration"): the false-step rate holds for AR(1) phi up to 0.4 (the per-series alpha
covers both families; the suite's FDR does not help when the suite has true steps,
which lower the BH threshold's bar); heavier
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
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import special

from vmbench.errors import UsageError
from vmbench.settings import MAX_PHI, StepSettings
from vmbench.stats.moderation import Prior, fit_f_dist, mad_variance, squeeze_var

FloatArray = npt.NDArray[np.float64]
NOISE_LAG = 8  # longest lag of the differences the noise model compares with lag 1
MIN_AR_RUNS = 20  # below this many runs phi is not estimated (StepSettings.short_phi)
PHI_PRIOR_RUNS = 40  # weight of the prior phi (StepSettings.short_phi), in runs
REFINE_RUNS = 3  # a step may move this many runs when refined on the unfiltered series
FAMILIES = 2  # the series' alpha is split between the whole-series search and the trailing test
WINSOR = 2.5  # segment values are clipped this many sigmas about the segment's median
_MAD = 1.4826  # MAD to sigma of a normal


@dataclass(frozen=True)
class Noise:
    """Run-to-run noise of one series of log estimates: marginal sigma, AR(1) phi, and the
    degrees of freedom sigma rests on."""

    sigma: float
    phi: float
    df: float
    short: bool = False  # too few runs for a series-wide sigma: each split pools its own
    # A suite's prior for the variance each split of a short series pools (`suite_noise`).
    prior: Prior | None = None

    def split_variance(self, s2: FloatArray, df: float) -> tuple[FloatArray, float]:
        """Variances pooled by splits of a short series (df each), moderated toward the
        suite's prior when there is one, and their degrees of freedom."""
        if self.prior is None:
            return s2, df
        post, post_df = squeeze_var(s2, np.full(s2.shape, df), self.prior)
        return post, float(post_df[0])


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


def scan(
    y: FloatArray, noise: Noise, min_size: int, last: int | None = None
) -> tuple[FloatArray, npt.NDArray[np.intp]]:
    """Standardised step statistic (after - before, in standard errors) at every split k
    with at least `min_size` runs each side (only those with fewer than `last` runs
    after, if given), and those k."""
    m = y.size
    first = min_size if last is None else max(min_size, m - last + 1)
    k = np.arange(first, m - min_size + 1)
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
        s2, _ = noise.split_variance(np.maximum(ss, 0.0) / max(m - 2, 1), float(m - 2))
        sigma = np.sqrt(s2)
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


def scan_p_value(statistic: float, m: int, min_size: int, df: float) -> float:
    """p-value of a split chosen by searching a stretch of m runs (see module step 4)."""
    a = abs(statistic)
    if not math.isfinite(a):
        return 0.0
    if df < 1:
        return 1.0
    # Student's t with the noise's degrees of freedom, mapped to the normal quantile.
    z = float(-special.ndtri(max(special.stdtr(df, -a), 1e-300)))
    if round(z, 3) <= 0.0:
        return 1.0  # no split can do worse than none
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
    split = two_families(y.size, settings)
    trailing = split and hi == y.size and hi - cut < settings.confirm_runs
    if trailing and k >= MIN_AR_RUNS:
        # A provisional step is judged against the noise of the runs before it alone:
        # a recent step barely moves the series' noise model, but it does move it upward
        # (it lengthens L of the lag-L differences), and the runs before it are
        # independent of the trailing runs' own noise, as a t-test wants.
        noise = noise_model(y[lo:cut], settings.short_phi)
    if noise.short:
        t, _ = scan(part, noise, settings.min_size)
        statistic = float(t[k - settings.min_size])
        df = noise.split_variance(np.ones(1), float(part.size - 2))[1]
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
    if trailing:
        # A provisional step (module step 4b): tested against the few trailing positions
        # only, not every split of the stretch.
        p = trailing_p_value(statistic, part.size, settings, df)
    else:
        p = scan_p_value(statistic, part.size, settings.min_size, df)
    return min(1.0, FAMILIES * p) if split else p


def two_families(n: int, settings: StepSettings) -> bool:
    """Whether a series of n runs gets the trailing test (module step 4b): only when the
    search has more split positions than `FAMILIES` times the trailing ones. In shorter
    series every split is trailing or nearly, and one family, the search, is sharper."""
    return n - 2 * settings.min_size + 1 > FAMILIES * trailing_positions(n, settings)


def trailing_positions(m: int, settings: StepSettings) -> int:
    """Splits of a stretch of m runs that leave min_size to confirm_runs - 1 runs after."""
    return max(0, min(settings.confirm_runs - 1, m - settings.min_size) - settings.min_size + 1)


def trailing_p_value(statistic: float, m: int, settings: StepSettings, df: float) -> float:
    """p-value of the best split among the trailing positions of a stretch of m runs:
    Student's t with the noise's degrees of freedom, Bonferroni over those positions."""
    a = abs(statistic)
    if not math.isfinite(a):
        return 0.0
    if df < 1:
        return 1.0
    single = 2.0 * float(special.stdtr(df, -a))
    return min(1.0, single * trailing_positions(m, settings))


def _trailing_candidate(
    y: FloatArray, smooth: FloatArray, cuts: list[int], noise: Noise, settings: StepSettings
) -> int | None:
    """The trailing split (fewer than `confirm_runs` runs after it) with the largest
    statistic above `threshold`, against the stretch since the last candidate or since
    the first run (the last candidate may be spurious and dropped by validation), when
    the search left no candidate there (module step 4b)."""
    n = y.size
    if not two_families(n, settings) or any(n - c < settings.confirm_runs for c in cuts):
        return None
    bound = WINSOR * noise.sigma
    clipped = y if noise.short else np.clip(y, smooth - bound, smooth + bound)
    last = max(cuts, default=0)
    best, best_t = None, settings.threshold
    for lo in {0, last}:
        t, k = scan(clipped[lo:], noise, settings.min_size, last=settings.confirm_runs)
        t = np.where(k + lo - last >= settings.min_size, np.abs(t), 0.0)  # no cut that close
        if t.size and float(np.max(t)) > best_t:
            pick = int(np.argmax(t))
            best, best_t = int(k[pick]) + lo, float(t[pick])
    return best


def _trailing_alternative(
    y: FloatArray, smooth: FloatArray, cuts: list[int], noise: Noise, settings: StepSettings
) -> tuple[list[int], int] | None:
    """(the search candidates at the end of the series, the trailing split that may stand
    for them) when the search put candidates in or next to the trailing splits (module
    step 4b). The search's candidates come from the running median, which blurs an edge
    by a run: a step two runs old is often offered one run early or late, where its
    trailing statistic is far weaker than at its own split; and a step a run or two
    older than the trailing splits still lifts the trailing split beside it (the stretch
    before it holds one or two runs of the new level among many), while the search,
    paying for every split, may not pass it. The trailing family's p-value covers its
    best split (Bonferroni over them all), so that split may be tested instead."""
    n = y.size
    if not cuts or not two_families(n, settings):
        return None
    ordered = sorted(cuts)
    near = [c for c in ordered if n - c < settings.confirm_runs + settings.min_size]
    if not near:
        return None
    kept = [c for c in ordered if c not in near]
    lo = max(kept, default=0)
    bound = WINSOR * noise.sigma
    clipped = y if noise.short else np.clip(y, smooth - bound, smooth + bound)
    t, k = scan(clipped[lo:], noise, settings.min_size, last=settings.confirm_runs)
    if t.size == 0 or not float(np.max(np.abs(t))) > settings.threshold:
        return None
    return near, int(k[int(np.argmax(np.abs(t)))]) + lo


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
        if hi == y.size and hi - cut < settings.confirm_runs:
            near &= hi - (k + lo) < settings.confirm_runs  # its p-value is the trailing one
        if noise.short or not near.any():
            out[cut] = found[cut]
            continue
        best = int(k[near][np.argmax(np.abs(t[near]))]) + lo
        out[best] = found[cut]
    return out


def _consistent(runs: FloatArray, noise: Noise) -> bool:
    """A provisional step rests on a few runs, so one run must not carry it: no run may
    lie more than 2 `WINSOR` sigmas from the median of the others (two runs of one
    level, each within the winsorised band about it, are never that far apart). A
    spike among two or three runs would otherwise still carry their mean with its
    clipped weight of `WINSOR` sigmas."""
    others = np.array([np.median(np.delete(runs, i)) for i in range(runs.size)])
    return bool(np.max(np.abs(runs - others)) <= 2.0 * WINSOR * noise.sigma)


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


def _times(values: npt.ArrayLike) -> FloatArray:
    x = np.asarray(values, dtype=np.float64)
    if x.ndim != 1:
        raise UsageError("detect_steps needs a one-dimensional series")
    if x.size and not (np.all(np.isfinite(x)) and np.all(x > 0)):
        raise UsageError("detect_steps needs finite positive values (times)")
    return x


def suite_noise(
    series: Sequence[npt.ArrayLike], settings: StepSettings | None = None
) -> list[Noise]:
    """The noise model of every series of a suite (module step 1), with the variance
    that splits of short series pool moderated toward the suite's prior (step 4c).

    The prior (Smyth's scaled F, `vmbench.stats.moderation.fit_f_dist`) is fitted to every
    series' own noise variance: long series' sigma^2 with n - 2 degrees of freedom,
    short series' from the MAD of their successive differences (robust to a step, which
    moves one difference) with that estimator's degrees of freedom.
    """
    settings = settings or StepSettings()
    logs = [np.log(_times(x)) for x in series]
    models = [noise_model(y, settings.short_phi) for y in logs]
    s2 = np.full(len(logs), math.nan)
    df = np.zeros(len(logs))
    for i, (y, noise) in enumerate(zip(logs, models, strict=True)):
        if y.size < 4:
            continue
        if noise.short:
            var_d, _ = mad_variance(np.diff(y))
            df[i] = mad_difference_df(y.size - 1)
            s2[i] = var_d / (2.0 * (1.0 - noise.phi))  # Var(y_t - y_t-1) = 2 s^2 (1 - phi)
        else:
            s2[i], df[i] = noise.sigma**2, noise.df
    prior = fit_f_dist(s2, df)
    if prior is None:
        return models
    post, _ = squeeze_var(s2, df, prior)
    return [
        dataclasses.replace(noise, sigma=math.sqrt(float(v)), prior=prior)
        if noise.short and math.isfinite(v)
        else noise
        for noise, v in zip(models, post, strict=True)
    ]


def mad_difference_df(m: int) -> float:
    """Degrees of freedom of the squared MAD (about the median) of m successive
    differences of normal noise, as the prior fit needs them: the df whose log chi-square
    variance, trigamma(df / 2), equals Var(log MAD^2). Simulated (400,000 series per m,
    3 <= m <= 18) within 0.2 df by 0.64 floor(m / 2) + 0.47; the asymptotic 37 %
    efficiency (`moderation.mad_variance`) understates it by a quarter at m = 6, which
    would make every suite look alike and pool its noise whole."""
    return 0.64 * (m // 2) + 0.47


def detect_steps(
    values: npt.ArrayLike, settings: StepSettings | None = None, noise: Noise | None = None
) -> list[Step]:
    """Step changes in a series of positive values (run-level estimates in run order).

    `noise`: the series' noise model as `suite_noise` moderated it (by default the
    series' own). The p-values are per series (Holm over its candidates); for a suite,
    use `vmbench.history.trend.change_points`, which adds FDR control across benchmarks.
    """
    settings = settings or StepSettings()
    x = _times(values)
    if x.size < 2 * settings.min_size or x.size < 3:
        return []
    y = np.log(x)
    noise = noise or noise_model(y, settings.short_phi)
    candidates: list[int] = []
    smooth = median3(y)
    _candidates(smooth, 0, noise, settings, candidates)
    trailing = _trailing_candidate(y, smooth, candidates, noise, settings)
    alternative = _trailing_alternative(y, smooth, candidates, noise, settings)
    if trailing is not None:
        candidates.append(trailing)
    found = _validate(y, smooth, candidates, noise, settings)
    if alternative is not None:
        # The search's candidates at the end and the trailing family's best split are one
        # step seen by the two families (each already paying FAMILIES for the split of
        # alpha). The trailing split stands in only when it validates more steps: a step
        # the search confirms keeps its place and is not made provisional again.
        near, split = alternative
        other = [c for c in candidates if c not in (*near, trailing)] + [split]
        instead = _validate(y, smooth, other, noise, settings)
        if len(instead) > len(found):
            found = instead
    found = _refine(y, smooth, found, noise, settings)
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
        provisional = i == len(cuts) - 1 and runs_after < settings.confirm_runs
        if provisional and not _consistent(y[cut:], noise):
            continue
        steps.append(
            Step(
                index=cut,
                before=before,
                after=after,
                p_value=found[cut],
                runs_before=cut - bounds[i],
                runs_after=runs_after,
                provisional=provisional,
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
