//! `customers.arrivals` and `customers.arrival_multiplier`: how many customers come. A
//! Poisson rate, or one rate per hour keyed by its start (`"HH:MM"`, hours at least 60 min
//! apart); rates in customers per hour. Also the load those customers bring: expected
//! customers, items picked and route planning work must stay within what a run can hold.

use std::collections::BTreeSet;

use super::{Checks, Known};
use crate::scenario::{Arrivals, Scenario};

/// Arrival rate a scenario may give (customers per hour).
pub const MAX_RATE_PER_HOUR: f64 = 100_000.0;
/// Customers a run may expect. Every journey is kept, and a customer still inside holds its
/// entity too (about 1.6 kB in all, measured), so this bounds a run to about 0.8 GB even if
/// every customer is still queueing at the end.
pub const MAX_EXPECTED_CUSTOMERS: f64 = 500_000.0;
/// Customers a run over days may expect in all: `run --out` keeps every customer's journey of
/// every day (about 300 bytes each, measured on a year of the supermarket), so this bounds it
/// to about 0.9 GB.
pub const MAX_EXPECTED_CUSTOMERS_OVER_DAYS: f64 = 3_000_000.0;
/// Item picks a run may expect (customers × mean basket): bounds the work of a run.
pub const MAX_EXPECTED_ITEMS: f64 = 20_000_000.0;
/// Route planning orders each customer's shelves (2-opt, quadratic in the shelves visited):
/// customers × (shelves per customer)² may not exceed this.
pub const MAX_ROUTE_WORK: f64 = 2e9;

pub(super) fn check(s: &Scenario, k: &Known, c: &mut Checks) {
    let (open, close, duration) = (k.open, k.close, k.duration);
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
    // A run over days is checked on its busiest open weekday (each day is a run of its own).
    if let Some(cal) = &s.calendar {
        let busiest = crate::scenario::Weekday::ALL
            .iter()
            .filter(|d| !cal.closed.contains(d))
            .map(|d| cal.demand.get(d).copied().unwrap_or(1.0))
            .filter(|f| f.is_finite())
            .fold(0.0f64, f64::max);
        expected *= busiest;
        let open_days = (0..cal.days).filter(|&d| cal.is_open(d)).count() as f64;
        let total = expected * open_days;
        if expected <= MAX_EXPECTED_CUSTOMERS && total > MAX_EXPECTED_CUSTOMERS_OVER_DAYS {
            c.err(
                "calendar.days",
                format!(
                    "about {total:.0} customers expected over {open_days} open days; at most {MAX_EXPECTED_CUSTOMERS_OVER_DAYS} per run over days are supported (fewer days or fewer customers)"
                ),
            );
        }
    }
    if expected > MAX_EXPECTED_CUSTOMERS {
        c.err(
            "customers.arrivals",
            format!("about {expected:.0} customers expected; at most {MAX_EXPECTED_CUSTOMERS} per run are supported"),
        );
    } else {
        let mean_basket = crate::scenario::mean_basket(s);
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
}
