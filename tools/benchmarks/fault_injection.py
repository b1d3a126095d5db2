"""Kill pipelines with SIGKILL at random points, resume them, and compare with a clean run.

For every pipeline config: one uninterrupted run, then one run that is killed ``--kills`` times
at random moments (uniform over a window of each attempt's start) and resumed each time with
``tools/train.py CONFIG --work-dir DIR --resume``, until it finishes. Then every stage's
structure file (``genotype.yaml`` / ``branches.yaml``) is compared byte for byte and every
``metrics.json`` value that is not a timing is compared exactly. Writes one JSON file: kills
survived, mismatches, durations.

Example (toy data first: ``tools/dataset_converters/make_toy_driving.py``, ``make_toy_dense.py``):
    python tools/benchmarks/fault_injection.py configs/mtnas/ssd_fcn_toy.py \
        configs/bmtas/toy_mnv2_pascal.py --kills 5 --out work_dirs/bench/fault_injection.json
"""
import argparse
import json
import os
import os.path as osp
import random
import shutil
import signal
import subprocess
import sys
import time
from typing import Dict, List

REPO = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))
STRUCTURE_FILES = ('genotype.yaml', 'branches.yaml')
# Measured, not computed: these may differ between two runs of the same search.
TIMING_KEYS = ('latency', 'time', 'fps', 'seconds')
STARTUP_SECONDS = 5.  # importing the OpenMMLab stack, before the first iteration


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('configs', nargs='+', help='pipeline (or single-run) configs')
    parser.add_argument('--kills', type=int, default=5, help='SIGKILLs per config')
    parser.add_argument('--seed', type=int, default=0, help='seed of the kill moments')
    parser.add_argument('--work-dir', default='work_dirs/bench/fault_injection')
    parser.add_argument('--out', default='work_dirs/bench/fault_injection.json')
    parser.add_argument('--cfg-options', nargs='+', default=[],
                        help='passed to every tools/train.py call')
    return parser.parse_args()


def _command(config: str, work_dir: str, options: List[str], resume: bool) -> List[str]:
    cmd = [sys.executable, osp.join(REPO, 'tools', 'train.py'), config, '--work-dir', work_dir]
    if resume:
        cmd.append('--resume')
    if options:
        cmd += ['--cfg-options', *options]
    return cmd


def _env() -> dict:
    return dict(os.environ, PYTHONPATH=REPO, OMP_NUM_THREADS=os.environ.get('OMP_NUM_THREADS',
                                                                            '1'))


def run_clean(config: str, work_dir: str, options: List[str]) -> float:
    """Run to the end; return the wall time."""
    start = time.perf_counter()
    subprocess.run(_command(config, work_dir, options, resume=False), check=True, env=_env(),
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return time.perf_counter() - start


def run_with_kills(config: str, work_dir: str, options: List[str], kills: int,
                   window: float, rng: random.Random) -> dict:
    """Start (then resume) the run, SIGKILL each attempt at a random moment within ``window``
    seconds of its start, ``kills`` times or until an attempt finishes first; then resume to
    the end."""
    moments, attempts = [], 0
    while len(moments) < kills:
        moment = rng.uniform(1., window)
        attempts += 1
        proc = subprocess.Popen(_command(config, work_dir, options, resume=attempts > 1),
                                env=_env(), stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        try:
            if proc.wait(timeout=moment) != 0:
                raise RuntimeError(f'{config}: attempt {attempts} failed with rc '
                                   f'{proc.returncode} before it was killed')
            break  # the run finished before this kill
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            moments.append(round(moment, 1))
    attempts += 1
    final = subprocess.run(_command(config, work_dir, options, resume=True), env=_env(),
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    return dict(kills=len(moments), kill_moments=moments, attempts=attempts,
                final_returncode=final.returncode,
                final_error=final.stderr.strip().splitlines()[-1:] if final.returncode else [])


def _is_timing(key: str) -> bool:
    return any(word in key.lower() for word in TIMING_KEYS)


def compare(clean: str, faulty: str) -> List[str]:
    """Every difference between two work dirs' structure files and non-timing metrics."""
    problems = []
    for root, _, files in os.walk(clean):
        rel = osp.relpath(root, clean)
        for name in files:
            a, b = osp.join(root, name), osp.join(faulty, rel, name)
            if name in STRUCTURE_FILES:
                if not osp.isfile(b):
                    problems.append(f'{osp.join(rel, name)}: missing after the kills')
                elif open(a, 'rb').read() != open(b, 'rb').read():
                    problems.append(f'{osp.join(rel, name)}: differs')
            elif name == 'metrics.json':
                if not osp.isfile(b):
                    problems.append(f'{osp.join(rel, name)}: missing after the kills')
                    continue
                ma, mb = json.load(open(a)), json.load(open(b))
                for key in sorted(set(ma) | set(mb)):
                    if not _is_timing(key) and ma.get(key) != mb.get(key):
                        problems.append(f'{osp.join(rel, name)}: {key} {ma.get(key)!r} != '
                                        f'{mb.get(key)!r}')
    return problems


def main() -> None:
    args = parse_args()
    rng = random.Random(args.seed)
    results: Dict[str, dict] = {}
    for config in args.configs:
        name = osp.splitext(osp.basename(config))[0]
        clean_dir = osp.join(args.work_dir, name, 'clean')
        faulty_dir = osp.join(args.work_dir, name, 'killed')
        for folder in (clean_dir, faulty_dir):  # finished stages would be skipped, not run
            shutil.rmtree(folder, ignore_errors=True)
        seconds = run_clean(config, clean_dir, args.cfg_options)
        # Each attempt resumes from its latest checkpoint: kills within a window of a share of
        # the clean duration leave the run some work for every attempt (start-up included).
        window = STARTUP_SECONDS + seconds / (args.kills + 1)
        outcome = run_with_kills(config, faulty_dir, args.cfg_options, args.kills, window, rng)
        mismatches = compare(clean_dir, faulty_dir)
        results[name] = dict(config=config, clean_seconds=round(seconds, 1),
                             kill_window_seconds=round(window, 1), **outcome,
                             mismatches=mismatches)
        print(f'{name}: {outcome["kills"]} kills, {len(mismatches)} mismatches', flush=True)
    summary = dict(kills_survived=sum(r['kills'] for r in results.values()
                                      if r['final_returncode'] == 0),
                   mismatches=sum(len(r['mismatches']) for r in results.values()),
                   pipelines=results)
    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    with open(args.out, 'w') as f:
        json.dump(summary, f, indent=2)
    print(json.dumps({k: v for k, v in summary.items() if k != 'pipelines'}))


if __name__ == '__main__':
    main()
