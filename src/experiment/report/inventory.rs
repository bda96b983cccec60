//! Inventory sections of runs over several days: out-of-stocks, the record's error, phantom
//! stock and stock on hand, one point per day (the mean over replications), one line per
//! variant.

use super::charts::lines;
use super::figure;
use crate::experiment::Variant;
use crate::sim::calendar::DayRow;

/// Per variant, `f` of each day averaged over the replications (open days only).
fn per_day(variants: &[Variant], f: fn(&DayRow) -> f64) -> Vec<(String, Vec<(f64, f64)>)> {
    variants
        .iter()
        .map(|v| {
            let days = v.reps.first().map_or(0, |r| r.days.len());
            let points = (0..days)
                .filter(|&d| v.reps[0].days[d].open)
                .map(|d| {
                    let sum: f64 = v.reps.iter().map(|r| f(&r.days[d])).sum();
                    (f64::from(v.reps[0].days[d].day), sum / v.reps.len() as f64)
                })
                .collect();
            (v.label.clone(), points)
        })
        .collect()
}

/// The section, empty when no run spans days.
pub(super) fn over_the_days(variants: &[Variant]) -> String {
    if !variants
        .iter()
        .any(|v| v.reps.iter().any(|r| !r.days.is_empty()))
    {
        return String::new();
    }
    let warm = variants
        .first()
        .and_then(|v| v.reps.first())
        .map_or(0, |r| r.days.iter().filter(|d| !d.measured).count());
    let caption = format!(
        "open days; mean over replications; the first {warm} day(s) are warm-up, left out of the KPIs"
    );
    let mut html = String::from("<h2>Over the days</h2>\n<div class=\"grid\">\n");
    for (title, unit, f) in [
        (
            "Out of stock (share of product-hours)",
            "%",
            (|d: &DayRow| 100.0 * d.oos_share) as fn(&DayRow) -> f64,
        ),
        ("Record error at closing (mean absolute)", "units", |d| {
            d.record_mae
        }),
        ("Record accuracy at closing", "% of products", |d| {
            100.0 * d.record_accuracy
        }),
        ("Phantom stock at closing", "products", |d| {
            d.phantom_products as f64
        }),
        ("Stock on hand at closing", "units", |d| {
            d.on_hand_units as f64
        }),
        ("Lost sales", "items", |d| d.lost_items as f64),
    ] {
        html.push_str(&figure(
            &lines(title, "day", unit, false, &per_day(variants, f)),
            &caption,
        ));
    }
    html.push_str("</div>\n");
    html
}
