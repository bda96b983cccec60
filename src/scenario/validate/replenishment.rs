//! `replenishment`: the staff who refill shelves from the backroom. The number of restockers
//! (at most 1000; any at all need a backroom door that the sales floor reaches and that
//! reaches every stocked shelf), the refill threshold (share of a shelf's capacity), set-up
//! time and time per unit (seconds), and walking speed (m/s).

use std::collections::BTreeSet;

use super::{Checks, Known, MAX_SECONDS};
use crate::scenario::Scenario;

pub(super) fn check(s: &Scenario, k: &Known, c: &mut Checks) {
    let r = &s.replenishment;
    if r.restockers > 1000 {
        c.err(
            "replenishment.restockers",
            format!("{} restockers; at most 1000", r.restockers),
        );
    }
    if r.restockers > 0
        && let Some(plan) = &k.plan
    {
        match plan.backroom_door {
            None => c.err(
                "replenishment.restockers",
                "restockers need a backroom: draw 'R' cells next to the floor, or set restockers: 0",
            ),
            Some(door) if plan.unreachable_from_entrances(door) => c.err(
                "layout.rows",
                "the backroom door cannot be reached from the sales floor",
            ),
            Some(door) => {
                let stocked: BTreeSet<&str> = s.products.iter().map(|p| p.shelf.as_str()).collect();
                for shelf in plan.shelves.iter().filter(|g| stocked.contains(g.id.as_str())) {
                    if !plan.distance(door, shelf.access).is_finite() {
                        c.err(
                            "layout.rows",
                            format!(
                                "shelf \"{}\" cannot be reached from the backroom door: restockers could not refill it",
                                shelf.id
                            ),
                        );
                    }
                }
            }
        }
    }
    c.range(
        "replenishment.threshold",
        r.threshold,
        0.0,
        1.0,
        "(share of capacity)",
    );
    c.range(
        "replenishment.setup_time",
        r.setup_time,
        0.0,
        MAX_SECONDS,
        "s",
    );
    c.range(
        "replenishment.time_per_unit",
        r.time_per_unit,
        0.0,
        3600.0,
        "s",
    );
    // The same floor as customers' speeds: a speed of 5e-324 m/s passes "> 0" but makes
    // every walk last forever (found by the fuzzer).
    c.range(
        "replenishment.walking_speed",
        r.walking_speed,
        0.05,
        5.0,
        "m/s",
    );
}
