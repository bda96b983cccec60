//! Semantic checks of a scenario: everything that parses but cannot be simulated sensibly.
//!
//! Every problem is collected (not just the first) with the field path it concerns, in plain
//! words: unknown shelves or lane groups, unreachable shelves, missing doors, non-positive or
//! absurd rates and sizes, shares that do not add up.
//!
//! Each retail concept checks its own part of the scenario in its own file; this module holds
//! what they share (`Checks` with its field-path helpers, `Known` with the floor plan) and
//! runs them in a fixed order, the order in which users see the problems. A new process adds
//! its file and one entry in `CONCEPTS`.

use std::collections::BTreeSet;
use std::ops::Deref;
use std::sync::Arc;

use crate::error::Problem;
use crate::scenario::floor_plan::FloorPlan;
use crate::scenario::{Distribution, Scenario};

mod arrivals;
mod attendance;
mod checkout;
mod finite;
mod hours;
pub mod inventory;
mod lane_policy;
mod lane_schedule;
mod layout;
mod metrics;
mod products;
mod queue_behaviour;
mod replenishment;
mod rota;
mod segments;
mod shopping;

// Largest accepted values, to catch typos such as an extra zero before they eat the machine.
// Each lives beside the check that uses it; all stay reachable as `validate::MAX_…`.
pub use arrivals::{MAX_EXPECTED_CUSTOMERS, MAX_EXPECTED_ITEMS, MAX_RATE_PER_HOUR, MAX_ROUTE_WORK};
pub use hours::MAX_HOURS;
pub use metrics::MAX_SERIES_VALUES;
pub use products::{MAX_POPULARITY, MAX_PRODUCTS, MAX_STOCK, MIN_POPULARITY};
pub use queue_behaviour::MAX_QUEUE_LENGTH;
pub use shopping::MAX_BASKET;

/// Longest accepted duration of a single step (a service, a restocking set-up, a long wait).
pub const MAX_SECONDS: f64 = 24.0 * 3600.0;

/// A scenario that passed [`check`], with the floor plan built while checking it.
///
/// Only [`check`] constructs one (the fields are private), and the engine accepts nothing
/// else, so a scenario that skipped validation cannot reach a run. It reads as a [`Scenario`]
/// through `Deref`; cloning is cheap (shared data).
#[derive(Clone, Debug)]
pub struct ValidScenario {
    scenario: Arc<Scenario>,
    plan: FloorPlan,
}

impl ValidScenario {
    /// The floor plan with its distance tables (built once; replications share it).
    pub fn plan(&self) -> &FloorPlan {
        &self.plan
    }

    /// The scenario, shared.
    pub fn shared(&self) -> &Arc<Scenario> {
        &self.scenario
    }
}

impl Deref for ValidScenario {
    type Target = Scenario;
    fn deref(&self) -> &Scenario {
        &self.scenario
    }
}

/// Validates a scenario: the [`ValidScenario`] the engine runs, or every problem found.
pub fn check(scenario: Scenario) -> Result<ValidScenario, Vec<Problem>> {
    let (problems, plan) = check_all(&scenario);
    match plan {
        Some(plan) if problems.is_empty() => Ok(ValidScenario {
            scenario: Arc::new(scenario),
            plan,
        }),
        None if problems.is_empty() => Err(vec![Problem::new(
            "layout",
            "the floor plan could not be built",
        )]),
        _ => Err(problems),
    }
}

/// All semantic problems of a scenario (empty when it can be simulated).
pub fn validate(s: &Scenario) -> Vec<Problem> {
    check_all(s).0
}

/// A concept's checks: reads its part of the scenario (and what is [`Known`]), adds problems.
type ConceptCheck = fn(&Scenario, &Known, &mut Checks);

/// The concept checks that run once the floor plan is known, in the order their problems are
/// reported. None relies on an earlier one having passed: each reads the scenario as it is.
const CONCEPTS: [ConceptCheck; 13] = [
    products::check,
    arrivals::check,
    shopping::check,
    checkout::check,
    segments::check,
    queue_behaviour::check,
    attendance::check,
    lane_policy::check,
    lane_schedule::check,
    rota::check,
    replenishment::check,
    inventory::check,
    metrics::check,
];

/// The problems, and the floor plan when the layout could be built.
fn check_all(s: &Scenario) -> (Vec<Problem>, Option<FloorPlan>) {
    let mut c = Checks {
        problems: Vec::new(),
    };
    // Every later check and the engine assume finite numbers: report those first and stop.
    let non_finite = finite::non_finite_paths(s);
    if !non_finite.is_empty() {
        for path in non_finite {
            c.err(path, "must be a finite number (not NaN or infinity)");
        }
        return (c.problems, None);
    }
    if s.name.trim().is_empty() {
        c.err("name", "must not be empty");
    }
    hours::check(s, &mut c);
    // Built once: products, lanes, restocking and sampling all check against it.
    let plan = layout::check(s, &mut c);
    let known = Known::new(s, plan);
    for concept in CONCEPTS {
        concept(s, &known, &mut c);
    }
    (c.problems, known.plan)
}

/// What several concepts need to know about the scenario as a whole, established before they
/// run. Kept apart from [`Checks`] so a check can read the plan while it adds problems.
struct Known<'a> {
    /// Opening and closing time, seconds since 00:00 of the simulated day.
    open: f64,
    close: f64,
    /// Seconds the doors are open (0 when close is not after open; `hours` reports that).
    duration: f64,
    /// The floor plan, when the layout could be built (`layout` reported why not).
    plan: Option<FloorPlan>,
    /// Shelf ids and checkout group ids that the layout legend names.
    legend_shelves: BTreeSet<&'a str>,
    legend_groups: BTreeSet<&'a str>,
}

impl<'a> Known<'a> {
    fn new(s: &'a Scenario, plan: Option<FloorPlan>) -> Known<'a> {
        let (open, close) = s.hours.span();
        Known {
            open,
            close,
            duration: (close - open).max(0.0),
            plan,
            legend_shelves: layout::legend_shelves(s),
            legend_groups: layout::legend_groups(s),
        }
    }
}

/// The problems found so far, with helpers that word a bad number with its path and unit.
struct Checks {
    problems: Vec<Problem>,
}

/// A unit to write after a number: " s", or nothing for a plain count.
fn with_space(unit: &str) -> String {
    if unit.is_empty() {
        String::new()
    } else {
        format!(" {unit}")
    }
}

/// A number as a user would write it: plain, or in e-notation when tiny or huge (so `5e-324`
/// is not printed with 300 zeros).
fn num(v: f64) -> String {
    if v == 0.0 || !v.is_finite() || (1e-4..1e15).contains(&v.abs()) {
        format!("{v}")
    } else {
        format!("{v:e}")
    }
}

impl Checks {
    fn err(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.problems.push(Problem::new(path, message));
    }

    /// A finite number within [min, max] (inclusive), named with its unit.
    fn range(&mut self, path: &str, v: f64, min: f64, max: f64, unit: &str) -> bool {
        if !v.is_finite() || v < min || v > max {
            self.err(
                path,
                format!(
                    "{}{u} is out of range; expected {} to {}{u}",
                    num(v),
                    num(min),
                    num(max),
                    u = with_space(unit)
                ),
            );
            return false;
        }
        true
    }

    fn positive(&mut self, path: &str, v: f64, max: f64, unit: &str) -> bool {
        if !v.is_finite() || v <= 0.0 {
            self.err(
                path,
                format!("must be greater than 0{}, got {}", with_space(unit), num(v)),
            );
            return false;
        }
        self.range(path, v, 0.0, max, unit)
    }

    fn distribution(&mut self, path: &str, d: &Distribution, min_value: f64, max: f64, unit: &str) {
        match *d {
            Distribution::Constant(v) => {
                self.range(path, v, min_value, max, unit);
            }
            Distribution::Uniform { min, max: hi } => {
                self.range(&format!("{path}.min"), min, min_value, max, unit);
                self.range(&format!("{path}.max"), hi, min_value, max, unit);
                if hi < min {
                    self.err(path, format!("max ({hi}) is below min ({min})"));
                }
            }
            Distribution::Exponential { mean } => {
                self.positive(&format!("{path}.mean"), mean, max, unit);
            }
            Distribution::Normal {
                mean,
                sd,
                min,
                max: hi,
            } => {
                self.range(&format!("{path}.mean"), mean, min_value, max, unit);
                self.range(&format!("{path}.sd"), sd, 0.0, max, unit);
                self.range(&format!("{path}.min"), min, min_value, max, unit);
                self.range(&format!("{path}.max"), hi, min_value, max, unit);
                if hi < min {
                    self.err(path, format!("max ({hi}) is below min ({min})"));
                } else if mean < min || mean > hi {
                    self.err(
                        path,
                        format!("mean {mean} lies outside [min, max] = [{min}, {hi}]"),
                    );
                }
            }
        }
    }
}

/// Customers who pay at tills and self-checkouts: each `Lanes` segment (or, without
/// segments, everyone, named ""), with its basket and the lane groups it may use (empty: all).
fn lane_users(s: &Scenario) -> Vec<(&str, &crate::scenario::Basket, Vec<&str>)> {
    match &s.segments {
        None => vec![("", &s.customers.basket, Vec::new())],
        Some(map) => map
            .iter()
            .filter(|(_, seg)| seg.checkout == crate::scenario::CheckoutMethod::Lanes)
            .map(|(n, seg)| {
                (
                    n.as_str(),
                    seg.basket.as_ref().unwrap_or(&s.customers.basket),
                    seg.lanes.iter().map(String::as_str).collect(),
                )
            })
            .collect(),
    }
}

/// The message for a lane group id that `checkouts.groups` lacks, listing the ones it has.
fn unknown_group(s: &Scenario, id: &str) -> String {
    let known: BTreeSet<&str> = s.checkouts.groups.keys().map(String::as_str).collect();
    format!(
        "unknown lane group \"{id}\"; checkouts.groups has {}",
        list_or_none(&known)
    )
}

/// Ids as a user reads them in a message: `"a", "b"`, or `none`.
fn list_or_none(set: &BTreeSet<&str>) -> String {
    if set.is_empty() {
        "none".to_string()
    } else {
        set.iter()
            .map(|s| format!("\"{s}\""))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiny_and_huge_numbers_are_written_readably() {
        assert_eq!(num(5e-324), "5e-324");
        assert_eq!(num(1e-6), "1e-6");
        assert_eq!(num(0.25), "0.25");
        assert_eq!(num(1e9), "1000000000");
        assert_eq!(num(0.0), "0");
    }
}
