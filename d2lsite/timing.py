"""Measuring wall-clock time."""

import itertools
import time

__all__ = ["Timer"]


class Timer:
    """A stopwatch that remembers every lap.

    ``start()`` begins a lap and ``stop()`` ends it and returns its length in
    seconds. The timer starts when it is created.

    Defined in ``appendix/tools.md``.
    """

    def __init__(self) -> None:
        self.times: list[float] = []
        self.start()

    def start(self) -> None:
        """Start a lap."""
        self.started_at = time.perf_counter()

    def stop(self) -> float:
        """End the lap; record and return its length in seconds."""
        self.times.append(time.perf_counter() - self.started_at)
        return self.times[-1]

    def sum(self) -> float:
        """The total length of all laps, in seconds."""
        return sum(self.times)

    def avg(self) -> float:
        """The mean length of a lap; ``ValueError`` before the first ``stop()``."""
        if not self.times:
            raise ValueError("Timer.avg() needs at least one lap: call stop() first")
        return self.sum() / len(self.times)

    def cumsum(self) -> list[float]:
        """The time elapsed at the end of each lap, counting laps only."""
        return list(itertools.accumulate(self.times))
