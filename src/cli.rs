//! The `storelab` command line.
//!
//! Exit status: 0 success, 2 bad input (usage, scenario syntax or semantics), 1 anything else
//! (for example an output directory that cannot be written).

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use clap::{Parser, Subcommand};

use crate::error::ScenarioError;
use crate::scenario::{self, LoadedScenario};

#[derive(Parser, Debug)]
#[command(name = "storelab", version, about = "Simulate a store day from a RON scenario", long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Simulate one store day and print its KPIs.
    Run {
        /// Scenario file (RON), e.g. scenarios/supermarket.ron.
        scenario: PathBuf,
        /// Seed of the random streams (default: the scenario's `seed`).
        #[arg(long)]
        seed: Option<u64>,
        /// Write summary.json, timeseries.csv and customers.csv into this directory.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
    /// Check scenario files and report every problem; exit 0 when all are clean.
    Validate {
        /// Scenario files (RON).
        #[arg(required = true)]
        scenarios: Vec<PathBuf>,
    },
    /// Measure how fast a scenario's day is simulated (single thread) and the peak memory.
    Bench {
        /// Scenario file (RON).
        #[arg(default_value = "scenarios/supermarket.ron")]
        scenario: PathBuf,
        /// Number of timed runs (after one warm-up run).
        #[arg(long, default_value_t = 10)]
        runs: u32,
    },
}

/// Runs the CLI and returns the process exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Run {
            scenario,
            seed,
            out,
        } => run(scenario, seed, out),
        Command::Validate { scenarios } => validate(scenarios),
        Command::Bench { scenario, runs } => bench(scenario, runs),
    }
}

fn load(path: &std::path::Path) -> Result<LoadedScenario, ExitCode> {
    scenario::load(path).map_err(|e| report(&e))
}

fn report(e: &ScenarioError) -> ExitCode {
    eprintln!("{}", e.to_string().trim_end());
    match e {
        ScenarioError::Io { .. } | ScenarioError::Syntax { .. } | ScenarioError::Invalid { .. } => {
            ExitCode::from(2)
        }
    }
}

fn run(path: PathBuf, seed: Option<u64>, out: Option<PathBuf>) -> ExitCode {
    let loaded = match load(&path) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let seed = seed.unwrap_or(loaded.scenario.seed);
    let output = match crate::run(Arc::new(loaded.scenario), seed) {
        Ok(o) => o,
        Err(problems) => {
            return report(&ScenarioError::Invalid {
                file: path,
                problems,
            });
        }
    };
    print!("{}", crate::output::kpi_table(&output));
    if let Some(dir) = out {
        if let Err(e) = crate::output::write_run(&dir, &output) {
            eprintln!("error: cannot write {}: {e}", dir.display());
            return ExitCode::from(1);
        }
        println!("results written to {}", dir.display());
    }
    ExitCode::SUCCESS
}

fn validate(paths: Vec<PathBuf>) -> ExitCode {
    let mut failed = false;
    for path in paths {
        match scenario::load(&path) {
            Ok(l) => println!("{}: ok ({})", path.display(), l.scenario.name),
            Err(e) => {
                failed = true;
                report(&e);
            }
        }
    }
    if failed {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    }
}

fn bench(path: PathBuf, runs: u32) -> ExitCode {
    let loaded = match load(&path) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let scenario = Arc::new(loaded.scenario);
    let seed = scenario.seed;
    let once = || {
        let start = Instant::now();
        let out = crate::run(scenario.clone(), seed).expect("validated");
        (
            start.elapsed().as_secs_f64(),
            out.summary.events,
            out.summary.customers.arrived,
        )
    };
    once();
    let mut times = Vec::new();
    let mut events = 0;
    let mut customers = 0;
    for _ in 0..runs.max(1) {
        let (t, e, c) = once();
        times.push(t);
        events = e;
        customers = c;
    }
    times.sort_by(f64::total_cmp);
    let median = times[times.len() / 2];
    let mean = times.iter().sum::<f64>() / times.len() as f64;
    println!("scenario        {}", scenario.name);
    println!(
        "runs            {} (after 1 warm-up), single thread",
        times.len()
    );
    println!("customers/day   {customers}");
    println!("events/day      {events}");
    println!(
        "time per day    min {:.1} ms, median {:.1} ms, mean {:.1} ms",
        times[0] * 1e3,
        median * 1e3,
        mean * 1e3
    );
    println!("events per s    {:.2} M", events as f64 / median / 1e6);
    match peak_rss_mb() {
        Some(mb) => println!("peak memory     {mb:.1} MB (VmHWM of this process)"),
        None => println!("peak memory     unknown (no /proc/self/status)"),
    }
    ExitCode::SUCCESS
}

/// Peak resident set size of this process, MB (Linux).
pub fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}
