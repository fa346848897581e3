"""Pure numerics on arrays: estimators, significance tests, bootstrap, change points.

No I/O, no rendering, no pandas, no knowledge of runs or benchmarks: functions take numpy
arrays (rows are benchmarks) and return arrays or small frozen dataclasses.

- `summary`: Criterion's summaries (mean, median, std, MAD, Tukey outlier counts);
- `bootstrap`: seeded, vectorised percentile bootstrap of means and of a ratio of means;
- `significance`: Mann-Whitney U, Welch, effect sizes, q-values, t quantiles;
- `changepoint`: step detection in one series (the history's trend analysis).

May import: the root modules (`vmbench.errors`, `vmbench.model`, `vmbench.settings`, ...),
numpy and scipy. Nothing else in vmbench.

The names of `summary`, `bootstrap` and `significance` are re-exported here, so
`from vmbench import stats; stats.mann_whitney(...)` reads as one toolbox.
"""

from vmbench.stats.bootstrap import bootstrap_means, percentile_interval, ratio_interval
from vmbench.stats.significance import (
    adjust_p_values,
    cliffs_delta,
    criterion_verdict,
    hodges_lehmann,
    level_shift,
    mann_whitney,
    min_p_value,
    round_significant,
    t_quantile,
    welch_p_value,
)
from vmbench.stats.summary import (
    MAD_SCALE,
    FloatArray,
    IntArray,
    Summary,
    quantiles,
    summarize,
    tukey_fences,
)

__all__ = [
    "MAD_SCALE",
    "FloatArray",
    "IntArray",
    "Summary",
    "adjust_p_values",
    "bootstrap_means",
    "cliffs_delta",
    "criterion_verdict",
    "hodges_lehmann",
    "level_shift",
    "mann_whitney",
    "min_p_value",
    "percentile_interval",
    "quantiles",
    "ratio_interval",
    "round_significant",
    "summarize",
    "t_quantile",
    "tukey_fences",
    "welch_p_value",
]
