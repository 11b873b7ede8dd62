"""fieldsync's benchmarks (issue 6): run ``python -m bench --quick`` or ``make bench``.

One module per benchmark, each with ``QUICK`` and ``FULL`` settings and a ``run(**settings)``
returning a :class:`bench._harness.Result`; ``python -m bench`` runs them and writes
``docs/performance.md`` and ``bench/results/latest.json``.
"""
