//! Semantic checks of a scenario: everything that parses but cannot be simulated sensibly.
//!
//! Every problem is collected (not just the first) with the field path it concerns, in plain
//! words: unknown shelves or lane groups, unreachable shelves, missing doors, non-positive or
//! absurd rates and sizes, shares that do not add up.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Deref;
use std::sync::Arc;

use crate::error::Problem;
use crate::scenario::floor_plan::{FloorPlan, PoiId};
use crate::scenario::{
    Arrivals, Basket, Distribution, Hours, LegendEntry, QueueDiscipline, Scenario, ServiceModel,
};

/// Largest accepted values, to catch typos such as an extra zero before they eat the machine.
pub const MAX_HOURS: f64 = 24.0 * 366.0;
pub const MAX_PRODUCTS: usize = 20_000;
pub const MAX_RATE_PER_HOUR: f64 = 100_000.0;
/// Customers a run may expect. Every journey is kept, and a customer still inside holds its
/// entity too (about 1.6 kB in all, measured), so this bounds a run to about 0.8 GB even if
/// every customer is still queueing at the end.
pub const MAX_EXPECTED_CUSTOMERS: f64 = 500_000.0;
/// Item picks a run may expect (customers × mean basket): bounds the work of a run.
pub const MAX_EXPECTED_ITEMS: f64 = 20_000_000.0;
/// Route planning orders each customer's shelves (2-opt, quadratic in the shelves visited):
/// customers × (shelves per customer)² may not exceed this.
pub const MAX_ROUTE_WORK: f64 = 2e9;
/// Popularities are relative weights; this range keeps the sampling table exact.
pub const MIN_POPULARITY: f64 = 1e-6;
pub const MAX_POPULARITY: f64 = 1e9;
/// Time-series values a run may record (samples × columns, including the drain after closing).
pub const MAX_SERIES_VALUES: f64 = 20_000_000.0;
pub const MAX_BASKET: u32 = 1_000;
pub const MAX_STOCK: u32 = 10_000_000;
pub const MAX_SECONDS: f64 = 24.0 * 3600.0;

struct Checker {
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

impl Checker {
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

/// The problems, and the floor plan when the layout could be built.
fn check_all(s: &Scenario) -> (Vec<Problem>, Option<FloorPlan>) {
    let mut c = Checker {
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
    let (open, close) = s.hours.span();
    match &s.hours {
        Hours::Daily { .. } => {
            if close <= open {
                c.err("hours", "close must be after open");
            } else if close - open > MAX_HOURS * 3600.0 {
                c.err("hours", format!("more than {MAX_HOURS} hours"));
            }
        }
        Hours::Duration { hours } => {
            c.positive("hours.hours", *hours, MAX_HOURS, "h");
        }
    }
    let duration = (close - open).max(0.0);

    // Layout and reachability.
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
    let legend_shelves: BTreeSet<&str> = s
        .layout
        .legend
        .values()
        .filter_map(|e| match e {
            LegendEntry::Shelf(id) => Some(id.as_str()),
            _ => None,
        })
        .collect();
    let legend_groups: BTreeSet<&str> = s
        .layout
        .legend
        .values()
        .filter_map(|e| match e {
            LegendEntry::Checkout(id) => Some(id.as_str()),
            _ => None,
        })
        .collect();

    // Products.
    if s.products.is_empty() {
        c.err("products", "no products: a store needs at least one");
    }
    if s.products.len() > MAX_PRODUCTS {
        c.err(
            "products",
            format!(
                "{} products; at most {MAX_PRODUCTS} are supported",
                s.products.len()
            ),
        );
    }
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, p) in s.products.iter().enumerate() {
        let path = format!("products[{i}]");
        if p.id.trim().is_empty() {
            c.err(format!("{path}.id"), "must not be empty");
        }
        if let Some(first) = seen.insert(p.id.as_str(), i) {
            c.err(
                format!("{path}.id"),
                format!("duplicate product id \"{}\" (also products[{first}])", p.id),
            );
        }
        c.range(
            &format!("{path}.price"),
            p.price,
            0.0,
            1e7,
            "currency units",
        );
        if !legend_shelves.contains(p.shelf.as_str()) {
            c.err(
                format!("{path}.shelf"),
                format!(
                    "unknown shelf \"{}\"; the layout legend has {}",
                    p.shelf,
                    list_or_none(&legend_shelves)
                ),
            );
        } else if let Some(plan) = &plan
            && let Some(si) = plan.shelf_index(&p.shelf)
            && let Some(from) = cut_off(plan, plan.shelves[si].access)
        {
            c.err(
                format!("{path}.shelf"),
                format!(
                    "shelf \"{}\" cannot be reached from {from} (walled in?); every entrance must reach every shelf",
                    p.shelf
                ),
            );
        } else if let Some(plan) = &plan
            && plan.shelf_index(&p.shelf).is_none()
        {
            c.err(
                format!("{path}.shelf"),
                format!(
                    "shelf \"{}\" is in the legend but not drawn in layout.rows",
                    p.shelf
                ),
            );
        }
        if p.capacity == 0 || p.capacity > MAX_STOCK {
            c.err(
                format!("{path}.capacity"),
                format!("{} units; expected 1 to {MAX_STOCK}", p.capacity),
            );
        }
        if let Some(stock) = p.shelf_stock
            && stock > p.capacity
        {
            c.err(
                format!("{path}.shelf_stock"),
                format!(
                    "{stock} units do not fit on a shelf space of capacity {}",
                    p.capacity
                ),
            );
        }
        if p.backroom_stock > MAX_STOCK {
            c.err(
                format!("{path}.backroom_stock"),
                format!("more than {MAX_STOCK} units"),
            );
        }
        c.range(
            &format!("{path}.popularity"),
            p.popularity,
            MIN_POPULARITY,
            MAX_POPULARITY,
            "",
        );
    }
    let total_popularity: f64 = s.products.iter().map(|p| p.popularity).sum();
    let sane_total = total_popularity.is_finite() && total_popularity > 0.0;
    if !s.products.is_empty() && !sane_total {
        c.err(
            "products",
            format!("popularities add up to {total_popularity}; expected a positive finite sum"),
        );
    }

    // Customers.
    let cu = &s.customers;
    let mut expected = 0.0;
    match &cu.arrivals {
        Arrivals::Poisson { per_hour } => {
            if c.positive(
                "customers.arrivals.per_hour",
                *per_hour,
                MAX_RATE_PER_HOUR,
                "customers/h",
            ) {
                expected = per_hour * duration / 3600.0;
            }
        }
        Arrivals::Hourly { per_hour } => {
            if per_hour.is_empty() {
                c.err("customers.arrivals.per_hour", "no hours given");
            }
            for (start, rate) in per_hour {
                let path = format!(
                    "customers.arrivals.per_hour[\"{}\"]",
                    crate::scenario::format_clock(f64::from(start.0))
                );
                if c.range(&path, *rate, 0.0, MAX_RATE_PER_HOUR, "customers/h") {
                    let a = f64::from(start.0).max(open);
                    let b = (f64::from(start.0) + 3600.0).min(close);
                    expected += rate * (b - a).max(0.0) / 3600.0;
                }
            }
            // Each key starts one hour of constant rate; overlapping hours would have two.
            for ((a, _), (b, _)) in per_hour.iter().zip(per_hour.iter().skip(1)) {
                if b.0 - a.0 < 3600 {
                    c.err(
                        format!(
                            "customers.arrivals.per_hour[\"{}\"]",
                            crate::scenario::format_clock(f64::from(b.0))
                        ),
                        format!(
                            "starts {} min after \"{}\", inside that hour; hours must start at least 60 min apart",
                            (b.0 - a.0) / 60,
                            crate::scenario::format_clock(f64::from(a.0))
                        ),
                    );
                }
            }
            if !per_hour.is_empty() && expected <= 0.0 {
                c.err(
                    "customers.arrivals.per_hour",
                    "no customers can arrive: every listed hour is outside the opening hours or has rate 0",
                );
            }
        }
    }
    if c.positive(
        "customers.arrival_multiplier",
        cu.arrival_multiplier,
        100.0,
        "",
    ) {
        expected *= cu.arrival_multiplier;
    }
    if expected > MAX_EXPECTED_CUSTOMERS {
        c.err(
            "customers.arrivals",
            format!("about {expected:.0} customers expected; at most {MAX_EXPECTED_CUSTOMERS} per run are supported"),
        );
    } else {
        let mean_basket = match &cu.basket {
            Basket::Constant(n) => f64::from(*n),
            Basket::Poisson { mean } => mean.max(1.0),
            Basket::Empirical(table) => table.iter().map(|&(n, p)| f64::from(n) * p).sum(),
        };
        let items = expected * mean_basket;
        let shelves = s
            .products
            .iter()
            .map(|p| p.shelf.as_str())
            .collect::<BTreeSet<_>>()
            .len() as f64;
        let stops = mean_basket.min(shelves);
        if items > MAX_EXPECTED_ITEMS {
            c.err(
                "customers",
                format!(
                    "about {items:.0} items expected ({expected:.0} customers × {mean_basket:.1} items); at most {MAX_EXPECTED_ITEMS} per run are supported"
                ),
            );
        } else if expected * stops * stops > MAX_ROUTE_WORK {
            c.err(
                "customers",
                format!(
                    "about {expected:.0} customers each visiting up to {stops:.0} shelves: planning their routes would take too long; use fewer customers or smaller baskets"
                ),
            );
        }
    }
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

    // Checkouts.
    let co = &s.checkouts;
    if co.groups.is_empty() {
        c.err("checkouts.groups", "no lane groups");
    }
    for g in &legend_groups {
        if !co.groups.contains_key(*g) {
            c.err(
                "layout.legend",
                format!("checkout group \"{g}\" is drawn but not defined in checkouts.groups"),
            );
        }
    }
    let mut any_open = false;
    let mut open_limits: Vec<Option<u32>> = Vec::new();
    for (id, g) in &co.groups {
        let path = format!("checkouts.groups[\"{id}\"]");
        let drawn = plan
            .as_ref()
            .map(|p| p.lanes.iter().filter(|l| &l.group == id).count() as u32);
        if legend_groups.contains(id.as_str()) && drawn == Some(0) {
            c.err(
                &path,
                format!(
                    "no lane of this group is drawn: the legend names Checkout(\"{id}\") but no cell of layout.rows uses its character"
                ),
            );
        } else if !legend_groups.contains(id.as_str()) {
            c.err(
                &path,
                format!(
                    "unknown lane group: no legend character stands for Checkout(\"{id}\"); the legend has {}",
                    list_or_none(&legend_groups)
                ),
            );
        } else if let Some(n) = drawn {
            let open_n = g.open.unwrap_or(n);
            if open_n > n {
                c.err(
                    format!("{path}.open"),
                    format!("{open_n} lanes open but only {n} drawn"),
                );
            }
            if open_n.min(n) > 0 {
                any_open = true;
                open_limits.push(g.item_limit);
            }
            if let Some(plan) = &plan {
                // Closed lanes too: the view can open any lane during the day.
                for lane in plan.lanes.iter().filter(|l| &l.group == id) {
                    if let Some(from) = cut_off(plan, lane.service_point) {
                        c.err(
                            &path,
                            format!(
                                "lane {}-{} cannot be reached from {from}; every entrance must reach every lane",
                                id, lane.number
                            ),
                        );
                    } else if plan
                        .exits
                        .iter()
                        .all(|&e| !plan.distance(lane.service_point, e).is_finite())
                    {
                        c.err(
                            &path,
                            format!("no exit can be reached from lane {}-{}", id, lane.number),
                        );
                    }
                }
            }
        }
        if let Some(limit) = g.item_limit
            && (limit == 0 || limit > MAX_BASKET)
        {
            c.err(
                format!("{path}.item_limit"),
                format!("{limit} items; expected 1 to {MAX_BASKET}"),
            );
        }
        match g.service {
            ServiceModel::PosRegression => {}
            ServiceModel::Exponential { mean } => {
                c.positive(&format!("{path}.service.mean"), mean, MAX_SECONDS, "s");
            }
            ServiceModel::Constant(v) => {
                c.positive(&format!("{path}.service"), v, MAX_SECONDS, "s");
            }
        }
    }
    if plan.is_some() && !co.groups.is_empty() && !any_open {
        c.err(
            "checkouts.groups",
            "no lane is open: customers could never pay",
        );
    }
    if any_open && open_limits.iter().all(Option::is_some) {
        let biggest = open_limits.iter().flatten().max().copied().unwrap_or(0);
        let basket_max = match &cu.basket {
            Basket::Constant(n) => Some(*n),
            Basket::Poisson { .. } => None,
            Basket::Empirical(table) => table.iter().map(|&(n, _)| n).max(),
        };
        if basket_max.is_none_or(|m| m > biggest) {
            c.err(
                "checkouts.groups",
                format!(
                    "every open lane has an item limit (at most {biggest}) but baskets can be larger; open a lane without item_limit"
                ),
            );
        }
    }

    // Replenishment.
    let r = &s.replenishment;
    if r.restockers > 1000 {
        c.err(
            "replenishment.restockers",
            format!("{} restockers; at most 1000", r.restockers),
        );
    }
    if r.restockers > 0
        && let Some(plan) = &plan
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
    c.positive("replenishment.walking_speed", r.walking_speed, 5.0, "m/s");

    // Metrics.
    let m = &s.metrics;
    if c.range("metrics.warmup", m.warmup, 0.0, MAX_HOURS * 3600.0, "s")
        && duration > 0.0
        && m.warmup >= duration
    {
        c.err(
            "metrics.warmup",
            "the warm-up covers the whole run: nothing would be measured",
        );
    }
    c.range(
        "metrics.sample_interval",
        m.sample_interval,
        1.0,
        86_400.0,
        "s",
    );
    if duration > 0.0
        && m.sample_interval.is_finite()
        && duration / m.sample_interval.max(1.0) > 1_000_000.0
    {
        c.err(
            "metrics.sample_interval",
            "more than 1,000,000 samples; use a longer interval",
        );
    } else if let Some(plan) = &plan
        && m.sample_interval >= 1.0
    {
        // A sample has a dozen totals and one length per queue; samples go on while
        // customers drain after closing.
        let queues: usize = co
            .groups
            .iter()
            .map(|(id, g)| {
                let n = plan.lanes.iter().filter(|l| &l.group == id).count();
                match g.queue {
                    QueueDiscipline::Shared => n.min(1),
                    QueueDiscipline::PerLane => n,
                }
            })
            .sum();
        let samples = (duration + crate::MAX_DRAIN) / m.sample_interval;
        let values = samples * (13 + queues) as f64;
        if values > MAX_SERIES_VALUES {
            c.err(
                "metrics.sample_interval",
                format!(
                    "about {samples:.0} samples of {queues} queues ({values:.0} values, at most {MAX_SERIES_VALUES}); use a longer interval"
                ),
            );
        }
    }
    c.positive("metrics.long_wait", m.long_wait, MAX_SECONDS, "s");

    (c.problems, plan)
}

/// Where a point of interest is drawn, as the user counts: "the entrance at row 6, column 3".
fn place(plan: &FloorPlan, p: PoiId) -> String {
    let (x, y) = plan.xy(plan.pois[p]);
    format!("the entrance at row {}, column {}", y + 1, x + 1)
}

/// The entrances that cannot reach point `p`, in words (None: every entrance can).
fn cut_off(plan: &FloorPlan, p: PoiId) -> Option<String> {
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

/// A serde walk over the scenario that finds every number that is not finite.
mod finite {
    use serde::Serialize;
    use serde::ser;

    /// Field paths of every number in `value` that is not finite (NaN or ±∞), found by walking its
    /// serde serialization, so a field added later is covered without another check.
    pub fn non_finite_paths<T: Serialize>(value: &T) -> Vec<String> {
        let mut scan = Scan::default();
        // The scan itself never fails; an error could only come from a type's own Serialize.
        let _ = value.serialize(&mut scan);
        scan.found
    }

    #[derive(Default)]
    struct Scan {
        path: Vec<String>,
        found: Vec<String>,
    }

    impl Scan {
        fn here(&self) -> String {
            let mut s = String::new();
            for p in &self.path {
                if !p.starts_with('[') && !s.is_empty() {
                    s.push('.');
                }
                s.push_str(p);
            }
            s
        }

        fn float(&mut self, v: f64) {
            if !v.is_finite() {
                let here = self.here();
                self.found.push(here);
            }
        }

        fn nested<T: Serialize + ?Sized>(
            &mut self,
            part: String,
            value: &T,
        ) -> Result<(), ScanError> {
            self.path.push(part);
            let r = value.serialize(&mut *self);
            self.path.pop();
            r
        }
    }

    #[derive(Debug)]
    struct ScanError(String);

    impl std::fmt::Display for ScanError {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(&self.0)
        }
    }

    impl std::error::Error for ScanError {}

    impl ser::Error for ScanError {
        fn custom<T: std::fmt::Display>(msg: T) -> Self {
            ScanError(msg.to_string())
        }
    }

    /// Sequences, tuples, maps and structs: each element gets its index, key or field name.
    struct Compound<'a> {
        scan: &'a mut Scan,
        index: usize,
        key: String,
    }

    impl Compound<'_> {
        fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), ScanError> {
            let part = format!("[{}]", self.index);
            self.index += 1;
            self.scan.nested(part, value)
        }
    }

    macro_rules! elements {
        ($($trait:ident :: $method:ident),*) => {$(
            impl ser::$trait for Compound<'_> {
                type Ok = ();
                type Error = ScanError;
                fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), ScanError> {
                    self.element(value)
                }
                fn end(self) -> Result<(), ScanError> {
                    Ok(())
                }
            }
        )*};
    }
    elements!(
        SerializeSeq::serialize_element,
        SerializeTuple::serialize_element,
        SerializeTupleStruct::serialize_field,
        SerializeTupleVariant::serialize_field
    );

    macro_rules! fields {
        ($($trait:ident),*) => {$(
            impl ser::$trait for Compound<'_> {
                type Ok = ();
                type Error = ScanError;
                fn serialize_field<T: Serialize + ?Sized>(
                    &mut self,
                    key: &'static str,
                    value: &T,
                ) -> Result<(), ScanError> {
                    self.scan.nested(key.to_string(), value)
                }
                fn end(self) -> Result<(), ScanError> {
                    Ok(())
                }
            }
        )*};
    }
    fields!(SerializeStruct, SerializeStructVariant);

    impl ser::SerializeMap for Compound<'_> {
        type Ok = ();
        type Error = ScanError;
        fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), ScanError> {
            // Keys as the scenario file writes them: `["till"]`, `["07:00"]`.
            self.key = serde_json::to_string(key).unwrap_or_else(|_| "?".to_string());
            Ok(())
        }
        fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), ScanError> {
            let part = format!("[{}]", self.key);
            self.scan.nested(part, value)
        }
        fn end(self) -> Result<(), ScanError> {
            Ok(())
        }
    }

    impl<'a> ser::Serializer for &'a mut Scan {
        type Ok = ();
        type Error = ScanError;
        type SerializeSeq = Compound<'a>;
        type SerializeTuple = Compound<'a>;
        type SerializeTupleStruct = Compound<'a>;
        type SerializeTupleVariant = Compound<'a>;
        type SerializeMap = Compound<'a>;
        type SerializeStruct = Compound<'a>;
        type SerializeStructVariant = Compound<'a>;

        fn serialize_f64(self, v: f64) -> Result<(), ScanError> {
            self.float(v);
            Ok(())
        }
        fn serialize_f32(self, v: f32) -> Result<(), ScanError> {
            self.float(f64::from(v));
            Ok(())
        }
        fn serialize_bool(self, _: bool) -> Result<(), ScanError> {
            Ok(())
        }
        fn serialize_i8(self, _: i8) -> Result<(), ScanError> {
            Ok(())
        }
        fn serialize_i16(self, _: i16) -> Result<(), ScanError> {
            Ok(())
        }
        fn serialize_i32(self, _: i32) -> Result<(), ScanError> {
            Ok(())
        }
        fn serialize_i64(self, _: i64) -> Result<(), ScanError> {
            Ok(())
        }
        fn serialize_u8(self, _: u8) -> Result<(), ScanError> {
            Ok(())
        }
        fn serialize_u16(self, _: u16) -> Result<(), ScanError> {
            Ok(())
        }
        fn serialize_u32(self, _: u32) -> Result<(), ScanError> {
            Ok(())
        }
        fn serialize_u64(self, _: u64) -> Result<(), ScanError> {
            Ok(())
        }
        fn serialize_char(self, _: char) -> Result<(), ScanError> {
            Ok(())
        }
        fn serialize_str(self, _: &str) -> Result<(), ScanError> {
            Ok(())
        }
        fn serialize_bytes(self, _: &[u8]) -> Result<(), ScanError> {
            Ok(())
        }
        fn serialize_none(self) -> Result<(), ScanError> {
            Ok(())
        }
        fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), ScanError> {
            value.serialize(self)
        }
        fn serialize_unit(self) -> Result<(), ScanError> {
            Ok(())
        }
        fn serialize_unit_struct(self, _: &'static str) -> Result<(), ScanError> {
            Ok(())
        }
        fn serialize_unit_variant(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
        ) -> Result<(), ScanError> {
            Ok(())
        }
        fn serialize_newtype_struct<T: Serialize + ?Sized>(
            self,
            _: &'static str,
            value: &T,
        ) -> Result<(), ScanError> {
            value.serialize(self)
        }
        // Variants do not add to the path, as in the other messages (`customers.basket.mean`).
        fn serialize_newtype_variant<T: Serialize + ?Sized>(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            value: &T,
        ) -> Result<(), ScanError> {
            value.serialize(self)
        }
        fn serialize_seq(self, _: Option<usize>) -> Result<Compound<'a>, ScanError> {
            Ok(self.compound())
        }
        fn serialize_tuple(self, _: usize) -> Result<Compound<'a>, ScanError> {
            Ok(self.compound())
        }
        fn serialize_tuple_struct(
            self,
            _: &'static str,
            _: usize,
        ) -> Result<Compound<'a>, ScanError> {
            Ok(self.compound())
        }
        fn serialize_tuple_variant(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            _: usize,
        ) -> Result<Compound<'a>, ScanError> {
            Ok(self.compound())
        }
        fn serialize_map(self, _: Option<usize>) -> Result<Compound<'a>, ScanError> {
            Ok(self.compound())
        }
        fn serialize_struct(self, _: &'static str, _: usize) -> Result<Compound<'a>, ScanError> {
            Ok(self.compound())
        }
        fn serialize_struct_variant(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            _: usize,
        ) -> Result<Compound<'a>, ScanError> {
            Ok(self.compound())
        }
    }

    impl Scan {
        fn compound(&mut self) -> Compound<'_> {
            Compound {
                scan: self,
                index: 0,
                key: String::new(),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::ClockTimeKey;

    fn minimal() -> Scenario {
        let text = include_str!("../../scenarios/minimal.ron");
        crate::scenario::parse_str(text, "minimal.ron").expect("minimal.ron parses")
    }

    #[test]
    fn the_finite_walk_names_every_non_finite_number_by_its_path() {
        let mut s = minimal();
        assert!(finite::non_finite_paths(&s).is_empty());
        s.layout.cell_size = f64::NAN;
        s.products[1].popularity = f64::INFINITY;
        s.customers.basket = Basket::Empirical(vec![(1, 0.5), (2, f64::NAN)]);
        s.customers.pick_time = Distribution::Constant(f64::NEG_INFINITY);
        s.customers.arrivals = Arrivals::Hourly {
            per_hour: [
                (ClockTimeKey(8 * 3600), 10.0),
                (ClockTimeKey(9 * 3600), f64::NAN),
            ]
            .into_iter()
            .collect(),
        };
        s.checkouts.groups.get_mut("till").unwrap().service = ServiceModel::Constant(f64::NAN);
        s.metrics.long_wait = f64::INFINITY;
        assert_eq!(
            finite::non_finite_paths(&s),
            [
                "layout.cell_size",
                "products[1].popularity",
                "customers.arrivals.per_hour[\"09:00\"]",
                "customers.basket[1][1]",
                "customers.pick_time",
                "checkouts.groups[\"till\"].service",
                "metrics.long_wait",
            ]
        );
        // Reported before anything else looks at them, and nothing panics.
        let problems = validate(&s);
        assert_eq!(problems.len(), 7, "{problems:?}");
        assert!(check(s).is_err());
    }

    #[test]
    fn tiny_and_huge_numbers_are_written_readably() {
        assert_eq!(num(5e-324), "5e-324");
        assert_eq!(num(1e-6), "1e-6");
        assert_eq!(num(0.25), "0.25");
        assert_eq!(num(1e9), "1000000000");
        assert_eq!(num(0.0), "0");
    }
}
