//! `layout`: the floor plan drawn in `layout.rows` with its `legend`. Whether it can be built
//! (its own problems come from [`FloorPlan::of`]), and whether every entrance can reach an
//! exit. Also the reachability wording that products and lanes share, and the shelves and
//! checkout groups the legend names. Positions are given as the user counts: row and column
//! from 1; distances are metres.

use std::collections::BTreeSet;

use super::Checks;
use crate::scenario::floor_plan::{FloorPlan, PoiId};
use crate::scenario::{LegendEntry, Scenario};

/// Builds the floor plan and checks that no entrance is a dead end; None when it cannot be
/// built (the reasons are reported).
pub(super) fn check(s: &Scenario, c: &mut Checks) -> Option<FloorPlan> {
    let plan = match FloorPlan::of(s) {
        Ok(plan) => Some(plan),
        Err(problems) => {
            c.problems.extend(problems);
            None
        }
    };
    if let Some(plan) = &plan {
        for &e in &plan.entrances {
            if !plan.exits.iter().any(|&x| plan.distance(e, x).is_finite()) {
                c.err(
                    "layout.rows",
                    format!("no exit can be reached from {}", place(plan, e)),
                );
            }
        }
    }
    plan
}

/// Shelf ids that the legend names.
pub(super) fn legend_shelves(s: &Scenario) -> BTreeSet<&str> {
    s.layout
        .legend
        .values()
        .filter_map(|e| match e {
            LegendEntry::Shelf(id) => Some(id.as_str()),
            _ => None,
        })
        .collect()
}

/// Checkout group ids that the legend names.
pub(super) fn legend_groups(s: &Scenario) -> BTreeSet<&str> {
    s.layout
        .legend
        .values()
        .filter_map(|e| match e {
            LegendEntry::Checkout(id) => Some(id.as_str()),
            _ => None,
        })
        .collect()
}

/// Where a point of interest is drawn, as the user counts: "the entrance at row 6, column 3".
fn place(plan: &FloorPlan, p: PoiId) -> String {
    let (x, y) = plan.xy(plan.pois[p]);
    format!("the entrance at row {}, column {}", y + 1, x + 1)
}

/// The entrances that cannot reach point `p`, in words (None: every entrance can).
pub(super) fn cut_off(plan: &FloorPlan, p: PoiId) -> Option<String> {
    let missing: Vec<PoiId> = plan
        .entrances
        .iter()
        .copied()
        .filter(|&e| !plan.distance(e, p).is_finite())
        .collect();
    match missing.len() {
        0 => None,
        n if n == plan.entrances.len() => Some("any entrance".to_string()),
        _ => Some(
            missing
                .iter()
                .map(|&e| place(plan, e))
                .collect::<Vec<_>>()
                .join(" or "),
        ),
    }
}
