#!/usr/bin/env python3
"""clang's thread-safety analysis over the project's own sources.

The build uses g++, which has no such analysis; this runs clang++ with
-fsyntax-only on every non-test source of libs/, services/ and tools/,
with the include paths and definitions the build gives it
(compile_commands.json), and fails on any -Wthread-safety warning: locked
state is declared with ABSL_GUARDED_BY and only touched under its lock.
"""
import json
import os
import shlex
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

build_dir, source_dir = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
with open(os.path.join(build_dir, "compile_commands.json")) as f:
    entries = json.load(f)

roots = tuple(os.path.join(source_dir, d) + os.sep for d in ("libs", "services", "tools"))
units = []
for e in entries:
    src = e["file"]
    if not src.startswith(roots) or src.endswith("_test.cc") or "/testing/" in src:
        continue
    args = shlex.split(e["command"])
    keep = []
    i = 1
    while i < len(args):
        a = args[i]
        if a in ("-isystem", "-I", "-D", "-include"):  # a flag and its value
            keep += args[i:i + 2]
            i += 2
            continue
        if a.startswith(("-I", "-D", "-std=")) or a == src:
            keep.append(a)
        i += 1
    units.append((src, keep, e["directory"]))


def check(unit):
    src, args, cwd = unit
    cmd = ["clang++", "-fsyntax-only", "-Wthread-safety", "-Wthread-safety-beta", "-Wno-unknown-warning-option",
           "-Wno-everything", "-Wthread-safety", "-Werror=thread-safety"] + args
    p = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    return src, p.returncode, p.stderr


failed = 0
with ThreadPoolExecutor(max_workers=int(os.environ.get("KLA_JOBS", "2"))) as pool:
    for src, rc, err in pool.map(check, units):
        if rc != 0:
            failed += 1
            sys.stderr.write(err)
print(f"thread-safety analysis: {len(units)} files, {failed} with findings")
sys.exit(1 if failed else 0)
