"""Benchmark of the public transparency page: see _public_bench.py (the code lives there because a module named
`public` in this folder would be imported in place of the `public` app).

    .venv/bin/python benchmarks/public.py [--runs 30] [--duration 10] [--no-wrk]
"""
import os
import sys
from pathlib import Path

if __name__ == "__main__":
    script = Path(__file__).resolve().with_name("_public_bench.py")
    os.execv(sys.executable, [sys.executable, str(script), *sys.argv[1:]])
