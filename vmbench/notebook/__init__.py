"""What the report notebooks call: one module per notebook plus what they share.

- `regression`: the regression notebook (`notebooks/regression.ipynb`);
- `category`: the category deep-dive notebook (`notebooks/category.ipynb`);
- `trend`: the trend notebook (`notebooks/trend.ipynb`);
- `common`: loaders from notebook parameters, table limits, `write_json`.

Each function loads or computes through the layers below and returns data or a display
object (`vmbench.render.display`); the notebooks hold no logic.

May import: `vmbench.render`, `vmbench.history`, `vmbench.compare`, `vmbench.stats`,
`vmbench.readers` and the root modules. Not `pipeline` or `cli`.
"""
