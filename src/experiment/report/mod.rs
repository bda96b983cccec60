//! The HTML report: one self-contained file (inline CSS and SVG, no script, no external
//! resource) that opens offline in any browser.
//!
//! Charts are drawn with plotters' SVG backend: queue length over the day per queue (or per
//! variant), the waiting-time distribution, customers in store, lane utilisation, stock
//! (empty shelves and lost sales), and a heatmap of where customers spent their time on the
//! floor plan. Comparisons overlay the variants (means over replications); sweeps plot each
//! KPI against the swept value with its 95 % interval band.
//!
//! This module draws the page frame and decides the order of the sections; each retail
//! concept draws its own sections in its own file (`checkout`, `customers`, `stock`), beside
//! the key-figure tables (`key_figures`), the chart plumbing (`charts`) and the atomic file
//! writing (`file`).

use std::fmt::Write as _;

use serde_json::Value;

use crate::experiment::{Variant, kpi_rows};
use crate::sim::metrics::Sample;

mod charts;
mod checkout;
mod customers;
mod file;
mod inventory;
mod key_figures;
mod stock;

pub use file::{write, write_target};

/// What the report is about.
pub enum ReportKind {
    /// One run (`storelab run --report`).
    Run,
    /// Variants compared with common random numbers.
    Compare,
    /// Sweep points, one variant each, with the settings that define them.
    Sweep { points: Vec<Vec<(String, Value)>> },
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Renders the whole report.
pub fn render(title: &str, variants: &[Variant], kind: &ReportKind) -> String {
    let mut html = String::new();
    let reps = variants.first().map_or(0, |v| v.reps.len());
    let seeds = variants
        .first()
        .and_then(|v| Some((v.reps.first()?.seed, v.reps.last()?.seed)))
        .map(|(a, b)| {
            if a == b {
                format!("seed {a}")
            } else {
                format!("seeds {a}–{b}")
            }
        })
        .unwrap_or_default();
    let _ = write!(
        html,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title><style>{}</style></head><body>\n<h1>{}</h1>\n<p class=\"meta\">storelab {} · {} replication{} per variant · {}{}</p>\n",
        esc(title),
        CSS,
        esc(title),
        env!("CARGO_PKG_VERSION"),
        reps,
        if reps == 1 { "" } else { "s" },
        seeds,
        if variants.len() > 1 {
            " · common random numbers across variants"
        } else {
            ""
        }
    );
    let rows = kpi_rows(variants);
    if let Some(warning) = crate::experiment::overload_warning(variants) {
        html.push_str(&format!("<p class=\"warning\">⚠ {}</p>\n", esc(&warning)));
    }
    html.push_str(&key_figures::sections(variants, &rows, kind));
    html.push_str(&inventory::over_the_days(variants));
    let overlay = !matches!(kind, ReportKind::Run);
    let days = variants
        .iter()
        .any(|v| v.reps.iter().any(|r| !r.days.is_empty()));
    html.push_str(if days {
        "<h2>Customers and checkout</h2>\n<div class=\"grid\">\n"
    } else {
        "<h2>Over the day</h2>\n<div class=\"grid\">\n"
    });
    if days {
        // Time-of-day charts over weeks would draw every night as a line across the chart.
        html.push_str(
            "<p>A run over several days: the time series of every day are in <code>timeseries.csv</code> (<code>--out</code>); the live view shows a day.</p>\n",
        );
    } else if overlay && variants.len() > MAX_OVERLAY {
        let _ = writeln!(
            html,
            "<p>{} variants are too many lines for one chart; run <code>storelab compare</code> on a few of them to see their days overlaid.</p>",
            variants.len()
        );
    } else if let Some(day) = Day::of(variants, overlay) {
        html.push_str(&checkout::queues_over_the_day(&day));
        html.push_str(&customers::in_store_over_the_day(&day));
        html.push_str(&stock::over_the_day(&day));
    }
    html.push_str(&checkout::waits(variants));
    html.push_str(&checkout::utilisation(variants));
    html.push_str("</div>\n");
    html.push_str(&customers::where_time_was_spent(variants, kind));
    html.push_str("<p class=\"meta\">Made with storelab. KPIs are defined in docs/outputs.md.</p>\n</body></html>\n");
    html
}

/// Most variants drawn as separate lines in one chart.
const MAX_OVERLAY: usize = 6;

/// How the charts over the day show the variants.
enum Day<'a> {
    /// Comparisons and sweeps: one line per variant, each the mean over its replications.
    Overlay(&'a [Variant]),
    /// One run: the detail of its single variant (per queue, stock measures together).
    One(&'a Variant),
}

impl<'a> Day<'a> {
    fn of(variants: &'a [Variant], overlay: bool) -> Option<Day<'a>> {
        if overlay {
            Some(Day::Overlay(variants))
        } else {
            variants.first().map(Day::One)
        }
    }
}

/// Caption of every overlaid chart over the day.
const OVERLAY_CAPTION: &str = "mean over replications";

/// One line per variant of a sampled quantity: its mean over replications.
fn per_variant(variants: &[Variant], f: fn(&Sample) -> f64) -> Vec<(String, Vec<(f64, f64)>)> {
    variants
        .iter()
        .map(|v| (v.label.clone(), charts::mean_series(v, f)))
        .collect()
}

const CSS: &str = "body{font-family:system-ui,sans-serif;margin:2em auto;max-width:1400px;color:#222;padding:0 1em}\
h1{font-size:1.6em}h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #ccc}\
table{border-collapse:collapse;font-size:.9em}td,th{border:1px solid #ddd;padding:.3em .6em;text-align:right}\
th{background:#f3f3f3}td:first-child,th:first-child{text-align:left}\
.meta{color:#666;font-size:.9em}.grid{display:flex;flex-wrap:wrap;gap:1em}\
figure{margin:0;border:1px solid #eee;padding:.5em}figcaption{font-size:.8em;color:#666;max-width:640px}\
.warning{background:#fff3cd;border:1px solid #e0c060;padding:.5em 1em}";

fn figure(svg: &str, caption: &str) -> String {
    if caption.is_empty() {
        format!("<figure>{svg}</figure>\n")
    } else {
        format!("<figure>{svg}<figcaption>{caption}</figcaption></figure>\n")
    }
}
