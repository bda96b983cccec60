//! Common random numbers that survive a layout or behaviour change: each customer attribute
//! has its own random stream, so a variant that changes how many numbers one attribute
//! consumes leaves every other attribute of every customer as it was.

mod common;

use common::*;
use storelab::Simulation;
use storelab::scenario::Distribution;
use storelab::scenario::floor_plan::FloorPlan;
use storelab::scenario::validate::ValidScenario;
use storelab::sim::arrivals::draw_customer;
use storelab::sim::segments::Segments;
use storelab::sim::shopping::Catalog;

/// Speed, service draws, entrance cell, basket size and wanted units of customers 0..n.
fn customers(s: &ValidScenario, seed: u64, n: u32) -> Vec<(f64, String, (u32, u32), String)> {
    let sim = Simulation::new(s, seed);
    let world = sim.world();
    let plan = world.resource::<FloorPlan>();
    let catalog = world.resource::<Catalog>();
    let segments = world.resource::<Segments>();
    (0..n)
        .map(|id| {
            let segment = &segments.list[segments.draw(id)];
            let (speed, draws, entrance, size, wanted) =
                draw_customer(seed, id, segment, catalog, &plan.entrances);
            (
                speed,
                format!("{draws:?}"),
                plan.xy(plan.pois[entrance]),
                format!("{size} {wanted:?}"),
            )
        })
        .collect()
}

#[test]
fn another_walking_speed_or_entrance_leaves_baskets_and_service_draws_alone() {
    let base = load("supermarket.ron");
    let mut slower = (*base).clone();
    slower.customers.walking_speed = Distribution::Uniform { min: 0.6, max: 1.0 };
    let mut two_doors = (*base).clone();
    // A second entrance in the west wall.
    let mut row: Vec<char> = two_doors.layout.rows[4].chars().collect();
    row[0] = 'E';
    two_doors.layout.rows[4] = row.into_iter().collect();
    let slower = valid(slower);
    let two_doors = valid(two_doors);
    let n = 2000;
    let a = customers(&base, 7, n);
    let b = customers(&slower, 7, n);
    let c = customers(&two_doors, 7, n);
    let mut other_speed = 0;
    let mut other_door = 0;
    for id in 0..n as usize {
        // Slower walkers: the same service draws, entrance and basket, only the speed differs.
        assert_eq!(
            (&a[id].1, a[id].2, &a[id].3),
            (&b[id].1, b[id].2, &b[id].3),
            "customer {id}"
        );
        other_speed += usize::from(a[id].0 != b[id].0);
        // A second door: the same speed, service draws and basket; some use the new door.
        assert_eq!(
            (a[id].0, &a[id].1, &a[id].3),
            (c[id].0, &c[id].1, &c[id].3),
            "customer {id}"
        );
        other_door += usize::from(a[id].2 != c[id].2);
    }
    assert_eq!(
        other_speed, n as usize,
        "every speed comes from the new distribution"
    );
    assert!(
        other_door > n as usize / 10,
        "only {other_door} customers use the new door"
    );

    // End to end: the same customers come in with the same lists, whatever their speed.
    let ra = run(&base, 7).records;
    let rb = run(&slower, 7).records;
    assert_eq!(ra.len(), rb.len());
    let planned = |rs: &[storelab::sim::customer::CustomerRecord]| {
        let mut v: Vec<(u32, u32)> = rs.iter().map(|r| (r.id, r.items_planned)).collect();
        v.sort();
        v
    };
    assert_eq!(planned(&ra), planned(&rb));
}
