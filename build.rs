//! Links the `storelab` binary as a position-dependent executable on Linux with glibc. As a
//! position-independent executable of this size (the live view's graphics stack is linked
//! in), every start spent about 3 ms applying some 277,000 relocations and copying the pages
//! they touch, against about 3 ms for everything else up to `main`; sweeps, shell loops,
//! cluster jobs and the tests start it thousands of times. The price: the binary itself is
//! not placed at a random address (its libraries still are), acceptable for a local
//! simulation tool. Code compiled as position-independent links fine into such a binary.
fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if os == "linux" && env == "gnu" {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
}
