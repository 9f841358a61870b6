"""The encoder gate lets a waiting interactive caller go before the next slice of bulk work."""

import threading
import time

from app.encoder.priority import BULK, EncoderGate, bulk_work, current_priority


def test_bulk_work_marks_only_its_block():
    assert current_priority() != BULK
    with bulk_work():
        assert current_priority() == BULK
    assert current_priority() != BULK


def test_an_interactive_caller_goes_before_waiting_bulk_slices():
    gate, order = EncoderGate(), []
    first_slice_running, release = threading.Event(), threading.Event()

    def bulk(name, hold=False):
        with bulk_work(), gate.turn():
            order.append(name)
            if hold:
                first_slice_running.set()
                release.wait(5)

    def interactive():
        with gate.turn():
            order.append("match")

    holder = threading.Thread(target=bulk, args=("bulk-1", True))
    holder.start()
    assert first_slice_running.wait(5)
    waiter = threading.Thread(target=bulk, args=("bulk-2",))
    waiter.start()
    while gate.waiting != (0, 1):
        time.sleep(0.001)
    match = threading.Thread(target=interactive)
    match.start()
    while gate.waiting != (1, 1):
        time.sleep(0.001)
    release.set()
    for t in (holder, waiter, match):
        t.join(5)
    assert order == ["bulk-1", "match", "bulk-2"]
