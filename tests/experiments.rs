//! Experiments: replications, intervals, comparisons, sweeps, their files and the report.

mod common;

use std::process::Command;

use common::*;
use serde_json::json;
use storelab::experiment::{
    self, Interval, Progress, Segment, combinations, holm, paired_p_value, parse_path, parse_set,
    point_count, set_field,
};

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
        assert!(!row.significant[1], "{}", row.kpi.id);
        assert_eq!(row.p_holm[1], 1.0, "{}", row.kpi.id);
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
    assert!(
        get("wait_mean_s").significant[1],
        "survives Holm's correction too"
    );
    assert_eq!(get("items_sold").differences[1].unwrap().mean, 0.0);
}

#[test]
fn holm_adjusts_p_values_step_down() {
    // Sorted: 0.005·4 = 0.02, 0.01·3 = 0.03, 0.03·2 = 0.06, 0.04·1 = 0.04 → 0.06 (monotone).
    let adj = holm(&[0.01, 0.04, 0.03, 0.005]);
    for (a, e) in adj.iter().zip([0.03, 0.06, 0.06, 0.02]) {
        assert!((a - e).abs() < 1e-12, "{adj:?}");
    }
    // NaN (no test, e.g. the reference column) is not a hypothesis: m = 2 here.
    let adj = holm(&[f64::NAN, 0.02, 0.04]);
    assert!(adj[0].is_nan());
    assert_eq!(&adj[1..], [0.04, 0.04]);
    assert_eq!(holm(&[0.9, 0.8]), [1.0, 1.0], "capped at 1, then monotone");
    assert_eq!(holm(&[0.04, 0.01]), [0.04, 0.02]);
}

#[test]
fn paired_p_value_agrees_with_the_interval() {
    // d = 1, 2, 3, 4: t = 3.873 on 3 df, between t(0.975) = 3.182 and t(0.99) = 4.541.
    let p = paired_p_value(&[1.0, 2.0, 3.0, 4.0]);
    assert!(p > 0.02 && p < 0.05, "{p}");
    for d in [
        vec![1.0, 2.0, 3.0, 4.0],
        vec![-1.0, 1.0, 0.5],
        vec![0.1, 0.3, -0.05, 0.2, 0.15],
        vec![2.0, 2.0, 2.0],
        vec![0.0, 0.0],
    ] {
        assert_eq!(
            paired_p_value(&d) < 0.05,
            Interval::of(&d).excludes_zero(),
            "{d:?}"
        );
    }
    assert!(paired_p_value(&[3.0]).is_nan());
}

#[test]
fn holm_keeps_the_family_wise_error_of_17_null_kpis_at_5_percent() {
    // 4,000 tables of 17 true-null KPIs (paired differences with mean zero, 10 replications).
    // Marked at 5 % each, most tables hold a false mark (1 − 0.95^17 ≈ 58 %); with Holm at
    // most 5 % do. Bounds: 4.5 binomial standard deviations around the rates.
    use rand::SeedableRng;
    use rand_distr::{Distribution, Normal};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(17);
    let normal = Normal::new(0.0, 1.0).unwrap();
    let tables = 4000;
    let (mut plain, mut corrected) = (0, 0);
    for _ in 0..tables {
        let p: Vec<f64> = (0..17)
            .map(|_| {
                let d: Vec<f64> = (0..10).map(|_| normal.sample(&mut rng)).collect();
                paired_p_value(&d)
            })
            .collect();
        plain += usize::from(p.iter().any(|&p| p < 0.05));
        corrected += usize::from(holm(&p).iter().any(|&p| p < 0.05));
    }
    let rate = |k: usize| k as f64 / tables as f64;
    let sd = |q: f64| (q * (1.0 - q) / tables as f64).sqrt();
    let uncorrected = 1.0 - 0.95f64.powi(17);
    assert!(
        (rate(plain) - uncorrected).abs() < 4.5 * sd(uncorrected),
        "uncorrected {}",
        rate(plain)
    );
    assert!(
        rate(corrected) < 0.05 + 4.5 * sd(0.05),
        "Holm: {}",
        rate(corrected)
    );
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
    for bad in [
        "no-equals",
        "=1,2",
        "a=4..1",
        "a=1..x",
        "a=0..5000",
        "a=",
        "a=1,,2",
    ] {
        assert!(parse_set(bad).is_err(), "{bad}");
    }
    let grid = combinations(&[parse_set("a=1,2").unwrap(), parse_set("b=x,y,z").unwrap()]).unwrap();
    assert_eq!(grid.len(), 6);
    assert_eq!(
        grid[1],
        vec![("a".to_string(), json!(1)), ("b".to_string(), json!("y"))]
    );
}

#[test]
fn set_paths_follow_a_strict_grammar() {
    use Segment::{Index, Key};
    let key = |k: &str| Key(k.to_string());
    assert_eq!(
        parse_path("products[3].price").unwrap(),
        [key("products"), Index(3), key("price")]
    );
    assert_eq!(
        parse_path("products.3.price").unwrap(),
        [key("products"), key("3"), key("price")]
    );
    // Map keys as names (as validation messages print them: `checkouts.groups["self"]`) or
    // quoted, and clock-time keys of `Hourly`.
    assert_eq!(
        parse_path(r#"checkouts.groups["self"].open"#).unwrap(),
        parse_path("checkouts.groups.self.open").unwrap()
    );
    assert_eq!(
        parse_path(r#"a["x.y \"z\""]"#).unwrap(),
        [key("a"), key(r#"x.y "z""#)]
    );
    assert_eq!(
        parse_path("customers.arrivals.Hourly.per_hour.07:30").unwrap()[4],
        key("07:30")
    );
    for (bad, column) in [
        ("products[0.price", 11),
        ("products[0]].price", 12),
        ("customers..arrival_multiplier", 11),
        ("customers.arrival_multiplier.", 30),
        (".customers", 1),
        ("products[]", 10),
        ("products[-1]", 10),
        ("products[x]", 10),
        (r#"a["open"#, 8),
        ("a b", 2),
        ("a=b", 2),
        ("products[99999999999999999999999]", 10),
    ] {
        let err = parse_path(bad).unwrap_err();
        assert!(
            err.contains(&format!("column {column};")),
            "{bad}: wrong column: {err}"
        );
        assert!(err.contains("e.g. products[3].price"), "{bad}: {err}");
    }
    assert!(parse_path("").unwrap_err().contains("empty"));
}

#[test]
fn set_ranges_reject_non_finite_and_oversized_values_without_building_them() {
    for (bad, says) in [
        ("customers.arrival_multiplier=1..NaN", "not a finite number"),
        ("customers.arrival_multiplier=NaN..1", "not a finite number"),
        ("x=0..inf", "not a finite number"),
        ("x=0..1e400", "not a finite number"),
        ("x=0..1e300", "at most 1000"),
        ("x=-1e300..1e300:1e-300", "at most 1000"),
        ("x=0..1:0", "positive step"),
        ("x=0..1:-1", "positive step"),
        ("x=0..1:NaN", "not a finite number"),
        ("x=1e17..1.0000000000001e17:1", "at most 1000"),
        ("x=1e16..1.00000000000001e16:0.5", "values repeat"),
    ] {
        let err = parse_set(bad).unwrap_err();
        assert!(err.contains(says), "{bad}: {err}");
    }
    // Values keep their size: no i64 saturation, no infinity turned into null.
    let s = parse_set("x=1e300..3e300:1e300").unwrap();
    assert_eq!(s.values, [json!(1e300), json!(2e300), json!(3e300)]);
    let s = parse_set("x=-0.3..0.3:0.1").unwrap();
    assert_eq!(
        s.values,
        [
            json!(-0.3),
            json!(-0.2),
            json!(-0.1),
            json!(0.0),
            json!(0.1),
            json!(0.2),
            json!(0.3)
        ]
    );
    assert_eq!(parse_set("x=0..999").unwrap().values.len(), 1000);

    // The product of the counts is checked before a single point is built.
    let big = parse_set("x=0..999").unwrap();
    let three = [big.clone(), big.clone(), big.clone()];
    assert_eq!(point_count(&three), Some(1_000_000_000));
    let err = combinations(&three).unwrap_err();
    assert!(
        err.contains("1000000000 sweep points; at most 10000"),
        "{err}"
    );
    let many = vec![big; 7];
    assert_eq!(point_count(&many), None, "10^21 does not fit in usize");
    assert!(combinations(&many).unwrap_err().contains("at most 10000"));
    let ok = [parse_set("a=0..99").unwrap(), parse_set("b=0..99").unwrap()];
    assert_eq!(combinations(&ok).unwrap().len(), 10_000);
}

#[test]
fn sweep_refuses_malformed_set_arguments_with_exit_2() {
    let m = scenario_path("minimal.ron");
    let m = m.to_str().unwrap();
    for (set, says) in [
        ("products[0.price=1", "expected `]`"),
        ("products[0]].price=1", "`]` without `[`"),
        (
            "customers..arrival_multiplier=1",
            "expected a field name after `.`",
        ),
        (
            "customers.arrival_multiplier.=1",
            "expected a field name after `.`",
        ),
        ("customers.arrival_multiplier=1..NaN", "not a finite number"),
        ("customers.arrival_multiplier=0..1e300", "at most 1000"),
    ] {
        let o = storelab(&["sweep", m, "--set", set, "-n", "2"]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{set}: {err}");
        assert!(err.contains(says), "{set}: {err}");
        assert!(o.stdout.is_empty(), "{set}: nothing ran");
    }
    let o = storelab(&[
        "sweep",
        m,
        "--set",
        "customers.arrival_multiplier=0..999",
        "--set",
        "replenishment.restockers=0..999",
        "--set",
        "seed=0..999",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("1000000000 sweep points; at most 10000"),
        "{err}"
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
    let t = set_field(&s, r#"checkouts.groups["self"].open"#, &json!(3)).unwrap();
    assert_eq!(t.checkouts.groups["self"].open, Some(3));
    let err = set_field(&s, "customers[0]", &json!(1)).unwrap_err();
    assert!(err.message.contains("not a list"), "{err}");
    let err = set_field(&s, "products[0].price[1]", &json!(1)).unwrap_err();
    assert!(err.message.contains("has no entry [1]"), "{err}");
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
        stdout.contains(&format!(
            "Holm's correction over all {} differences",
            experiment::KPIS.len()
        )),
        "the footnote names the family-wise control: {stdout}"
    );
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
            "Chromium not found: install Debian's `chromium` (tools/test-deps installs it) or set STORELAB_SKIP_BROWSER_TESTS=1"
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
    let html = storelab::experiment::report::render(
        "Test report",
        &variants,
        &storelab::experiment::report::ReportKind::Compare,
    );
    storelab::experiment::report::write(&report, &html).unwrap();
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
