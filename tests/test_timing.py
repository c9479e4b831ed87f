"""Timer records laps; the clock is faked so the numbers are exact."""

import pytest

import d2lsite as d2l
from d2lsite import timing


@pytest.fixture
def clock(monkeypatch):
    """Make time.perf_counter return the given readings, one per call."""

    def set_readings(*readings: float) -> None:
        values = iter(readings)
        monkeypatch.setattr(timing.time, "perf_counter", lambda: next(values))

    return set_readings


def test_timer_starts_when_created_and_stop_returns_the_lap(clock):
    clock(10.0, 12.5)
    timer = d2l.Timer()
    assert timer.stop() == 2.5
    assert timer.times == [2.5]


def test_start_begins_a_new_lap(clock):
    clock(0.0, 100.0, 101.0)
    timer = d2l.Timer()
    timer.start()  # the 100 s since creation are not counted
    assert timer.stop() == 1.0


def test_sum_avg_and_cumsum_over_several_laps(clock):
    clock(0.0, 1.0, 5.0, 8.0, 10.0, 14.0)  # laps of 1, 3 and 4 seconds
    timer = d2l.Timer()
    timer.stop()
    for _ in range(2):
        timer.start()
        timer.stop()
    assert timer.times == [1.0, 3.0, 4.0]
    assert timer.sum() == 8.0
    assert timer.avg() == pytest.approx(8.0 / 3)
    assert timer.cumsum() == [1.0, 4.0, 8.0]


def test_a_timer_without_laps_sums_to_zero(clock):
    clock(0.0)
    timer = d2l.Timer()
    assert timer.sum() == 0
    assert timer.cumsum() == []


def test_avg_without_laps_raises_a_clear_error(clock):
    clock(0.0)
    with pytest.raises(ValueError, match="call stop"):
        d2l.Timer().avg()


def test_timer_measures_real_time():
    timer = d2l.Timer()
    assert timer.stop() >= 0.0
