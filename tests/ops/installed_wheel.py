"""The wheel built from this checkout, installed in a virtualenv outside it.

Installing the runtime dependencies into a fresh virtualenv takes longer than the test
should, so the virtualenv is kept between runs in a cache folder outside the checkout, one
per Python version and dependency list: the first run installs everything from the package
index (or pip's cache); later runs replace the showgeo wheel only when it changed
(`--force-reinstall --no-deps`, which first removes every file of the previous one).
SHOWGEO_WHEEL_VENVS moves the cache folder.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parents[2]


def build_wheel(into: Path) -> Path:
    """`python -m build --wheel` of the checkout: the same command a release runs."""
    subprocess.run(  # noqa: S603 (our own command line)
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(into), str(CHECKOUT)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = into.glob("showgeo-*.whl")
    return wheel


def _venv_folder() -> Path:
    pyproject = tomllib.loads((CHECKOUT / "pyproject.toml").read_text())
    key = "\n".join([sys.version, *sorted(pyproject["project"]["dependencies"])])
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    root = Path(
        os.environ.get("SHOWGEO_WHEEL_VENVS") or Path(tempfile.gettempdir()) / "showgeo-wheel-venvs"
    )
    return root / f"venv-{digest}"


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """One test process at a time creates or refreshes the shared virtualenv (pytest -n)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def install_wheel(wheel: Path) -> Path:
    """The virtualenv's folder, with `wheel` installed in it (and only its dependencies)."""
    venv = _venv_folder()
    if CHECKOUT in venv.parents:
        raise RuntimeError(f"the wheel's virtualenv must be outside the checkout, not {venv}")
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet"]
    with _locked(venv.with_suffix(".lock")):
        ready = venv / ".dependencies-installed"
        installed = venv / ".showgeo-wheel-sha256"
        digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
        if not ready.exists():
            subprocess.run(  # noqa: S603
                [sys.executable, "-m", "venv", "--clear", str(venv)], check=True, timeout=120
            )
            subprocess.run([*pip, str(wheel)], check=True, timeout=900)  # noqa: S603
            ready.touch()
            installed.write_text(digest)
        elif not installed.exists() or installed.read_text() != digest:
            # Hatch builds the same bytes from the same sources: test processes running
            # side by side (pytest -n) install it once, never under another one's server.
            subprocess.run(  # noqa: S603
                [*pip, "--no-deps", "--force-reinstall", str(wheel)], check=True, timeout=300
            )
            installed.write_text(digest)
    return venv
