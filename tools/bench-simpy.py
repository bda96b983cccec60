#!/usr/bin/env python3
"""storelab against a SimPy peer, in one run: how many times faster is a storelab day?

The peer is the supermarket day as a queue-only SimPy model: the same arrivals (store 1's
hourly profile, Poisson within each hour), the same basket sizes and the same service-time
regression (Antczak, Weron & Zabawa 2020), 6 staffed tills with a queue each and 6
self-checkouts sharing a queue (baskets up to 40 items), each customer joining the line with
the fewest customers per lane. It has no floor, no walking, no shelves, no stock and no
restocking, all of which storelab simulates as well. It does strictly less work.

Timed, as medians over --runs repetitions, one after the other on one core:
  - the SimPy day, in process (perf_counter around env.run), SimPy from PyPI;
  - `storelab run scenarios/supermarket.ron` as a whole process, with its start-up and its
    KPI table printed to a pipe;
  - storelab's day in process, from `storelab bench` (the same median it reports).

Usage (the release build first):
    cargo build --release
    python3 tools/bench-simpy.py [--runs 20] [--storelab target/release/storelab]
"""

import argparse
import math
import os
import random
import re
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def need_simpy():
    try:
        import simpy  # noqa: F401
    except ImportError:
        print("bench-simpy: installing SimPy 4.1.1 from PyPI for this user", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--user",
                        "simpy==4.1.1"], check=True)
        import site
        sys.path.append(site.getusersitepackages())
    import simpy
    return simpy


def store1_profile():
    """Customers per hour of store 1, as in scenarios/supermarket.ron (Antczak & Weron 2019)."""
    text = open(os.path.join(ROOT, "scenarios", "supermarket.ron")).read()
    block = text[text.index("Hourly(per_hour:"):]
    block = block[:block.index("})")]
    return [(int(h), float(v)) for h, v in re.findall(r'"(\d\d):00": ([0-9.]+)', block)]


def store1_baskets():
    """Basket sizes and shares, as in scenarios/supermarket.ron (61+ entered as 75 items)."""
    text = open(os.path.join(ROOT, "scenarios", "supermarket.ron")).read()
    block = text[text.index("basket: Empirical(["):]
    block = block[:block.index("])")]
    pairs = re.findall(r"\((\d+), ([0-9.]+)\)", block)
    return [int(n) for n, _ in pairs], [float(p) for _, p in pairs]


def simpy_day(simpy, seed, profile, baskets):
    rng = random.Random(seed)
    env = simpy.Environment()
    tills = [simpy.Resource(env, capacity=1) for _ in range(6)]
    sco = simpy.Resource(env, capacity=6)
    waits = []
    sizes, weights = baskets

    def staffed_time(n):
        return (math.exp(2.121935 + 0.698402 * math.log(n) + rng.gauss(0, 0.4379083))
                + rng.gammavariate(3.074209, 4.830613))

    def sco_time(n):
        return (math.exp(3.122328 + 0.672461 * math.log(n) + rng.gauss(0, 0.4907405))
                + math.exp(3.51669 + 0.22300 * math.log(n) + rng.gauss(0, 0.4820532)))

    def load(res):
        return (len(res.queue) + res.count) / res.capacity

    def customer(n):
        choices = [(load(t), i) for i, t in enumerate(tills)]
        if n <= 40:
            choices.append((load(sco), -1))
        _, pick = min(choices)
        res, service = (sco, sco_time) if pick == -1 else (tills[pick], staffed_time)
        arrived = env.now
        with res.request() as req:
            yield req
            waits.append(env.now - arrived)
            yield env.timeout(service(n))

    def arrivals():
        for hour, per_hour in profile:
            start, end = hour * 3600.0, (hour + 1) * 3600.0
            if env.now < start:
                yield env.timeout(start - env.now)
            t = start
            while True:
                t += rng.expovariate(per_hour / 3600.0)
                if t >= end:
                    break
                yield env.timeout(t - env.now)
                env.process(customer(rng.choices(sizes, weights)[0]))

    env.process(arrivals())
    start = time.perf_counter()
    env.run()
    return time.perf_counter() - start, len(waits), statistics.fmean(waits)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--storelab", default=os.path.join(ROOT, "target", "release", "storelab"))
    args = ap.parse_args()
    if not os.access(args.storelab, os.X_OK):
        sys.exit(f"bench-simpy: no storelab binary at {args.storelab} (cargo build --release)")
    simpy = need_simpy()
    profile, baskets = store1_profile(), store1_baskets()
    scenario = os.path.join(ROOT, "scenarios", "supermarket.ron")

    simpy_times, customers, wait = [], 0, 0.0
    for i in range(args.runs + 1):
        dt, customers, wait = simpy_day(simpy, 1000 + i, profile, baskets)
        if i:  # the first run warms up
            simpy_times.append(dt)

    process_times = []
    for i in range(args.runs + 1):
        start = time.perf_counter()
        subprocess.run([args.storelab, "run", scenario], check=True, stdout=subprocess.PIPE)
        if i:
            process_times.append(time.perf_counter() - start)

    out = subprocess.run([args.storelab, "bench", scenario, "--runs", str(args.runs),
                          "--replications", "0"], check=True, capture_output=True, text=True)
    found = re.search(r"median ([0-9.]+) ms", out.stdout)
    in_process = float(found.group(1)) / 1000 if found else float("nan")

    s, p = statistics.median(simpy_times), statistics.median(process_times)
    print(f"SimPy {simpy.__version__} queue-only day: {customers} customers, mean wait "
          f"{wait:.1f} s; median of {args.runs}: {s * 1000:.1f} ms (in process)")
    print(f"storelab run scenarios/supermarket.ron (whole process, with floor, walking, "
          f"shelves, stock): median of {args.runs}: {p * 1000:.1f} ms")
    print(f"storelab day in process (storelab bench): median {in_process * 1000:.1f} ms")
    print(f"ratio SimPy day / storelab process: {s / p:.1f}x; "
          f"SimPy day / storelab day in process: {s / in_process:.1f}x")


if __name__ == "__main__":
    main()
