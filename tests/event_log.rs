//! The event log (`storelab run SCENARIO --events FILE`): it changes no result, every
//! journey in customers.csv can be rebuilt from it, and a KPI can be checked by hand from it.

mod common;

use std::collections::BTreeMap;

use common::*;
use storelab::Simulation;
use storelab::sim::engine::Clock;
use storelab::sim::event_log::LogRow;

/// Runs with the log on; returns the output and the log.
fn logged(name: &str, seed: u64) -> (storelab::RunOutput, Vec<LogRow>, f64) {
    let mut sim = Simulation::new(&load(name), seed);
    sim.enable_event_log();
    sim.run_to_end();
    let rows = sim.event_log().expect("enabled").rows.clone();
    let measure_from = sim.world().resource::<Clock>().measure_from;
    (sim.into_output().expect("no fault"), rows, measure_from)
}

/// `takes 2 x Milk (8 left); misses 1 x Bread (shelf empty)` → (2, 1).
fn taken_and_missed(what: &str) -> (u32, u32) {
    let number_after = |part: &str, word: &str| -> u32 {
        part.split(word)
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .map_or(0, |n| n.parse().expect("a count"))
    };
    what.split("; ").fold((0, 0), |(t, m), part| {
        (
            t + number_after(part, "takes "),
            m + number_after(part, "misses "),
        )
    })
}

#[test]
fn the_log_changes_no_result() {
    for (name, seed) in [("minimal.ron", 7), ("supermarket.ron", 3)] {
        let plain = run(&load(name), seed);
        let (with_log, rows, _) = logged(name, seed);
        assert!(rows.len() as u64 > plain.summary.events, "{name}");
        assert_eq!(plain.summary, with_log.summary, "{name}");
        assert_eq!(plain.records, with_log.records, "{name}");
        assert_eq!(plain.samples, with_log.samples, "{name}");
    }
}

/// Leaving out the heatmap (`storelab run` without `--report`) changes no other result.
#[test]
fn leaving_out_the_heatmap_changes_no_result() {
    let s = load("checkout/combined.ron");
    let full = run(&s, 5);
    let keep = storelab::sim::Keep {
        records: true,
        heat: false,
    };
    let bare = storelab::sim::run_keeping(&s, 5, keep).expect("no fault");
    assert_eq!(full.summary, bare.summary);
    assert_eq!(full.records, bare.records);
    assert_eq!(full.samples, bare.samples);
    assert_eq!(full.staffing, bare.staffing);
    assert!(full.heat.iter().filter(|&&x| x > 0.0).count() > 100);
    assert!(bare.heat.iter().all(|&x| x == 0.0));
}

#[test]
fn every_journey_can_be_rebuilt_from_the_log() {
    let (out, rows, _) = logged("supermarket.ron", 3);
    assert!(
        rows.windows(2).all(|w| w[0].time <= w[1].time),
        "rows in time order"
    );
    let mut by_customer: BTreeMap<u32, Vec<&LogRow>> = BTreeMap::new();
    for r in &rows {
        if let Some(c) = r.customer {
            by_customer.entry(c).or_default().push(r);
        }
    }
    assert_eq!(by_customer.len(), out.records.len());
    for rec in &out.records {
        let rows = &by_customer[&rec.id];
        let at = |event: &str| rows.iter().find(|r| r.event == event).map(|r| r.time);
        assert_eq!(rows[0].event, "ArrivalDue");
        assert_eq!(at("ArrivalDue"), Some(rec.arrival), "customer {}", rec.id);
        assert_eq!(at("CustomerLeft"), rec.exit, "customer {}", rec.id);
        assert_eq!(at("ServiceStart"), rec.service_start, "customer {}", rec.id);
        assert_eq!(at("CustomerPaid"), rec.service_end, "customer {}", rec.id);
        let joined = rows
            .iter()
            .find(|r| r.what.contains("joins queue"))
            .map(|r| r.time);
        assert_eq!(joined, rec.queue_joined, "customer {}", rec.id);
        let (taken, missed) =
            rows.iter()
                .filter(|r| r.event == "ReachShelf")
                .fold((0, 0), |(t, m), r| {
                    let (a, b) = taken_and_missed(&r.what);
                    (t + a, m + b)
                });
        assert_eq!(
            (taken, missed),
            (rec.items_bought, rec.items_lost),
            "customer {}",
            rec.id
        );
        if let Some(start) = rec.service_start {
            let service = rows.iter().find(|r| r.event == "ServiceStart").unwrap();
            assert!(
                service.place == format!("lane {}", rec.lane),
                "customer {} served at {} but logged at {}",
                rec.id,
                rec.lane,
                service.place
            );
            assert_eq!(service.time, start);
        }
    }
}

#[test]
fn the_mean_wait_can_be_checked_by_hand_from_the_log() {
    // What a student does with the CSV: for every customer who arrived in the KPI window,
    // wait = time of `ServiceStart` - time of the row where it `joins queue`.
    let (out, rows, measure_from) = logged("supermarket.ron", 11);
    let mut arrival = BTreeMap::new();
    let mut joined = BTreeMap::new();
    let mut waits = Vec::new();
    for r in &rows {
        let Some(c) = r.customer else { continue };
        match r.event {
            "ArrivalDue" => {
                arrival.insert(c, r.time);
            }
            "ServiceStart" if arrival[&c] >= measure_from => waits.push(r.time - joined[&c]),
            _ if r.what.contains("joins queue") => {
                joined.entry(c).or_insert(r.time);
            }
            _ => {}
        }
    }
    let kpi = &out.summary.waiting.stats;
    assert_eq!(waits.len() as u64, kpi.count);
    let mean = waits.iter().sum::<f64>() / waits.len() as f64;
    assert!(
        (mean - kpi.mean).abs() <= 1e-9 * kpi.mean.max(1.0),
        "{mean} vs {}",
        kpi.mean
    );
}

#[test]
fn restockers_and_shelves_have_their_timelines() {
    let (out, rows, _) = logged("supermarket.ron", 3);
    let refills: Vec<&LogRow> = rows.iter().filter(|r| r.event == "RefillDone").collect();
    assert!(!refills.is_empty());
    for r in refills {
        assert!(r.staff.is_some() && r.shelf.is_some(), "{r:?}");
        assert!(r.who.starts_with("restocker "), "{}", r.who);
        assert!(r.what.starts_with("puts "), "{}", r.what);
    }
    // Each restocker sets off (a row of its own) to the shelf it then refills, once per refill.
    for r in rows.iter().filter(|r| r.event == "RefillDone") {
        let set_off = rows
            .iter()
            .rev()
            .filter(|s| s.time <= r.time && s.staff == r.staff)
            .find(|s| s.event == "RestockerSetsOff")
            .unwrap_or_else(|| panic!("no RestockerSetsOff before {r:?}"));
        assert_eq!(set_off.shelf, r.shelf, "{set_off:?} then {r:?}");
        assert!(set_off.what.starts_with("takes "), "{}", set_off.what);
    }
    let count = |e: &str| rows.iter().filter(|r| r.event == e).count();
    assert_eq!(count("RestockerSetsOff"), count("RestockerAtShelf"));
    // Every stock-out a customer met is on its shelf's timeline.
    let missed: u32 = rows
        .iter()
        .filter(|r| r.event == "ReachShelf" && r.shelf.is_some())
        .map(|r| taken_and_missed(&r.what).1)
        .sum();
    assert_eq!(u64::from(missed), out.summary.sales.lost_items);
}

#[test]
fn run_events_writes_the_csv_and_refuses_what_it_must_not_replace() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("logs").join("events.csv");
    let o = std::process::Command::new(bin())
        .args(["run", scenario_path("minimal.ron").to_str().unwrap()])
        .args(["--seed", "7", "--events", file.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let (_, rows, _) = logged("minimal.ron", 7);
    let mut reader = csv::Reader::from_path(&file).unwrap();
    assert_eq!(
        reader.headers().unwrap(),
        vec!["time_s", "clock", "event", "who", "where", "what"]
    );
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), rows.len(), "one line per row");
    for (rec, row) in records.iter().zip(&rows) {
        let t: f64 = rec[0].parse().unwrap();
        assert!((t - row.time).abs() <= 5e-4);
        assert_eq!(&rec[2], row.event);
        assert_eq!(&rec[3], row.who);
        assert_eq!(&rec[4], row.place);
        assert_eq!(&rec[5], row.what);
    }
    // A folder in the way is refused before the run, with exit 1, and left alone.
    let folder = dir.path().join("taken");
    std::fs::create_dir(&folder).unwrap();
    std::fs::write(folder.join("keep.txt"), "mine").unwrap();
    let o = std::process::Command::new(bin())
        .args(["run", scenario_path("minimal.ron").to_str().unwrap()])
        .args(["--events", folder.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("cannot write"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(folder.join("keep.txt")).unwrap(),
        "mine"
    );
}

#[test]
fn every_kind_of_selection_has_a_timeline() {
    use storelab::sim::staff::{Role, StaffMember};
    use storelab::view::model::{Selection, timeline};
    // With attendants: every role of the store.
    let mut sim = Simulation::new(&load("checkout/sco-attendants.ron"), 3);
    sim.enable_event_log();
    sim.run_until(12.0 * 3600.0);
    let world = sim.world_mut();
    let staff: Vec<StaffMember> = world.query::<&StaffMember>().iter(world).cloned().collect();
    let world = sim.world();
    for m in &staff {
        let rows = timeline(world, Selection::Staff(m.id));
        let expected = match m.role {
            Role::Cashier { .. } => "ServiceStart",
            Role::Restocker => "RefillDone",
            Role::Attendant { .. } => "HelpDone",
        };
        assert!(
            rows.iter().any(|r| r.event == expected),
            "{:?} has no {expected} by noon",
            m.role
        );
    }
    // A lane's timeline shows each customer it served joining the queue that feeds it (the
    // shared self-checkout queue too), before the service.
    let checkout = world.resource::<storelab::sim::checkout::Checkout>();
    for (l, _) in checkout.lanes.iter_enumerated() {
        let rows = timeline(world, Selection::Lane(l));
        for start in rows.iter().filter(|r| r.event == "ServiceStart") {
            let who = &start.who;
            assert!(
                rows.iter().any(|r| r.what.contains("joins queue")
                    && &r.who == who
                    && r.time <= start.time),
                "lane {}: {who} served without joining its queue on the timeline",
                checkout.lane_name(l)
            );
        }
    }
    // The inspector names queues, lanes and roles in words, not as Rust values.
    let world = sim.world_mut();
    let phases: Vec<_> = world
        .query::<&storelab::sim::customer::Customer>()
        .iter(world)
        .map(|c| c.phase)
        .collect();
    let world = sim.world();
    let checkout = world.resource::<storelab::sim::checkout::Checkout>();
    use storelab::view::model::{phase_text, role_text};
    let texts: Vec<String> = phases.iter().map(|&p| phase_text(world, p)).collect();
    assert!(
        texts.iter().any(|t| t.starts_with("waiting in queue ")),
        "{texts:?}"
    );
    for (p, t) in phases.iter().zip(&texts) {
        if let storelab::sim::customer::Phase::Queueing { queue } = p {
            assert_eq!(
                t,
                &format!("waiting in queue {}", checkout.queue_names[*queue])
            );
        }
        assert!(!t.contains('{') && !t.contains("Id("), "{t}");
    }
    for m in &staff {
        let t = role_text(world, m);
        assert!(
            t == "restocker"
                || t.starts_with("cashier at till-")
                || t == "attendant of self-1 … self-6"
                || t == "attendant of self-7 … self-12",
            "{t}"
        );
    }
    let plan = world.resource::<storelab::scenario::floor_plan::FloorPlan>();
    let dairy = plan.shelf_index("dairy").unwrap();
    let rows = timeline(world, Selection::Shelf(dairy));
    assert!(rows.iter().any(|r| r.event == "ReachShelf"));
}
