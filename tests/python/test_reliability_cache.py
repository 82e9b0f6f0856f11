"""The native compiler cannot hold a process hostage, and the compile cache keeps to its
size: a process whose compiler hangs (or ignores SIGTERM) still computes right results in
the interpreter and exits within THEON_FLAGS cgen_exit_wait, leaving no compiler running
and nothing in the cache that breaks the next run; tools/theon-cache trims the least
recently used modules first. Every test uses a private THEON_CACHE_DIR."""
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
TOOL = REPO / "tools" / "theon-cache"

# Calls a small function often enough to plan its whole-graph kernel (a compile), waits
# until the fake compiler has started, and prints the time it finished.
CHILD = r"""
import os, sys, time
import numpy as np
import theon
import theon.tensor as T

x = T.dvector("x")
f = theon.function([x], T.tanh(x * 1.5) + 0.25)
v = np.array([0.5, -1.5, 2.0])
for _ in range(5):
    out = f(v)
np.testing.assert_allclose(out, np.tanh(v * 1.5) + 0.25, rtol=1e-12)
if sys.argv[1] == "wait":
    theon.wait_for_native_code()
    np.testing.assert_allclose(f(v), np.tanh(v * 1.5) + 0.25, rtol=1e-12)
else:
    deadline = time.monotonic() + 20
    while not os.path.exists(sys.argv[1]) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert os.path.exists(sys.argv[1]), "the fake compiler never started"
print("finished", time.monotonic(), flush=True)
"""

PROBES = """case "$1" in --version) echo fake-cxx 1; exit 0;;
  -print-file-name=*) echo none; exit 0;; esac
"""


def fake_compiler(tmp_path, kind):
    """A compiler that hangs: after answering the version probes ("hang"), the same
    ignoring SIGTERM ("ignore_term"), or at once, probes included ("hang_probe"). It
    records its pid and its child's."""
    pids = tmp_path / "pids"
    script = ["#!/bin/sh"]
    if kind != "hang_probe":
        script.append(PROBES)
    if kind == "ignore_term":
        script.append("trap '' TERM")
    script += ["sleep 1000 &", f"echo $$ $! >> {pids}", "wait", "wait", ""]
    path = tmp_path / f"cxx-{kind}"
    path.write_text("\n".join(script))
    path.chmod(0o700)
    return path, pids


def run_child(tmp_path, flags, arg):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
    env["THEON_CACHE_DIR"] = str(tmp_path / "cache")
    env["THEON_FLAGS"] = flags
    proc = subprocess.run([sys.executable, "-c", CHILD, str(arg)], env=env, capture_output=True,
                          text=True, timeout=60)
    exited = time.monotonic()
    assert proc.returncode == 0, proc.stderr
    finished = float(proc.stdout.split()[-1])
    return exited - finished, proc


def is_gone(pid):
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] == "Z"  # a zombie runs nothing
    except (FileNotFoundError, ProcessLookupError):
        return True


@pytest.mark.parametrize("kind", ["hang", "ignore_term", "hang_probe"])
def test_exit_is_not_held_by_a_hanging_compiler(tmp_path, kind):
    cxx, pids = fake_compiler(tmp_path, kind)
    exit_took, proc = run_child(tmp_path, f"cxx={cxx},cgen_exit_wait=0.5", pids)
    assert exit_took < 0.5 + 2.0, f"exit took {exit_took:.2f} s"
    started = [int(p) for p in pids.read_text().split()]
    assert len(started) == 2
    deadline = time.monotonic() + 2
    while not all(map(is_gone, started)) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert all(map(is_gone, started)), f"compiler processes left running: {started}"
    assert "theon: warning" not in proc.stderr, "compiles stopped at exit are not failures"
    cache = tmp_path / "cache"
    leftovers = [p.name for p in cache.iterdir() if p.name.startswith("tmp-")] if cache.exists() else []
    assert leftovers == [], "temporary build directories left behind"
    if kind == "ignore_term":
        # The next run, with a working compiler, builds and uses the module.
        _, proc = run_child(tmp_path, "", "wait")
        assert len(list(cache.glob("*.so"))) == 1, proc.stderr


def make_entries(cache, count, size=1000):
    """`count` fake entries of `size` bytes each, entry 0 the least recently used."""
    cache.mkdir(mode=0o700)
    keys = []
    for i in range(count):
        key = f"{i:032x}"
        (cache / f"{key}.so").write_bytes(b"\0" * (size - 100))
        meta = cache / f"{key}.meta"
        meta.write_bytes(b"m" * 100)
        os.utime(meta, ns=(10**18 + i * 10**9, 10**18 + i * 10**9))
        keys.append(key)
    return keys


def tool(cache, *args):
    env = dict(os.environ, THEON_CACHE_DIR=str(cache))
    return subprocess.run([sys.executable, str(TOOL), *args], env=env, capture_output=True,
                          text=True, check=True).stdout


def test_tool_trim_removes_least_recently_used_first(tmp_path):
    cache = tmp_path / "cache"
    keys = make_entries(cache, 5)
    assert tool(cache, "size").startswith("5 modules, 0.0 MB")
    # 2500 bytes of room: the three least recently used go.
    out = tool(cache, "trim", str(2500 / (1024 * 1024)))
    assert out.startswith("removed 3 modules"), out
    left = sorted(p.stem for p in cache.glob("*.meta"))
    assert left == keys[3:]
    assert not any((cache / f"{k}.so").exists() for k in keys[:3])
    listed = [line.split()[0] for line in tool(cache, "list").splitlines()]
    assert listed == keys[3:]


def test_tool_trim_skips_an_entry_being_built(tmp_path):
    import fcntl

    cache = tmp_path / "cache"
    keys = make_entries(cache, 2)
    with open(cache / f"{keys[0]}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        assert tool(cache, "trim", "0").startswith("removed 1 modules")
    assert (cache / f"{keys[0]}.so").exists() and not (cache / f"{keys[1]}.so").exists()
