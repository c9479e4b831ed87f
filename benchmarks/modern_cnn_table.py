"""The modern-CNN chapter's speed table for docs/performance.md, read from the records.

For each page of docs/modern-cnn/ with a record under outputs/, prints one Markdown row:
the page's full-run wall time (``wall_time_s`` of the record, taken by ``d2lsite run``),
the machine it ran on (device, threads), and, for every training run on the page (each
line ``... examples/sec on <device>`` that ``train_ch7`` prints), the examples per second
in training and the training time per epoch (60,000 examples over that speed), together
with the final ``test acc``. Usage, from the repository's top folder::

    python benchmarks/modern_cnn_table.py
"""

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGES = ["alexnet", "vgg", "nin", "googlenet", "batch-norm", "resnet", "densenet"]
TRAIN_EXAMPLES = 60_000


def rows() -> list[str]:
    out = [
        "| page | full run (recorded) | device, threads | training runs | "
        "examples/sec in training | training time per epoch | final test acc |",
        "| --- | ---: | --- | ---: | ---: | ---: | ---: |",
    ]
    for page in PAGES:
        path = ROOT / "outputs" / "modern-cnn" / page / "record.json"
        if not path.exists():
            out.append(f"| modern-cnn/{page}.md | not recorded | | | | | |")
            continue
        record = json.loads(path.read_text("utf-8"))
        text = "\n".join(block.get("stdout", "") for block in record["blocks"])
        speeds = [float(s) for s in re.findall(r"([\d.]+) examples/sec on", text)]
        accs = re.findall(r"^loss [\d.]+, train acc [\d.]+, test acc ([\d.]+)", text, re.M)
        speed = " / ".join(f"{s:,.0f}" for s in speeds)
        epoch = " / ".join(f"{TRAIN_EXAMPLES / s:.1f} s" for s in speeds)
        out.append(
            f"| [{page}](modern-cnn/{page}.md) | {record['wall_time_s']:.0f} s | "
            f"{record['device']}, {record['threads']} | {len(speeds)} | {speed} | {epoch} | "
            f"{' / '.join(accs)} |"
        )
    return out


if __name__ == "__main__":
    print("\n".join(rows()))
