"""pyftms, Home Assistant's FTMS library, drives `treadmill simulate` in another process.

pyftms needs Python 3.12 or newer, and the project supports 3.11, so this is a bench rather
than a test: it runs where such an interpreter exists (``PYFTMS_PYTHON``, else
``python3.13``/``python3.12`` on the PATH, else pyenv's), and says so and exits 0 where none
does. It makes a virtual environment for it once (in the user cache folder), with this
project and pyftms installed.

Bumble's ``controllers`` app links two virtual controllers served as HCI over TCP; the
simulator takes one, with every Treadmill Data record split into parts of at most 14 bytes,
and pyftms the other (``bench.pyftms_client``). Printed: what pyftms discovered (machine
type, Device Information, supported fields and ranges), the control results, and how many
records it reassembled and how many fields disagreed with our decoder.

Run: ``python -m bench.pyftms_interop [--seconds S]``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
from pathlib import Path

from platformdirs import user_cache_dir

from tests.hci_link import simulator_on_hci

ROOT = Path(__file__).resolve().parent.parent


def newer_python() -> str | None:
    """A Python 3.12+ interpreter, or None."""
    candidates = [os.environ.get("PYFTMS_PYTHON"), shutil.which("python3.13"), shutil.which("python3.12")]
    pyenv = Path.home() / ".pyenv" / "versions"
    if pyenv.is_dir():
        candidates += [str(p / "bin" / "python") for p in sorted(pyenv.glob("3.1[2-9]*"), reverse=True)]
    for candidate in filter(None, candidates):
        probe = subprocess.run(
            [candidate, "-c", "import sys; sys.exit(sys.version_info < (3, 12))"], check=False
        )
        if probe.returncode == 0:
            return candidate
    return None


def environment(python: str) -> Path:
    """The cached venv with this project and pyftms; made or refreshed when needed."""
    venv = Path(user_cache_dir("treadmill-companion")) / "pyftms-venv"
    marker = venv / ".installed"
    stamp = str((ROOT / "pyproject.toml").stat().st_mtime)
    if not marker.exists() or marker.read_text() != stamp:
        print(f"making {venv} (pyftms and this project) ...", flush=True)
        subprocess.run([python, "-m", "venv", "--clear", str(venv)], check=True)
        pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet"]
        subprocess.run([*pip, "-e", str(ROOT), "pyftms"], check=True)
        marker.write_text(stamp)
    return venv / "bin" / "python"


def run(client_python: Path, seconds: float) -> dict[str, object]:
    with simulator_on_hci("--time-scale", "10", "--notify-hz", "4", "--split", "14") as spec:
        out = subprocess.run(
            [str(client_python), "-m", "bench.pyftms_client", spec, str(seconds)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=seconds + 60,
            check=False,
        )
    if out.returncode != 0:
        raise SystemExit(f"the pyftms client failed:\n{out.stderr.strip()}")
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="how long pyftms listens (default 20)")
    args = parser.parse_args()
    python = newer_python()
    if python is None:
        print("skipped: pyftms needs Python 3.12+, and none was found (set PYFTMS_PYTHON)")
        return
    result = run(environment(python), args.seconds)
    if "error" in result:
        raise SystemExit(str(result["error"]))
    print(f"pyftms on {python}")
    print(f"  found a {result['machine_type']} and connected in {result['connected_s']} s")
    print(f"  device information: {result['device_info']}")
    print(f"  supported fields: {', '.join(map(str, result['supported_properties']))}")  # type: ignore[call-overload]
    print(f"  setting ranges: {result['ranges']}")
    print(f"  control results: {result['control_results']}")
    print(f"  events: {result['events']}")
    print(
        f"  Treadmill Data: {result['parts']} parts -> {result['records']} records "
        f"({result['split_records']} split); {result['fields_compared']} fields compared, "
        f"{result['disagreement_count']} disagreements"
    )
    for line in result["disagreements"]:  # type: ignore[attr-defined]
        print(f"    {line}")


if __name__ == "__main__":
    main()
