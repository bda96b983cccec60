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
    basket(&s.customers.basket, "customers.basket", c);
    walking_speed(&s.customers.walking_speed, "customers.walking_speed", c);
    c.distribution(
        "customers.pick_time",
        &s.customers.pick_time,
        0.0,
        3600.0,
        "s",
    );
}

/// A basket distribution at `path`.
pub(super) fn basket(b: &Basket, path: &str, c: &mut Checks) {
    match b {
        Basket::Constant(n) => {
            if *n == 0 || *n > MAX_BASKET {
                c.err(path, format!("{n} items; expected 1 to {MAX_BASKET}"));
            }
        }
        Basket::Poisson { mean } => {
            c.range(
                &format!("{path}.mean"),
                *mean,
                1.0,
                f64::from(MAX_BASKET),
                "items",
            );
        }
        Basket::Empirical(table) => {
            if table.is_empty() {
                c.err(path, "the table is empty");
            }
            let mut sizes = BTreeSet::new();
            for (i, &(n, share)) in table.iter().enumerate() {
                if n == 0 || n > MAX_BASKET {
                    c.err(
                        format!("{path}[{i}]"),
                        format!("{n} items; expected 1 to {MAX_BASKET}"),
                    );
                }
                if !sizes.insert(n) {
                    c.err(
                        format!("{path}[{i}]"),
                        format!("basket size {n} is listed twice"),
                    );
                }
                c.range(&format!("{path}[{i}]"), share, 0.0, 1.0, "(share)");
            }
            let total: f64 = table.iter().map(|(_, s)| s).sum();
            if !table.is_empty() && (total - 1.0).abs() > 0.01 {
                c.err(path, format!("shares add up to {total:.4}, expected 1"));
            }
        }
    }
}

/// A walking-speed distribution at `path`, m/s.
pub(super) fn walking_speed(d: &Distribution, path: &str, c: &mut Checks) {
    c.distribution(path, d, 0.05, 5.0, "m/s");
    if let Distribution::Constant(v)
    | Distribution::Uniform { min: v, .. }
    | Distribution::Normal { min: v, .. } = *d
        && v <= 0.0
    {
        c.err(path, "walking speed must stay above 0 m/s");
    }
    if matches!(d, Distribution::Exponential { .. }) {
        c.err(
            path,
            "an exponential walking speed can be arbitrarily close to 0; use Normal or Uniform",
        );
    }
}
