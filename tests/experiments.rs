//! Experiments: replications, intervals, comparisons, sweeps, their files and the report.

mod common;

use std::process::Command;

use common::*;
use serde_json::json;
use storelab::experiment::{self, Interval, Progress, combinations, parse_set, set_field};

fn in_pool<T: Send>(threads: usize, f: impl FnOnce() -> T + Send) -> T {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
        .install(f)
}

#[test]
fn replications_do_not_depend_on_the_thread_count() {
    let s = load("minimal.ron");
    let variants = || vec![("a".to_string(), s.clone()), ("b".to_string(), s.clone())];
    let one = in_pool(1, || {
        experiment::replicate(variants(), 6, 100, &Progress::hidden()).unwrap()
    });
    let two = in_pool(2, || {
        experiment::replicate(variants(), 6, 100, &Progress::hidden()).unwrap()
    });
    for (a, b) in one.iter().zip(&two) {
        assert_eq!(a.reps.len(), 6);
        for (ra, rb) in a.reps.iter().zip(&b.reps) {
            assert_eq!(ra.seed, rb.seed);
            assert_eq!(ra.summary, rb.summary);
            assert_eq!(ra.samples, rb.samples);
            assert_eq!(ra.heat, rb.heat);
        }
    }
    // Replication i uses seed base + i, for every variant.
    let seeds: Vec<u64> = one[1].reps.iter().map(|r| r.seed).collect();
    assert_eq!(seeds, (100..106).collect::<Vec<_>>());
}

#[test]
fn interval_is_the_student_t_interval() {
    let i = Interval::of(&[1.0, 2.0, 3.0, 4.0]);
    // t(0.975, 3 df) = 3.182446 (textbook table); s = 1.290994; n = 4.
    assert!((i.mean - 2.5).abs() < 1e-12);
    assert!(
        (i.half_width - 3.182446 * 1.290994 / 2.0).abs() < 1e-5,
        "{}",
        i.half_width
    );
    assert!(i.excludes_zero());
    assert!(!Interval::of(&[-1.0, 1.0, 0.5]).excludes_zero());
    assert!(
        Interval::of(&[5.0]).half_width.is_nan(),
        "no interval from one value"
    );
}

#[test]
fn paired_differences_isolate_the_process_change() {
    // Identical variants: every paired difference is exactly zero (common random numbers).
    let s = load("minimal.ron");
    let same = experiment::replicate(
        vec![("a".into(), s.clone()), ("b".into(), s.clone())],
        5,
        1,
        &Progress::hidden(),
    )
    .unwrap();
    for row in experiment::kpi_rows(&same) {
        let d = row.differences[1].unwrap();
        assert_eq!(d.mean, 0.0, "{}", row.kpi.id);
        assert!(!d.excludes_zero(), "{}", row.kpi.id);
    }
    // Fewer staffed tills: waits rise and the difference is significant, sales do not change.
    let v = experiment::replicate(
        vec![
            ("base".into(), load("supermarket.ron")),
            ("self".into(), load("self-checkout.ron")),
        ],
        8,
        1,
        &Progress::hidden(),
    )
    .unwrap();
    let rows = experiment::kpi_rows(&v);
    let get = |id: &str| rows.iter().find(|r| r.kpi.id == id).unwrap();
    let wait = get("wait_mean_s").differences[1].unwrap();
    assert!(wait.mean > 0.0 && wait.excludes_zero(), "{wait:?}");
    assert_eq!(get("items_sold").differences[1].unwrap().mean, 0.0);
}

#[test]
fn set_values_parse_as_lists_and_ranges() {
    let s = parse_set("checkouts.groups.self.open=0..4").unwrap();
    assert_eq!(s.path, "checkouts.groups.self.open");
    assert_eq!(
        s.values,
        vec![json!(0), json!(1), json!(2), json!(3), json!(4)]
    );
    let s = parse_set("customers.arrival_multiplier=0.8..1.4:0.2").unwrap();
    assert_eq!(
        s.values,
        vec![json!(0.8), json!(1.0), json!(1.2), json!(1.4)]
    );
    let s = parse_set("checkouts.strategy=Random, FewestItems").unwrap();
    assert_eq!(s.values, vec![json!("Random"), json!("FewestItems")]);
    for bad in ["no-equals", "=1,2", "a=4..1", "a=1..x", "a=0..5000"] {
        assert!(parse_set(bad).is_err(), "{bad}");
    }
    let grid = combinations(&[parse_set("a=1,2").unwrap(), parse_set("b=x,y,z").unwrap()]);
    assert_eq!(grid.len(), 6);
    assert_eq!(
        grid[1],
        vec![("a".to_string(), json!(1)), ("b".to_string(), json!("y"))]
    );
}

#[test]
fn set_field_changes_exactly_one_field_and_explains_mistakes() {
    let s = load("supermarket.ron");
    let t = set_field(&s, "checkouts.groups.self.open", &json!(9)).unwrap();
    assert_eq!(t.checkouts.groups["self"].open, Some(9));
    let mut back = t.clone();
    back.checkouts.groups.get_mut("self").unwrap().open = s.checkouts.groups["self"].open;
    assert_eq!(back, *s, "nothing else changed");

    let t = set_field(&s, "products[3].price", &json!(9.99)).unwrap();
    assert_eq!(t.products[3].price, 9.99);
    let t = set_field(&s, "checkouts.strategy", &json!("Random")).unwrap();
    assert_eq!(
        t.checkouts.strategy,
        storelab::scenario::QueueStrategy::Random
    );

    let err = set_field(&s, "customers.arival_multiplier", &json!(1.2)).unwrap_err();
    assert!(
        err.message.contains("unknown field `arival_multiplier`"),
        "{err}"
    );
    assert!(
        err.message.contains("arrival_multiplier"),
        "lists the known fields: {err}"
    );
    let err = set_field(&s, "checkouts.groups.self.open", &json!("many")).unwrap_err();
    assert!(err.message.contains("expects"), "{err}");
    let err = set_field(&s, "checkouts.groups.self.open", &json!(2.5)).unwrap_err();
    assert!(err.message.contains("an integer"), "{err}");
    let err = set_field(&s, "products[500].price", &json!(1)).unwrap_err();
    assert!(err.message.contains("past the end"), "{err}");
    let err = set_field(&s, "checkouts.strategy", &json!("Fastest")).unwrap_err();
    assert!(err.message.contains("does not fit"), "{err}");
}

fn storelab(args: &[&str]) -> std::process::Output {
    Command::new(bin()).args(args).output().unwrap()
}

#[test]
fn compare_writes_documented_csv_files_and_a_report() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cmp");
    let report = dir.path().join("cmp.html");
    let a = scenario_path("minimal.ron");
    let variant = dir.path().join("busier.ron");
    std::fs::write(
        &variant,
        format!(
            "(extends: \"{}\", name: \"Busier\", customers: (arrivals: Poisson(per_hour: 70.0), basket: Poisson(mean: 3.0)))",
            a.display()
        ),
    )
    .unwrap();
    let o = storelab(&[
        "compare",
        a.to_str().unwrap(),
        variant.to_str().unwrap(),
        "-n",
        "4",
        "--out",
        out.to_str().unwrap(),
        "--report",
        report.to_str().unwrap(),
    ]);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(stdout.contains("Busier − Minimal corner shop"), "{stdout}");
    assert!(
        !stdout.contains("ETA"),
        "no progress bar when stdout is not a terminal"
    );

    let docs = read(&root().join("docs/experiments.md"));
    let results = read(&out.join("results.csv"));
    let header: Vec<&str> = results.lines().next().unwrap().split(',').collect();
    assert_eq!(
        header,
        ["variant", "replication", "seed", "kpi", "unit", "value"]
    );
    assert_eq!(results.lines().count(), 1 + 2 * 4 * experiment::KPIS.len());
    let summary = read(&out.join("summary.csv"));
    let header: Vec<&str> = summary.lines().next().unwrap().split(',').collect();
    for column in header
        .iter()
        .chain(["variant", "replication", "seed", "value"].iter())
    {
        assert!(
            docs.contains(&format!("`{column}`")),
            "docs/experiments.md lacks {column}"
        );
    }
    for kpi in experiment::KPIS {
        assert!(
            docs.contains(&format!("`{}`", kpi.id)),
            "docs/experiments.md lacks KPI {}",
            kpi.id
        );
    }
    // More arrivals: more customers, and the difference is marked significant.
    let arrived = summary
        .lines()
        .find(|l| l.starts_with("Busier,customers_arrived"))
        .unwrap();
    assert!(arrived.ends_with(",yes"), "{arrived}");

    let html = read(&report);
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("<svg"), "charts are inline SVG");
    for external in ["src=", "href=\"http", "url(", "@import"] {
        assert!(
            !html.contains(external),
            "the report must work offline: found {external}"
        );
    }
    assert!(!html.contains("<script"), "no script needed");
}

#[test]
fn sweep_reports_bad_paths_and_invalid_points_without_running() {
    let s = scenario_path("supermarket.ron");
    let p = s.to_str().unwrap();
    let o = storelab(&[
        "sweep",
        p,
        "--set",
        "checkouts.groups.self.opn=1,2",
        "-n",
        "2",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("unknown field `opn`"), "{err}");

    let o = storelab(&[
        "sweep",
        p,
        "--set",
        "checkouts.groups.self.open=10..14:2",
        "-n",
        "2",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("checkouts.groups.self.open=14"),
        "names the point: {err}"
    );
    assert!(err.contains("14 lanes open but only 12 drawn"), "{err}");

    let o = storelab(&["sweep", p, "--set", "customers.arrival_multiplier"]);
    assert_eq!(o.status.code(), Some(2));

    // One replication has no interval: refused rather than printed as if it had one.
    for command in ["sweep", "compare"] {
        let mut args = vec![command, p];
        if command == "compare" {
            args.push(p);
        } else {
            args.extend(["--set", "customers.arrival_multiplier=1"]);
        }
        args.extend(["-n", "1"]);
        let o = storelab(&args);
        assert_eq!(o.status.code(), Some(2), "{command}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains("--replications"), "{err}");
        assert!(err.contains("2..=10000"), "{err}");
    }
}

#[test]
fn sweep_runs_every_point_with_intervals() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("sweep");
    let m = scenario_path("minimal.ron");
    let o = storelab(&[
        "sweep",
        m.to_str().unwrap(),
        "--set",
        "customers.arrival_multiplier=0.5,1.5",
        "--set",
        "replenishment.restockers=0,1",
        "-n",
        "3",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let summary = read(&out.join("summary.csv"));
    let header = summary.lines().next().unwrap();
    assert!(
        header.starts_with("variant,customers.arrival_multiplier,replenishment.restockers,kpi"),
        "{header}"
    );
    // 4 points × KPIs rows.
    assert_eq!(summary.lines().count(), 1 + 4 * experiment::KPIS.len());
    // Without restockers nothing is refilled, so more sales are lost than with one.
    let mut reader = csv::Reader::from_reader(summary.as_bytes());
    let headers = reader.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    let lost = |point: &str| -> f64 {
        let row = rows
            .iter()
            .find(|r| &r[col("variant")] == point && &r[col("kpi")] == "lost_items")
            .unwrap_or_else(|| panic!("{point} in {summary}"));
        row[col("mean")].parse().unwrap()
    };
    assert!(
        lost("customers.arrival_multiplier=1.5; replenishment.restockers=0")
            > lost("customers.arrival_multiplier=1.5; replenishment.restockers=1")
    );
}

/// Opens a report in headless Chromium: it must render (a screenshot that is not blank) with
/// no console errors. Chromium comes from Debian's `chromium` package (installed by .ci/run).
#[test]
fn report_renders_in_headless_chromium() {
    let browser = ["chromium", "chromium-browser"].into_iter().find(|b| {
        Command::new(b)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    });
    let Some(browser) = browser else {
        if std::env::var_os("STORELAB_SKIP_BROWSER_TESTS").is_some() {
            eprintln!("skipped: STORELAB_SKIP_BROWSER_TESTS is set");
            return;
        }
        panic!(
            "Chromium not found: install Debian's `chromium` (apt-get install chromium) or set STORELAB_SKIP_BROWSER_TESTS=1"
        );
    };
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.html");
    let variants = experiment::replicate(
        vec![
            ("base".into(), load("minimal.ron")),
            ("again".into(), valid((*load("minimal.ron")).clone())),
        ],
        2,
        1,
        &Progress::hidden(),
    )
    .unwrap();
    let html = storelab::report::render(
        "Test report",
        &variants,
        &storelab::report::ReportKind::Compare,
    );
    storelab::report::write(&report, &html).unwrap();
    let shot = dir.path().join("shot.png");
    let o = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--enable-logging=stderr",
            "--v=0",
            "--window-size=1200,1600",
        ])
        .arg(format!(
            "--user-data-dir={}",
            dir.path().join("profile").display()
        ))
        .arg(format!("--screenshot={}", shot.display()))
        .arg(format!("file://{}", report.display()))
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "chromium failed: {log}");
    let console_errors: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("CONSOLE") && (l.contains("ERROR") || l.contains("Uncaught")))
        .collect();
    assert!(
        console_errors.is_empty(),
        "console errors: {console_errors:?}"
    );

    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(&shot).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let channels = info.color_type.samples();
    let pixels: Vec<&[u8]> = buf[..info.buffer_size()].chunks(channels).collect();
    let non_white = pixels
        .iter()
        .filter(|p| p[..3].iter().any(|&c| c < 235))
        .count();
    let colourful = pixels
        .iter()
        .filter(|p| {
            let (mx, mn) = (p[..3].iter().max().unwrap(), p[..3].iter().min().unwrap());
            mx - mn > 60
        })
        .count();
    let share = non_white as f64 / pixels.len() as f64;
    assert!(
        share > 0.03,
        "the page looks blank ({:.1} % ink)",
        100.0 * share
    );
    assert!(
        colourful > 2000,
        "no chart colours visible ({colourful} coloured pixels)"
    );
}
