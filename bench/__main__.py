"""`python -m bench [part ...] [--quick]`: prints each figure and its ratio, measured side by
side in the same run. Parts: throughput, pages, programme, memory (default: all)."""

from __future__ import annotations

import argparse
import asyncio
import compileall
import platform
import tempfile
import time
from pathlib import Path

from bench.common import dev_server

PARTS = ("throughput", "activities", "pages", "rush", "programme", "memory")
ROOT = Path(__file__).parent.parent


def compile_regie() -> None:
    """Regie's modules as bytecode, as the image has them (deploy/Dockerfile): where Python
    writes none (PYTHONDONTWRITEBYTECODE), the workflow sandbox would otherwise compile a
    workflow's module from source for each workflow it starts."""
    for package in ("domain", "workflows", "activities", "api", "regie", "bench"):
        compileall.compile_dir(ROOT / package, quiet=1)


def part_folder(root: Path, part: str) -> Path:
    """A part's own folder under `root`: its dev server's file, scheme file and data. A part
    that found the workflows of the one before in a shared dev server file (the rounds and the
    ledger, on that part's task queue, where no worker polled any more) waited on them forever:
    the rush part after the throughput part did."""
    folder = root / part
    folder.mkdir()
    return folder


async def main(parts: list[str], quick: bool) -> None:
    compile_regie()
    print(f"# Regie bench, {time.strftime('%Y-%m-%d %H:%M')} on {platform.node()}: "
          f"{platform.python_implementation()} {platform.python_version()}, "
          f"{__import__('os').cpu_count()} cores{' (quick)' if quick else ''}", flush=True)
    with tempfile.TemporaryDirectory(prefix="regie-bench-") as tmp:
        root = Path(tmp)
        if "throughput" in parts:
            from bench import throughput

            folder = part_folder(root, "throughput")
            async with dev_server(folder) as env:
                await throughput.run(env.client, folder, count=10 if quick else 50)
        if "activities" in parts:
            from bench import activities

            await activities.run(part_folder(root, "activities"), calls=50 if quick else 200)
        if "pages" in parts:
            from bench import pages

            folder = part_folder(root, "pages")
            async with dev_server(folder) as env:
                await pages.run(env.client, folder,
                                sizes=(1_000, 10_000) if quick else (1_000, 10_000, 100_000),
                                rounds=30 if quick else 100)
        if "rush" in parts:
            from bench import rush

            folder = part_folder(root, "rush")
            async with dev_server(folder) as env:
                await rush.run(env.client, folder,
                               sizes=(1, 10, 50) if quick else (1, 10, 50, 200))
        if "programme" in parts:
            from bench import programme

            await programme.run(part_folder(root, "programme"),
                                applications=100 if quick else 1_000)
        if "memory" in parts:
            from bench import memory

            folder = part_folder(root, "memory")
            async with dev_server(folder) as env:
                await memory.run(env.client, folder, grants_count=1_000 if quick else 10_000)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("parts", nargs="*", help=f"any of {', '.join(PARTS)} (default: all)")
    parser.add_argument("--quick", action="store_true", help="small sizes, to try it out")
    args = parser.parse_args()
    unknown = set(args.parts) - set(PARTS)
    if unknown:
        parser.error(f"unknown part(s): {', '.join(sorted(unknown))}")
    asyncio.run(main(args.parts or list(PARTS), args.quick))
