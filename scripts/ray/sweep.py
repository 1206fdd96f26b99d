"""A sweep fanned out with Ray: TASKS Ray tasks each run their share of the
grid (`ibp sweep --tasks N --task-index I`) into their own file in OUT, then
the driver merges them (`ibp sweep merge`) and prints the merged lines. On a
cluster, start Ray there (`ray start --head`, then `ray start --address=...`
on each node, with ibp on every PATH and OUT on a shared file system) and
run this with RAY_ADDRESS set; without it Ray starts on this machine.

    python scripts/ray/sweep.py --link LINK --grid GRID --steps N --out DIR \
        [--tasks N] [--jobs J] [--ibp PATH]

A task run again skips the runs its file already holds, so a failed task
is retried by Ray (max_retries) without repeating finished runs.
"""
import argparse
import os
import subprocess
import sys

import ray


@ray.remote(max_retries=2)
def task(ibp, link, grid, steps, out, tasks, index, jobs):
    """One task's share of the grid; returns its stderr summary."""
    done = subprocess.run(
        [ibp, "sweep", "--link", link, "--grid", grid, "--steps", str(steps),
         "--out", out, "--tasks", str(tasks), "--task-index", str(index),
         "--jobs", str(jobs)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"task {index}: ibp exited {done.returncode}: {done.stderr}")
    return done.stderr.strip()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--link", required=True)
    parser.add_argument("--grid", required=True)
    parser.add_argument("--steps", type=int, required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--tasks", type=int, default=4)
    parser.add_argument("--jobs", type=int, default=1, help="runs at once in each task")
    parser.add_argument("--ibp", default="ibp")
    args = parser.parse_args()
    ibp = os.path.abspath(args.ibp) if os.path.sep in args.ibp else args.ibp
    out = os.path.abspath(args.out)
    ray.init(address=os.environ.get("RAY_ADDRESS"), include_dashboard=False,
             log_to_driver=False)
    pending = [task.options(num_cpus=args.jobs).remote(
        ibp, args.link, args.grid, args.steps, out, args.tasks, i, args.jobs)
        for i in range(args.tasks)]
    for summary in ray.get(pending):
        print(summary, file=sys.stderr)
    merged = subprocess.run([ibp, "sweep", "merge", out], check=False)
    sys.exit(merged.returncode)


if __name__ == "__main__":
    main()
