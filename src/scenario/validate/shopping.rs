//! `customers.basket`, `customers.walking_speed` and `customers.pick_time`: the shopping trip
//! of one customer. Basket sizes in items (a constant, a Poisson mean, or a table of sizes
//! with shares adding up to 1), walking speed in m/s (kept above 0), time to pick one item
//! in seconds.

use std::collections::BTreeSet;

use super::{Checks, Known};
use crate::scenario::{Basket, Distribution, Scenario};

/// Items one basket may hold (also the largest item limit of a lane).
pub const MAX_BASKET: u32 = 1_000;

pub(super) fn check(s: &Scenario, _: &Known, c: &mut Checks) {
    let cu = &s.customers;
    match &cu.basket {
        Basket::Constant(n) => {
            if *n == 0 || *n > MAX_BASKET {
                c.err(
                    "customers.basket",
                    format!("{n} items; expected 1 to {MAX_BASKET}"),
                );
            }
        }
        Basket::Poisson { mean } => {
            c.range(
                "customers.basket.mean",
                *mean,
                1.0,
                f64::from(MAX_BASKET),
                "items",
            );
        }
        Basket::Empirical(table) => {
            if table.is_empty() {
                c.err("customers.basket", "the table is empty");
            }
            let mut sizes = BTreeSet::new();
            for (i, &(n, share)) in table.iter().enumerate() {
                if n == 0 || n > MAX_BASKET {
                    c.err(
                        format!("customers.basket[{i}]"),
                        format!("{n} items; expected 1 to {MAX_BASKET}"),
                    );
                }
                if !sizes.insert(n) {
                    c.err(
                        format!("customers.basket[{i}]"),
                        format!("basket size {n} is listed twice"),
                    );
                }
                c.range(
                    &format!("customers.basket[{i}]"),
                    share,
                    0.0,
                    1.0,
                    "(share)",
                );
            }
            let total: f64 = table.iter().map(|(_, s)| s).sum();
            if !table.is_empty() && (total - 1.0).abs() > 0.01 {
                c.err(
                    "customers.basket",
                    format!("shares add up to {total:.4}, expected 1"),
                );
            }
        }
    }
    c.distribution(
        "customers.walking_speed",
        &cu.walking_speed,
        0.05,
        5.0,
        "m/s",
    );
    if let Distribution::Constant(v)
    | Distribution::Uniform { min: v, .. }
    | Distribution::Normal { min: v, .. } = cu.walking_speed
        && v <= 0.0
    {
        c.err(
            "customers.walking_speed",
            "walking speed must stay above 0 m/s",
        );
    }
    if matches!(cu.walking_speed, Distribution::Exponential { .. }) {
        c.err(
            "customers.walking_speed",
            "an exponential walking speed can be arbitrarily close to 0; use Normal or Uniform",
        );
    }
    c.distribution("customers.pick_time", &cu.pick_time, 0.0, 3600.0, "s");
}
