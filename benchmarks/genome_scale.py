"""Genome-scale figures (issue 13): drafting, skipping, model throughput, publishing.

    python3 benchmarks/genome_scale.py                     # 2,000 protein-coding genes
    python3 benchmarks/genome_scale.py --genes 0           # all of them (about 20,600)
    python3 benchmarks/genome_scale.py --only model        # one figure: draft|skip|model|publish

Needs the configured fact store (`writer data sync`). Everything is written to a throwaway
home (review queue, posts). Prints one line per figure; when only part of the genome is
drafted, the whole-genome figure is extrapolated linearly and says so.

1. `writer draft --file F --jobs 2` of N protein-coding genes (templates, every page checked):
   wall time and genes/s, from a cold process.
2. The same command again: time to skip every gene (nothing changed).
3. Model drafting of 100 genes (`writer.draft_many`, --jobs 16) against a scripted
   OpenAI-compatible endpoint on 127.0.0.1 (its own process) that holds 16 slots and answers
   each request after 300 ms: throughput as a fraction of what 16 slots allow (requests x
   0.3 s / 16 / wall), and the drafting CPU per request, which bounds it on a small machine
   (`--latency 2` is closer to a real model's answer time; `--processes 1` drafts in threads
   of one process, as writer did before it used worker processes).
4. `writer review accept --clean` then `writer publish --out DIR` of the accepted drafts:
   first run (every page judged again) and an incremental run (nothing changed).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
PROTEIN_CODING = "protein-coding"


def _run(args: list[str], env: dict[str, str], stderr: bool = True) -> tuple[float, str]:
    """Seconds `writer ARGS` took in its own process, and what it printed (with ``stderr``,
    its report lines too). Also used by benchmarks/redraft.py."""
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "writer.cli", *args], env=env,
                          capture_output=True, text=True, timeout=24 * 3600)
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise SystemExit(f"writer {' '.join(args)} failed ({proc.returncode}): {proc.stderr}")
    return elapsed, (proc.stdout + (proc.stderr if stderr else "")).strip()


def _cpu() -> float:
    """CPU seconds of this process and of its children that have ended (worker processes)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def _load() -> str:
    return "load average " + " ".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--genes", type=int, default=2000,
                    help="protein-coding genes to draft (0: all)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--only", choices=["draft", "skip", "model", "publish"])
    ap.add_argument("--model-genes", type=int, default=100)
    ap.add_argument("--latency", type=float, default=0.3)
    ap.add_argument("--slots", type=int, default=16)
    ap.add_argument("--jobs-model", type=int, default=None,
                    help="requests in flight for the model figure (default: --slots)")
    ap.add_argument("--timeline", action="store_true",
                    help="model figure: how busy the slots were each second, when the first "
                         "were taken and how long the run went on after the last answers")
    ap.add_argument("--processes", type=int, default=None,
                    help="worker processes for the model figure (default: writer's choice)")
    opts = ap.parse_args()

    from writer.config import load_settings
    from writer.store import FactStore

    facts = load_settings().facts_path
    store = FactStore(facts)
    every = store.gene_ids(PROTEIN_CODING)
    genes = every if opts.genes == 0 else every[:opts.genes]
    tmp = Path(tempfile.mkdtemp(prefix="genome-scale-"))
    env = {k: v for k, v in os.environ.items()
           if k not in ("OPENAI_BASE_URL", "OPENAI_API_KEY", "GENE_WRITER_MODEL")}
    env.update(GENE_WRITER_HOME=str(tmp), GENE_WRITER_FACTS=str(facts),
               GENE_WRITER_QUEUE=str(tmp / "queue.sqlite"), GENE_WRITER_REVIEWER="bench")
    listing = tmp / "genes.txt"
    listing.write_text("\n".join(map(str, genes)) + "\n")
    scale = len(every) / len(genes)
    extrapolated = "" if scale == 1 else (
        f"; extrapolated to all {len(every):,} protein-coding genes")
    print(f"fact store {facts}; {len(genes):,} of {len(every):,} protein-coding genes; "
          f"{os.cpu_count()} CPUs, {_load()}")

    if opts.only in (None, "draft", "skip", "publish"):
        wall, out = _run(["draft", "--file", str(listing), "--jobs", str(opts.jobs),
                          "--date", "2025-01-17"], env)
        rate = len(genes) / wall
        print(f"1. template drafting, --jobs {opts.jobs}: {len(genes):,} genes in {wall:.1f} s, "
              f"{rate:.1f} genes/s{extrapolated}: {len(every) / rate / 60:.1f} min "
              f"(aim < 10 min, >= 35 genes/s) [{_load()}]")
        print(f"   {out.splitlines()[0]}")
    if opts.only in (None, "skip"):
        wall, out = _run(["draft", "--file", str(listing), "--jobs", str(opts.jobs)], env)
        print(f"2. the same command again (every gene skipped): {wall:.1f} s for "
              f"{len(genes):,} genes{extrapolated}: {wall * scale:.1f} s (aim < 30 s) "
              f"[{_load()}]")
        print(f"   {out.splitlines()[0]}")
    if opts.only in (None, "model"):
        _model(opts, every[:opts.model_genes], tmp)
    if opts.only in (None, "publish"):
        wall, out = _run(["review", "accept", "--clean"], env)
        print(f"   accept --clean: {wall:.1f} s ({out.splitlines()[-1]})")
        posts = tmp / "site"
        first, out = _run(["publish", "--out", str(posts), "--site"], env)
        n = len(list((posts / "_posts").glob("*.md")))
        print(f"4. publish of {n:,} accepted drafts, first run: {first:.1f} s"
              + (f"{extrapolated.replace('protein-coding genes', 'posts')}: "
                 f"{first * scale / 60:.1f} min" if scale != 1 else "") + f" [{_load()}]")
        again, out = _run(["publish", "--out", str(posts), "--site"], env)
        print(f"   incremental run (nothing changed): {again:.1f} s"
              + (f"{extrapolated.replace('protein-coding genes', 'posts')}: "
                 f"{again * scale:.1f} s" if scale != 1 else "") + f"; {out.splitlines()[-1]}")


# The scripted endpoint runs in its own process, as a real server would: in this one it
# would take its CPU from the same interpreter lock as the drafting it is measured against.
_ENDPOINT = """
import json, sys, threading, time
sys.path.insert(0, sys.argv[1])
from test_draft_helpers import LoopbackServer, Script, completion, good_answer
latency, slots = float(sys.argv[2]), threading.BoundedSemaphore(int(sys.argv[3]))

held = []  # (start, end) of each slot's use, on the machine's monotonic clock

class Slots(Script):
    def next(self, body, headers):
        with slots:  # a request waits for a free slot, then takes `latency` seconds
            start = time.monotonic()
            time.sleep(latency)
            try:
                return super().next(body, headers)
            finally:
                held.append((start, time.monotonic()))

script = Slots(lambda body, n: (200, completion(good_answer(body)), {}))
with LoopbackServer(script) as server:
    print(server.base_url, flush=True)
    sys.stdin.read()
    print(json.dumps(held), flush=True)
"""


def _model(opts: Any, genes: list[int], tmp: Path) -> None:
    """Figure 3, and the ceiling CPU puts on it: each answer is checked (and the page at the
    end) in threads of a worker process, so requests/s cannot pass cores / CPU per request."""
    from writer.bulk import draft_many, processes_for
    from writer.config import load_settings

    endpoint = subprocess.Popen(
        [sys.executable, "-c", _ENDPOINT, str(ROOT / "tests"), str(opts.latency),
         str(opts.slots)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        os.environ["OPENAI_BASE_URL"] = endpoint.stdout.readline().strip()  # type: ignore[union-attr]
        os.environ["GENE_WRITER_QUEUE"] = str(tmp / "model-queue.sqlite")
        settings = load_settings()
        draft_many([str(genes[0])], settings=settings, model="scripted", date="2025-01-17",
                   force=True)  # vocabularies and the SDK loaded before the clock starts
        cpu, start, began = _cpu(), time.perf_counter(), time.monotonic()
        result = draft_many([str(g) for g in genes], settings=settings, model="scripted",
                            jobs=opts.jobs_model or opts.slots, date="2025-01-17",
                            force=True, processes=opts.processes)
        wall, cpu = time.perf_counter() - start, _cpu() - cpu
        ended = time.monotonic()
    finally:
        out, _ = endpoint.communicate("", timeout=60)
    n = max(1, result.usage.get("model_calls", 0))
    # how busy the endpoint's slots were while the run lasted (the warm-up gene left out)
    busy = sum(max(0.0, min(b, ended) - max(a, began))
               for a, b in json.loads(out.splitlines()[-1]))
    ideal = n * opts.latency / opts.slots
    per_request = cpu / n
    jobs = opts.jobs_model or opts.slots
    processes = opts.processes or processes_for(len(genes), jobs)
    # each worker process drafts in threads: one CPU at a time (the GIL), at most the cores
    cores = min(processes, os.cpu_count() or 1)
    ceiling = min(1.0, cores / per_request * opts.latency / opts.slots)
    print(f"3. model drafting of {len(genes)} genes, scripted endpoint in its own process "
          f"({opts.latency * 1000:.0f} ms, {opts.slots} slots), --jobs {jobs}: about "
          f"{n:,} requests in {wall:.1f} s; ideal {ideal:.1f} s; throughput {ideal / wall:.0%} "
          f"of the slots [{_load()}]")
    print(f"   the endpoint's slots were busy {busy / (opts.slots * wall):.0%} of the run "
          f"(a slot is held for the latency and the endpoint's own work on the answer)")
    print(f"   drafting CPU {per_request * 1000:.0f} ms per request (checks included, worker "
          f"processes too): {processes} worker process{'es' * (processes != 1)} "
          f"({cores} core{'s' * (cores != 1)}) allow at most {ceiling:.0%} of these slots")
    if opts.timeline:
        spans = json.loads(out.splitlines()[-1])
        bins = []
        t = began
        while t < ended:
            bins.append(sum(max(0.0, min(b, t + 1) - max(a, t)) for a, b in spans) / opts.slots)
            t += 1
        print("   busy per second: " + " ".join(f"{b:.0%}" for b in bins))
        firsts = sorted(a - began for a, _ in spans)[:opts.slots]
        lasts = sorted(ended - b for _, b in spans)[:5]
        print("   first slots taken at (s): " + " ".join(f"{x:.2f}" for x in firsts))
        print("   run ended after the last answers by (s): " + " ".join(f"{x:.2f}" for x in lasts))
    print(f"   {result.summary()[0]}")
    print(f"   {result.summary()[-1]}")


if __name__ == "__main__":
    main()
