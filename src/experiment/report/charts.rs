//! The plotting plumbing every section shares: SVG images drawn into strings, line charts
//! over the time of day (x in hours), the palette, and the mean of a sampled quantity over
//! replications.

use plotters::prelude::*;

use crate::experiment::Variant;
use crate::sim::metrics::Sample;

const PALETTE: [RGBColor; 8] = [
    RGBColor(31, 119, 180),
    RGBColor(214, 39, 40),
    RGBColor(44, 160, 44),
    RGBColor(255, 127, 14),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(23, 190, 207),
];

pub(super) fn color(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// Mean over replications of a sampled quantity on a common time grid (hours): the union of
/// every replication's sample times. Each replication is read as a step function (its last
/// sample at or before the grid time), so one that has finished keeps its final state: 0 for
/// levels such as customers in store, its total for running sums such as lost sales. Every
/// replication counts at every grid time.
pub(super) fn mean_series(v: &Variant, f: impl Fn(&Sample) -> f64) -> Vec<(f64, f64)> {
    let grid: std::collections::BTreeSet<i64> = v
        .reps
        .iter()
        .flat_map(|r| r.samples.iter().map(|s| s.time.round() as i64))
        .collect();
    let mut sums = vec![0.0; grid.len()];
    let mut counts = vec![0.0; grid.len()];
    for rep in &v.reps {
        let mut next = 0;
        let mut last: Option<f64> = None;
        for (i, &t) in grid.iter().enumerate() {
            while let Some(s) = rep.samples.get(next)
                && s.time.round() as i64 <= t
            {
                last = Some(f(s));
                next += 1;
            }
            if let Some(x) = last {
                sums[i] += x;
                counts[i] += 1.0;
            }
        }
    }
    grid.iter()
        .zip(sums.iter().zip(&counts))
        .filter(|(_, (_, n))| **n > 0.0)
        .map(|(&t, (sum, n))| (t as f64 / 3600.0, sum / n))
        .collect()
}

type Root<'a> = DrawingArea<SVGBackend<'a>, plotters::coord::Shift>;
type DrawResult<'a> = Result<(), Box<dyn std::error::Error + 'a>>;

/// Draws one SVG image into a string. Drawing errors leave the picture incomplete rather than
/// failing the report.
pub(super) fn svg(
    w: u32,
    h: u32,
    draw: impl for<'a> FnOnce(&Root<'a>) -> DrawResult<'a>,
) -> String {
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (w, h)).into_drawing_area();
        let _ = root.fill(&WHITE);
        let _ = draw(&root);
        let _ = root.present();
    }
    out
}

pub(super) const W: u32 = 640;
pub(super) const H: u32 = 340;

/// Lines over time of day (x in hours, labelled HH:MM).
pub(super) fn line_chart(
    title: &str,
    y_label: &str,
    series: &[(String, Vec<(f64, f64)>)],
) -> String {
    lines(title, "time of day (h)", y_label, true, series)
}

/// One line per series, with a legend; `clock`: label x (hours) as HH:MM.
pub(super) fn lines(
    title: &str,
    x_desc: &str,
    y_label: &str,
    clock: bool,
    series: &[(String, Vec<(f64, f64)>)],
) -> String {
    svg(W, H, |root| {
        let (x0, x1) = series
            .iter()
            .flat_map(|(_, pts)| pts.iter().map(|p| p.0))
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| {
                (a.min(x), b.max(x))
            });
        let y1 = series
            .iter()
            .flat_map(|(_, pts)| pts.iter().map(|p| p.1))
            .fold(0.0f64, f64::max);
        let (x0, x1) = if x0.is_finite() && x1 > x0 {
            (x0, x1)
        } else {
            (0.0, 1.0)
        };
        let y1 = if y1 > 0.0 { y1 * 1.08 } else { 1.0 };
        let mut chart = ChartBuilder::on(root)
            .caption(title, ("sans-serif", 18))
            .margin(10)
            .x_label_area_size(35)
            .y_label_area_size(50)
            .build_cartesian_2d(x0..x1, 0.0..y1)?;
        let _ = chart
            .configure_mesh()
            .x_desc(x_desc)
            .y_desc(y_label)
            .x_label_formatter(&|h| {
                if clock {
                    format!(
                        "{:02}:{:02}",
                        h.floor() as i64,
                        ((h.fract() * 60.0).round() as i64) % 60
                    )
                } else {
                    // Round away float noise such as 0.6000000000000001.
                    format!("{}", (h * 100.0).round() / 100.0)
                }
            })
            .draw();
        for (i, (label, pts)) in series.iter().enumerate() {
            let c = color(i);
            if let Ok(s) =
                chart.draw_series(LineSeries::new(pts.iter().copied(), c.stroke_width(2)))
            {
                s.label(label.as_str()).legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 18, y)], c.stroke_width(2))
                });
            }
        }
        let _ = chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK.mix(0.3))
            .position(SeriesLabelPosition::UpperRight)
            .draw();
        Ok(())
    })
}
