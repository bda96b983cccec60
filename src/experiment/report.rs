//! The HTML report: one self-contained file (inline CSS and SVG, no script, no external
//! resource) that opens offline in any browser.
//!
//! Charts are drawn with plotters' SVG backend: queue length over the day per queue (or per
//! variant), the waiting-time distribution, customers in store, lane utilisation, stock
//! (empty shelves and lost sales), and a heatmap of where customers spent their time on the
//! floor plan. Comparisons overlay the variants (means over replications); sweeps plot each
//! KPI against the swept value with its 95 % interval band.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io;
use std::path::Path;

use plotters::prelude::*;
use serde_json::Value;

use crate::experiment::{KpiRow, Variant, kpi_rows};
use crate::scenario::floor_plan::CellKind;
use crate::sim::metrics::Sample;

/// What the report is about.
pub enum ReportKind {
    /// One run (`storelab run --report`).
    Run,
    /// Variants compared with common random numbers.
    Compare,
    /// Sweep points, one variant each, with the settings that define them.
    Sweep { points: Vec<Vec<(String, Value)>> },
}

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

fn color(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Where a write to `path` must go: `path` itself, or, if it is a symbolic link, the file the
/// link (chain) points to, so the link is kept. Refuses anything that is not a regular file
/// (folder, device node, FIFO, socket): such a thing is never replaced.
pub fn write_target(path: &Path) -> io::Result<std::path::PathBuf> {
    let mut target = path.to_path_buf();
    let refuse = |target: &Path, what: &str| {
        let it = if target == path {
            "it".to_string()
        } else {
            format!("it links to {}, which", target.display())
        };
        Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!(
                "{it} {what}; storelab writes only to a regular file (or a link to one) and \
                 replaces nothing else"
            ),
        ))
    };
    // 40 like the kernel's limit on links followed (ELOOP).
    for _ in 0..40 {
        let meta = match std::fs::symlink_metadata(&target) {
            Ok(m) => m,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(target),
            Err(e) => return Err(crate::experiment::output::file_in_the_way(&target, e)),
        };
        let kind = meta.file_type();
        if kind.is_symlink() {
            let link = std::fs::read_link(&target)?;
            target = match target.parent() {
                Some(dir) => dir.join(link),
                None => link,
            };
        } else if kind.is_file() {
            return Ok(target);
        } else if kind.is_dir() {
            return refuse(&target, "is a folder");
        } else {
            return refuse(&target, "is not a regular file (a device, FIFO or socket)");
        }
    }
    refuse(path, "is a chain of too many symbolic links")
}

/// Writes a report (or another text file) atomically: a temporary file in the same folder,
/// fsynced, then renamed over the target and the folder fsynced. A symbolic link is written
/// through (its target is replaced, the link stays); see [`write_target`] for what is refused.
pub fn write(path: &Path, html: &str) -> io::Result<()> {
    let target = write_target(path)?;
    let dir = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    // Like `--out`, a report may go into a folder that does not exist yet.
    crate::experiment::output::create_folder(&dir)?;
    // tempfile names its hidden temporary in the error; the user asked for `path`.
    let mut tmp = tempfile::Builder::new()
        .prefix(".storelab-")
        .tempfile_in(&dir)
        .map_err(|e| {
            let os = e
                .get_ref()
                .and_then(|inner| inner.source())
                .and_then(|s| s.downcast_ref::<io::Error>())
                .and_then(io::Error::raw_os_error);
            os.map_or(e, io::Error::from_raw_os_error)
        })?;
    io::Write::write_all(&mut tmp, html.as_bytes())?;
    // Temporary files are private (0600); a report is an ordinary document, and a file that
    // is replaced keeps its mode.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&target).map_or(0o644, |m| m.permissions().mode() & 0o7777);
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(mode))?;
    }
    tmp.as_file().sync_all()?;
    // Checked again just before the rename, which would replace whatever stands there.
    if write_target(path)? != target {
        return Err(io::Error::other("it changed while writing; left as it was"));
    }
    tmp.persist(&target).map_err(|e| e.error)?;
    crate::experiment::output::sync_folder(&dir)
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
    match kind {
        ReportKind::Run => {
            html.push_str("<h2>Key figures</h2>\n");
            html.push_str(&run_table(&rows));
        }
        ReportKind::Compare => {
            html.push_str("<h2>Key figures</h2>\n<p>Mean ± half-width of the 95 % confidence interval over replications. Differences are paired against the first variant; <strong>bold</strong> differences are significant after Holm's correction over all KPIs × variants (the chance of any false bold figure in the table is at most 5 %); an interval alone is 95 % for that one difference.</p>\n");
            html.push_str(&compare_table(variants, &rows));
        }
        ReportKind::Sweep { points } => {
            html.push_str("<h2>Key figures per sweep point</h2>\n<p>Mean ± half-width of the 95 % confidence interval over replications.</p>\n");
            html.push_str(&sweep_table(variants, &rows, points));
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
    let overlay = !matches!(kind, ReportKind::Run);
    html.push_str("<h2>Over the day</h2>\n<div class=\"grid\">\n");
    if overlay && variants.len() > MAX_OVERLAY {
        let _ = writeln!(
            html,
            "<p>{} variants are too many lines for one chart; run <code>storelab compare</code> on a few of them to see their days overlaid.</p>",
            variants.len()
        );
    } else if overlay {
        let series = |f: fn(&Sample) -> f64| -> Vec<(String, Vec<(f64, f64)>)> {
            variants
                .iter()
                .map(|v| (v.label.clone(), mean_series(v, f)))
                .collect()
        };
        html.push_str(&figure(
            &line_chart(
                "Customers waiting at the checkout (all queues)",
                "customers",
                &series(|s| s.queueing as f64),
            ),
            "mean over replications",
        ));
        html.push_str(&figure(
            &line_chart(
                "Customers in store",
                "customers",
                &series(|s| s.in_store as f64),
            ),
            "mean over replications",
        ));
        html.push_str(&figure(
            &line_chart(
                "Products with an empty shelf",
                "products",
                &series(|s| s.products_empty as f64),
            ),
            "mean over replications",
        ));
        html.push_str(&figure(
            &line_chart(
                "Lost sales so far",
                "items",
                &series(|s| s.items_lost as f64),
            ),
            "mean over replications",
        ));
    } else if let Some(v) = variants.first() {
        let per_queue: Vec<(String, Vec<(f64, f64)>)> = v
            .queue_names
            .iter()
            .enumerate()
            .map(|(q, name)| {
                (
                    name.clone(),
                    mean_series(v, |s| f64::from(s.queues.get(q).copied().unwrap_or(0))),
                )
            })
            .collect();
        html.push_str(&figure(
            &line_chart("Queue length per queue", "customers waiting", &per_queue),
            "",
        ));
        let one = |label: &str, f: fn(&Sample) -> f64| vec![(label.to_string(), mean_series(v, f))];
        html.push_str(&figure(
            &line_chart(
                "Customers in store",
                "customers",
                &one("in store", |s| s.in_store as f64),
            ),
            "",
        ));
        let stock = vec![
            (
                "products with an empty shelf".to_string(),
                mean_series(v, |s| s.products_empty as f64),
            ),
            (
                "lost sales so far (÷100 items)".to_string(),
                mean_series(v, |s| s.items_lost as f64 / 100.0),
            ),
        ];
        html.push_str(&figure(&line_chart("Stock", "", &stock), ""));
    }
    html.push_str(&figure(
        &wait_histogram(variants),
        "share of paying customers per 30 s class",
    ));
    html.push_str(&figure(
        &utilisation_chart(variants),
        "busy time / open time, mean over replications",
    ));
    html.push_str("</div>\n<h2>Where customers spent their time</h2>\n<div class=\"grid\">\n");
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
    html.push_str("</div>\n<p class=\"meta\">Made with storelab. KPIs are defined in docs/outputs.md.</p>\n</body></html>\n");
    html
}

/// Most variants drawn as separate lines in one chart.
const MAX_OVERLAY: usize = 6;

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
        esc(row.kpi.label)
    } else {
        format!("{} ({})", esc(row.kpi.label), row.kpi.unit)
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

/// Mean over replications of a sampled quantity on a common time grid (hours): the union of
/// every replication's sample times. Each replication is read as a step function (its last
/// sample at or before the grid time), so one that has finished keeps its final state: 0 for
/// levels such as customers in store, its total for running sums such as lost sales. Every
/// replication counts at every grid time.
fn mean_series(v: &Variant, f: impl Fn(&Sample) -> f64) -> Vec<(f64, f64)> {
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
fn svg(w: u32, h: u32, draw: impl for<'a> FnOnce(&Root<'a>) -> DrawResult<'a>) -> String {
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (w, h)).into_drawing_area();
        let _ = root.fill(&WHITE);
        let _ = draw(&root);
        let _ = root.present();
    }
    out
}

const W: u32 = 640;
const H: u32 = 340;

/// Lines over time of day (x in hours, labelled HH:MM).
fn line_chart(title: &str, y_label: &str, series: &[(String, Vec<(f64, f64)>)]) -> String {
    lines(title, "time of day (h)", y_label, true, series)
}

/// One line per series, with a legend; `clock`: label x (hours) as HH:MM.
fn lines(
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

fn wait_histogram(variants: &[Variant]) -> String {
    const BIN: f64 = 30.0;
    let max_wait = variants
        .iter()
        .flat_map(|v| v.reps.iter().flat_map(|r| r.waits.iter().copied()))
        .fold(0.0f64, f64::max);
    let bins = ((max_wait / BIN).ceil() as usize).clamp(1, 40);
    let series: Vec<(String, Vec<(f64, f64)>)> = variants
        .iter()
        .map(|v| {
            let mut counts = vec![0.0; bins];
            let mut total = 0.0;
            for w in v.reps.iter().flat_map(|r| r.waits.iter()) {
                counts[((w / BIN) as usize).min(bins - 1)] += 1.0;
                total += 1.0;
            }
            let pts = counts
                .iter()
                .enumerate()
                .flat_map(|(i, c)| {
                    let share = if total > 0.0 { 100.0 * c / total } else { 0.0 };
                    [
                        (i as f64 * BIN / 60.0, share),
                        ((i + 1) as f64 * BIN / 60.0, share),
                    ]
                })
                .collect();
            (v.label.clone(), pts)
        })
        .collect();
    lines(
        "Waiting time in queue",
        "wait (min)",
        "% of customers",
        false,
        &series,
    )
}

fn utilisation_chart(variants: &[Variant]) -> String {
    // Lanes by id across variants (a variant may have other lanes), in order of appearance.
    let mut lanes: Vec<String> = Vec::new();
    for v in variants {
        for l in v.reps.first().map(|r| &r.summary.lanes[..]).unwrap_or(&[]) {
            if !lanes.contains(&l.id) {
                lanes.push(l.id.clone());
            }
        }
    }
    let n = lanes.len().max(1);
    let k = variants.len().max(1);
    svg(W, H, |root| {
        let mut chart = ChartBuilder::on(root)
            .caption("Lane utilisation", ("sans-serif", 18))
            .margin(10)
            .x_label_area_size(45)
            .y_label_area_size(50)
            .build_cartesian_2d(0.0..n as f64, 0.0..100.0)?;
        let lanes_ref = &lanes;
        let _ = chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(n.min(30))
            .x_label_formatter(&|x| {
                lanes_ref
                    .get(x.floor() as usize)
                    .cloned()
                    .unwrap_or_default()
            })
            .y_desc("% of open time busy")
            .draw();
        for (vi, v) in variants.iter().enumerate() {
            let c = color(vi);
            let bars: Vec<Rectangle<(f64, f64)>> = (0..lanes.len())
                .map(|li| {
                    let vals: Vec<f64> = v
                        .reps
                        .iter()
                        .filter_map(|r| r.summary.lanes.iter().find(|l| l.id == lanes[li]))
                        .map(|l| 100.0 * l.utilisation)
                        .collect();
                    let mean = vals.iter().sum::<f64>() / vals.len().max(1) as f64;
                    let w = 0.8 / k as f64;
                    let x = li as f64 + 0.1 + w * vi as f64;
                    Rectangle::new([(x, 0.0), (x + w, mean)], c.filled())
                })
                .collect();
            if let Ok(s) = chart.draw_series(bars) {
                s.label(v.label.as_str()).legend(move |(x, y)| {
                    Rectangle::new([(x, y - 5), (x + 12, y + 5)], c.filled())
                });
            }
        }
        if k > 1 {
            let _ = chart
                .configure_series_labels()
                .background_style(WHITE.mix(0.85))
                .border_style(BLACK.mix(0.3))
                .draw();
        }
        Ok(())
    })
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
