//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use statrs::distribution::{ContinuousCDF, StudentsT};
use storelab::scenario::validate::ValidScenario;
use storelab::scenario::{self, Scenario};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn scenario_path(rel: &str) -> PathBuf {
    root().join("scenarios").join(rel)
}

/// Loads and validates a shipped scenario.
pub fn load(rel: &str) -> ValidScenario {
    let path = scenario_path(rel);
    scenario::load(&path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .scenario
}

/// Validates a scenario built or changed in a test.
pub fn valid(s: Scenario) -> ValidScenario {
    storelab::scenario::validate::check(s).unwrap_or_else(|p| panic!("invalid scenario: {p:?}"))
}

pub fn run(s: &ValidScenario, seed: u64) -> storelab::RunOutput {
    storelab::run(s, seed).expect("no engine fault")
}

/// Mean and half-width of the two-sided 95 % Student-t confidence interval.
pub fn mean_ci95(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    let t = StudentsT::new(0.0, 1.0, n - 1.0)
        .unwrap()
        .inverse_cdf(0.975);
    (mean, t * (var / n).sqrt())
}

/// Runs `f(seed)` for seeds `1..=n` on two threads, results in seed order.
pub fn replicate<T: Send>(n: u64, f: impl Fn(u64) -> T + Sync) -> Vec<T> {
    let f = &f;
    let mut out: Vec<(u64, T)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..2u64)
            .map(|k| {
                s.spawn(move || {
                    (1..=n)
                        .filter(|i| i % 2 == k)
                        .map(|i| (i, f(i)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    out.sort_by_key(|(i, _)| *i);
    out.into_iter().map(|(_, t)| t).collect()
}

pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_storelab")
}

/// Every file under `dir` (in subfolders too), sorted.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display())) {
            let p = e.unwrap().path();
            if p.is_dir() {
                todo.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

pub fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// `storelab validate FILE` must reject the file (exit 2, no panic) and name every
/// `(field path, words)` pair on one line of its message.
pub fn assert_rejected(file: &Path, expected: &[(&str, &str)]) {
    let o = std::process::Command::new(bin())
        .args(["validate", file.to_str().unwrap()])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    for (path, words) in expected {
        assert!(
            err.lines().any(|l| l.contains(path) && l.contains(words)),
            "expected `{path}: …{words}…` in:\n{err}"
        );
    }
}
