"""How many generated examples the hypothesis tests draw.

CERTCORE_TEST_SCALE (a float, default 1) multiplies every test's example count: CI runs the
README's full suite on CPython 3.11 at scale 1 and the other Pythons at a fraction of it, so the
whole matrix stays well inside its time budget while every differential test still runs
everywhere.
"""
import os


def examples(n):
    scale = float(os.environ.get("CERTCORE_TEST_SCALE", "1"))
    return max(5, int(n * scale))
