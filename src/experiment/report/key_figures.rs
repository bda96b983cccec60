//! The key figures: every KPI as a table (one run; variants side by side with their paired
//! differences; one row per sweep point) and, for sweeps, the main KPIs charted against the
//! swept value. Values are means ± half-width of the 95 % interval over replications, in
//! each KPI's own unit (seconds, shares, currency units, items).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use plotters::prelude::*;
use serde_json::Value;

use super::charts::{H, W, color, svg};
use super::{ReportKind, esc, figure};
use crate::experiment::{KpiRow, Variant};

/// The "Key figures" heading and table, and for a sweep its KPI charts.
pub(super) fn sections(variants: &[Variant], rows: &[KpiRow], kind: &ReportKind) -> String {
    let mut html = String::new();
    match kind {
        ReportKind::Run => {
            html.push_str("<h2>Key figures</h2>\n");
            html.push_str(&run_table(rows));
        }
        // One scenario's replications (`run -n`): no differences to explain.
        ReportKind::Compare if variants.len() == 1 => {
            html.push_str("<h2>Key figures</h2>\n<p>Mean ± half-width of the 95 % confidence interval over replications.</p>\n");
            html.push_str(&compare_table(variants, rows));
        }
        ReportKind::Compare => {
            html.push_str("<h2>Key figures</h2>\n<p>Mean ± half-width of the 95 % confidence interval over replications. Differences are paired against the first variant; <strong>bold</strong> differences are significant after Holm's correction over all KPIs × variants (the chance of any false bold figure in the table is at most 5 %); an interval alone is 95 % for that one difference.</p>\n");
            html.push_str(&compare_table(variants, rows));
        }
        ReportKind::Sweep { points } => {
            html.push_str("<h2>Key figures per sweep point</h2>\n<p>Mean ± half-width of the 95 % confidence interval over replications.</p>\n");
            html.push_str(&sweep_table(variants, rows, points));
            html.push_str("<h2>KPIs against the swept value</h2>\n<div class=\"grid\">\n");
            for id in [
                "wait_mean_s",
                "wait_p95_s",
                "share_long_wait",
                "lane_utilisation",
                "revenue",
                "lost_items",
            ] {
                if let Some(row) = rows.iter().find(|r| r.kpi.id == id) {
                    html.push_str(&figure(&sweep_chart(row, points), ""));
                }
            }
            html.push_str("</div>\n");
        }
    }
    html
}

fn fmt_num(x: f64) -> String {
    if !x.is_finite() {
        "–".to_string()
    } else if x.abs() >= 1000.0 || x.fract() == 0.0 {
        format!("{x:.0}")
    } else if x.abs() >= 10.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.2}")
    }
}

fn fmt_ci(mean: f64, half: f64) -> String {
    if half.is_finite() {
        format!("{} ± {}", fmt_num(mean), fmt_num(half))
    } else {
        fmt_num(mean)
    }
}

fn kpi_label(row: &KpiRow) -> String {
    if row.kpi.unit.is_empty() {
        esc(&row.kpi.label)
    } else {
        format!("{} ({})", esc(&row.kpi.label), row.kpi.unit)
    }
}

fn run_table(rows: &[KpiRow]) -> String {
    let mut t = String::from("<table><tr><th>KPI</th><th>value</th></tr>\n");
    for row in rows {
        let i = row.intervals[0];
        let _ = writeln!(
            t,
            "<tr><td>{}</td><td>{}</td></tr>",
            kpi_label(row),
            fmt_ci(i.mean, i.half_width)
        );
    }
    t.push_str("</table>\n");
    t
}

fn compare_table(variants: &[Variant], rows: &[KpiRow]) -> String {
    let mut t = String::from("<table><tr><th>KPI</th>");
    for v in variants {
        let _ = write!(t, "<th>{}</th>", esc(&v.label));
    }
    for v in &variants[1..] {
        let _ = write!(
            t,
            "<th>{} − {}</th>",
            esc(&v.label),
            esc(&variants[0].label)
        );
    }
    t.push_str("</tr>\n");
    for row in rows {
        let _ = write!(t, "<tr><td>{}</td>", kpi_label(row));
        for i in &row.intervals {
            let _ = write!(t, "<td>{}</td>", fmt_ci(i.mean, i.half_width));
        }
        for (d, &significant) in row.differences.iter().zip(&row.significant) {
            let Some(d) = d else { continue };
            let text = fmt_ci(d.mean, d.half_width);
            if significant {
                let _ = write!(t, "<td><strong>{text}</strong></td>");
            } else {
                let _ = write!(t, "<td>{text}</td>");
            }
        }
        t.push_str("</tr>\n");
    }
    t.push_str("</table>\n");
    t
}

fn sweep_table(variants: &[Variant], rows: &[KpiRow], points: &[Vec<(String, Value)>]) -> String {
    let shown = [
        "wait_mean_s",
        "wait_p95_s",
        "share_long_wait",
        "lane_utilisation",
        "revenue",
        "lost_items",
        "customers_served",
    ];
    let mut t = String::from("<table><tr>");
    if let Some(first) = points.first() {
        for (path, _) in first {
            let _ = write!(t, "<th>{}</th>", esc(path));
        }
    }
    let cols: Vec<&KpiRow> = shown
        .iter()
        .filter_map(|id| rows.iter().find(|r| r.kpi.id == *id))
        .collect();
    for row in &cols {
        let _ = write!(t, "<th>{}</th>", kpi_label(row));
    }
    t.push_str("</tr>\n");
    for (i, _) in variants.iter().enumerate() {
        t.push_str("<tr>");
        for (_, value) in &points[i] {
            let _ = write!(t, "<td>{}</td>", esc(&value_text(value)));
        }
        for row in &cols {
            let c = row.intervals[i];
            let _ = write!(t, "<td>{}</td>", fmt_ci(c.mean, c.half_width));
        }
        t.push_str("</tr>\n");
    }
    t.push_str("</table>\n");
    t
}

fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        v => v.to_string(),
    }
}

fn sweep_chart(row: &KpiRow, points: &[Vec<(String, Value)>]) -> String {
    // x: the first swept field; one line per setting of the other fields.
    let x_of = |p: &[(String, Value)]| p.first().and_then(|(_, v)| v.as_f64());
    let numeric = points.iter().all(|p| x_of(p).is_some());
    let mut groups: BTreeMap<String, Vec<(f64, f64, f64)>> = BTreeMap::new();
    for (i, p) in points.iter().enumerate() {
        let x = if numeric {
            x_of(p).unwrap_or(i as f64)
        } else {
            i as f64
        };
        let rest = crate::experiment::combo_label(&p[1.min(p.len())..]);
        let ci = row.intervals[i];
        let hw = if ci.half_width.is_finite() {
            ci.half_width
        } else {
            0.0
        };
        groups.entry(rest).or_default().push((x, ci.mean, hw));
    }
    let x_name = points
        .first()
        .and_then(|p| p.first())
        .map(|(n, _)| n.clone())
        .unwrap_or_default();
    let (x0, x1) = groups
        .values()
        .flatten()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), p| {
            (a.min(p.0), b.max(p.0))
        });
    let (x0, x1) = if x1 > x0 {
        (x0, x1)
    } else {
        (x0 - 0.5, x0 + 0.5)
    };
    let (y0, y1) = groups
        .values()
        .flatten()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), p| {
            (a.min(p.1 - p.2), b.max(p.1 + p.2))
        });
    let pad = ((y1 - y0) * 0.08).max(1e-6);
    let (y0, y1) = (y0.min(0.0).max(y0 - pad), y1 + pad);
    svg(W, H, |root| {
        let title = if row.kpi.unit.is_empty() {
            row.kpi.label.to_string()
        } else {
            format!("{} ({})", row.kpi.label, row.kpi.unit)
        };
        let mut chart = ChartBuilder::on(root)
            .caption(title, ("sans-serif", 18))
            .margin(10)
            .x_label_area_size(35)
            .y_label_area_size(55)
            .build_cartesian_2d(x0..x1, y0..y1)?;
        let _ = chart.configure_mesh().x_desc(x_name.as_str()).draw();
        let many = groups.len() > 1;
        for (i, (label, pts)) in groups.iter().enumerate() {
            let c = color(i);
            let mut band: Vec<(f64, f64)> = pts.iter().map(|p| (p.0, p.1 + p.2)).collect();
            band.extend(pts.iter().rev().map(|p| (p.0, p.1 - p.2)));
            let _ = chart.draw_series(std::iter::once(Polygon::new(band, c.mix(0.18).filled())));
            let line = chart.draw_series(LineSeries::new(
                pts.iter().map(|p| (p.0, p.1)),
                c.stroke_width(2),
            ));
            if let Ok(s) = line
                && many
            {
                s.label(label.as_str()).legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 18, y)], c.stroke_width(2))
                });
            }
            let _ = chart.draw_series(pts.iter().map(|p| Circle::new((p.0, p.1), 3, c.filled())));
        }
        if many {
            let _ = chart
                .configure_series_labels()
                .background_style(WHITE.mix(0.85))
                .border_style(BLACK.mix(0.3))
                .draw();
        }
        Ok(())
    })
}
