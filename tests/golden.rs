//! Golden output: the files `storelab run scenarios/minimal.ron --seed 7 --out DIR` writes,
//! hashed. Any change to a published number (a dependency bump that changes a random stream
//! or a float routine, a changed model, a changed output format) fails this test, so it
//! happens deliberately and is noted, never by accident.
//!
//! To accept a deliberate change: run `cargo test --test golden`, check that the change is
//! the one you meant (e.g. diff the files of `storelab run scenarios/minimal.ron --seed 7
//! --out DIR` before and after), and paste the `const GOLDEN` line the failure prints over the
//! one below.

mod common;

use common::*;

// Last change: customers.csv gained a last column, `segment` (empty without segments;
// 2026-11-27); every other byte unchanged.
const GOLDEN: &str = "fnv1a64:a2a94a2138de9162";

/// The files hashed, in this order (a marker or any other file in the folder is not output).
const FILES: [&str; 3] = ["summary.json", "timeseries.csv", "customers.csv"];

/// FNV-1a, 64 bit (Fowler, Noll, Vo): tiny, stable, no dependency. Not a cryptographic hash;
/// it only has to notice changes.
fn fnv1a64(hash: u64, bytes: &[u8]) -> u64 {
    bytes.iter().fold(hash, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

#[test]
fn minimal_outputs_at_seed_7_are_unchanged() {
    // The FNV-1a test vectors: "" and "a".
    assert_eq!(fnv1a64(FNV_OFFSET, b""), 0xcbf2_9ce4_8422_2325);
    assert_eq!(fnv1a64(FNV_OFFSET, b"a"), 0xaf63_dc4c_8601_ec8c);

    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = std::process::Command::new(bin())
        .args(["run", scenario_path("minimal.ron").to_str().unwrap()])
        .args(["--seed", "7", "--out", out.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mut hash = FNV_OFFSET;
    let mut per_file = Vec::new();
    for name in FILES {
        let bytes = std::fs::read(out.join(name)).unwrap();
        // The name and length go in too, so bytes moving between files change the hash.
        hash = fnv1a64(hash, name.as_bytes());
        hash = fnv1a64(hash, &(bytes.len() as u64).to_le_bytes());
        hash = fnv1a64(hash, &bytes);
        per_file.push(format!(
            "{name}: {} bytes, fnv1a64 {:016x}",
            bytes.len(),
            fnv1a64(FNV_OFFSET, &bytes)
        ));
    }
    let now = format!("fnv1a64:{hash:016x}");
    assert!(
        now == GOLDEN,
        "minimal.ron's outputs at seed 7 changed ({}).\n\
         If the change is deliberate, update tests/golden.rs with:\n\
         const GOLDEN: &str = \"{now}\";",
        per_file.join("; ")
    );
}
