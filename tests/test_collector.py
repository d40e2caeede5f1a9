"""The garbage-collector helpers: nested pauses restore the collector once; the start-up freeze."""

from __future__ import annotations

import gc
import subprocess
import sys
import threading

from domain.collector import gc_paused


def test_nested_and_concurrent_pauses_switch_the_collector_back_on_once():
    assert gc.isenabled()
    entered, leave = threading.Event(), threading.Event()

    def other_pause() -> None:
        with gc_paused():
            entered.set()
            leave.wait(5)

    other = threading.Thread(target=other_pause)
    with gc_paused():
        with gc_paused():
            assert not gc.isenabled()
        other.start()
        entered.wait(5)
    assert not gc.isenabled()  # the other thread's pause still holds
    leave.set()
    other.join(5)
    assert gc.isenabled()  # the last pause to end switched it back on


def test_the_start_up_freeze_takes_the_heap_out_of_collections():
    # In a child process: a frozen heap is never collected, which a test process must not do.
    code = (
        "import gc; from domain.collector import freeze_startup_heap; "
        "assert gc.get_freeze_count() == 0; freeze_startup_heap(); "
        "assert gc.get_freeze_count() > 1000, gc.get_freeze_count(); print('frozen')"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "frozen"
