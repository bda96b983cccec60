//! Result files and the KPI table.
//!
//! An output directory is written complete or not at all: files go to a hidden staging
//! directory beside it, which is renamed into place only when every file is written. Only an
//! empty folder or one carrying storelab's marker file is ever replaced. Columns are
//! documented in `docs/outputs.md`.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{CellAlignment, Table};

use crate::RunOutput;
use crate::scenario::format_clock;

/// Writes `summary.json`, `timeseries.csv` and `customers.csv` into `dir` atomically, and for
/// a run over several days `days.csv` and `products.csv`.
pub fn write_run(dir: &Path, out: &RunOutput) -> io::Result<()> {
    write_dir_atomically(dir, |staging| {
        write_file(&staging.join("summary.json"), |w| {
            serde_json::to_writer_pretty(&mut *w, &out.summary).map_err(io::Error::other)?;
            writeln!(w)
        })?;
        write_file(&staging.join("timeseries.csv"), |w| {
            write_timeseries(w, out)
        })?;
        write_file(&staging.join("customers.csv"), |w| write_customers(w, out))?;
        if !out.staffing.is_empty() {
            write_file(&staging.join("staffing.csv"), |w| {
                write_rows(w, &out.staffing)
            })?;
        }
        if !out.days.is_empty() {
            write_file(&staging.join("days.csv"), |w| write_rows(w, &out.days))?;
            write_file(&staging.join("products.csv"), |w| {
                write_rows(w, &out.products)
            })?;
        }
        Ok(())
    })
}

/// One CSV row per item, columns as serde names the fields.
fn write_rows<T: serde::Serialize>(w: &mut impl Write, rows: &[T]) -> io::Result<()> {
    let mut csv = csv::Writer::from_writer(w);
    for r in rows {
        csv.serialize(r).map_err(io::Error::other)?;
    }
    csv.flush()
}

fn write_file(
    path: &Path,
    f: impl FnOnce(&mut io::BufWriter<fs::File>) -> io::Result<()>,
) -> io::Result<()> {
    let mut w = io::BufWriter::new(fs::File::create(path)?);
    f(&mut w)?;
    w.into_inner().map_err(|e| e.into_error())?.sync_all()
}

/// Creates `dir` and its parents. When a file stands where a folder must go, says so
/// (the OS would only say "File exists").
pub fn create_folder(dir: &Path) -> io::Result<()> {
    fs::create_dir_all(dir).map_err(|e| file_in_the_way(dir, e))
}

/// Names the file that stands where a folder of `path` must go, if one does; else `e`.
pub fn file_in_the_way(path: &Path, e: io::Error) -> io::Error {
    match path.ancestors().find(|a| a.exists() && !a.is_dir()) {
        Some(file) => io::Error::other(format!("{} is a file, not a folder", file.display())),
        None => e,
    }
}

/// Name of the marker file in every output folder storelab writes. Only a folder carrying it
/// (or an empty one) is ever replaced by `--out`.
pub const MARKER: &str = ".storelab-output";

const MARKER_TEXT: &str = "This folder was written by storelab (--out). storelab replaces a folder \
only when it holds this file; delete the file to protect the folder from being replaced.\n";

/// What stands at an `--out` path that storelab may write to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutTarget {
    Absent,
    /// An empty folder: used as if absent.
    Empty,
    /// A folder storelab wrote earlier (it holds [`MARKER`]).
    Marked,
}

/// Checks that `dir` may receive an output folder: absent, an empty folder, or a folder
/// storelab wrote (carrying [`MARKER`]). Anything else is refused with an error naming it.
/// Run before a long experiment so a refusal comes first, and again when writing.
pub fn check_out_dir(dir: &Path) -> io::Result<OutTarget> {
    check_out(dir, false)
}

/// [`check_out_dir`] for a shard's folder, which may replace an earlier shard's runs.
pub fn check_shard_dir(dir: &Path) -> io::Result<OutTarget> {
    check_out(dir, true)
}

fn check_out(dir: &Path, runs_ok: bool) -> io::Result<OutTarget> {
    let refuse = |what: &str| {
        Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!(
                "it {what}; storelab replaces only an empty folder or one it wrote itself \
                 (holding {MARKER}), so choose another --out"
            ),
        ))
    };
    if dir.file_name().is_none() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "it does not name a folder to create; give a name such as results/day1",
        ));
    }
    let meta = match fs::symlink_metadata(dir) {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(OutTarget::Absent),
        Err(e) => return Err(file_in_the_way(dir, e)),
    };
    let kind = meta.file_type();
    if kind.is_symlink() {
        return refuse("is a symbolic link, not a folder");
    }
    if kind.is_file() {
        return refuse("is a file, not a folder");
    }
    if !kind.is_dir() {
        return refuse("exists and is not a folder (a device, FIFO or socket)");
    }
    if fs::read_dir(dir)?.next().is_none() {
        return Ok(OutTarget::Empty);
    }
    match fs::symlink_metadata(dir.join(MARKER)) {
        // A shard's runs are the only copy `storelab merge` can use: never replaced by results.
        Ok(m)
            if m.is_file() && !runs_ok && dir.join(crate::experiment::store::MANIFEST).exists() =>
        {
            Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                "it holds the runs of a shard (experiment.ron), which `storelab merge` needs; \
                 choose another --out",
            ))
        }
        Ok(m) if m.is_file() => Ok(OutTarget::Marked),
        _ => refuse("exists and is not a storelab output directory (it holds no marker file)"),
    }
}

/// Fills a staging folder with `fill`, then swaps it in for `dir`, so `dir` is either the old
/// output or the complete new one. An existing `dir` must pass [`check_out_dir`]; the old
/// output is removed only after it was moved aside and found to carry the marker.
///
/// Staging is a `tempfile` folder beside `dir` (removed on error or panic). Every file and
/// the staging folder are fsynced before the swap, and the parent folder after it.
pub fn write_dir_atomically(
    dir: &Path,
    fill: impl FnOnce(&Path) -> io::Result<()>,
) -> io::Result<()> {
    write_dir(dir, false, fill)
}

/// [`write_dir_atomically`] for a shard's folder (see [`check_shard_dir`]).
pub fn write_shard_atomically(
    dir: &Path,
    fill: impl FnOnce(&Path) -> io::Result<()>,
) -> io::Result<()> {
    write_dir(dir, true, fill)
}

fn write_dir(
    dir: &Path,
    runs_ok: bool,
    fill: impl FnOnce(&Path) -> io::Result<()>,
) -> io::Result<()> {
    let existing = check_out(dir, runs_ok)?;
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    create_folder(&parent)?;
    let staging = tempfile::Builder::new()
        .prefix(".storelab-")
        .tempdir_in(&parent)?;
    fill(staging.path())?;
    fs::write(staging.path().join(MARKER), MARKER_TEXT)?;
    sync_tree(staging.path())?;
    set_folder_mode(staging.path(), dir)?;
    match existing {
        // rename(2) replaces an empty folder atomically, and fails (ENOTEMPTY) if something
        // was put into it meanwhile: nothing of the user's can be lost.
        OutTarget::Absent | OutTarget::Empty => {
            fs::rename(staging.path(), dir)?;
            let _ = staging.keep();
        }
        OutTarget::Marked => {
            // Moved aside to a fresh name of tempfile's (an empty folder that rename replaces);
            // dropping `aside` removes the old output.
            let aside = tempfile::Builder::new()
                .prefix(".storelab-old-")
                .tempdir_in(&parent)?;
            fs::rename(dir, aside.path())?;
            if !aside.path().join(MARKER).is_file() {
                // Swapped for a foreign folder since the check: put it back untouched.
                let back = fs::rename(aside.path(), dir);
                let _ = aside.keep();
                back?;
                return Err(io::Error::new(
                    io::ErrorKind::AlreadyExists,
                    "it changed while writing and lost its marker; left as it was",
                ));
            }
            if let Err(e) = fs::rename(staging.path(), dir) {
                let back = fs::rename(aside.path(), dir);
                let _ = aside.keep();
                back?;
                return Err(e);
            }
            let _ = staging.keep();
            // The new output is in place; failing to delete the old one is not an error of
            // this run (it is a hidden folder named .storelab-old-*).
            let _ = aside.close();
        }
    }
    sync_folder(&parent)
}

/// fsyncs every file below `dir` and the folders themselves.
fn sync_tree(dir: &Path) -> io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let kind = entry.file_type()?;
        if kind.is_dir() {
            sync_tree(&entry.path())?;
        } else if kind.is_file() {
            fs::File::open(entry.path())?.sync_all()?;
        }
    }
    sync_folder(dir)
}

/// fsyncs a folder, so that the names in it (a rename) survive a crash.
pub fn sync_folder(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        fs::File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}

/// tempfile creates private (0700) folders; an output folder keeps the mode of the one it
/// replaces, or gets the usual 0755.
fn set_folder_mode(staging: &Path, dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(dir).map_or(0o755, |m| m.permissions().mode() & 0o7777);
        fs::set_permissions(staging, fs::Permissions::from_mode(mode))?;
    }
    #[cfg(not(unix))]
    let _ = (staging, dir);
    Ok(())
}

fn write_timeseries(w: &mut impl Write, out: &RunOutput) -> io::Result<()> {
    let mut csv = csv::Writer::from_writer(w);
    let mut header: Vec<String> = [
        "time_s",
        "clock",
        "arrived",
        "in_store",
        "shopping",
        "queueing",
        "in_service",
        "lanes_open",
        "lanes_busy",
        "served",
        "revenue",
        "items_sold",
        "items_lost",
        "products_empty",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    header.extend(out.queue_names.iter().map(|q| format!("queue_{q}")));
    csv.write_record(&header)?;
    for s in &out.samples {
        let mut row = vec![
            format!("{}", s.time),
            format_clock(s.time),
            s.arrived.to_string(),
            s.in_store.to_string(),
            s.shopping.to_string(),
            s.queueing.to_string(),
            s.in_service.to_string(),
            s.lanes_open.to_string(),
            s.lanes_busy.to_string(),
            s.served.to_string(),
            format!("{:.2}", s.revenue),
            s.items_sold.to_string(),
            s.items_lost.to_string(),
            s.products_empty.to_string(),
        ];
        row.extend(s.queues.iter().map(|q| q.to_string()));
        csv.write_record(&row)?;
    }
    csv.flush()
}

fn write_customers(w: &mut impl Write, out: &RunOutput) -> io::Result<()> {
    let mut csv = csv::Writer::from_writer(w);
    for r in &out.records {
        csv.serialize(r).map_err(io::Error::other)?;
    }
    if out.records.is_empty() {
        csv.write_record(CUSTOMER_COLUMNS)?;
    }
    csv.flush()
}

/// Column names of `customers.csv` (what serde writes for [`crate::sim::customer::CustomerRecord`]).
pub const CUSTOMER_COLUMNS: &[&str] = &[
    "id",
    "arrival",
    "exit",
    "items_planned",
    "items_bought",
    "items_lost",
    "value",
    "value_lost",
    "shelves_visited",
    "distance_m",
    "lane",
    "queue_joined",
    "service_start",
    "service_end",
    "wait",
    "service_time",
    "time_in_store",
    "outcome",
    "segment",
];

fn mmss(seconds: f64) -> String {
    let s = seconds.max(0.0).round() as u64;
    format!("{}:{:02}", s / 60, s % 60)
}

/// The KPI table printed by `storelab run`.
pub fn kpi_table(out: &RunOutput) -> String {
    let s = &out.summary;
    let mut t = Table::new();
    t.load_style(UTF8_FULL_CONDENSED);
    t.set_header(vec!["KPI", "value"]);
    let mut rows: Vec<(String, String)> = vec![
        (
            "Opening hours".into(),
            format!(
                "{} – {} (last customer out {})",
                s.open, s.close, s.store_emptied
            ),
        ),
        ("Customers arrived".into(), s.customers.arrived.to_string()),
        ("  served (paid)".into(), s.customers.served.to_string()),
        (
            "  left without buying".into(),
            s.customers.left_without_buying.to_string(),
        ),
        (
            "  still inside at end".into(),
            s.customers.inside_at_end.to_string(),
        ),
    ];
    if let Some(q) = &s.queue_behaviour {
        rows.push((
            "  gave up at the checkout".into(),
            format!(
                "{:.1} % of {} who reached it",
                100.0 * q.abandonment(),
                q.reached
            ),
        ));
        rows.push(("  balked (left at the queue)".into(), q.balked.to_string()));
        rows.push(("  reneged (left the queue)".into(), q.reneged.to_string()));
        rows.push((
            "  baskets left behind".into(),
            format!("{} items, {:.2}", q.abandoned_items, q.abandoned_value),
        ));
        rows.push(("Queue changes (jockeying)".into(), q.jockeyed.to_string()));
    }
    rows.extend([
        (
            "Wait in queue mean / median".into(),
            format!(
                "{} / {} min:s",
                mmss(s.waiting.stats.mean),
                mmss(s.waiting.stats.median)
            ),
        ),
        (
            "Wait in queue p95 / max".into(),
            format!(
                "{} / {} min:s",
                mmss(s.waiting.stats.p95),
                mmss(s.waiting.stats.max)
            ),
        ),
        (
            format!("Waited over {}", mmss(s.waiting.long_wait_s)),
            format!("{:.1} %", 100.0 * s.waiting.share_long),
        ),
        (
            "Time in store mean / p95".into(),
            format!(
                "{} / {} min:s",
                mmss(s.time_in_store.mean),
                mmss(s.time_in_store.p95)
            ),
        ),
        (
            "Customers in store (time avg)".into(),
            format!("{:.1}", s.mean_in_store),
        ),
        ("Items sold".into(), s.sales.items_sold.to_string()),
        ("Revenue".into(), format!("{:.2}", s.sales.revenue)),
        (
            "Lost sales (empty shelf)".into(),
            format!("{} items, {:.2}", s.sales.lost_items, s.sales.lost_value),
        ),
        (
            "Stock-out events".into(),
            s.sales.stockout_events.to_string(),
        ),
        (
            "Refills".into(),
            format!("{} ({} units)", s.stock.refills, s.stock.units_refilled),
        ),
    ]);
    for g in &s.segments {
        rows.push((
            format!("Segment {}", g.segment),
            format!(
                "{} came, {} paid, mean wait {} min:s",
                g.customers,
                g.served,
                mmss(g.wait_mean_s)
            ),
        ));
    }
    if let Some(d) = &s.digital {
        let c = &d.counts;
        if c.scan_go_customers > 0 {
            rows.push((
                "Scan & go audits".into(),
                format!(
                    "{} of {} customers ({:.1} %)",
                    c.audited,
                    c.scan_go_customers,
                    100.0 * d.audit_share
                ),
            ));
            rows.push((
                "  items not scanned / found".into(),
                format!("{} / {}", c.unscanned_items, c.found_items),
            ));
            rows.push((
                "  shrink (unpaid value)".into(),
                format!(
                    "{:.2} ({:.2} % of their value)",
                    c.scan_go_shrink_value,
                    100.0 * d.scan_go_shrink_share
                ),
            ));
        }
        if c.cashierless_customers > 0 {
            rows.push((
                "Cashierless: items missed".into(),
                c.missed_items.to_string(),
            ));
            rows.push((
                "  complaints (charged wrongly)".into(),
                format!(
                    "{} of {} customers ({:.1} %)",
                    c.complaints,
                    c.cashierless_customers,
                    100.0 * d.complaint_share
                ),
            ));
        }
        rows.push((
            "Left unpaid (shrink)".into(),
            format!("{} items, {:.2}", c.shrink_items, c.shrink_value),
        ));
    }
    if let Some(r) = &s.rota {
        rows.push((
            "Staff hours (rota): cashiers / restockers".into(),
            format!(
                "{:.1} h / {:.1} h, {:.1} h of breaks",
                r.cashier_hours, r.restocker_hours, r.break_hours
            ),
        ));
        let over: f64 = r.members.iter().map(|m| m.overtime_h).sum();
        rows.push((
            "  over time (finishing work)".into(),
            format!("{:.1} h", over),
        ));
    }
    if let Some(p) = &s.lane_policy {
        rows.push((
            "Tills opened / closed on demand".into(),
            format!("{} / {}", p.openings, p.closings),
        ));
        rows.push((
            "  restocker hours at tills".into(),
            format!("{:.1} h", p.cashier_hours),
        ));
    }
    if let Some(a) = &s.attendants {
        rows.push((
            "Self-checkout stops".into(),
            format!(
                "{} of {} transactions ({:.1} %), {} age checks",
                a.counts.stops,
                a.counts.transactions,
                100.0 * a.stop_share,
                a.counts.age_checks
            ),
        ));
        rows.push((
            "  attendant arrives / runs again".into(),
            format!(
                "after {:.0} s / {:.0} s on average",
                a.mean_response_s, a.mean_blocked_s
            ),
        ));
        rows.push((
            "  attendants, utilisation".into(),
            format!("{}, {:.0} %", a.counts.attendants, 100.0 * a.utilisation),
        ));
    }
    if let Some(i) = &s.inventory {
        rows.push((
            "Days (measured)".into(),
            format!("{} ({} after warm-up)", i.days, i.measured_days),
        ));
        rows.push((
            "Out of stock (product-hours)".into(),
            format!("{:.1} %", 100.0 * i.oos_share),
        ));
        rows.push(("Fill rate".into(), format!("{:.1} %", 100.0 * i.fill_rate)));
        rows.push((
            "Record accuracy / error".into(),
            format!(
                "{:.1} % / {:.1} units",
                100.0 * i.record_accuracy,
                i.record_mae
            ),
        ));
        rows.push((
            "Phantom stock (product-days)".into(),
            i.phantom_product_days.to_string(),
        ));
        rows.push((
            "Orders / units delivered".into(),
            format!("{} / {}", i.orders, i.units_delivered),
        ));
        rows.push((
            "Shrink".into(),
            format!("{} units, {:.2}", i.shrink_units, i.shrink_value),
        ));
        rows.push((
            "Staff hours: tills / refills / receiving / counts".into(),
            format!(
                "{:.1} / {:.1} / {:.1} / {:.1} ({} counts)",
                i.cashier_hours, i.restocking_hours, i.receiving_hours, i.counting_hours, i.counts
            ),
        ));
        rows.push((
            "On hand (mean at closing)".into(),
            format!(
                "{:.0} units, {:.2}",
                i.mean_on_hand_units, i.mean_on_hand_value
            ),
        ));
    }
    for (k, v) in rows {
        t.add_row(vec![k, v]);
    }
    let mut lanes = Table::new();
    lanes.load_style(UTF8_FULL_CONDENSED);
    lanes.set_header(vec!["lane", "kind", "served", "utilisation"]);
    for l in &s.lanes {
        lanes.add_row(vec![
            l.id.clone(),
            format!("{:?}", l.kind),
            l.served.to_string(),
            if l.open_s > 0.0 {
                format!("{:.0} %", 100.0 * l.utilisation)
            } else {
                "closed".to_string()
            },
        ]);
    }
    let mut queues = Table::new();
    queues.load_style(UTF8_FULL_CONDENSED);
    queues.set_header(vec!["queue", "mean length", "max length"]);
    for q in &s.queues {
        queues.add_row(vec![
            q.id.clone(),
            format!("{:.2}", q.mean_length),
            q.max_length.to_string(),
        ]);
    }
    for table in [&mut t, &mut lanes, &mut queues] {
        if let Some(col) = table.column_mut(1) {
            col.set_cell_alignment(CellAlignment::Right);
        }
    }
    let warning = if s.customers.inside_at_end > 0 {
        format!(
            "warning: {} customers were still inside at the cut-off (4 h after closing), {} of \
             them at the checkout: the store is overloaded and the wait figures above leave \
             their unfinished waits out.\n",
            s.customers.inside_at_end, s.customers.waiting_at_end
        )
    } else {
        String::new()
    };
    format!("{}\n{t}\n{lanes}\n{queues}\n{warning}", s.scenario)
}
