//! The `storelab` binary as a user meets it: commands, files written, and bad input.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::*;

fn storelab(args: &[&str]) -> Output {
    Command::new(bin())
        .args(args)
        .output()
        .expect("run storelab")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).to_string()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

/// Writes `text` as a scenario file in `dir` and returns its path.
fn scenario_file(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.to_string_lossy().to_string()
}

fn minimal_text() -> String {
    read(&scenario_path("minimal.ron"))
}

#[test]
fn run_prints_kpis_and_writes_documented_files() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("results");
    let path = scenario_path("minimal.ron");
    let o = storelab(&[
        "run",
        path.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    for kpi in [
        "Customers arrived",
        "Wait in queue",
        "Revenue",
        "Lost sales",
        "utilisation",
        "till-1",
    ] {
        assert!(text.contains(kpi), "KPI table lacks {kpi}:\n{text}");
    }
    let summary: serde_json::Value =
        serde_json::from_str(&read(&out.join("summary.json"))).unwrap();
    let arrived = summary["customers"]["arrived"].as_u64().unwrap();
    assert!(arrived > 100);
    assert_eq!(summary["seed"], 7);

    // customers.csv: one row per customer journey, the documented columns.
    let customers = read(&out.join("customers.csv"));
    let mut lines = customers.lines();
    let header = lines.next().unwrap();
    assert_eq!(
        header,
        storelab::experiment::output::CUSTOMER_COLUMNS.join(",")
    );
    assert_eq!(lines.count() as u64, arrived);
    let docs = read(&root().join("docs/outputs.md"));
    for column in storelab::experiment::output::CUSTOMER_COLUMNS {
        assert!(
            docs.contains(&format!("`{column}`")),
            "docs/outputs.md does not document {column}"
        );
    }

    // timeseries.csv: one row per simulated minute from opening (08:00) to the last exit.
    let ts = read(&out.join("timeseries.csv"));
    let rows: Vec<&str> = ts.lines().collect();
    assert!(rows[0].starts_with("time_s,clock,arrived,in_store"));
    assert!(rows[0].ends_with("queue_till-1"));
    assert!(rows[1].starts_with("28800,08:00:00,"));
    assert!(rows[2].starts_with("28860,08:01:00,"));
    assert!(rows.len() >= 4 * 60, "{} rows for a 4-hour day", rows.len());
    for column in rows[0].split(',').filter(|c| !c.starts_with("queue_")) {
        assert!(
            docs.contains(&format!("`{column}`")),
            "docs/outputs.md does not document {column}"
        );
    }
}

#[test]
fn seed_option_overrides_the_scenario_seed() {
    let path = scenario_path("minimal.ron");
    let p = path.to_str().unwrap();
    let a = stdout(&storelab(&["run", p]));
    let b = stdout(&storelab(&["run", p, "--seed", "7"]));
    let c = stdout(&storelab(&["run", p, "--seed", "8"]));
    assert_eq!(a, b, "--seed 7 is the scenario's own seed");
    assert_ne!(a, c);
}

#[test]
fn validate_accepts_every_shipped_scenario() {
    let mut files = vec![];
    for dir in [
        "scenarios",
        "scenarios/validation",
        "scenarios/inventory",
        "scenarios/checkout",
    ] {
        for e in std::fs::read_dir(root().join(dir)).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "ron") {
                files.push(p.to_string_lossy().to_string());
            }
        }
    }
    files.sort();
    assert!(files.len() >= 8);
    let mut args = vec!["validate"];
    args.extend(files.iter().map(String::as_str));
    let o = storelab(&args);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    assert_eq!(stdout(&o).matches(": ok").count(), files.len());
}

#[test]
fn syntax_error_names_file_line_column_and_shows_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let text = minimal_text().replace("seed: 7,", "seed: 7");
    let f = scenario_file(dir.path(), "broken.ron", &text);
    let out = dir.path().join("out");
    let o = storelab(&["run", &f, "--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    let line = text
        .lines()
        .position(|l| l.contains("hours: Daily"))
        .unwrap()
        + 1;
    assert!(err.contains(&format!("broken.ron:{line}:5")), "{err}");
    assert!(
        err.contains("hours: Daily(open"),
        "the offending line is shown:\n{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    assert!(!out.exists(), "no output directory on error");
}

#[test]
fn unknown_field_is_rejected_with_its_position() {
    let dir = tempfile::tempdir().unwrap();
    let text = minimal_text().replace("pick_time:", "pick_tme:");
    let f = scenario_file(dir.path(), "typo.ron", &text);
    let o = storelab(&["validate", &f]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    let line = text.lines().position(|l| l.contains("pick_tme:")).unwrap() + 1;
    assert!(err.contains("pick_tme"), "{err}");
    assert!(
        err.contains("pick_time"),
        "the message suggests the known fields:\n{err}"
    );
    assert!(err.contains(&format!("typo.ron:{line}:9")), "{err}");
}

#[test]
fn semantic_problems_are_all_reported_at_once_with_field_paths() {
    let dir = tempfile::tempdir().unwrap();
    let text = minimal_text()
        .replace(
            "shelf: \"dairy\", capacity: 24",
            "shelf: \"dary\", capacity: 24",
        )
        .replace("Poisson(per_hour: 40.0)", "Poisson(per_hour: -3.0)")
        .replace("\"##E######X##\"", "\"############\"");
    let f = scenario_file(dir.path(), "bad.ron", &text);
    let o = storelab(&["validate", &f]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    for expected in [
        "products[3].shelf: unknown shelf \"dary\"",
        "customers.arrivals.per_hour: must be greater than 0",
        "no entrance",
        "no exit",
    ] {
        assert!(err.contains(expected), "missing `{expected}` in:\n{err}");
    }
}

#[test]
fn layout_and_share_problems_are_explained() {
    let dir = tempfile::tempdir().unwrap();
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "walled-in shelf",
            minimal_text()
                .replace("\"#R.........#\"", "\"#R.....#####\"")
                .replace("\"#RFFFF..DDD#\"", "\"#RFFFF.#DD.#\"")
                .replacen("\"#..........#\"", "\"#......#####\"", 1),
            "cannot be reached from any entrance",
        ),
        (
            "shares",
            minimal_text().replace("Poisson(mean: 3.0)", "Empirical([(1, 0.5), (2, 0.3)])"),
            "shares add up to 0.8000, expected 1",
        ),
        (
            "absurd rate",
            minimal_text().replace("Poisson(per_hour: 40.0)", "Poisson(per_hour: 4e9)"),
            "customers.arrivals.per_hour",
        ),
        (
            "absurd layout",
            minimal_text().replacen(
                "\"############\",",
                &format!("\"{}\",", "#".repeat(250)).repeat(200),
                1,
            ),
            "at most 40000 are supported",
        ),
        (
            "unknown character",
            minimal_text().replace("\"#...c......#\"", "\"#...c...z..#\""),
            "character 'z' at column 9",
        ),
        (
            "lane group",
            minimal_text().replace("\"till\": (", "\"tills\": ("),
            "checkout group \"till\" is drawn but not defined",
        ),
        (
            "too many open",
            minimal_text().replace(
                "service: PosRegression,",
                "service: PosRegression, open: 3,",
            ),
            "3 lanes open but only 1 drawn",
        ),
        (
            "stock over capacity",
            minimal_text().replace(
                "capacity: 20, shelf_stock: 12",
                "capacity: 20, shelf_stock: 25",
            ),
            "products[2].shelf_stock",
        ),
    ];
    for (what, text, expected) in cases {
        let f = scenario_file(dir.path(), "case.ron", &text);
        let o = storelab(&["validate", &f]);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{what}: {err}");
        assert!(
            err.contains(expected),
            "{what}: missing `{expected}` in:\n{err}"
        );
        assert!(!err.contains("panicked"), "{what}: {err}");
    }
}

#[test]
fn extends_applies_a_variant_and_reports_missing_or_looping_bases() {
    let dir = tempfile::tempdir().unwrap();
    scenario_file(dir.path(), "base.ron", &minimal_text());
    let variant = scenario_file(
        dir.path(),
        "variant.ron",
        "(extends: \"base.ron\", name: \"Busier\", customers: (arrivals: Poisson(per_hour: 80.0), basket: Poisson(mean: 3.0)))",
    );
    let loaded = storelab::scenario::load(Path::new(&variant))
        .unwrap()
        .scenario;
    assert_eq!(loaded.name, "Busier");
    assert_eq!(loaded.products.len(), 4, "products come from the base");
    assert_eq!(loaded.seed, 7, "seed comes from the base");
    assert_eq!(
        loaded.customers.arrivals,
        storelab::scenario::Arrivals::Poisson { per_hour: 80.0 }
    );

    let missing = scenario_file(
        dir.path(),
        "missing.ron",
        "(extends: \"nowhere.ron\", name: \"x\")",
    );
    let o = storelab(&["validate", &missing]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("base scenario `nowhere.ron` not found"),
        "{}",
        stderr(&o)
    );

    scenario_file(dir.path(), "a.ron", "(extends: \"b.ron\")");
    let b = scenario_file(dir.path(), "b.ron", "(extends: \"a.ron\")");
    let o = storelab(&["validate", &b]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("extend each other in a loop"),
        "{}",
        stderr(&o)
    );

    let incomplete = scenario_file(dir.path(), "incomplete.ron", "(name: \"x\")");
    let o = storelab(&["validate", &incomplete]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("layout: missing section"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn unreadable_input_and_unwritable_output_fail_cleanly() {
    let o = storelab(&["run", "/nonexistent/store.ron"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("/nonexistent/store.ron"));

    let dir = tempfile::tempdir().unwrap();
    // A directory that is not a storelab output is never replaced.
    let precious = dir.path().join("precious");
    std::fs::create_dir(&precious).unwrap();
    std::fs::write(precious.join("thesis.txt"), "do not delete").unwrap();
    let path = scenario_path("minimal.ron");
    let o = storelab(&[
        "run",
        path.to_str().unwrap(),
        "--out",
        precious.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("not a storelab output directory"),
        "{}",
        stderr(&o)
    );
    assert_eq!(read(&precious.join("thesis.txt")), "do not delete");

    // Output under a regular file cannot be created: error, and nothing half-written left.
    let file = dir.path().join("file");
    std::fs::write(&file, "x").unwrap();
    let o = storelab(&[
        "run",
        path.to_str().unwrap(),
        "--out",
        file.join("out").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("is a file, not a folder"),
        "{}",
        stderr(&o)
    );
    let o = storelab(&[
        "run",
        path.to_str().unwrap(),
        "--report",
        file.join("r.html").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("is a file, not a folder"),
        "{}",
        stderr(&o)
    );
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| n.starts_with(".storelab-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    // An earlier output directory is replaced as a whole.
    let out = dir.path().join("out");
    assert!(
        storelab(&[
            "run",
            path.to_str().unwrap(),
            "--out",
            out.to_str().unwrap()
        ])
        .status
        .success()
    );
    std::fs::write(out.join("stale.txt"), "old").unwrap();
    assert!(
        storelab(&[
            "run",
            path.to_str().unwrap(),
            "--out",
            out.to_str().unwrap()
        ])
        .status
        .success()
    );
    assert!(!out.join("stale.txt").exists());
    assert!(out.join("summary.json").exists());

    // Like --out, a report may name a folder that does not exist yet.
    let report = dir.path().join("reports/day1/report.html");
    let o = storelab(&[
        "run",
        path.to_str().unwrap(),
        "--report",
        report.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(read(&report).contains("<svg"));
}

/// `bench` times the day and, before each run, a fixed workload, and says how much the
/// machine's speed varied (timings on a shared machine are read against it).
#[test]
fn bench_reports_the_day_and_the_machine_check() {
    let path = scenario_path("minimal.ron");
    let o = storelab(&[
        "bench",
        path.to_str().unwrap(),
        "--runs",
        "3",
        "--replications",
        "0",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    let numbers = |prefix: &str| -> Vec<f64> {
        let line = text
            .lines()
            .find(|l| l.starts_with(prefix))
            .unwrap_or_else(|| panic!("no {prefix} line:\n{text}"));
        line.split(|c: char| !(c.is_ascii_digit() || c == '.'))
            .filter_map(|w| w.parse().ok())
            .collect()
    };
    assert!(
        text.contains("runs            3 (after 1 warm-up)"),
        "{text}"
    );
    // The build it times: the tests' own is a debug build, and says so.
    let expected = if cfg!(debug_assertions) {
        "build           debug (debug assertions, little optimisation: times mean little), "
    } else {
        "build           release, "
    };
    assert!(text.contains(expected), "{text}");
    let day = numbers("time per day");
    assert!(
        day.len() == 3 && day[0] > 0.0 && day[0] <= day[1],
        "{day:?}"
    );
    let check = numbers("machine check");
    assert!(
        check.len() == 3 && check[0] > 0.0 && check[0] <= check[1],
        "min, median and their ratio: {check:?}"
    );
    // The three are printed to 0.01: the ratio recomputed from the rounded figures can be off
    // by that rounding, carried through the division.
    let (min, median, ratio) = (check[0], check[1], check[2]);
    let slack = 0.005 + ratio * (0.005 / min + 0.005 / median);
    assert!(
        ratio >= 1.0 && (ratio - median / min).abs() <= slack + 1e-9,
        "{check:?}"
    );
}

#[test]
fn help_is_available_for_every_command() {
    for args in [
        vec!["--help"],
        vec!["run", "--help"],
        vec!["validate", "--help"],
        vec!["bench", "--help"],
        vec!["compare", "--help"],
        vec!["sweep", "--help"],
        vec!["gui", "--help"],
    ] {
        let o = storelab(&args);
        assert!(o.status.success());
        assert!(stdout(&o).contains("Usage"), "{args:?}");
    }
    let o = storelab(&["run"]);
    assert_eq!(
        o.status.code(),
        Some(2),
        "a missing argument is a usage error"
    );
}

#[test]
fn ctrl_c_stops_a_long_run_without_writing_anything() {
    // An M/M/1 queue for 8,784 hours (about 490,000 customers, near the cap per run): about
    // 3 s for a release build, which is stopped after 0.5 s.
    let dir = tempfile::tempdir().unwrap();
    let base = scenario_path("validation/mmc-base.ron");
    let text = format!(
        "(extends: {:?}, name: \"long\", hours: Duration(hours: 8784.0),
          customers: (arrivals: Poisson(per_hour: 56.0), basket: Constant(1),
                      walking_speed: Constant(1.0), pick_time: Constant(0.0)),
          checkouts: (groups: {{\"lanes\": (kind: Staffed, service: Exponential(mean: 60.0),
                                            queue: Shared, open: 1)}}))",
        base.display().to_string()
    );
    let file = dir.path().join("long.ron");
    std::fs::write(&file, text).unwrap();
    let out = dir.path().join("out");
    let start = std::time::Instant::now();
    let child = Command::new(bin())
        .args([
            "run",
            file.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(500));
    let sent = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let o = child.wait_with_output().unwrap();
    let took = start.elapsed().as_secs_f64();
    assert_eq!(o.status.code(), Some(130), "{}", stderr(&o));
    assert!(stderr(&o).contains("interrupted"), "{}", stderr(&o));
    assert!(!out.exists(), "an interrupted run wrote its output");
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with(".storelab-"))
        .collect();
    assert!(leftovers.is_empty(), "staging left behind");
    // It stopped at once, not after finishing the 8,784 hours.
    assert!(took < 30.0, "took {took:.1} s to stop");
}

#[test]
fn run_with_replications_gives_each_kpi_as_mean_and_interval_of_single_runs() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("reps");
    let scenario = scenario_path("minimal.ron");
    let o = std::process::Command::new(bin())
        .args(["run", scenario.to_str().unwrap(), "-n", "4", "--seed", "20"])
        .args(["--out", out.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("4 replications (seeds 20–23)"), "{stdout}");
    assert!(stdout.contains(" ± "), "{stdout}");
    // The mean is the mean of the four single runs with those seeds.
    let single: Vec<f64> = (20..24)
        .map(|seed| {
            let s = load("minimal.ron");
            run(&s, seed).summary.customers.arrived as f64
        })
        .collect();
    let mut reader = csv::Reader::from_path(out.join("summary.csv")).unwrap();
    let row = reader
        .records()
        .map(Result::unwrap)
        .find(|r| &r[1] == "customers_arrived")
        .unwrap();
    let mean: f64 = row[4].parse().unwrap();
    assert_eq!(mean, single.iter().sum::<f64>() / 4.0);
    assert_eq!(&row[3], "4");
    // One day's event log and replications do not go together: a usage error.
    let o = std::process::Command::new(bin())
        .args(["run", scenario.to_str().unwrap(), "-n", "3", "--events"])
        .arg(dir.path().join("e.csv"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(!dir.path().join("e.csv").exists());
}
