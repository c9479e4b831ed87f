"""Measuring wall-clock time."""

import itertools
import time

__all__ = ["Timer"]


class Timer:
    """A stopwatch that remembers every lap.

    ``start()`` begins a lap and ``stop()`` ends it and returns its length in
    seconds. The timer starts when it is created.

    Defined in ``preliminaries/gradient-descent.md``.
    """

    def __init__(self) -> None:
        self.times: list[float] = []
        self.start()

    def start(self) -> None:
        self.started_at = time.perf_counter()

    def stop(self) -> float:
        self.times.append(time.perf_counter() - self.started_at)
        return self.times[-1]

    def sum(self) -> float:
        return sum(self.times)

    def avg(self) -> float:
        if not self.times:
            raise ValueError("Timer.avg() needs at least one lap: call stop() first")
        return self.sum() / len(self.times)

    def cumsum(self) -> list[float]:
        return list(itertools.accumulate(self.times))
