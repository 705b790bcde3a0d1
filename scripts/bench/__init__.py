"""Scale benchmarks (issue 7): a deterministic COPY seeder and a harness that measures the
product side by side with a raw-SQL baseline doing the same work in the same run.

    .venv/bin/python -m scripts.bench run --size 100000      # throwaway cluster, table + JSON
    .venv/bin/python -m scripts.bench seed --contacts 10000  # into SPECTRUM_DATABASE_URL
"""
