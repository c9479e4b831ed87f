"""Run a reader's plain script as ``python reader_script.py`` would, but without the wait.

Starting Python and importing torch takes 2 to 3 seconds on a 2-core machine; over 150
pages that alone would be 6 minutes of CI. So the scripts start from a small server
process (a "zygote") that has imported torch, NumPy, pandas and matplotlib once, and
nothing else: no d2lsite, no pytest, no conftest, no other page's state. For each script
the server forks a fresh child, which runs the script as ``__main__`` in the script's
folder, with that folder first on ``sys.path`` and this repository's folder not on it,
and with the environment the test gives (``MPLBACKEND=Agg``, ``D2LSITE_BUDGET=reduced``).
The child's standard output and error (file descriptors 1 and 2) go to files beside the
script. Nothing in the server has run a tensor operation, so forking it is safe.

Run as ``python tests/script_runner.py``, this file is the server: it reads one JSON
request per line on standard input and answers one JSON line on standard output.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

PRELOAD = ["torch", "numpy", "pandas", "matplotlib", "matplotlib.pyplot"]


class ScriptRunner:
    """The client side: one server process per test session."""

    def __init__(self, env: dict):
        env = dict(env, MPLBACKEND="Agg")
        env.pop("PYTHONPATH", None)
        self.proc = subprocess.Popen(
            [sys.executable, __file__],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            text=True,
        )
        if self.proc.stdout.readline().strip() != '{"ready": true}':  # torch imported
            raise RuntimeError("the script server did not start; run the test again")

    def run(self, script: Path, env: dict, drop_paths: list[str], timeout: float):
        """Run ``script`` in a fresh child; return (exit code, stderr text, seconds).

        The child's CPU seconds are left in ``self.cpu``.
        """
        start = time.perf_counter()
        request = {"script": str(script), "env": env, "drop": drop_paths, "timeout": timeout}
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        answer = self.proc.stdout.readline()
        if not answer:
            raise RuntimeError("the script server stopped; run the test again")
        answer = json.loads(answer)
        code, self.cpu = answer["code"], answer["cpu"]
        err = script.parent / "stderr.txt"
        text = err.read_text(encoding="utf-8", errors="replace") if err.is_file() else ""
        if code == "timeout":
            text += f"\n(stopped after {timeout:g} s)"
            code = -9
        return code, text, time.perf_counter() - start

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(10)


def child(script: str, env: dict, drop_paths: list[str]) -> None:
    """In the forked child: become ``python script`` and never return."""
    folder = os.path.dirname(script)
    os.chdir(folder)
    os.environ.clear()
    os.environ.update(env)
    for fd, name in ((0, os.devnull), (1, "stdout.txt"), (2, "stderr.txt")):
        f = os.open(name, os.O_RDONLY if fd == 0 else os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        os.dup2(f, fd)
        os.close(f)
    sys.stdin = open(0, closefd=False)  # noqa: SIM115
    sys.stdout = open(1, "w", buffering=1, closefd=False)  # noqa: SIM115
    sys.stderr = open(2, "w", buffering=1, closefd=False)  # noqa: SIM115
    sys.path[:] = [folder] + [p for p in sys.path if p and p not in drop_paths]
    sys.argv = [script]
    code = 0
    try:
        import runpy

        runpy.run_path(script, run_name="__main__")
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:  # noqa: BLE001 - report it as python would
        import traceback

        error = sys.exc_info()[1]
        tb = error.__traceback__
        while tb is not None and tb.tb_frame.f_code.co_filename != script:
            tb = tb.tb_next  # the frames of this runner are not the reader's
        traceback.print_exception(type(error), error, tb or error.__traceback__)
        code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def serve() -> None:
    import importlib

    for name in PRELOAD:
        importlib.import_module(name)
    sys.stdout.write('{"ready": true}\n')
    sys.stdout.flush()
    for line in sys.stdin:
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            child(request["script"], request["env"], request["drop"])
        deadline = time.monotonic() + request["timeout"]
        while True:
            done, status, usage = os.wait4(pid, os.WNOHANG)
            if done:
                code = os.waitstatus_to_exitcode(status)
                break
            if time.monotonic() > deadline:
                os.kill(pid, 9)
                _, _, usage = os.wait4(pid, 0)
                code = "timeout"
                break
            time.sleep(0.02)
        cpu = usage.ru_utime + usage.ru_stime
        sys.stdout.write(json.dumps({"code": code, "cpu": cpu}) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    sys.path.pop(0)  # this file's folder (tests/) is not the readers'
    serve()
