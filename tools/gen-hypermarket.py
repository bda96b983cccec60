#!/usr/bin/env python3
"""Writes scenarios/hypermarket.ron: a hypermarket of about 10,000 m² with 48 racks,
2,400 products, 40 staffed tills and 16 self-checkouts (docs in the file's header), and with
`--stress` its stress variant scenarios/stress/hypermarket-10k.ron.

The files are generated because nobody should type 2,400 product lines; the script is
deterministic (no randomness), so running it again gives the same files:

    python3 tools/gen-hypermarket.py > scenarios/hypermarket.ron
    python3 tools/gen-hypermarket.py --stress > scenarios/stress/hypermarket-10k.ron
"""

import sys

import math

W, H = 126, 84  # cells of 1 m: 124 × 82 m inside the walls ≈ 10,170 m²
RACKS_PER_BAND = 24
BAND_ROWS = [(8, 30), (34, 56)]  # first and last+1 row of each band of racks
PRODUCTS_PER_SHELF = 50
TILLS, SELF = 40, 16
TILL_ROW, SELF_ROW = 66, 74

# Store 1 of the POS data (Antczak & Weron 2019), customers per clock hour.
STORE1 = [13.1, 150.8, 213.8, 260.7, 334.3, 378.1, 388.5, 377.8, 348.8, 325.5, 333.7,
          351.5, 332.9, 276.9, 205.2, 166.5]
SCALE = 3.5  # an assumption: a hypermarket with 3.5× the customers of store 1
BASKET = [0.07045, 0.06802, 0.06475, 0.06135, 0.06058, 0.05452, 0.05081, 0.04663, 0.04524,
          0.03889, 0.03671, 0.03243, 0.03058, 0.02823, 0.02528, 0.02115, 0.02063, 0.01913,
          0.01733, 0.01541, 0.01402, 0.01237, 0.01168, 0.01011, 0.00979, 0.00935, 0.00768,
          0.00740, 0.00764, 0.00674, 0.00630, 0.00523, 0.00588, 0.00486, 0.00457, 0.00466,
          0.00374, 0.00368, 0.00348, 0.00325, 0.00304, 0.00281, 0.00251, 0.00243, 0.00227,
          0.00227, 0.00194, 0.00217, 0.00185, 0.00170, 0.00138, 0.00162, 0.00160, 0.00138,
          0.00102, 0.00133, 0.00117, 0.00136, 0.00109, 0.00099]
BASKET_61_PLUS = 0.01352

DEPARTMENTS = [
    "produce", "bakery", "dairy", "cheese", "meat", "poultry", "fish", "frozen", "icecream",
    "water", "softdrinks", "juice", "beer", "wine", "spirits", "snacks", "sweets", "biscuits",
    "canned", "pasta", "rice", "sauces", "spices", "oil", "breakfast", "coffee", "tea",
    "baking", "deli", "ready", "household", "cleaning", "laundry", "paper", "personal",
    "haircare", "cosmetics", "pharmacy", "baby", "pet", "garden", "kitchen", "textiles",
    "toys", "stationery", "electronics", "diy", "seasonal",
]
assert len(DEPARTMENTS) == 2 * RACKS_PER_BAND

CHARS = ([chr(c) for c in range(ord("a"), ord("z") + 1)]
         + [c for c in "ABCDFHJKLMNOPQUVWYZ"] + list("0123456789"))


ENTRY_ROW, GATE_ROW = 80, 79
ENTRY_GATES, EXIT_GATES = 20, 28


def layout(gates=False):
    grid = [["." for _ in range(W)] for _ in range(H)]
    for x in range(W):
        grid[0][x] = grid[H - 1][x] = "#"
    for y in range(H):
        grid[y][0] = grid[y][W - 1] = "#"
    # Backroom along the top left, its door to the right of it.
    for y in (1, 2, 3):
        for x in range(1, 41):
            grid[y][x] = "R"
    for x in range(1, 41):
        grid[4][x] = "#"
    legend = {}
    shelf = 0
    for top, bottom in BAND_ROWS:
        for k in range(RACKS_PER_BAND):
            x0 = 4 + 5 * k
            ch = CHARS[shelf]
            legend[ch] = DEPARTMENTS[shelf]
            for y in range(top, bottom):
                grid[y][x0] = grid[y][x0 + 1] = ch
            shelf += 1
    for i in range(TILLS):
        grid[TILL_ROW][3 + 3 * i] = "T"
    for i in range(SELF):
        grid[SELF_ROW][39 + 3 * i] = "S"
    for x in range(2, 8):
        grid[H - 1][x] = "E"
    for x in range(W - 8, W - 2):
        grid[H - 1][x] = "X"
    if gates:
        for i in range(ENTRY_GATES):
            grid[ENTRY_ROW][2 + 2 * i] = "I"
        for i in range(EXIT_GATES):
            grid[GATE_ROW][W - 3 - 2 * i] = "G"
    return ["".join(r) for r in grid], legend


def products(demand=1.0):
    """2,400 products, 50 a department; Zipf-like popularity (exponent 0.6) over a
    deterministic interleaving of the departments, so every department has best sellers."""
    n = len(DEPARTMENTS) * PRODUCTS_PER_SHELF
    customers = SCALE * sum(STORE1)
    mean_basket = sum((i + 1) * p for i, p in enumerate(BASKET)) + 75 * BASKET_61_PLUS
    weights = [1.0 / (r + 1) ** 0.6 for r in range(n)]
    total = sum(weights)
    out = []
    for d, dept in enumerate(DEPARTMENTS):
        for j in range(PRODUCTS_PER_SHELF):
            rank = j * len(DEPARTMENTS) + (d * 7) % len(DEPARTMENTS)
            share = weights[rank] / total
            daily = share * customers * mean_basket * demand
            capacity = int(min(400 * demand, max(24, round(daily * 0.3 / 6) * 6)))
            backroom = int(math.ceil(daily * 1.3 / 10) * 10)
            price = round(0.49 + ((d * 37 + j * 53) % 100) / 100 * 9.5, 2)
            out.append((f"{dept}-{j + 1:02}", f"{dept.capitalize()} {j + 1}", price, dept,
                        capacity, backroom, weights[rank] / weights[0] * 2.0))
    return out


def stress():
    rows, legend = layout(gates=True)
    print("""// stress/hypermarket-10k.ron — the hypermarket with over 10,000 customers in the store at
// its peak, to measure speed, memory and the view at that scale (generated by
// tools/gen-hypermarket.py --stress; README, Speed).
//
// Everything as in hypermarket.ron except:
// - customers: 10 times the arrivals (about 156,000 a day, 13,600 an hour at noon) who
//   browse: 2 to 5 minutes per item instead of 4 to 12 s, so a trip lasts about an hour;
// - layout: 20 entrance gates (I) inside the entrance and 28 exit gates (G) before the exits;
// - products: 10 times the stock (shelf capacity and backroom), and 240 restockers;
// - segments: 90 % shop cashierless (no checkout queue: check in at an entrance gate, walk
//   out through an exit gate), 10 % use the tills and self-checkouts as before;
// - cashierless: check-in 3 s, 0.2 % of items missed and 0.2 % charged wrongly (assumptions,
//   as in checkout/cashierless.ron).
// Nothing here is meant to be realistic: no store holds 10,000 browsing customers. It is a
// load test.
//
// Run it:  storelab run scenarios/stress/hypermarket-10k.ron
(
    extends: "../hypermarket.ron",
    name: "Hypermarket stress test (10,000+ customers inside)",
    description: "10x the hypermarket's arrivals, browsing for about an hour; 90 % walk out through gates.",
    layout: (
        cell_size: 1.0,
        rows: [""")
    for r in rows:
        print(f'            "{r}",')
    print("        ],\n        legend: {")
    for ch, name in legend.items():
        print(f"            '{ch}': Shelf(\"{name}\"),")
    print("""            'T': Checkout("till"),
            'S': Checkout("self"),
            'G': Checkout("gate"),
            'I': Checkout("entry"),
        },
    ),""")
    print_products(10.0)
    print_customers("        arrival_multiplier: 10.0,\n", "Uniform(min: 120.0, max: 300.0)")
    print("""    checkouts: (
        strategy: LeastExpectedWait,
        groups: {
            "till": (kind: Staffed, service: PosRegression, queue: PerLane, open: 40, queue_side: Up),
            "self": (kind: SelfCheckout, service: PosRegression, queue: Shared, item_limit: 40, open: 16, queue_side: Up),
            "gate": (kind: Gate, queue: Shared, queue_side: Up),
            "entry": (kind: EntryGate, queue: Shared, queue_side: Up),
        },
    ),
    segments: {
        "classic": (checkout: Lanes),
        "walkout": (share: 0.9, checkout: Cashierless),
    },
    cashierless: (
        check_in: Constant(3.0),
        missed_per_item: 0.002,
        wrong_charge_per_item: 0.002,
    ),
    replenishment: (
        restockers: 240,
        threshold: 0.25,
        setup_time: 45.0,
        time_per_unit: 1.0,
        walking_speed: 1.2,
    ),
)""")


def print_products(demand=1.0):
    print("    products: [")
    last = None
    for pid, name, price, dept, cap, back, pop in products(demand):
        if dept != last:
            print(f"        // shelf \"{dept}\"")
            last = dept
        print(f"        (id: \"{pid}\", name: \"{name}\", price: {price:.2f}, shelf: \"{dept}\", "
              f"capacity: {cap}, backroom_stock: {back}, popularity: {pop:.4f}),")
    print("    ],")


def print_customers(extra, pick_time):
    """The `customers` section: store 1's hours scaled, `extra` lines, its baskets."""
    print("    customers: (\n        arrivals: Hourly(per_hour: {")
    for h, v in enumerate(STORE1):
        print(f"                \"{6 + h:02}:00\": {v * SCALE:.1f},")
    print("        }),\n" + extra + "        basket: Empirical([")
    pairs = [f"({i + 1}, {p:.5f})" for i, p in enumerate(BASKET)] + [f"(75, {BASKET_61_PLUS:.5f})"]
    for i in range(0, len(pairs), 8):
        print("            " + ", ".join(pairs[i:i + 8]) + ",")
    print(f"""        ]),
        walking_speed: Normal(mean: 1.34, sd: 0.2, min: 0.8, max: 1.7),
        pick_time: {pick_time},
    ),""")


def main():
    if sys.argv[1:] == ["--stress"]:
        stress()
        return
    rows, legend = layout()
    print("""// hypermarket.ron — a hypermarket of about 10,000 m² (generated by tools/gen-hypermarket.py;
// edit the script, not this file).
//
// Floor: 124 × 82 m inside the walls; 48 racks (one department each, 2 × 22 m) in two bands,
// 2,400 products (50 a department), a backroom along the top, 40 staffed tills and 16
// self-checkouts in front of the exits.
//
// Demand: the hourly profile of store 1 of the POS data (Antczak & Weron, Data 4(2):67, 2019)
// scaled by 3.5, about 15,600 customers a day with a peak of about 1,360 an hour at noon. The
// scale is an assumption: no source here gives a hypermarket's customer counts (German
// hypermarkets of this size are commonly quoted at 10,000 to 20,000 transactions a day).
// Baskets: store 1's basket sizes (mean 13.2 items); hypermarket baskets are larger, so this
// understates the walking and the checkout work (an assumption on the safe side for speed).
// Popularity: Zipf-like (exponent 0.6) over the 2,400 products, interleaved so that every
// department has best and slow sellers (an assumption). Shelf capacity about 30 % of a
// product's expected daily demand (24 to 400 units) and backroom stock 130 %.
// Service times, walking and picking as in supermarket.ron (sources there).
//
// Peak occupancy: about 280 customers in the store at noon (seed 2018: 282 at 12:07 in
// timeseries.csv of `storelab run --out`); trips last 10 minutes on average. A stress variant with over
// 10,000 customers at its peak is scenarios/stress/hypermarket-10k.ron.
//
// Run it:  storelab run scenarios/hypermarket.ron
(
    name: "Hypermarket (10,000 m², 2,400 products)",
    description: "48 departments, 40 tills (30 open) and 16 self-checkouts; store 1 demand x 3.5.",
    seed: 2018,
    hours: Daily(open: "06:00", close: "22:00"),
    layout: (
        cell_size: 1.0,
        rows: [""")
    for r in rows:
        print(f'            "{r}",')
    print("        ],\n        legend: {")
    for ch, name in legend.items():
        print(f"            '{ch}': Shelf(\"{name}\"),")
    print("            'T': Checkout(\"till\"),\n            'S': Checkout(\"self\"),\n        },\n    ),")
    print_products()
    print_customers("", "Uniform(min: 4.0, max: 12.0)")
    print("""    checkouts: (
        strategy: LeastExpectedWait,
        groups: {
            "till": (kind: Staffed, service: PosRegression, queue: PerLane, open: 30, queue_side: Up),
            "self": (kind: SelfCheckout, service: PosRegression, queue: Shared, item_limit: 40, open: 16, queue_side: Up),
        },
    ),
    replenishment: (
        restockers: 24,
        threshold: 0.25,
        setup_time: 45.0,
        time_per_unit: 1.0,
        walking_speed: 1.2,
    ),
)""")


main()
