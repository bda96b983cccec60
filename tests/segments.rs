//! Customer segments, scan & go and cashierless checkout: the draws against their
//! probabilities, the ledger and the money against each other, and bad input.
//!
//! Error level: every statistical assertion is a two-sided test at `FAMILY_ALPHA / CHECKS` =
//! 1 % / 5 (Bonferroni), so together they fail by chance on a correct engine at most once in
//! a hundred runs. The 5 checks: segment shares (χ²); items not scanned, audits (binomial);
//! items a gate misses, items charged wrongly (binomial).

mod common;

use common::*;
use statrs::distribution::{ChiSquared, ContinuousCDF, Normal};
use storelab::Simulation;
use storelab::ids::{Id, ProductId};
use storelab::scenario::validate::ValidScenario;
use storelab::scenario::{Rescan, Scenario};
use storelab::sim::inventory::Inventory;
use storelab::sim::segments::Segments;

const FAMILY_ALPHA: f64 = 0.01;
const CHECKS: f64 = 5.0;

/// Two-sided test that `x` successes of `n` trials fit probability `p` (normal approximation
/// of the binomial, fine for n·p(1-p) in the hundreds).
fn binomial_fits(what: &str, x: u64, n: u64, p: f64) {
    let (n, x) = (n as f64, x as f64);
    let sd = (n * p * (1.0 - p)).sqrt();
    assert!(sd > 5.0, "{what}: too few trials ({n}) for the test");
    let z = (x - n * p) / sd;
    let crit = Normal::new(0.0, 1.0)
        .unwrap()
        .inverse_cdf(1.0 - FAMILY_ALPHA / CHECKS / 2.0);
    assert!(
        z.abs() < crit,
        "{what}: {x} of {n} against p = {p} (z = {z:.2}, limit {crit:.2})"
    );
}

fn scenario(rel: &str, edit: impl FnOnce(&mut Scenario)) -> ValidScenario {
    let mut s = (*load(rel)).clone();
    edit(&mut s);
    valid(s)
}

/// Every product's books balance, and the units that left unpaid are the shrink.
fn ledger_balances(s: &ValidScenario, seed: u64) -> storelab::sim::metrics::Summary {
    let mut sim = Simulation::new(s, seed);
    sim.run_to_end();
    let summary = sim.summary();
    let inv = sim.world().resource::<Inventory>();
    let mut shrunk = 0;
    for p in (0..s.products.len()).map(ProductId::from_index) {
        inv.check(p).unwrap();
        shrunk += inv.flows(p).shrunk;
    }
    let digital = summary.digital.as_ref().expect("digital customers");
    assert_eq!(
        shrunk, digital.counts.shrink_items,
        "the supermarket has no other shrink"
    );
    summary
}

#[test]
fn segment_shares_are_drawn_as_stated() {
    let s = scenario("checkout/scan-and-go.ron", |s| {
        let seg = s.segments.as_mut().unwrap();
        seg.insert(
            "app".into(),
            storelab::scenario::Segment {
                share: Some(0.1),
                ..seg["scan_go"].clone()
            },
        );
    });
    let sim = Simulation::new(&s, 5);
    let segments = sim.world().resource::<Segments>();
    // Segments in id order: app 0.1, classic the rest (0.7), scan_go 0.2.
    let expected = [0.1, 0.7, 0.2];
    let n = 30_000u32;
    let mut counts = [0.0f64; 3];
    for id in 0..n {
        counts[segments.draw(id).index()] += 1.0;
    }
    let chi2: f64 = counts
        .iter()
        .zip(expected)
        .map(|(o, p)| (o - p * f64::from(n)).powi(2) / (p * f64::from(n)))
        .sum();
    let crit = ChiSquared::new(2.0)
        .unwrap()
        .inverse_cdf(1.0 - FAMILY_ALPHA / CHECKS);
    assert!(chi2 < crit, "χ² = {chi2:.2} ≥ {crit:.2}: {counts:?}");
}

#[test]
fn scan_and_go_misses_and_audits_at_their_rates_and_the_books_balance() {
    // A higher non-scan rate than the default, so the test has power.
    let s = scenario("checkout/scan-and-go.ron", |s| {
        let sg = s.scan_and_go.as_mut().unwrap();
        sg.unscanned_per_item = 0.05;
    });
    let summary = ledger_balances(&s, 11);
    let d = &summary.digital.as_ref().unwrap().counts;
    let taken: u64 = {
        let out = run(&s, 11);
        out.records
            .iter()
            .filter(|r| r.segment == "scan_go" && r.outcome == "served")
            .map(|r| u64::from(r.items_bought))
            .sum::<u64>()
            + d.shrink_items
    };
    binomial_fits("items not scanned", d.unscanned_items, taken, 0.05);
    binomial_fits("customers audited", d.audited, d.scan_go_customers, 0.12);
    assert!(
        d.found_items > 0 && d.found_items < d.unscanned_items,
        "{d:?}"
    );
    assert_eq!(d.shrink_items, d.unscanned_items - d.found_items);
    // The audit point served exactly the audited customers.
    let audit = summary.lanes.iter().find(|l| l.id == "audit-1").unwrap();
    assert_eq!(u64::from(audit.served), d.audited);
    // What was paid is the revenue: the unpaid value is not in it.
    let out = run(&s, 11);
    let paid: f64 = out.records.iter().map(|r| r.value).sum();
    assert!((paid - summary.sales.revenue).abs() < 1e-6 * paid);
}

#[test]
fn a_full_audit_of_everyone_finds_every_unscanned_item() {
    let s = scenario("checkout/scan-and-go.ron", |s| {
        let sg = s.scan_and_go.as_mut().unwrap();
        sg.unscanned_per_item = 0.05;
        sg.audit = Some(storelab::scenario::Audit {
            share: 1.0,
            rescan: Rescan::Full,
        });
    });
    let summary = ledger_balances(&s, 4);
    let d = &summary.digital.as_ref().unwrap().counts;
    assert_eq!(d.audited, d.scan_go_customers);
    assert!(d.unscanned_items > 100, "{d:?}");
    assert_eq!(d.found_items, d.unscanned_items);
    assert_eq!(d.shrink_items, 0);
}

#[test]
fn cashierless_gates_miss_and_mischarge_at_their_rates() {
    let s = scenario("checkout/cashierless.ron", |s| {
        let c = s.cashierless.as_mut().unwrap();
        c.missed_per_item = 0.01;
        c.wrong_charge_per_item = 0.02;
    });
    let summary = ledger_balances(&s, 8);
    let d = &summary.digital.as_ref().unwrap().counts;
    let out = run(&s, 8);
    let walkers: Vec<_> = out
        .records
        .iter()
        .filter(|r| r.segment == "walkout" && r.outcome == "served")
        .collect();
    let taken = walkers
        .iter()
        .map(|r| u64::from(r.items_bought))
        .sum::<u64>()
        + d.missed_items;
    binomial_fits("items the gate missed", d.missed_items, taken, 0.01);
    binomial_fits("items charged wrongly", d.wrong_charges, taken, 0.02);
    // They pass a gate, never a till; the others never a gate.
    assert!(walkers.iter().all(|r| r.lane.starts_with("gate-")));
    assert!(
        out.records
            .iter()
            .filter(|r| r.segment == "classic" && r.outcome == "served")
            .all(|r| r.lane.starts_with("till-") || r.lane.starts_with("self-"))
    );
    assert_eq!(d.cashierless_customers, walkers.len() as u64);
}

/// The same customers come with and without segments: arrival times and baskets are drawn
/// from their own streams, whatever segment a customer falls into.
#[test]
fn segments_keep_common_random_numbers() {
    let base = run(&load("supermarket.ron"), 6);
    let sg = run(&load("checkout/scan-and-go.ron"), 6);
    let by_id = |out: &storelab::RunOutput| {
        let mut v: Vec<(u32, f64, u32)> = out
            .records
            .iter()
            .map(|r| (r.id, r.arrival, r.items_planned))
            .collect();
        v.sort_by_key(|r| r.0);
        v
    };
    assert_eq!(by_id(&base), by_id(&sg));
    // And the scan & go run is repeatable.
    let again = run(&load("checkout/scan-and-go.ron"), 6);
    assert_eq!(sg.records, again.records);
    assert_eq!(
        serde_json::to_string(&sg.summary).unwrap(),
        serde_json::to_string(&again.summary).unwrap()
    );
}

/// A segment's share is swept like any field, and each segment's KPIs come out.
#[test]
fn a_segment_share_can_be_swept() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("sweep");
    let o = std::process::Command::new(bin())
        .args([
            "sweep",
            scenario_path("checkout/scan-and-go.ron").to_str().unwrap(),
            "--set",
            "segments.scan_go.share=0.1,0.4",
            "-n",
            "2",
            "--out",
            out.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mut text = String::new();
    for e in std::fs::read_dir(&out).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "csv") {
            text.push_str(&read(&p));
        }
    }
    assert!(
        text.contains("segment_scan_go_wait_mean_s") && text.contains("unpaid_value"),
        "{text}"
    );
}

#[test]
fn bad_segments_are_rejected_with_field_paths() {
    let dir = tempfile::tempdir().unwrap();
    let case = |name: &str, base: &str, body: &str| {
        let file = dir.path().join(name);
        let text = format!(
            "(extends: {:?}, name: \"bad\", {body})",
            scenario_path(base)
        );
        std::fs::write(&file, text).unwrap();
        file
    };
    let cases = [
        (
            case(
                "shares.ron",
                "supermarket.ron",
                "segments: { \"a\": (share: 0.7), \"b\": (share: 0.6, checkout: ScanAndGo, \
                 lanes: [\"till\"]), \"c\": (lanes: [\"nope\"], patience: Constant(60.0)), \
                 \"d\": (checkout: Cashierless) }",
            ),
            vec![
                ("segments", "only one may take the rest"),
                ("segments", "more than 1"),
                ("segments[\"b\"].lanes", "at Lanes only"),
                ("segments[\"b\"].checkout", "needs a scan_and_go section"),
                ("segments[\"c\"].lanes[0]", "unknown lane group"),
                ("segments[\"c\"].patience", "queue_behaviour.reneging"),
                ("segments[\"d\"].checkout", "needs a cashierless section"),
            ],
        ),
        (
            case(
                "methods.ron",
                "supermarket.ron",
                "segments: { \"a\": (share: 0.5), \"b\": (share: 0.25, checkout: ScanAndGo), \
                 \"c\": (share: 0.2, checkout: Cashierless) }, \
                 scan_and_go: (unscanned_per_item: 1.5, audit: (share: 0.1, rescan: Partial(0))), \
                 cashierless: (missed_per_item: -0.1)",
            ),
            vec![
                ("segments", "expected 1"),
                ("scan_and_go.payment", "no lane group of kind PaymentPoint"),
                ("scan_and_go.audit", "no lane group of kind Audit"),
                ("scan_and_go.audit.rescan", "rescans nothing"),
                ("scan_and_go.unscanned_per_item", "out of range"),
                ("cashierless", "no lane group of kind Gate"),
                ("cashierless.missed_per_item", "out of range"),
            ],
        ),
        (
            case(
                "unused.ron",
                "checkout/cashierless.ron",
                "segments: { \"a\": () }, scan_and_go: ()",
            ),
            vec![
                ("checkouts.groups[\"gate\"].kind", "serves no segment"),
                ("checkouts.groups[\"entry\"].kind", "serves no segment"),
                ("scan_and_go", "no segment uses scan & go"),
                ("cashierless", "no segment checks out cashierless"),
            ],
        ),
    ];
    for (file, expected) in cases {
        assert_rejected(&file, &expected);
    }
    // A segment that uses only self-checkouts (at most 40 items) with baskets up to 75.
    assert_rejected(
        &case(
            "limit.ron",
            "supermarket.ron",
            "segments: { \"a\": (lanes: [\"self\"]) }",
        ),
        &[(
            "checkouts.groups",
            "at most 40) but baskets of segment \"a\" can be larger",
        )],
    );
}

/// Ordering and stock cover plan for what customers buy: with segments, each segment's basket
/// at its share. Half the customers buying 40 items and half 10 make 2.5 times the demand of
/// everyone buying 10.
#[test]
fn expected_demand_follows_the_segments_baskets() {
    use storelab::scenario::{Basket, CheckoutMethod, Segment};
    use storelab::sim::inventory::expected_daily_demand;
    let mut s = (*load("supermarket.ron")).clone();
    s.customers.basket = Basket::Constant(10);
    let plain: f64 = expected_daily_demand(&s).iter().sum();
    let segment = |share: Option<f64>, basket: Option<Basket>| Segment {
        share,
        checkout: CheckoutMethod::Lanes,
        lanes: Vec::new(),
        walking_speed: None,
        basket,
        pick_time: None,
        patience: None,
    };
    s.segments = Some(
        [
            (
                "big".to_string(),
                segment(Some(0.5), Some(Basket::Constant(40))),
            ),
            ("rest".to_string(), segment(None, None)),
        ]
        .into_iter()
        .collect(),
    );
    let segmented: f64 = expected_daily_demand(&s).iter().sum();
    assert!(
        (segmented / plain - 2.5).abs() < 1e-9,
        "demand {segmented} against {plain} without segments"
    );
}

/// Cashierless customers check in at the entrance gates before shopping, one at a time per
/// gate, for their own check-in time; the others walk past. With a slow check-in (12 s) at
/// the one gate left open, a queue forms there; every cashierless customer passes it once,
/// the gate is busy exactly 12 s per customer, and the wait counts in the segment's wait.
#[test]
fn cashierless_customers_queue_to_check_in_at_entrance_gates() {
    let s = scenario("checkout/cashierless.ron", |s| {
        s.cashierless.as_mut().unwrap().check_in = storelab::scenario::Distribution::Constant(12.0);
        s.checkouts.groups.get_mut("entry").unwrap().open = Some(1);
    });
    let out = run(&s, 8);
    let walkers = out
        .records
        .iter()
        .filter(|r| r.segment == "walkout")
        .count();
    let entry: Vec<_> = out
        .summary
        .lanes
        .iter()
        .filter(|l| l.group == "entry")
        .collect();
    assert_eq!(entry.len(), 2);
    let served: u32 = entry.iter().map(|l| l.served).sum();
    assert_eq!(
        served as usize, walkers,
        "each cashierless customer checks in once"
    );
    assert!(
        entry.iter().any(|l| l.served == 0),
        "the closed gate served someone"
    );
    let busy: f64 = entry.iter().map(|l| l.busy_s).sum();
    assert!(
        (busy - 12.0 * f64::from(served)).abs() < 1e-6 * busy,
        "busy {busy} s for {served} check-ins"
    );
    let q = out.summary.queues.iter().find(|q| q.id == "entry").unwrap();
    assert!(q.mean_wait_s > 5.0, "{q:?}");
    let seg = out
        .summary
        .segments
        .iter()
        .find(|g| g.segment == "walkout")
        .unwrap();
    assert!(seg.wait_mean_s >= q.mean_wait_s * 0.99, "{seg:?} {q:?}");
    assert_eq!(out.summary.customers.inside_at_end, 0);
    // A record's lane is the first of its way out: never the entrance gate.
    assert!(out.records.iter().all(|r| !r.lane.starts_with("entry")));
}
