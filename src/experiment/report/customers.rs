//! Customer sections: customers in store over the day, and where on the floor plan they
//! spent their time (customer-minutes per cell, log scale).

use plotters::prelude::*;

use super::charts::{line_chart, mean_series, svg};
use super::{Day, OVERLAY_CAPTION, ReportKind, esc, figure, per_variant};
use crate::experiment::Variant;
use crate::scenario::floor_plan::CellKind;

/// Customers in the store over the day.
pub(super) fn in_store_over_the_day(day: &Day) -> String {
    match *day {
        Day::Overlay(variants) => figure(
            &line_chart(
                "Customers in store",
                "customers",
                &per_variant(variants, |s| s.in_store as f64),
            ),
            OVERLAY_CAPTION,
        ),
        Day::One(v) => {
            let in_store = [(
                "in store".to_string(),
                mean_series(v, |s| s.in_store as f64),
            )];
            figure(
                &line_chart("Customers in store", "customers", &in_store),
                "",
            )
        }
    }
}

/// A heatmap per variant (the first four of a sweep, which may have hundreds).
pub(super) fn where_time_was_spent(variants: &[Variant], kind: &ReportKind) -> String {
    let mut html =
        String::from("<h2>Where customers spent their time</h2>\n<div class=\"grid\">\n");
    let shown = if matches!(kind, ReportKind::Sweep { .. }) {
        variants.len().min(4)
    } else {
        variants.len()
    };
    for v in &variants[..shown] {
        html.push_str(&figure(
            &heatmap(v),
            &format!(
                "{}: customer-minutes per cell (log scale), mean over replications",
                esc(&v.label)
            ),
        ));
    }
    html.push_str("</div>\n");
    html
}

fn heatmap(v: &Variant) -> String {
    let plan = v.scenario.plan();
    let (w, h) = (plan.width as usize, plan.height as usize);
    let reps = v.reps.len().max(1) as f64;
    let minutes: Vec<f64> = (0..w * h)
        .map(|c| {
            v.reps
                .iter()
                .map(|r| r.heat.get(c).copied().unwrap_or(0.0))
                .sum::<f64>()
                / reps
                / 60.0
        })
        .collect();
    let max = minutes.iter().copied().fold(0.0f64, f64::max);
    let scale = (1.0 + max).ln().max(1e-9);
    let cell = (600 / w.max(1)).clamp(2, 24) as i32;
    let (pw, ph) = (cell * w as i32, cell * h as i32 + 30);
    svg(pw as u32, ph as u32, |root| {
        for y in 0..h {
            for x in 0..w {
                let c = y * w + x;
                let fill: RGBColor = match plan.cells.as_slice()[c] {
                    CellKind::Wall => RGBColor(60, 60, 60),
                    CellKind::Shelf(_) => RGBColor(196, 164, 120),
                    CellKind::Checkout(_) => RGBColor(70, 110, 200),
                    CellKind::Backroom => RGBColor(150, 150, 150),
                    _ if minutes[c] <= 0.0 => RGBColor(250, 250, 250),
                    _ => {
                        let t = ((1.0 + minutes[c]).ln() / scale) as f32;
                        ViridisRGB::get_color_normalized(t, 0.0, 1.0)
                    }
                };
                let (x0, y0) = (x as i32 * cell, y as i32 * cell);
                let _ = root.draw(&Rectangle::new(
                    [(x0, y0), (x0 + cell, y0 + cell)],
                    fill.filled(),
                ));
            }
        }
        let _ = root.draw(&Text::new(
            format!(
                "max {:.0} customer-min per cell · shelves tan, checkouts blue, walls dark",
                max
            ),
            (4, ph - 22),
            ("sans-serif", 13).into_font().color(&BLACK),
        ));
        Ok(())
    })
}
