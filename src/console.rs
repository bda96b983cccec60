//! What the command line prints, in one place: `outln!`/`out!` for standard output and
//! `errln!` for standard error, used instead of `println!`/`eprintln!` (which panic when a
//! stream cannot be written).
//!
//! - The reader of standard output went away (`storelab run … | head`: a broken pipe): the
//!   rest of the printed text is dropped silently and the command finishes its work (files
//!   asked for with `--out`/`--report` are still written); the exit status is unchanged.
//! - Standard output cannot be written otherwise (a full disk, `> /dev/full`): the rest is
//!   dropped, the command finishes its work, then [`finish`] reports the error on standard
//!   error and the exit status is 1 (unless it was already a failure).
//! - Standard error cannot be written: nothing can be reported; the exit status stays.

use std::fmt;
use std::io::{self, Write};
use std::process::ExitCode;
use std::sync::Mutex;

/// How standard output has fared: `None` while it works.
static STDOUT: Mutex<Option<Failure>> = Mutex::new(None);

#[derive(Debug)]
enum Failure {
    /// The reader went away.
    Closed,
    Error(io::Error),
}

pub(crate) fn record(e: io::Error) {
    let mut state = STDOUT.lock().unwrap_or_else(|p| p.into_inner());
    if state.is_none() {
        *state = Some(if e.kind() == io::ErrorKind::BrokenPipe {
            Failure::Closed
        } else {
            Failure::Error(e)
        });
    }
}

/// Writes to standard output; see the module documentation for what happens on failure.
pub fn print_out(args: fmt::Arguments) {
    let state = STDOUT.lock().unwrap_or_else(|p| p.into_inner());
    if state.is_some() {
        return;
    }
    drop(state);
    let mut out = io::stdout().lock();
    if let Err(e) = out.write_fmt(args) {
        record(e);
    }
}

/// Writes to standard error, ignoring failure (there is nowhere left to report it).
pub fn print_err(args: fmt::Arguments) {
    let _ = io::stderr().lock().write_fmt(args);
}

/// Flushes standard output and turns a failure to write it into exit status 1 with a message
/// on standard error. Every subcommand's exit status passes through here.
pub fn finish(code: ExitCode) -> ExitCode {
    if let Err(e) = io::stdout().lock().flush() {
        record(e);
    }
    let state = STDOUT.lock().unwrap_or_else(|p| p.into_inner());
    match &*state {
        Some(Failure::Error(e)) => {
            print_err(format_args!("error: cannot write standard output: {e}\n"));
            if code == ExitCode::SUCCESS {
                ExitCode::from(1)
            } else {
                code
            }
        }
        None | Some(Failure::Closed) => code,
    }
}

/// `println!` for the CLI: never panics (see [`crate::console`]).
macro_rules! outln {
    () => {
        $crate::console::print_out(format_args!("\n"))
    };
    ($($arg:tt)*) => {
        $crate::console::print_out(format_args!("{}\n", format_args!($($arg)*)))
    };
}

/// `print!` for the CLI: never panics (see [`crate::console`]).
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::console::print_out(format_args!($($arg)*))
    };
}

/// `eprintln!` for the CLI: never panics (see [`crate::console`]).
macro_rules! errln {
    ($($arg:tt)*) => {
        $crate::console::print_err(format_args!("{}\n", format_args!($($arg)*)))
    };
}

pub(crate) use {errln, out, outln};
