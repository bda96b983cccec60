//! The fast build (`tools/build-fast`: the headless CLI with profile-guided optimisation) gives
//! byte-identical results to the normal build: the optimisation may lay out and inline code
//! differently, never change a number.
//!
//! Builds storelab twice (instrumented, then optimised) in `target/tmp/build-fast`, without
//! link-time optimisation to save time: the script's steps are the same. Needs the compiler's
//! `llvm-tools` (the script installs them with rustup).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;

/// Every file under `dir`, by path relative to it, sorted.
fn files(dir: &Path) -> Vec<PathBuf> {
    files_under(dir)
        .into_iter()
        .map(|p| p.strip_prefix(dir).unwrap().to_path_buf())
        .collect()
}

/// Runs `bin run SCENARIO --out DIR/out` (and `--events DIR/events.csv` for one day) and
/// returns DIR.
fn outputs(bin: &Path, scenario: &str, one_day: bool, dir: &Path) -> PathBuf {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).unwrap();
    let mut run = Command::new(bin);
    run.arg("run")
        .arg(scenario_path(scenario))
        .arg("--out")
        .arg(dir.join("out"));
    if one_day {
        run.arg("--events").arg(dir.join("events.csv"));
    }
    let o = run.output().expect("run storelab");
    assert!(
        o.status.success(),
        "{} failed on {scenario}: {}",
        bin.display(),
        String::from_utf8_lossy(&o.stderr)
    );
    std::fs::write(dir.join("stdout.txt"), &o.stdout).unwrap();
    dir.to_path_buf()
}

#[test]
fn the_fast_build_gives_byte_identical_results() {
    let work = Path::new(env!("CARGO_TARGET_TMPDIR")).join("build-fast");
    let o = Command::new(root().join("tools/build-fast"))
        .env("STORELAB_FAST_DIR", &work)
        .env("CARGO_PROFILE_RELEASE_LTO", "false")
        .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "16")
        .output()
        .expect("run tools/build-fast");
    assert!(
        o.status.success(),
        "tools/build-fast failed ({}):\n{}",
        o.status,
        String::from_utf8_lossy(&o.stderr)
    );
    let log = String::from_utf8_lossy(&o.stderr);
    for step in [
        "1/3 instrumented build",
        "2/3 training runs",
        "3/3 optimised build",
    ] {
        assert!(log.contains(step), "no step {step}:\n{log}");
    }
    let fast = work.join("storelab");
    assert!(fast.is_file(), "no {}", fast.display());
    // The training runs left this build's profile (and only it: older ones are removed),
    // and the optimised build says it used one.
    let profiles: Vec<_> = std::fs::read_dir(&work)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| n.starts_with("profile-") && n.ends_with(".profdata"))
        .collect();
    assert_eq!(profiles.len(), 1, "{profiles:?} in {}", work.display());
    assert!(
        log.contains(&format!("profile {}", work.join(&profiles[0]).display())),
        "{log}"
    );
    let bench = Command::new(&fast)
        .args(["bench", "--runs", "1", "--replications", "0"])
        .arg(scenario_path("minimal.ron"))
        .output()
        .unwrap();
    let bench = String::from_utf8_lossy(&bench.stdout);
    assert!(
        bench.contains(
            "build           release, headless, profile-guided (tools/build-fast), lto: false"
        ),
        "{bench}"
    );

    // One day with every checkout process, and a multi-day inventory run.
    for (scenario, one_day) in [
        ("checkout/combined.ron", true),
        ("inventory/corner-shop.ron", false),
    ] {
        let name = scenario.replace('/', "-");
        let normal = work.join(format!("{name}-normal"));
        let a = outputs(Path::new(bin()), scenario, one_day, &normal);
        let b = outputs(&fast, scenario, one_day, &work.join(format!("{name}-fast")));
        let (fa, fb) = (files(&a), files(&b));
        assert_eq!(fa, fb, "{scenario}: different files");
        // stdout and the --out folder (summary, time series, customers; days and products
        // over many days), and the event log of one day.
        assert!(fa.len() >= 5, "{scenario}: only {fa:?}");
        for f in &fa {
            // The run's own folder appears in its outputs; the rest must be equal.
            let (x, y) = (read(&a.join(f)), read(&b.join(f)));
            let (x, y) = (
                x.replace(&a.display().to_string(), "DIR"),
                y.replace(&b.display().to_string(), "DIR"),
            );
            if let Some((n, (l, m))) = x
                .lines()
                .zip(y.lines())
                .enumerate()
                .find(|(_, (l, m))| l != m)
            {
                panic!(
                    "{scenario}: {} differs at line {}:\n normal: {l}\n fast:   {m}",
                    f.display(),
                    n + 1
                );
            }
            assert!(x == y, "{scenario}: {} differs in length", f.display());
        }
    }
}
