"""``d2lsite run``: record pages in parallel worker processes, with live progress.

Each page runs in a fresh Python process (a *worker*), in a temporary working folder,
so no page leaks state into another and files a page writes never land in the
repository. The scheduler:

* runs up to ``jobs`` workers at once (``-j N``; by default as many as the machine has
  cores, or one per GPU) and gives each ``cores // jobs`` torch threads, so that the
  workers together do not oversubscribe the cores;
* stops a page that runs past its timeout: front matter ``timeout: <seconds>``, else
  ``DEFAULT_TIMEOUT_S`` (or ``--timeout``). It first interrupts the page, so that the
  report shows where it was, then kills it;
* shows, while pages run, each page's block, elapsed time and last printed line
  (``rich``; on a terminal only, plain lines otherwise);
* records on ``--device cpu|cuda|mps``, by default the best one available; the record
  notes the device, its name, the thread count and the torch version;
* replaces a page's record only when the page succeeds: a page that fails or times out
  keeps its previous record, and the failure is reported with the page's line and the
  traceback.

The worker is this module run as ``python -m d2lsite.engine.scheduler --worker ...``: it
sets threads and device, reports progress into a small JSON file that the scheduler
polls, and executes the page with the engine's executor.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from .pages import BUDGET_ENV

DEFAULT_TIMEOUT_S = 900  # pages should take at most 3 minutes on a 2-core laptop
GRACE_S = 15  # after the interrupt, how long a timed-out page gets before it is killed
STARTUP_S = 120  # starting Python and importing torch, not counted in a page's timeout
POLL_S = 0.2
DEVICES = ("cpu", "cuda", "mps")


class SchedulerError(ValueError):
    """A device, job count or page timeout that ``d2lsite run`` cannot use."""


def executor():
    """The engine module that executes one page (``execute``, formerly ``kernel``)."""
    try:
        return importlib.import_module("d2lsite.engine.execute")
    except ModuleNotFoundError:
        return importlib.import_module("d2lsite.engine.kernel")


# --- the machine ------------------------------------------------------------------


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


def best_device() -> str:
    """``cuda`` if a CUDA GPU is visible, else ``mps`` on Apple silicon, else ``cpu``."""
    import torch

    if torch.cuda.is_available():
        return "cuda"
    if getattr(torch.backends, "mps", None) and torch.backends.mps.is_available():
        return "mps"
    return "cpu"


def device_available(device: str) -> bool:
    if device == "cpu":
        return True
    import torch

    if device == "cuda":
        return torch.cuda.is_available()
    return bool(getattr(torch.backends, "mps", None) and torch.backends.mps.is_available())


def default_jobs(device: str, pages: int) -> int:
    """As many workers as the machine holds: one per core on the CPU, one per GPU else."""
    if device == "cuda":
        import torch

        most = max(1, torch.cuda.device_count())
    elif device == "mps":
        most = 1
    else:
        most = usable_cores()
    return max(1, min(most, pages))


def threads_per_job(jobs: int) -> int:
    return max(1, usable_cores() // max(1, jobs))


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "CPU"


# --- one page ---------------------------------------------------------------------


@dataclass
class Job:
    """One page to record, and what is known about its run so far."""

    name: str  # page path relative to docs/
    timeout: float
    where: str = ""  # the page as the author names it: docs/chapter/page.md
    key: str = ""
    proc: subprocess.Popen | None = None
    tmp: Path | None = None
    started: float = 0.0
    page_started: float = 0.0  # when the first block began (the worker's first report)
    finished: float = 0.0
    progress: dict = field(default_factory=dict)
    outcome: str = "waiting"  # waiting, running, ok, failed, timed out
    message: str = ""
    stdout: object = None  # the worker's output files, open while it runs
    stderr: object = None

    def over_time(self) -> bool:
        """Whether the page has run past its timeout, counted from its first block."""
        now = time.perf_counter()
        if self.progress and not self.page_started:
            self.page_started = now
        if self.page_started:
            return now - self.page_started > self.timeout
        return now - self.started > self.timeout + STARTUP_S

    @property
    def elapsed(self) -> float:
        if not self.started:
            return 0.0
        return (self.finished or time.perf_counter()) - self.started


def page_timeout(front_matter: dict, default: float) -> float:
    """The page's ``timeout:`` in seconds (front matter), else ``default``."""
    value = front_matter.get("timeout", default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise SchedulerError(
            f"front matter 'timeout: {value}' must be a positive number of seconds"
        )
    return float(value)


def worker_env(book_root: Path, device: str, threads: int) -> dict:
    env = dict(os.environ, MPLBACKEND="Agg", PYTHONHASHSEED="0", PYTHONDONTWRITEBYTECODE="1")
    env.pop(BUDGET_ENV, None)  # a record is always the full run
    # The book's own d2lsite comes first, as it would in the book's top folder.
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(book_root), os.environ.get("PYTHONPATH", "")) if p
    )
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        env[var] = str(threads)
    if device in ("cpu", "mps"):
        env["CUDA_VISIBLE_DEVICES"] = ""  # try_gpu() then finds no CUDA device
    return env


def start(job: Job, book, device: str, threads: int) -> None:
    """Start the worker for ``job`` in a fresh temporary folder."""
    job.tmp = Path(tempfile.mkdtemp(prefix="d2lsite-run-"))
    (job.tmp / "work").mkdir()
    (job.tmp / "out").mkdir()
    command = [
        sys.executable,
        "-m",
        "d2lsite.engine.scheduler",
        "--worker",
        str(book.docs / job.name),
        str(job.tmp / "out"),
        book.where(job.name),
        "--device",
        device,
        "--threads",
        str(threads),
        "--progress",
        str(job.tmp / "progress.json"),
    ]
    job.stdout = open(job.tmp / "stdout.txt", "wb")  # noqa: SIM115 - closed in finish()
    job.stderr = open(job.tmp / "stderr.txt", "wb")  # noqa: SIM115
    job.proc = subprocess.Popen(
        command,
        cwd=job.tmp / "work",
        env=worker_env(book.root, device, threads),
        stdout=job.stdout,
        stderr=job.stderr,
        start_new_session=True,  # its own process group: a timeout stops all of it
    )
    job.started = time.perf_counter()
    job.outcome = "running"


def read_progress(job: Job) -> None:
    try:
        job.progress = json.loads((job.tmp / "progress.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        pass


def stop(job: Job) -> None:
    """Interrupt a page that ran too long (its traceback shows where), then kill it."""
    try:
        os.killpg(job.proc.pid, signal.SIGINT)
        try:
            job.proc.wait(GRACE_S)
        except subprocess.TimeoutExpired:
            os.killpg(job.proc.pid, signal.SIGKILL)
            job.proc.wait()
    except ProcessLookupError:
        pass


def finish(job: Job, book, timed_out: bool = False) -> None:
    """Keep the new record if the page succeeded; report why not otherwise."""
    job.finished = time.perf_counter()
    job.stdout.close()
    job.stderr.close()
    err = (job.tmp / "stderr.txt").read_text(encoding="utf-8", errors="replace")
    out = (job.tmp / "stdout.txt").read_text(encoding="utf-8", errors="replace")
    try:
        if timed_out:
            read_progress(job)
            frames = re.findall(rf'File "{re.escape(job.where)}", line (\d+)', err)
            where = frames[-1] if frames else job.progress.get("line")
            at = f":{where}" if where else ""
            job.outcome = "timed out"
            job.message = (
                f"{job.where}{at}: stopped after {job.timeout:g} s, the page's time limit "
                "(front matter 'timeout: <seconds>' raises it)\n" + tail(err)
            )
        elif job.proc.returncode != 0 or not (job.tmp / "out" / "record.json").is_file():
            job.outcome = "failed"
            job.message = tail(err or out) or f"the worker exited with {job.proc.returncode}"
        else:
            save_record(book, job)
            job.outcome = "ok"
    finally:
        shutil.rmtree(job.tmp, ignore_errors=True)


def tail(text: str, limit: int = 4000) -> str:
    return text[-limit:]


def save_record(book, job: Job) -> None:
    out = job.tmp / "out"
    record_path = out / "record.json"
    record = json.loads(record_path.read_text(encoding="utf-8"))
    record = {"page": record.pop("page"), "key": job.key, **record}
    record_path.write_text(json.dumps(record, indent=1, ensure_ascii=False) + "\n", "utf-8")
    dest = book.record_dir(job.name)
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(out, dest)


def run_line(record: dict) -> str:
    """The line under a page's title, e.g. "Outputs recorded on 2026-11-21 · 8.7 s on CPU
    (2 threads) · torch 2.15.0": how long the page takes, and on what."""
    if not record.get("date"):
        return ""
    parts = [f"Outputs recorded on {record['date']}"]
    seconds = record.get("wall_time_s")
    device = str(record.get("device", ""))
    if seconds is not None:
        took = (
            f"{seconds:.1f} s" if seconds < 60 else f"{seconds // 60:.0f} min {seconds % 60:.0f} s"
        )
        if device.startswith("cuda"):
            where = f"GPU ({record['device_name']})" if record.get("device_name") else "GPU"
        elif device.startswith("mps"):
            where = "Apple GPU (mps)"
        else:
            threads = record.get("threads")
            where = f"CPU ({threads} thread{'s' if threads != 1 else ''})" if threads else "CPU"
        parts.append(f"{took} on {where}")
    if record.get("torch"):
        parts.append(f"torch {str(record['torch']).split('+')[0]}")
    return " · ".join(parts)


# --- the scheduler -----------------------------------------------------------------


@dataclass
class Options:
    jobs: int | None = None
    device: str | None = None
    timeout: float = DEFAULT_TIMEOUT_S
    live: bool | None = None  # None: live display only on a terminal


def run_pages(book, names: list[str], options: Options | None = None, console=None) -> list[Job]:
    """Record ``names`` with up to ``options.jobs`` workers; return each page's job."""
    options = options or Options()
    try:
        device = options.device or best_device()
    except ImportError:
        raise SchedulerError(
            "d2lsite run executes the pages, which needs PyTorch and the library's other "
            "dependencies: pip install -e . (from a clone of the book) installs them"
        ) from None
    if device not in DEVICES:
        raise SchedulerError(f"unknown device {device!r}: choose one of {', '.join(DEVICES)}")
    if not device_available(device):
        raise SchedulerError(f"--device {device}: no such device on this machine; try --device cpu")
    jobs = []
    for name in names:
        page = book.page(name)
        if not page.code_blocks:
            continue
        job = Job(name, page_timeout(page.front_matter, options.timeout), book.where(name))
        job.key = book.key(page)
        jobs.append(job)
    if not jobs:
        return []
    if options.jobs is not None and options.jobs < 1:
        raise SchedulerError(f"-j {options.jobs}: run at least one page at a time")
    n = options.jobs or default_jobs(device, len(jobs))
    threads = threads_per_job(n)
    if console is None:
        from rich.console import Console

        console = Console(stderr=False, highlight=False)
    live = console.is_terminal if options.live is None else options.live
    console.print(
        f"Recording {len(jobs)} page(s) on {device} with {n} worker(s) of {threads} thread(s) each."
    )
    waiting, running, done = list(jobs), [], []

    def terminated(signum, frame):  # `kill` (SIGTERM) stops the workers too, as Ctrl-C does
        raise KeyboardInterrupt(f"d2lsite run got signal {signum}")

    previous = None
    if threading.current_thread() is threading.main_thread():  # only there can Python trap it
        previous = signal.signal(signal.SIGTERM, terminated)

    def step() -> None:
        while waiting and len(running) < n:
            job = waiting.pop(0)
            start(job, book, device, threads)
            running.append(job)
        for job in list(running):
            read_progress(job)
            code = job.proc.poll()
            over = code is None and job.over_time()
            if over:
                stop(job)
            if code is not None or over:
                finish(job, book, timed_out=over)
                running.remove(job)
                done.append(job)
                report(console, job, len(done), len(jobs))

    try:
        if live:
            from rich.live import Live

            table = progress_table(running, done, jobs)
            with Live(table, console=console, transient=True) as view:
                while waiting or running:
                    step()
                    view.update(progress_table(running, done, jobs))
                    time.sleep(POLL_S)
        else:
            while waiting or running:
                step()
                time.sleep(POLL_S)
    finally:  # Ctrl-C or kill: the workers run in sessions of their own, so stop them here
        for job in running:
            if job.proc.poll() is None:
                stop(job)
            job.stdout.close()
            job.stderr.close()
            shutil.rmtree(job.tmp, ignore_errors=True)
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    return jobs


def report(console, job: Job, number: int, total: int) -> None:
    """One line per finished page; a failure's message goes below it."""
    from rich.markup import escape

    head = f"[{number}/{total}] {job.where}"
    if job.outcome == "ok":
        console.print(f"{escape(head)} ok ({job.elapsed:.1f} s)")
        return
    console.print(
        f"{escape(head)} [bold red]{job.outcome.upper()}[/] ({job.elapsed:.1f} s); "
        "its old outputs are kept"
    )
    console.print("    " + escape(job.message.rstrip()).replace("\n", "\n    "))


def progress_table(running: list[Job], done: list[Job], jobs: list[Job]):
    """The live view: one row per running page (block, elapsed time, last printed line)."""
    from rich.table import Table

    failed = sum(j.outcome != "ok" for j in done)
    table = Table(
        title=f"{len(done)}/{len(jobs)} pages done" + (f", {failed} failed" if failed else ""),
        title_justify="left",
        expand=True,
    )
    table.add_column("page", no_wrap=True)
    table.add_column("block", no_wrap=True)
    table.add_column("elapsed", justify="right", no_wrap=True)
    table.add_column("last printed line", overflow="ellipsis", no_wrap=True, ratio=1)
    for job in running:
        p = job.progress
        block = f"{p['block'] + 1}/{p['blocks']} (line {p['line']})" if "block" in p else "starting"
        elapsed = f"{job.elapsed:.0f} s / {job.timeout:g} s"
        table.add_row(job.where, block, elapsed, p.get("last", ""))
    return table


# --- the worker: one page, in its own process ------------------------------------------


class ProgressFile:
    """What a worker tells the scheduler: the block it runs and the last line printed.

    Written atomically into a small JSON file: at once when a block starts, and by a
    background thread at most every ``POLL_S`` seconds while the page prints.
    """

    def __init__(self, path: Path, background: bool = True):
        self.path = path
        self.state = {"block": 0, "blocks": 0, "line": 0, "last": ""}
        self.partial = ""
        self.dirty = False
        if background:
            threading.Thread(target=self._keep_flushing, daemon=True).start()

    def block(self, ordinal: int, blocks: int, line: int) -> None:
        self.state.update(block=ordinal, blocks=blocks, line=line)
        self.flush()

    def write(self, text: str) -> None:
        lines = (self.partial + text).replace("\r", "\n").split("\n")
        self.partial = lines[-1]
        complete = [line for line in lines[:-1] if line.strip()]
        if complete:
            self.state["last"] = complete[-1].strip()[:200]
            self.dirty = True

    def flush(self) -> None:
        self.dirty = False
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.state), encoding="utf-8")
        os.replace(tmp, self.path)

    def _keep_flushing(self) -> None:
        while True:
            time.sleep(POLL_S)
            if self.dirty:
                try:
                    self.flush()
                except OSError:
                    pass


def pin_device(device: str) -> None:
    """Make ``d2l.try_gpu()`` (and torch) see only ``device``.

    CUDA is hidden by the environment (``CUDA_VISIBLE_DEVICES=""``, see ``worker_env``);
    Apple's ``mps`` has no such switch, so its availability check is replaced.
    """
    import functools

    import torch

    mps = getattr(torch.backends, "mps", None)
    if device != "mps" and mps is not None and mps.is_available():
        original = mps.is_available
        # functools.wraps keeps ``__wrapped__``, which torchvision reads at import
        mps.is_available = functools.wraps(original)(lambda *args, **kwargs: False)


def machine_notes(device: str) -> dict:
    """What the record says about where it was made."""
    import torch

    if device == "cuda":
        name = torch.cuda.get_device_name(0)
    elif device == "mps":
        name = f"Apple {platform.machine()} GPU"
    else:
        name = cpu_name()
    return {"device_name": name, "threads": torch.get_num_threads()}


def worker(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="d2lsite-worker")
    parser.add_argument("page")
    parser.add_argument("out_dir")
    parser.add_argument("page_name")
    parser.add_argument("--device", choices=DEVICES, default="cpu")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--progress")
    args = parser.parse_args(argv)
    import torch

    torch.set_num_threads(args.threads)
    pin_device(args.device)
    engine = executor()
    if args.progress:
        engine.PROGRESS = ProgressFile(Path(args.progress))
    code = engine.main([args.page, args.out_dir, args.page_name])
    record_path = Path(args.out_dir) / "record.json"
    if code == 0 and record_path.is_file():
        record = json.loads(record_path.read_text(encoding="utf-8"))
        blocks = record.pop("blocks")
        record.update(machine_notes(args.device), blocks=blocks)
        record_path.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    return code


if __name__ == "__main__":
    if sys.argv[1:2] == ["--worker"]:
        sys.exit(worker(sys.argv[2:]))
    sys.exit("usage: python -m d2lsite.engine.scheduler --worker PAGE OUT_DIR NAME [options]")
