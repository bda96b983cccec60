//! Ctrl-C for long runs: the first press asks every simulation to stop at its next check (the
//! engine looks every few thousand events), so the command can say so and exit without writing
//! anything; a second press ends the process at once.
//!
//! Models nothing; a process-wide flag, installed by the CLI's `run`, `compare`, `sweep` and
//! `bench` (not by the live view, whose window handles its own closing).

use std::sync::atomic::{AtomicBool, Ordering};

static REQUESTED: AtomicBool = AtomicBool::new(false);

/// Exit status of a command stopped by Ctrl-C (128 + SIGINT, as shells report it).
pub const EXIT_INTERRUPTED: u8 = 130;

/// Installs the Ctrl-C handler (once; later calls do nothing).
pub fn install() {
    static INSTALLED: std::sync::Once = std::sync::Once::new();
    INSTALLED.call_once(|| {
        // Without a handler (another one is installed) Ctrl-C simply ends the process, which
        // leaves no partial output either: results are written only after every run.
        let _ = ctrlc::set_handler(|| {
            if REQUESTED.swap(true, Ordering::SeqCst) {
                std::process::exit(i32::from(EXIT_INTERRUPTED));
            }
        });
    });
}

/// True once Ctrl-C was pressed.
pub fn requested() -> bool {
    REQUESTED.load(Ordering::Relaxed)
}
