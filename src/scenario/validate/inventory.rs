//! `calendar`, `stock_errors` and `ordering`: runs over several days, what makes stock records
//! drift, and automatic ordering. Days 1..=3660 (ten years) with fewer warm-up days, at least
//! one open weekday, demand factors 0..=100, daily hours that end by midnight; error
//! probabilities 0..=1; policies for known products only, with s < S, order quantities and
//! levels ≥ 1 unit, review periods of 1..=365 days, lead times of 0..=365 days, case packs of
//! 1..=10,000 units and a delivery time of day.

use super::{Checks, Known};
use crate::scenario::{CountMethod, Hours, Policy, Scenario};

/// Longest run, days.
pub const MAX_DAYS: u32 = 3660;

pub(super) fn check(s: &Scenario, k: &Known, c: &mut Checks) {
    check_counting(s, k, c);
    if let Some(cal) = &s.calendar {
        if cal.days == 0 || cal.days > MAX_DAYS {
            c.err(
                "calendar.days",
                format!("{} days; give 1 to {MAX_DAYS}", cal.days),
            );
        }
        if cal.warmup_days >= cal.days.max(1) {
            c.err(
                "calendar.warmup_days",
                format!(
                    "{} warm-up days leave none of the {} days to measure",
                    cal.warmup_days, cal.days
                ),
            );
        }
        if crate::scenario::Weekday::ALL
            .iter()
            .all(|d| cal.closed.contains(d))
        {
            c.err("calendar.closed", "the store is closed on every weekday");
        } else if cal.days > 0
            && cal.warmup_days < cal.days
            && (cal.warmup_days..cal.days).all(|d| cal.closed.contains(&cal.first_weekday.plus(d)))
        {
            c.err(
                "calendar.warmup_days",
                "every day after the warm-up is a closed day: nothing would be measured",
            );
        }
        for (day, f) in &cal.demand {
            c.range(
                &format!("calendar.demand.{day:?}"),
                *f,
                0.0,
                100.0,
                "(factor on the arrival rate)",
            );
        }
        for (day, h) in &cal.hours {
            let path = format!("calendar.hours.{day:?}");
            match h {
                Hours::Daily { open, close } => {
                    if close.seconds() > 24.0 * 3600.0 {
                        c.err(&path, "a day must close by 24:00 (days follow each other)");
                    } else if close.seconds() <= open.seconds() {
                        c.err(&path, "closes before it opens");
                    }
                }
                Hours::Duration { .. } => c.err(
                    &path,
                    "daily hours only: Daily(open: \"08:00\", close: \"20:00\")",
                ),
            }
        }
        match &s.hours {
            Hours::Daily { close, .. } if close.seconds() > 24.0 * 3600.0 => c.err(
                "hours.close",
                "with a calendar the store must close by 24:00 (days follow each other)",
            ),
            Hours::Duration { .. } => c.err(
                "hours",
                "a calendar needs daily hours: Daily(open: \"08:00\", close: \"20:00\")",
            ),
            _ => {}
        }
    }
    let e = &s.stock_errors;
    if e.shrink_per_unit_sold > 0.0 && s.calendar.is_none() {
        c.err(
            "stock_errors.shrink_per_unit_sold",
            "shrinkage is taken at closing, between days: add a `calendar`",
        );
    }
    for (field, v) in [
        ("shrink_per_unit_sold", e.shrink_per_unit_sold),
        ("misplaced_per_unit_refilled", e.misplaced_per_unit_refilled),
        ("scan_error_per_unit", e.scan_error_per_unit),
        ("delivery_error_per_delivery", e.delivery_error_per_delivery),
    ] {
        c.range(
            &format!("stock_errors.{field}"),
            v,
            0.0,
            1.0,
            "(a probability)",
        );
    }
    if e.scan_error_per_unit > 0.0 && s.products.len() < 2 {
        c.err(
            "stock_errors.scan_error_per_unit",
            "a scanning error books another product: it needs at least two products",
        );
    }
    let Some(o) = &s.ordering else {
        return;
    };
    if s.calendar.is_none() {
        c.err(
            "ordering",
            "orders arrive on later days: add a `calendar` with the number of days to run",
        );
    }
    check_policy(c, "ordering.policy", &o.policy);
    for (id, policy) in &o.products {
        let path = format!("ordering.products[\"{id}\"]");
        if !s.products.iter().any(|p| &p.id == id) {
            c.err(&path, format!("no product \"{id}\" in `products`"));
        }
        check_policy(c, &path, policy);
    }
    if o.backroom_capacity == Some(0) {
        c.err(
            "ordering.backroom_capacity",
            "a backroom for 0 units takes no delivery: give its size in units, or leave it out",
        );
    }
    if o.lead_time_spread_days > 365 {
        c.err(
            "ordering.lead_time_spread_days",
            format!("{} days; at most 365", o.lead_time_spread_days),
        );
    }
    if o.lead_time_days > 365 {
        c.err(
            "ordering.lead_time_days",
            format!("{} days; at most 365", o.lead_time_days),
        );
    }
    if o.case_pack == 0 || o.case_pack > 10_000 {
        c.err(
            "ordering.case_pack",
            format!("{} units per case; give 1 to 10000", o.case_pack),
        );
    }
    if c.range(
        "ordering.receive_seconds_per_case",
        o.receive_seconds_per_case,
        0.0,
        3600.0,
        "s",
    ) && o.receive_seconds_per_case > 0.0
        && s.replenishment.restockers == 0
    {
        c.err(
            "ordering.receive_seconds_per_case",
            "deliveries are received by the restockers: set replenishment.restockers to 1 or more, or receive_seconds_per_case to 0",
        );
    }
    // Before closing (of the earliest-closing open weekday): a day's world ends when the
    // store is empty after closing.
    c.range(
        "ordering.delivery_time",
        o.delivery_time.seconds(),
        0.0,
        (earliest_close(s, k) - 1.0).max(0.0),
        "(a time of day before closing)",
    );
}

fn check_policy(c: &mut Checks, path: &str, p: &Policy) {
    const MAX_UNITS: u32 = 10_000_000;
    let units = |c: &mut Checks, field: &str, v: u32| {
        if v > MAX_UNITS {
            c.err(
                format!("{path}.{field}"),
                format!("{v} units; at most {MAX_UNITS}"),
            );
        }
    };
    match *p {
        Policy::None => {}
        Policy::ReorderPoint { s, q } => {
            units(c, "s", s);
            units(c, "q", q);
            if q == 0 {
                c.err(
                    format!("{path}.q"),
                    "orders of 0 units never raise the stock",
                );
            }
        }
        Policy::MinMax { s, max } => {
            units(c, "s", s);
            units(c, "max", max);
            if s >= max {
                c.err(
                    format!("{path}.s"),
                    format!(
                        "s = {s} must be below max = {max} (order up to max when at or below s)"
                    ),
                );
            }
        }
        Policy::Periodic { every_days, up_to } => {
            units(c, "up_to", up_to);
            days_between(c, &format!("{path}.every_days"), every_days, "reviews");
            if up_to == 0 {
                c.err(
                    format!("{path}.up_to"),
                    "ordering up to 0 units orders nothing",
                );
            }
        }
        Policy::Forecast {
            alpha,
            service_level,
            every_days,
        } => {
            c.range(
                &format!("{path}.alpha"),
                alpha,
                0.01,
                1.0,
                "(smoothing weight)",
            );
            c.range(
                &format!("{path}.service_level"),
                service_level,
                0.5,
                0.9999,
                "(a probability)",
            );
            days_between(c, &format!("{path}.every_days"), every_days, "reviews");
        }
        Policy::DaysOfCover { s_days, max_days } => {
            let ok = c.range(&format!("{path}.s_days"), s_days, 0.0, 365.0, "days");
            if c.range(&format!("{path}.max_days"), max_days, 0.0, 365.0, "days")
                && ok
                && s_days >= max_days
            {
                c.err(
                    format!("{path}.s_days"),
                    format!("s_days = {s_days} must be below max_days = {max_days}"),
                );
            }
        }
    }
}

fn check_counting(s: &Scenario, known: &Known, c: &mut Checks) {
    let Some(k) = &s.counting else {
        return;
    };
    if s.calendar.is_none() {
        c.err(
            "counting",
            "counts are scheduled on days of a `calendar`: add one (days: 1 for a single day)",
        );
    }
    let readers = matches!(k.method, CountMethod::RfidReaders { .. });
    if s.replenishment.restockers == 0 && !readers {
        c.err(
            "counting",
            "counts are done by the restockers: set replenishment.restockers to 1 or more",
        );
    }
    if !readers && (k.staff == 0 || k.staff > s.replenishment.restockers.max(1)) {
        c.err(
            "counting.staff",
            format!(
                "{} counting at once, but there are {} restockers; give 1 to {}",
                k.staff,
                s.replenishment.restockers,
                s.replenishment.restockers.max(1)
            ),
        );
    }
    days_between(c, "counting.every_days", k.every_days, "counts");
    if matches!(k.when_idle_days, Some(d) if d == 0 || d > 365) {
        c.err(
            "counting.when_idle_days",
            "give 1 to 365 open days without a sale",
        );
    }
    if k.products_per_day == Some(0) {
        c.err(
            "counting.products_per_day",
            "0 products a day counts nothing",
        );
    }
    c.range(
        "counting.start",
        k.start.seconds(),
        0.0,
        (earliest_close(s, known) - 1.0).max(0.0),
        "(a time of day before closing)",
    );
    match k.method {
        CountMethod::Manual {
            items_per_hour,
            error_per_item,
        } => {
            c.range(
                "counting.method.items_per_hour",
                items_per_hour,
                1.0,
                1_000_000.0,
                "items/h",
            );
            c.range(
                "counting.method.error_per_item",
                error_per_item,
                0.0,
                1.0,
                "(a probability)",
            );
        }
        CountMethod::RfidReaders {
            every_minutes,
            tagged,
            read_rate,
        } => {
            c.range(
                "counting.method.every_minutes",
                every_minutes,
                1.0,
                1440.0,
                "minutes",
            );
            check_reads(c, tagged, read_rate);
        }
        CountMethod::Rfid {
            items_per_hour,
            tagged,
            read_rate,
        } => {
            c.range(
                "counting.method.items_per_hour",
                items_per_hour,
                1.0,
                1_000_000.0,
                "items/h",
            );
            check_reads(c, tagged, read_rate);
        }
    }
}

/// A period of 1 to 365 days between `what` (reviews, counts).
fn days_between(c: &mut Checks, path: &str, days: u32, what: &str) {
    if days == 0 || days > 365 {
        c.err(path, format!("{days} days between {what}; give 1 to 365"));
    }
}

/// The tags and reads of an RFID method.
fn check_reads(c: &mut Checks, tagged: f64, read_rate: f64) {
    c.range("counting.method.tagged", tagged, 0.0, 1.0, "(a share)");
    c.range(
        "counting.method.read_rate",
        read_rate,
        0.0,
        1.0,
        "(a probability)",
    );
}

/// The earliest closing time of an open day, seconds since 00:00.
fn earliest_close(s: &Scenario, k: &Known) -> f64 {
    match &s.calendar {
        Some(cal) => {
            let c = cal.earliest_close(&s.hours);
            if c.is_finite() { c.max(0.0) } else { k.close }
        }
        None => k.close,
    }
}
