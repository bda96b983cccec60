//! Scenarios that once passed `validate` and then panicked or hung in `run` (issue 8, item 3):
//! each is now rejected with its field path and exit status 2, in the library and the CLI.

mod common;

use std::path::Path;
use std::process::{Command, Output};
use std::time::Instant;

use common::*;
use storelab::Simulation;
use storelab::sim::events::Agenda;
use storelab::sim::metrics::{Metrics, SampleDue, phase_counts};

fn storelab(args: &[&str]) -> Output {
    Command::new(bin())
        .args(args)
        .output()
        .expect("run storelab")
}

fn minimal_text() -> String {
    read(&scenario_path("minimal.ron"))
}

/// `minimal.ron` with each `(from, to)` replaced; panics if a pattern is missing (so a change
/// of the shipped file cannot make a test vacuous).
fn minimal_with(edits: &[(&str, &str)]) -> String {
    let mut text = minimal_text();
    for (from, to) in edits {
        assert!(text.contains(from), "minimal.ron lacks {from:?}");
        text = text.replace(from, to);
    }
    text
}

/// The scenario text is rejected: the library names every `(path, words)`, and both
/// `storelab validate` and `storelab run` exit 2 with those messages and no panic.
fn rejected(text: &str, expected: &[(&str, &str)]) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("case.ron");
    std::fs::write(&file, text).unwrap();
    let f = file.to_str().unwrap();
    match storelab::scenario::load(Path::new(f)) {
        Ok(_) => panic!("accepted; expected {expected:?}"),
        Err(e) => {
            let msg = e.to_string();
            for (path, words) in expected {
                assert!(
                    msg.contains(path) && msg.contains(words),
                    "expected `{path}: …{words}…` in:\n{msg}"
                );
            }
        }
    }
    for cmd in ["validate", "run"] {
        let o = storelab(&[cmd, f]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{cmd}: {err}");
        assert!(!err.contains("panicked"), "{cmd}: {err}");
        for (path, words) in expected {
            assert!(err.contains(path) && err.contains(words), "{cmd}: {err}");
        }
    }
}

#[test]
fn a_lane_group_in_the_legend_without_a_drawn_lane_is_rejected() {
    // Was: validate ok, run panicked (index out of bounds) for a Shared queue with no lane.
    for queue in ["Shared", "PerLane"] {
        let text = minimal_with(&[
            (
                "'c': Checkout(\"till\"),",
                "'c': Checkout(\"till\"), 's': Checkout(\"self\"),",
            ),
            (
                "groups: {",
                &format!("groups: {{ \"self\": (kind: SelfCheckout, queue: {queue}),"),
            ),
        ]);
        rejected(
            &text,
            &[(
                "checkouts.groups[\"self\"]",
                "no lane of this group is drawn",
            )],
        );
    }
}

#[test]
fn every_entrance_must_reach_the_shelves_the_lanes_and_an_exit() {
    // Was: validate ok because the other entrance reaches everything; customers entering at
    // the walled-in one were never seen again and every KPI ran to closing + 4 h.
    let text = minimal_with(&[(
        "\"############\",\n            \"#R",
        "\"#E##########\",\n            \"#R",
    )]);
    rejected(
        &text,
        &[
            (
                "products[0].shelf",
                "shelf \"fruit\" cannot be reached from the entrance at row 1, column 2",
            ),
            (
                "products[2].shelf",
                "shelf \"dairy\" cannot be reached from the entrance at row 1, column 2",
            ),
            (
                "checkouts.groups[\"till\"]",
                "lane till-1 cannot be reached from the entrance at row 1, column 2",
            ),
            (
                "layout.rows",
                "no exit can be reached from the entrance at row 1, column 2",
            ),
        ],
    );
}

#[test]
fn non_finite_numbers_are_rejected_wherever_they_are() {
    // Was: a Poisson basket mean of inf or NaN made validate itself panic.
    for bad in ["inf", "NaN", "-inf"] {
        rejected(
            &minimal_with(&[("Poisson(mean: 3.0)", &format!("Poisson(mean: {bad})"))]),
            &[("customers.basket.mean", "must be a finite number")],
        );
    }
    rejected(
        &minimal_with(&[
            ("price: 0.99", "price: NaN"),
            ("sd: 0.2", "sd: inf"),
            ("time_per_unit: 3.0", "time_per_unit: NaN"),
        ]),
        &[
            ("products[2].price", "must be a finite number"),
            ("customers.walking_speed.sd", "must be a finite number"),
            ("replenishment.time_per_unit", "must be a finite number"),
        ],
    );
}

#[test]
fn clock_times_with_huge_hours_are_rejected_not_overflowed() {
    // Was: hours × 3600 overflowed a u32.
    for close in ["99999999:00", "4294967295:00", "8785:00"] {
        let text = minimal_with(&[("close: \"12:00\"", &format!("close: \"{close}\""))]);
        rejected(
            &text,
            &[("case.ron:", "is too far; clock times go up to 8784:00")],
        );
    }
    assert!(storelab::scenario::ClockTime::parse("8784:00").is_ok());
}

#[test]
fn hourly_rates_must_start_at_least_an_hour_apart() {
    // Was: "07:30" and "08:00" made two overlapping hours, a process matching neither rate.
    let text = minimal_with(&[(
        "Poisson(per_hour: 40.0)",
        "Hourly(per_hour: { \"07:30\": 40.0, \"08:00\": 60.0, \"09:00\": 50.0 })",
    )]);
    rejected(
        &text,
        &[(
            "customers.arrivals.per_hour[\"08:00:00\"]",
            "starts 30 min after \"07:30:00\"",
        )],
    );
    // Hours one after the other are fine.
    let fine = minimal_with(&[(
        "Poisson(per_hour: 40.0)",
        "Hourly(per_hour: { \"08:00\": 40.0, \"09:00\": 60.0, \"10:30\": 50.0 })",
    )]);
    assert!(
        storelab::scenario::parse_str(&fine, "fine.ron")
            .map(storelab::scenario::validate::check)
            .unwrap()
            .is_ok()
    );
}

#[test]
fn popularities_must_lie_in_a_sane_range() {
    // Was: every popularity 5e-324 passed (> 0) and the run panicked building the sampler.
    let mut text = minimal_text();
    for p in ["3.0", "2.0", "4.0", "1.0"] {
        text = text.replace(&format!("popularity: {p})"), "popularity: 5e-324)");
    }
    rejected(
        &text,
        &[
            ("products[0].popularity", "5e-324 is out of range"),
            ("products[3].popularity", "expected 1e-6 to 1000000000"),
        ],
    );
    rejected(
        &minimal_with(&[("popularity: 1.0)", "popularity: 2e9)")]),
        &[("products[3].popularity", "out of range")],
    );
}

#[test]
fn a_run_too_big_for_memory_is_rejected_up_front() {
    // Was: Poisson(per_hour: 50000) over 100 h validated (5 M customers) and aborted
    // allocating customer records.
    let text = minimal_with(&[
        (
            "Daily(open: \"08:00\", close: \"12:00\")",
            "Duration(hours: 100.0)",
        ),
        ("Poisson(per_hour: 40.0)", "Poisson(per_hour: 50000.0)"),
    ]);
    rejected(
        &text,
        &[(
            "customers.arrivals",
            "about 5000000 customers expected; at most 500000",
        )],
    );
}

#[test]
fn a_run_with_too_much_work_is_rejected_up_front() {
    // 40,000 customers with 1,000 items each: 40 million picks.
    let text = minimal_with(&[
        (
            "Daily(open: \"08:00\", close: \"12:00\")",
            "Duration(hours: 100.0)",
        ),
        ("Poisson(per_hour: 40.0)", "Poisson(per_hour: 400.0)"),
        ("Poisson(mean: 3.0)", "Constant(1000)"),
    ]);
    rejected(
        &text,
        &[(
            "customers",
            "about 40000000 items expected (40000 customers × 1000.0 items)",
        )],
    );
}

#[test]
fn an_overloaded_queue_with_one_second_samples_finishes_at_the_hard_stop() {
    // Was: M/M/1 at 50 × its rate with 1 s samples ran for minutes, each sample walking every
    // customer inside. Now a sample costs O(queues) and the run stops 4 h after closing.
    let mut s = (*load("validation/mm1-rho085.ron")).clone();
    s.customers.arrival_multiplier = 50.0;
    s.metrics.sample_interval = 1.0;
    let s = valid(s);
    let start = Instant::now();
    let out = run(&s, 1);
    let secs = start.elapsed().as_secs_f64();
    let sum = &out.summary;
    assert!(sum.customers.inside_at_end > 200_000, "{:?}", sum.customers);
    assert_eq!(sum.end, "104:00:00", "the run ends at the hard stop");
    let last = out.samples.last().unwrap();
    assert_eq!(
        last.shopping + last.queueing + last.in_service,
        last.in_store
    );
    assert!(last.queueing > 200_000);
    // Generous for a debug build on a shared machine; the release binary takes about 1 s.
    assert!(secs < 120.0, "took {secs:.1} s");
}

#[test]
fn sample_counts_by_phase_match_the_customers_phases() {
    // The sample counts come from the queues and lanes; check them against each customer's
    // phase at many moments of busy days.
    use storelab::sim::checkout::{Checkout, CheckoutQueue, Lane};
    use storelab::sim::customer::{Customer, Phase};
    use storelab::sim::inventory::Inventory;
    for file in ["supermarket.ron", "self-checkout.ron"] {
        let s = load(file);
        let mut sim = Simulation::new(&s, 9);
        let mut t = sim.now();
        let mut checked = 0;
        while !sim.finished() {
            t += 397.0;
            sim.run_until(t);
            let world = sim.world_mut();
            let mut by_phase = (0u64, 0u64, 0u64);
            let mut q = world.query::<&Customer>();
            for c in q.iter(world) {
                match c.phase {
                    Phase::Shopping | Phase::Leaving => by_phase.0 += 1,
                    Phase::Queueing { .. } => by_phase.1 += 1,
                    Phase::InService { .. } => by_phase.2 += 1,
                }
            }
            let checkout = world.resource::<Checkout>();
            let waiting: Vec<u32> = checkout
                .queues
                .iter()
                .map(|&e| world.get::<CheckoutQueue>(e).unwrap().waiting.len() as u32)
                .collect();
            let busy = checkout
                .lanes
                .iter()
                .filter(|&&e| world.get::<Lane>(e).unwrap().serving.is_some())
                .count() as u32;
            let in_store = world.resource::<Metrics>().in_store;
            assert_eq!(
                phase_counts(in_store, &waiting, busy),
                by_phase,
                "{file} at {t}"
            );
            let inventory = world.resource::<Inventory>();
            assert_eq!(
                inventory.lost_total(),
                inventory.all_flows().map(|f| f.lost).sum::<u64>()
            );
            assert_eq!(
                inventory.empty_now(),
                inventory
                    .all_flows()
                    .filter(|f| f.empty_since.is_some())
                    .count() as u64
            );
            checked += usize::from(by_phase.1 > 0);
        }
        assert!(
            checked > 10,
            "{file}: too few moments with a queue ({checked})"
        );
    }
}

#[test]
fn an_event_at_an_impossible_time_stops_the_store_with_a_fault() {
    // No validated scenario should produce one; if a bug does, the run must stop and say so.
    let s = load("minimal.ron");
    let mut sim = Simulation::new(&s, 1);
    sim.run_until(9.0 * 3600.0);
    let now = sim.now();
    sim.world_mut()
        .resource_mut::<Agenda>()
        .schedule(now - 10.0, SampleDue);
    sim.run_to_end();
    let fault = sim.fault().expect("a fault").clone();
    assert_eq!(fault.time, now - 10.0);
    assert!(sim.finished());
    assert!(sim.now() < 12.0 * 3600.0, "the run stopped at the fault");
    // A run of a validated scenario has none.
    assert!(storelab::run(&s, 1).is_ok());
}

#[test]
fn a_restockers_walking_speed_too_small_to_arrive_is_rejected() {
    // 5e-324 m/s is "greater than 0" but every walk would take forever (a fuzz finding).
    for speed in ["5e-324", "0.01", "0.0"] {
        rejected(
            &minimal_with(&[(
                "time_per_unit: 3.0)",
                &format!("time_per_unit: 3.0, walking_speed: {speed})"),
            )]),
            &[("replenishment.walking_speed", "expected 0.05 to 5 m/s")],
        );
    }
}
