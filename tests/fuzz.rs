//! Fuzzing on stable Rust (harness: `tests/fuzzing/mod.rs`).
//!
//! - `bounded_fuzz_run_keeps_the_contract`: a fixed-seed run of `STORELAB_FUZZ_CASES`
//!   (default 1,500) mutated scenarios and `sweep --set` arguments; every case must keep the
//!   contract (no panic, no hang, validated scenarios run to the end).
//! - `found_crashers_stay_fixed`: replays every file in `tests/fuzz-regressions/`.
//! - `pending_findings` (ignored): replays `tests/fuzz-regressions/pending/`, failures found
//!   by the fuzzer whose fix is being made elsewhere; move a file up one folder once it passes.
//!   Their signatures are listed in `pending/known-signatures.txt`, which the bounded run
//!   reports without failing on; remove a line when its fix is in.
//!
//! The long run is `cargo run --release --example fuzz -- --cases 1000000` (see
//! examples/fuzz.rs and README).

mod common;
mod fuzzing;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::root;
use fuzzing::{Case, Outcome, check, describe, minimise, run_cases, seeds};

/// Wall-time limit of one case (validation and run). The shipped scenarios run in well under
/// a second; a mutated one that validates must not take longer than this.
const BUDGET: Duration = Duration::from_secs(10);

fn regression_files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "ron" || e == "sweep"))
        .collect();
    files.sort();
    files
}

/// Replays regression files; returns the failures.
fn replay(dir: &Path) -> Vec<String> {
    let seeds = seeds(&root());
    let work = fuzzing::Workdir::new(&seeds);
    let files = regression_files(dir);
    let mut failed = Vec::new();
    for file in &files {
        let case = Case::from_file(file);
        let start = Instant::now();
        match check(&case, &work, BUDGET) {
            Ok(outcome) => println!(
                "{}: {outcome:?} in {:.2} s",
                file.display(),
                start.elapsed().as_secs_f64()
            ),
            Err(f) => failed.push(format!("{}: {}", file.display(), f.signature())),
        }
    }
    failed
}

#[test]
fn found_crashers_stay_fixed() {
    let dir = root().join("tests/fuzz-regressions");
    assert!(
        !regression_files(&dir).is_empty(),
        "no regression cases in {}",
        dir.display()
    );
    let failed = replay(&dir);
    assert!(failed.is_empty(), "regressions:\n{}", failed.join("\n"));
}

#[test]
#[ignore = "findings whose fix is made elsewhere (validate.rs); run with --ignored"]
fn pending_findings() {
    let failed = replay(&root().join("tests/fuzz-regressions/pending"));
    assert!(failed.is_empty(), "still failing:\n{}", failed.join("\n"));
}

#[test]
fn bounded_fuzz_run_keeps_the_contract() {
    let cases: u64 = std::env::var("STORELAB_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1500);
    let seed: u64 = std::env::var("STORELAB_FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1);
    let seeds = seeds(&root());
    let start = Instant::now();
    let (mut rejected, mut ran, mut customers) = (0u64, 0u64, 0u64);
    let mut why: BTreeMap<&'static str, u64> = BTreeMap::new();
    let mut failures: BTreeMap<String, fuzzing::Report> = BTreeMap::new();
    let mut failed = 0;
    run_cases(&seeds, seed, 0, cases, BUDGET, |r| {
        match &r.result {
            Ok(Outcome::Rejected(kind)) => {
                rejected += 1;
                *why.entry(kind).or_default() += 1;
            }
            Ok(Outcome::Ran { customers: c }) => {
                ran += 1;
                customers += c;
            }
            Err(f) => {
                failed += 1;
                failures.entry(f.signature()).or_insert(r);
            }
        }
        true
    });
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{cases} cases in {secs:.1} s ({:.0} cases/s): {rejected} rejected {why:?}, {ran} ran \
         ({customers} customers), {failed} failed ({} distinct)",
        cases as f64 / secs,
        failures.len()
    );
    // An eighth of the cases or more must get past validation mutated, or the fuzzer only tests
    // the parser; and some must be refused, or the mutations are too timid.
    assert!(ran * 8 > cases, "only {ran} of {cases} cases ran");
    assert!(
        rejected * 5 > cases,
        "only {rejected} of {cases} cases were refused"
    );
    // Failures already filed, whose fix is being made elsewhere: reported, not failed on.
    // The list should shrink to nothing; a failure matching no line fails the test.
    let known_file = root().join("tests/fuzz-regressions/pending/known-signatures.txt");
    let known: Vec<String> = std::fs::read_to_string(&known_file)
        .unwrap_or_default()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect();
    failures.retain(|sig, r| {
        let filed = known.iter().any(|k| sig.contains(k.as_str()));
        if filed {
            println!(
                "known, pending (see {}): {sig} (case {})",
                known_file.display(),
                r.index
            );
        }
        !filed
    });
    if failures.is_empty() {
        return;
    }
    let work = fuzzing::Workdir::new(&seeds);
    let mut text = String::new();
    for (sig, r) in &failures {
        let f = r.result.as_ref().unwrap_err();
        let small = minimise(&r.case, f, &seeds, &work, BUDGET);
        text.push_str(&format!(
            "\n{sig}\n  case {} of seed {seed} ({}): {}\n{}",
            r.index,
            r.steps.join("; "),
            f.message,
            describe(&small, &seeds)
        ));
    }
    panic!(
        "{} distinct failures (reproduce one: STORELAB_FUZZ_SEED={seed} and the case index \
         with `cargo run --example fuzz -- --seed {seed} --from INDEX --cases 1`):{text}",
        failures.len()
    );
}
