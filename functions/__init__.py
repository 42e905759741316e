"""The Lambda functions, one package each; `<package>.handler.handler` is each one's entry point.

A cold start is mostly imports, and imports build objects that live as long as the process: collecting
while they run is work for nothing (~19 ms of a handler's ~365 ms on Python 3.13, bench/cold_start.py).
So in Lambda the cyclic garbage collector is paused from here until the handler module's last line
calls `imported()`, which moves what the imports built out of every later collection (`gc.freeze`) and
turns collection back on. A local process that imports handlers (tests, `storyteller up`) is left alone.
"""

import gc
import os

_PAUSED = "LAMBDA_TASK_ROOT" in os.environ and gc.isenabled()
if _PAUSED:
    gc.disable()


def imported() -> None:
    """The handler module has imported all it needs: freeze what that built, collect as usual from now on."""
    global _PAUSED
    if _PAUSED:
        _PAUSED = False
        gc.freeze()
        gc.enable()
