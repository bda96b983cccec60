//! The `storelab` command line.
//!
//! Exit status: 0 success, 2 bad input (usage, scenario syntax or semantics), 1 anything else
//! (for example an output directory that cannot be written or is refused, or standard output
//! that cannot be written). A closed pipe on standard output is not an error
//! ([`crate::console`]).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, Subcommand};

use std::collections::BTreeMap;

use crate::console::{errln, out, outln};
use crate::error::ScenarioError;
use crate::experiment::report::ReportKind;
use crate::experiment::{self, Progress, Variant, store};
use crate::scenario::validate::ValidScenario;
use crate::scenario::{self, LoadedScenario};

#[derive(Parser, Debug)]
#[command(name = "storelab", version, about = "Simulate a store day from a RON scenario", long_about = None)]
pub struct Cli {
    /// Without a command, the live view opens scenarios/supermarket.ron.
    #[command(subcommand)]
    pub command: Option<Command>,
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
        /// Write a self-contained HTML report with charts to this file.
        #[arg(long, value_name = "FILE")]
        report: Option<PathBuf>,
        /// Write every event of the day as CSV (time_s,clock,event,who,where,what) to this
        /// file, to follow a customer, lane or shelf (see docs/outputs.md).
        #[arg(long, value_name = "FILE")]
        events: Option<PathBuf>,
        /// Run N replications (seeds SEED … SEED+N−1) and print every KPI as mean ± 95 %
        /// interval; `--out` and `--report` then hold the replications, as for `compare`.
        #[arg(long = "replications", short = 'n', value_name = "N",
              value_parser = clap::value_parser!(u32).range(2..=10_000))]
        replications: Option<u32>,
        /// Worker threads for `-n` (default: all cores). Results do not depend on it.
        #[arg(long, requires = "replications", value_parser = clap::value_parser!(u32).range(1..=1024))]
        threads: Option<u32>,
    },
    /// Compare scenarios over replications with common random numbers: mean ± 95 % interval
    /// per KPI and the paired difference against the first scenario.
    Compare {
        /// Scenario files (RON); the first is the reference.
        #[arg(required = true, num_args = 2..)]
        scenarios: Vec<PathBuf>,
        #[command(flatten)]
        reps: ReplicationArgs,
    },
    /// Vary scenario fields and run replications at every combination of values.
    Sweep {
        /// Scenario file (RON).
        scenario: PathBuf,
        /// PATH=VALUES, e.g. `checkouts.groups.self.open=0..8` or
        /// `customers.arrival_multiplier=0.8..1.4:0.2` or `customers.pick_time.Constant=3,5`
        /// (see docs/experiments.md). Repeat for a grid.
        #[arg(long = "set", value_name = "PATH=VALUES", required = true)]
        sets: Vec<String>,
        #[command(flatten)]
        reps: ReplicationArgs,
    },
    /// Open the live store view (two scenarios: side by side, same random numbers and clock).
    Gui {
        /// Scenario file(s) (RON): one store, or two for the lecturer's side-by-side mode.
        #[arg(required = true, num_args = 1..=2)]
        scenarios: Vec<PathBuf>,
        /// Seed of the random streams (default: the (first) scenario's `seed`).
        #[arg(long)]
        seed: Option<u64>,
        /// Render the view into this PNG file and exit (works under Xvfb without a GPU).
        #[arg(long, value_name = "FILE.png")]
        screenshot: Option<PathBuf>,
        /// Simulated time to start at (HH:MM), e.g. for --screenshot.
        #[arg(long, value_name = "HH:MM")]
        at: Option<String>,
        /// Runs over days: the day to start at (1 = the first; --at is the time of that day).
        #[arg(long, value_name = "N")]
        day: Option<u32>,
        /// Frames to render before the screenshot (software renderers need ~150 to compile
        /// their pipelines).
        #[arg(long, default_value_t = 180)]
        frames: u32,
        /// Replay the commands of a saved session (storelab-session-N.ron).
        #[arg(long, value_name = "LOG")]
        replay: Option<PathBuf>,
    },
    /// The fewest open lanes of a group per hour that meet a waiting-time target, by
    /// simulation (docs/staff-plan.md).
    StaffPlan(StaffPlanArgs),
    /// Combine the shard folders of one `compare` or `sweep --shard I/N` into its results,
    /// identical to a run on one machine.
    Merge {
        /// The shard folders (every shard once, in any order).
        #[arg(required = true)]
        shards: Vec<PathBuf>,
        /// Write results.csv and summary.csv into this directory.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Write a self-contained HTML report with charts to this file.
        #[arg(long, value_name = "FILE")]
        report: Option<PathBuf>,
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
        /// Also time this many replications on one thread and on all cores (0: skip).
        #[arg(long, default_value_t = 30)]
        replications: u32,
    },
}

/// Options shared by `compare` and `sweep`.
#[derive(clap::Args, Debug)]
pub struct ReplicationArgs {
    /// Replications per scenario, at least 2 for an interval (replication i of every scenario
    /// uses seed SEED + i).
    #[arg(long, short = 'n', default_value_t = 30, value_parser = clap::value_parser!(u32).range(2..=10_000))]
    pub replications: u32,
    /// Base seed (default: the first scenario's `seed`).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub threads: Option<u32>,
    /// Write results.csv and summary.csv into this directory.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Write a self-contained HTML report with charts to this file.
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// Run only shard I of N (every N-th replication job, for other machines to run the rest)
    /// and write its runs to --out; `storelab merge` combines the N folders (docs/cluster.md).
    #[arg(long, value_name = "I/N", requires = "out", conflicts_with = "report",
          value_parser = parse_shard)]
    pub shard: Option<store::Shard>,
}

fn parse_shard(s: &str) -> Result<store::Shard, String> {
    store::Shard::parse(s)
}

/// Runs the CLI and returns the process exit code.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // Help and version go to standard output, usage errors to standard error.
            if let Err(err) = e.print()
                && !e.use_stderr()
            {
                crate::console::record(err);
            }
            let code = u8::try_from(e.exit_code()).unwrap_or(2);
            return crate::console::finish(ExitCode::from(code));
        }
    };
    crate::console::finish(dispatch(cli))
}

fn dispatch(cli: Cli) -> ExitCode {
    let command = cli.command.unwrap_or_else(|| Command::Gui {
        scenarios: vec![PathBuf::from("scenarios/supermarket.ron")],
        seed: None,
        screenshot: None,
        at: None,
        day: None,
        frames: 180,
        replay: None,
    });
    match command {
        Command::Run {
            scenario,
            seed,
            out,
            report,
            events,
            replications,
            threads,
        } => match replications {
            None => run(scenario, seed, out, report, events),
            Some(_) if events.is_some() => {
                errln!(
                    "error: --events logs one day; run without -n (one replication is one seed: \
                     `storelab run SCENARIO --seed S --events FILE`)"
                );
                ExitCode::from(2)
            }
            Some(replications) => compare(
                vec![scenario],
                ReplicationArgs {
                    replications,
                    seed,
                    threads,
                    out,
                    report,
                    shard: None,
                },
            ),
        },
        Command::Compare { scenarios, reps } => compare(scenarios, reps),
        Command::Gui {
            scenarios,
            seed,
            screenshot,
            at,
            day,
            frames,
            replay,
        } => gui(scenarios, seed, screenshot, (at, day), frames, replay),
        Command::Sweep {
            scenario,
            sets,
            reps,
        } => sweep(scenario, sets, reps),
        Command::Merge {
            shards,
            out,
            report,
        } => merge(shards, out, report),
        Command::StaffPlan(args) => staff_plan(args),
        Command::Validate { scenarios } => validate(scenarios),
        Command::Bench {
            scenario,
            runs,
            replications,
        } => bench(scenario, runs, replications),
    }
}

fn load(path: &std::path::Path) -> Result<LoadedScenario, ExitCode> {
    scenario::load(path).map_err(|e| report_error(&e))
}

fn report_error(e: &ScenarioError) -> ExitCode {
    errln!("{}", e.to_string().trim_end());
    match e {
        ScenarioError::Io { .. } | ScenarioError::Syntax { .. } | ScenarioError::Invalid { .. } => {
            ExitCode::from(2)
        }
    }
}

fn run(
    path: PathBuf,
    seed: Option<u64>,
    out: Option<PathBuf>,
    report_file: Option<PathBuf>,
    events_file: Option<PathBuf>,
) -> ExitCode {
    // First thing: a Ctrl-C while loading must also end in the clean "interrupted" exit.
    crate::interrupt::install();
    let loaded = match load(&path) {
        Ok(l) => l,
        Err(code) => return code,
    };
    if let Err(code) = check_destinations(out.as_deref(), report_file.as_deref()) {
        return code;
    }
    if let Err(code) = check_destinations(None, events_file.as_deref()) {
        return code;
    }
    if let (Some(e), Some(r)) = (&events_file, &report_file)
        && e == r
    {
        errln!(
            "error: --events and --report name the same file ({}); give each its own",
            e.display()
        );
        return ExitCode::from(2);
    }
    let seed = seed.unwrap_or(loaded.scenario.seed);
    let scenario = loaded.scenario;
    if let Some(cal) = &scenario.calendar {
        if events_file.is_some() {
            errln!(
                "error: --events writes the events of one day; {} runs {} days (remove `calendar` to log one day)",
                path.display(),
                cal.days
            );
            return ExitCode::from(2);
        }
        // Customer records and time series of every day only when they are written, the
        // heatmap only for a report.
        let keep = crate::sim::Keep {
            records: out.is_some(),
            heat: report_file.is_some(),
        };
        let output = match crate::sim::run_keeping(&scenario, seed, keep) {
            Ok(o) => o,
            Err(fault) => return report_fault(&path.display().to_string(), &fault),
        };
        if crate::interrupt::requested() {
            return interrupted();
        }
        return finish_run(output, out, report_file, scenario, None);
    }
    // In steps of simulated time, so that a long run shows how far it got and stops at once
    // on Ctrl-C (the steps do not change the result: events fire in the same order).
    let mut sim = crate::Simulation::new(&scenario, seed);
    if events_file.is_some() {
        sim.enable_event_log();
    }
    if report_file.is_none() {
        sim.without_heatmap();
    }
    let (open, close) = scenario.hours.span();
    let progress = Progress::counting(
        ((close - open) / 60.0).ceil() as u64,
        "simulating",
        "minutes of the day",
    );
    let step = 3600.0;
    while !sim.finished() && sim.now() + step < close && !crate::interrupt::requested() {
        sim.run_until(sim.now() + step);
        progress.set(((sim.now() - open) / 60.0) as u64);
    }
    if !crate::interrupt::requested() {
        sim.run_to_end();
    }
    progress.finish();
    if crate::interrupt::requested() {
        return interrupted();
    }
    let event_csv = sim.event_log().map(|log| log.to_csv());
    let output = match sim.into_output() {
        Ok(o) => o,
        Err(fault) => {
            // The log up to the fault is the best material for understanding it.
            if let (Some(file), Some(csv)) = (&events_file, &event_csv)
                && crate::experiment::report::write(file, csv).is_ok()
            {
                errln!("the events up to the fault are in {}", file.display());
            }
            return report_fault(&path.display().to_string(), &fault);
        }
    };
    let events = events_file.as_deref().zip(event_csv.as_deref());
    finish_run(output, out, report_file, scenario, events)
}

/// Shows a finished run's KPIs and writes what was asked for: results folder, event log,
/// report.
fn finish_run(
    output: crate::RunOutput,
    out: Option<PathBuf>,
    report_file: Option<PathBuf>,
    scenario: crate::scenario::validate::ValidScenario,
    events: Option<(&std::path::Path, &str)>,
) -> ExitCode {
    out!("{}", crate::experiment::output::kpi_table(&output));
    if let Some(dir) = out {
        if let Err(e) = crate::experiment::output::write_run(&dir, &output) {
            errln!("error: cannot write {}: {e}", dir.display());
            return ExitCode::from(1);
        }
        outln!("results written to {}", dir.display());
    }
    if let Some((file, csv)) = events {
        // The same rules as a report: a new file, or a regular file (or a link to one).
        match crate::experiment::report::write(file, csv) {
            Ok(()) => outln!("event log written to {}", file.display()),
            Err(e) => {
                errln!("error: cannot write {}: {e}", file.display());
                return ExitCode::from(1);
            }
        }
    }
    if let Some(file) = report_file {
        let title = scenario.name.clone();
        let variant = Variant::single(title.clone(), scenario, output);
        let html = crate::experiment::report::render(&title, &[variant], &ReportKind::Run);
        if let Err(code) = write_report(&file, &html) {
            return code;
        }
    }
    ExitCode::SUCCESS
}

/// Ctrl-C stopped the simulation: nothing was written.
fn interrupted() -> ExitCode {
    errln!("interrupted: stopped by Ctrl-C; no result was written");
    ExitCode::from(crate::interrupt::EXIT_INTERRUPTED)
}

/// A run stopped by an engine fault: a bug, not bad input (exit 1).
fn report_fault(what: &str, fault: &crate::sim::engine::Fault) -> ExitCode {
    errln!(
        "internal error in {what}: {fault}\nthe run was stopped; please report this with the scenario file"
    );
    ExitCode::from(1)
}

/// Refuses an `--out` folder or `--report` file that writing would refuse, before a long run
/// rather than after it (writing checks again).
fn check_destinations(
    out: Option<&std::path::Path>,
    report: Option<&std::path::Path>,
) -> Result<(), ExitCode> {
    let checks = [
        out.map(|d| (d, crate::experiment::output::check_out_dir(d).map(|_| ()))),
        report.map(|f| (f, crate::experiment::report::write_target(f).map(|_| ()))),
    ];
    for (path, result) in checks.into_iter().flatten() {
        if let Err(e) = result {
            errln!("error: cannot write {}: {e}", path.display());
            return Err(ExitCode::from(1));
        }
    }
    Ok(())
}

/// [`check_destinations`] for `compare`/`sweep`: a shard's `--out` may replace an earlier
/// shard folder, results may not.
fn check_experiment_destinations(args: &ReplicationArgs) -> Result<(), ExitCode> {
    if let (Some(_), Some(dir)) = (args.shard, &args.out) {
        if let Err(e) = crate::experiment::output::check_shard_dir(dir) {
            errln!("error: cannot write {}: {e}", dir.display());
            return Err(ExitCode::from(1));
        }
        return Ok(());
    }
    check_destinations(args.out.as_deref(), args.report.as_deref())
}

fn report_problems(file: &std::path::Path, problems: Vec<crate::error::Problem>) -> ExitCode {
    report_error(&ScenarioError::Invalid {
        file: file.to_path_buf(),
        problems,
    })
}

fn write_report(file: &std::path::Path, html: &str) -> Result<(), ExitCode> {
    match crate::experiment::report::write(file, html) {
        Ok(()) => {
            outln!("report written to {}", file.display());
            Ok(())
        }
        Err(e) => {
            errln!("error: cannot write {}: {e}", file.display());
            Err(ExitCode::from(1))
        }
    }
}

/// The replications of an experiment, and the folder that kept them while running.
struct Finished {
    variants: Vec<Variant>,
    partial: Option<store::Partial>,
}

/// Runs the replications of `variants` on the requested number of threads. With `--out`,
/// every finished run is kept in `OUT.partial` so that an interrupted experiment resumes
/// there; with `--shard`, writes the shard's runs to `--out` and returns `None`.
fn run_replications(
    variants: Vec<(String, ValidScenario)>,
    params: &[BTreeMap<String, String>],
    kind: store::Kind,
    args: &ReplicationArgs,
    what: &str,
) -> Result<Option<Finished>, ExitCode> {
    let seed = args.seed.unwrap_or(variants[0].1.seed);
    let manifest =
        store::Manifest::new(kind, &variants, params, args.replications, seed, args.shard);
    let total = manifest.jobs().len();
    if let (Some(shard), Some(dir)) = (args.shard, &args.out) {
        match store::check_shard_out(dir, &manifest) {
            Ok(store::ShardTarget::Free) => {}
            Ok(store::ShardTarget::Done) => {
                outln!(
                    "shard {shard}: already done in {} (its {total} runs are there); nothing to run",
                    dir.display()
                );
                return Ok(None);
            }
            Err(e) => {
                errln!("error: {e}");
                return Err(ExitCode::from(2));
            }
        }
    }
    let (partial, done) = match &args.out {
        Some(dir) => match store::Partial::open(&store::partial_path(dir), &manifest) {
            Ok((p, done)) => (Some(p), done),
            Err((e, bad_input)) => {
                errln!("error: {e}");
                return Err(ExitCode::from(if bad_input { 2 } else { 1 }));
            }
        },
        None => (None, Vec::new()),
    };
    if let Some(p) = partial.as_ref().filter(|_| !done.is_empty()) {
        errln!(
            "resuming: {} of {total} runs were already done in {}",
            done.len(),
            p.path().display()
        );
    }
    let progress = Progress::new(total as u64, what);
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(n) = args.threads {
        builder = builder.num_threads(n as usize);
    }
    let pool = builder.build().map_err(|e| {
        errln!("error: cannot start worker threads: {e}");
        ExitCode::from(1)
    })?;
    let scenarios: Vec<ValidScenario> = variants.iter().map(|(_, s)| s.clone()).collect();
    let labels: Vec<String> = variants.iter().map(|(l, _)| l.clone()).collect();
    let keep = |run: &store::StoredRun| partial.as_ref().map_or(Ok(()), |p| p.record(run));
    let result =
        pool.install(|| store::run_jobs(&scenarios, &labels, &manifest, done, &keep, &progress));
    let runs = match result {
        Ok(runs) => runs,
        Err(store::Failure::Interrupted) => {
            return Err(match &partial {
                Some(p) => {
                    errln!(
                        "interrupted: stopped by Ctrl-C; the finished runs are kept in {}, and \
                         the same command goes on from there",
                        p.path().display()
                    );
                    ExitCode::from(crate::interrupt::EXIT_INTERRUPTED)
                }
                None => interrupted(),
            });
        }
        Err(store::Failure::Run(label, fault)) => {
            let code = report_fault(&label, &fault);
            if let Some(p) = &partial {
                errln!(
                    "the runs finished before it are kept in {}",
                    p.path().display()
                );
            }
            return Err(code);
        }
        Err(store::Failure::Io(e)) => {
            let at = partial.as_ref().map(|p| p.path().display().to_string());
            errln!(
                "error: cannot keep a finished run in {}: {e}",
                at.unwrap_or_default()
            );
            return Err(ExitCode::from(1));
        }
    };
    if let (Some(shard), Some(dir)) = (args.shard, &args.out) {
        if let Err(e) = store::write_shard(dir, &manifest, &runs) {
            errln!("error: cannot write {}: {e}", dir.display());
            return Err(ExitCode::from(1));
        }
        outln!(
            "shard {shard}: {} of {} runs written to {}; `storelab merge` combines the {} shard \
             folders",
            runs.len(),
            manifest.variants.len() * args.replications as usize,
            dir.display(),
            shard.count
        );
        remove_partial(partial);
        return Ok(None);
    }
    match store::assemble(variants, runs) {
        Ok(variants) => Ok(Some(Finished { variants, partial })),
        Err(e) => {
            errln!("error: {e}");
            Err(ExitCode::from(1))
        }
    }
}

/// Removes the folder of kept runs once the results they make are written.
fn remove_partial(partial: Option<store::Partial>) {
    if let Some(p) = partial {
        let path = p.path().to_path_buf();
        if let Err(e) = p.remove() {
            errln!("warning: cannot remove {}: {e}", path.display());
        }
    }
}

/// Writes the CSV outputs and the report of an experiment.
fn write_experiment(
    out: Option<&std::path::Path>,
    report: Option<&std::path::Path>,
    variants: &[Variant],
    params: &[BTreeMap<String, String>],
    title: &str,
    kind: ReportKind,
) -> ExitCode {
    if let Some(dir) = out {
        if let Err(e) = experiment::write_results(dir, variants, params) {
            errln!("error: cannot write {}: {e}", dir.display());
            return ExitCode::from(1);
        }
        outln!("results written to {}", dir.display());
    }
    if let Some(file) = report {
        let html = crate::experiment::report::render(title, variants, &kind);
        if let Err(code) = write_report(file, &html) {
            return code;
        }
    }
    ExitCode::SUCCESS
}

fn ci_text(mean: f64, half: f64) -> String {
    // A difference that rounds to zero (or is -0.0) reads 0.00, not -0.00.
    let two = |x: f64| {
        let t = format!("{x:.2}");
        match t.strip_prefix('-') {
            Some(rest) if rest.chars().all(|c| c == '0' || c == '.') => rest.to_string(),
            _ => t,
        }
    };
    if half.is_finite() {
        format!("{} ± {}", two(mean), two(half))
    } else {
        two(mean)
    }
}

fn compare(paths: Vec<PathBuf>, args: ReplicationArgs) -> ExitCode {
    crate::interrupt::install();
    let mut loaded = Vec::new();
    for p in &paths {
        match load(p) {
            Ok(l) => loaded.push(l),
            Err(code) => return code,
        }
    }
    // Scenario names label the columns; files with the same name fall back to file names.
    let names: Vec<String> = loaded.iter().map(|l| l.scenario.name.clone()).collect();
    let unique = names
        .iter()
        .collect::<std::collections::BTreeSet<_>>()
        .len()
        == names.len();
    let variants: Vec<(String, ValidScenario)> = loaded
        .into_iter()
        .zip(&paths)
        .map(|(l, p)| {
            let label = if unique {
                l.scenario.name.clone()
            } else {
                p.display().to_string()
            };
            (label, l.scenario)
        })
        .collect();
    if let Err(code) = check_experiment_destinations(&args) {
        return code;
    }
    let label = if variants.len() == 1 {
        "replications"
    } else {
        "compare"
    };
    let finished = match run_replications(variants, &[], store::Kind::Compare, &args, label) {
        Ok(Some(f)) => f,
        Ok(None) => return ExitCode::SUCCESS,
        Err(code) => return code,
    };
    let code = show_compare(
        &finished.variants,
        args.out.as_deref(),
        args.report.as_deref(),
    );
    if code == ExitCode::SUCCESS {
        remove_partial(finished.partial);
    }
    code
}

/// Prints the table of a comparison (or of `run -n`) and writes its outputs.
fn show_compare(
    variants: &[Variant],
    out: Option<&std::path::Path>,
    report: Option<&std::path::Path>,
) -> ExitCode {
    let replications = variants[0].reps.len();
    let rows = experiment::kpi_rows(variants);
    let mut t = comfy_table::Table::new();
    t.load_style(comfy_table::presets::UTF8_FULL_CONDENSED);
    let mut header = vec!["KPI (mean ± 95 % CI)".to_string()];
    header.extend(variants.iter().map(|v| v.label.clone()));
    header.extend(
        variants[1..]
            .iter()
            .map(|v| format!("{} − {}", v.label, variants[0].label)),
    );
    t.set_header(header);
    for row in &rows {
        let mut cells = vec![if row.kpi.unit.is_empty() {
            row.kpi.label.to_string()
        } else {
            format!("{} ({})", row.kpi.label, row.kpi.unit)
        }];
        cells.extend(row.intervals.iter().map(|i| ci_text(i.mean, i.half_width)));
        cells.extend(
            row.differences
                .iter()
                .zip(&row.significant)
                .filter_map(|(d, &sig)| d.map(|d| (d, sig)))
                .map(|(d, sig)| {
                    let mark = if sig { " *" } else { "" };
                    format!("{}{mark}", ci_text(d.mean, d.half_width))
                }),
        );
        t.add_row(cells);
    }
    outln!(
        "{replications} replications {}(seeds {}–{})",
        if variants.len() > 1 {
            "per scenario, common random numbers "
        } else {
            ""
        },
        variants[0].reps[0].seed,
        variants[0].reps.last().map_or(0, |r| r.seed)
    );
    outln!("{t}");
    if let Some(w) = experiment::overload_warning(variants) {
        outln!("warning: {w}");
    }
    let tests = experiment::kpis(variants).len() * (variants.len() - 1);
    if tests > 0 {
        outln!(
            "* significant: Holm's correction over all {tests} differences (KPIs × variants) keeps the \
             chance of any false * at 5 %. A ± interval alone is 95 % for that one difference."
        );
    }
    // One scenario (`run -n`): its replications, no comparison.
    let title = match variants {
        [one] => format!("{}: {replications} replications", one.label),
        _ => format!(
            "Comparison: {}",
            variants
                .iter()
                .map(|v| v.label.as_str())
                .collect::<Vec<_>>()
                .join(" vs ")
        ),
    };
    write_experiment(out, report, variants, &[], &title, ReportKind::Compare)
}

fn sweep(path: PathBuf, sets: Vec<String>, args: ReplicationArgs) -> ExitCode {
    crate::interrupt::install();
    let loaded = match load(&path) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let mut specs = Vec::new();
    for s in &sets {
        match experiment::parse_set(s) {
            Ok(spec) => specs.push(spec),
            Err(e) => {
                errln!("error: --set {e}");
                return ExitCode::from(2);
            }
        }
    }
    // Counted before anything is built: three `--set x=0..999` would be 10⁹ points.
    let points = match experiment::combinations(&specs) {
        Ok(p) => p,
        Err(e) => {
            errln!("error: --set: {e}");
            return ExitCode::from(2);
        }
    };
    let mut variants = Vec::new();
    let mut problems = Vec::new();
    for combo in &points {
        let label = experiment::combo_label(combo);
        match experiment::apply(&loaded.scenario, combo) {
            Ok(s) => match crate::scenario::validate::check(s) {
                Ok(valid) => variants.push((label, valid)),
                Err(found) => {
                    for p in found {
                        problems.push(crate::error::Problem::new(
                            format!("[{label}] {}", p.path),
                            p.message,
                        ));
                    }
                }
            },
            Err(p) => problems.push(p),
        }
    }
    if !problems.is_empty() {
        problems.dedup();
        return report_problems(&path, problems);
    }
    if let Err(code) = check_experiment_destinations(&args) {
        return code;
    }
    let params: Vec<BTreeMap<String, String>> = points
        .iter()
        .map(|c| {
            c.iter()
                .map(|(p, v)| (p.clone(), v.to_string().trim_matches('"').to_string()))
                .collect()
        })
        .collect();
    let sets: Vec<String> = specs.iter().map(|s| s.path.clone()).collect();
    let kind = store::Kind::Sweep {
        scenario: loaded.scenario.name.clone(),
        sets: sets.clone(),
        points: points
            .iter()
            .map(|c| c.iter().map(|(p, v)| (p.clone(), v.to_string())).collect())
            .collect(),
    };
    let finished = match run_replications(variants, &params, kind, &args, "sweep") {
        Ok(Some(f)) => f,
        Ok(None) => return ExitCode::SUCCESS,
        Err(code) => return code,
    };
    let code = show_sweep(
        &finished.variants,
        &SweepInfo {
            scenario: &loaded.scenario.name,
            sets: &sets,
            points,
            params: &params,
        },
        args.out.as_deref(),
        args.report.as_deref(),
    );
    if code == ExitCode::SUCCESS {
        remove_partial(finished.partial);
    }
    code
}

/// What a sweep's table and report show besides its variants.
struct SweepInfo<'a> {
    scenario: &'a str,
    sets: &'a [String],
    points: Vec<Vec<(String, serde_json::Value)>>,
    params: &'a [BTreeMap<String, String>],
}

/// Prints the table of a sweep and writes its outputs.
fn show_sweep(
    variants: &[Variant],
    info: &SweepInfo,
    out: Option<&std::path::Path>,
    report: Option<&std::path::Path>,
) -> ExitCode {
    let rows = experiment::kpi_rows(variants);
    let shown = [
        "wait_mean_s",
        "wait_p95_s",
        "share_long_wait",
        "lane_utilisation",
        "revenue",
        "lost_items",
        // Present only when a variant has queue behaviour.
        "abandonment",
        "sco_blocked_s",
    ];
    let cols: Vec<&experiment::KpiRow> = shown
        .iter()
        .filter_map(|id| rows.iter().find(|r| r.kpi.id == *id))
        .collect();
    let mut t = comfy_table::Table::new();
    t.load_style(comfy_table::presets::UTF8_FULL_CONDENSED);
    let mut header: Vec<String> = info.sets.to_vec();
    header.extend(cols.iter().map(|r| {
        if r.kpi.unit.is_empty() {
            r.kpi.label.to_string()
        } else {
            format!("{} ({})", r.kpi.label, r.kpi.unit)
        }
    }));
    t.set_header(header);
    for (i, combo) in info.points.iter().enumerate() {
        let mut cells: Vec<String> = combo
            .iter()
            .map(|(_, v)| v.to_string().trim_matches('"').to_string())
            .collect();
        cells.extend(
            cols.iter()
                .map(|r| ci_text(r.intervals[i].mean, r.intervals[i].half_width)),
        );
        t.add_row(cells);
    }
    outln!(
        "{}: {} points × {} replications (mean ± 95 % CI; all KPIs in --out and --report)",
        info.scenario,
        info.points.len(),
        variants[0].reps.len()
    );
    outln!("{t}");
    if let Some(w) = experiment::overload_warning(variants) {
        outln!("warning: {w}");
    }
    let title = format!("Sweep of {}: {}", info.scenario, info.sets.join(", "));
    write_experiment(
        out,
        report,
        variants,
        info.params,
        &title,
        ReportKind::Sweep {
            points: info.points.clone(),
        },
    )
}

/// RON as the scenario files are written: `open: 6`, not `open: Some(6)`; absent options left
/// out rather than `None` (the format reads both; docs/scenario-format.md uses this style).
fn plain_options(ron_text: &str) -> String {
    let mut out = String::new();
    for line in ron_text.lines() {
        if line.trim_end().ends_with(": None,") {
            continue;
        }
        let mut rest = line;
        let mut done = String::new();
        while let Some(at) = rest.find("Some(") {
            let inner = &rest[at + 5..];
            // Only a value without parentheses of its own: `Some(6)`, `Some(Up)`.
            match inner.find(')') {
                Some(end) if !inner[..end].contains('(') => {
                    done.push_str(&rest[..at]);
                    done.push_str(&inner[..end]);
                    rest = &inner[end + 1..];
                }
                _ => {
                    done.push_str(&rest[..at + 5]);
                    rest = inner;
                }
            }
        }
        done.push_str(rest);
        out.push_str(&done);
        out.push('\n');
    }
    out.trim_end().to_string()
}

/// A clock time as `HH:MM`, with seconds only when it has some.
fn hhmm(seconds: f64) -> String {
    let t = crate::scenario::format_clock(seconds);
    t.strip_suffix(":00").map_or(t.clone(), str::to_string)
}

/// Options of `storelab staff-plan`.
#[derive(clap::Args, Debug)]
pub struct StaffPlanArgs {
    /// Scenario file (RON), one day.
    scenario: PathBuf,
    /// The target in every hour: `wait_mean_s <= 60`, `share_wait_over_5min <= 0.05` or
    /// `share_wait_over_90s <= 0.1`.
    #[arg(long)]
    target: String,
    /// The lane group to plan (default: the scenario's only staffed group).
    #[arg(long)]
    group: Option<String>,
    /// Replications per candidate plan (the same seeds for every candidate).
    #[arg(long = "replications", short = 'n', default_value_t = 20,
          value_parser = clap::value_parser!(u32).range(2..=10_000))]
    replications: u32,
    /// Base seed (default: the scenario's `seed`).
    #[arg(long)]
    seed: Option<u64>,
    /// Confidence that the plan meets the target in every hour.
    #[arg(long, default_value_t = 0.95)]
    confidence: f64,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1024))]
    threads: Option<u32>,
    /// Write plan.csv and plan.ron (a scenario that extends this one with the plan).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
}

/// `storelab staff-plan`: searches the plan, prints it and writes plan.csv and plan.ron.
fn staff_plan(a: StaffPlanArgs) -> ExitCode {
    use crate::experiment::staff_plan::{self, PlanError, Search, Target};
    crate::interrupt::install();
    let target = match Target::parse(&a.target) {
        Ok(t) => t,
        Err(e) => {
            errln!("error: --target {e}");
            return ExitCode::from(2);
        }
    };
    if !(a.confidence > 0.5 && a.confidence < 1.0) {
        errln!(
            "error: --confidence {} must lie between 0.5 and 1 (e.g. 0.95)",
            a.confidence
        );
        return ExitCode::from(2);
    }
    let loaded = match load(&a.scenario) {
        Ok(l) => l,
        Err(code) => return code,
    };
    if let Err(code) = check_destinations(a.out.as_deref(), None) {
        return code;
    }
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(n) = a.threads {
        builder = builder.num_threads(n as usize);
    }
    let pool = match builder.build() {
        Ok(p) => p,
        Err(e) => {
            errln!("error: cannot start worker threads: {e}");
            return ExitCode::from(1);
        }
    };
    let seed = a.seed.unwrap_or(loaded.scenario.seed);
    let settings = Search {
        scenario: &loaded.scenario,
        group: a.group.as_deref(),
        target,
        replications: a.replications,
        base_seed: seed,
        confidence: a.confidence,
    };
    let progress = Progress::counting(0, "staff-plan", "candidate plans");
    let result = pool.install(|| staff_plan::search(&settings, &|n| progress.set(u64::from(n))));
    progress.finish();
    if crate::interrupt::requested() {
        return interrupted();
    }
    let (plan, _variant) = match result {
        Ok(p) => p,
        Err(PlanError::Input(e)) => {
            errln!("error: {e}");
            return ExitCode::from(2);
        }
        Err(PlanError::Run(label, fault)) => return report_fault(&label, &fault),
    };
    let mut t = comfy_table::Table::new();
    t.load_style(comfy_table::presets::UTF8_FULL_CONDENSED);
    t.set_header(vec![
        "hour".to_string(),
        format!("lanes of \"{}\"", plan.group),
        "customers".to_string(),
        format!("{} (mean ± 95 % CI)", target.label()),
        format!("upper bound (target ≤ {})", target.limit),
    ]);
    let ends: Vec<f64> = plan
        .starts
        .iter()
        .zip(plan.durations())
        .map(|(s, d)| s + d)
        .collect();
    for (h, &end) in ends.iter().enumerate() {
        let ci = experiment::Interval::of(&plan.values[h]);
        t.add_row(vec![
            format!("{}–{}", hhmm(plan.starts[h]), hhmm(end)),
            plan.lanes[h].to_string(),
            format!("{:.1}", plan.customers[h]),
            ci_text(ci.mean, ci.half_width),
            format!(
                "{:.3}{}",
                plan.upper[h],
                if plan.upper[h] > target.limit {
                    " ✗"
                } else {
                    ""
                }
            ),
        ]);
    }
    outln!(
        "{}: lanes of \"{}\" per hour so that {} ≤ {} in every hour with {:.0} % confidence \
         ({} replications per candidate plan; {} searched on seeds {}–{}; {})",
        loaded.scenario.name,
        plan.group,
        target.label(),
        target.limit,
        a.confidence * 100.0,
        a.replications,
        if plan.evaluations == 1 {
            "1 plan".to_string()
        } else {
            format!("{} plans", plan.evaluations)
        },
        seed,
        seed.wrapping_add(u64::from(a.replications) - 1),
        if plan.checked {
            format!(
                "the figures below from the plan run again on seeds {}–{}",
                seed.wrapping_add(u64::from(a.replications)),
                seed.wrapping_add(2 * u64::from(a.replications) - 1)
            )
        } else {
            "the figures below with every lane open, on those seeds".to_string()
        },
    );
    outln!("{t}");
    let all_open = f64::from(plan.drawn) * plan.durations().iter().sum::<f64>() / 3600.0;
    if !plan.infeasible.is_empty() {
        errln!(
            "error: the target is missed even with all {} lanes open in {}{}; no plan written",
            plan.drawn,
            plan.infeasible
                .iter()
                .map(|&h| format!("{}–{}", hhmm(plan.starts[h]), hhmm(ends[h])))
                .collect::<Vec<_>>()
                .join(", "),
            if plan.checked {
                " (on the fresh seeds of the check)"
            } else {
                ""
            }
        );
        return ExitCode::from(1);
    }
    outln!(
        "cost: {:.1} lane-hours (all {} lanes all day: {:.1})",
        plan.lane_hours(),
        plan.drawn,
        all_open
    );
    let Some(dir) = &a.out else {
        return ExitCode::SUCCESS;
    };
    let schedule = plan.schedule();
    let mut checkouts = loaded.scenario.checkouts.clone();
    if let Some(g) = checkouts.groups.get_mut(&plan.group) {
        g.schedule = schedule;
    }
    let extends = staff_plan::relative_path(dir, &a.scenario);
    let body = match ron::ser::to_string_pretty(
        &checkouts,
        ron::ser::PrettyConfig::default().indentor("    ".to_string()),
    ) {
        Ok(b) => b,
        Err(e) => {
            errln!("error: cannot write the plan: {e}");
            return ExitCode::from(1);
        }
    };
    let ron_text = format!(
        "// plan.ron — {name} with the lanes of \"{group}\" that `storelab staff-plan` found:\n\
         // {target} ≤ {limit} in every hour with {conf:.0} % confidence ({reps} replications).\n\
         // {cost:.1} lane-hours. Only `checkouts` changes (its group's `schedule`).\n\
         (\n    extends: {extends:?},\n    name: {vname:?},\n    checkouts: {body},\n)\n",
        name = loaded.scenario.name,
        group = plan.group,
        target = target.label(),
        limit = target.limit,
        conf = a.confidence * 100.0,
        reps = a.replications,
        cost = plan.lane_hours(),
        extends = extends.to_string_lossy(),
        vname = format!("{}, staff plan", loaded.scenario.name),
        body = plain_options(&body).replace('\n', "\n    "),
    );
    let written = crate::experiment::output::write_dir_atomically(dir, |staging| {
        let mut w = csv::Writer::from_path(staging.join("plan.csv"))?;
        w.write_record([
            "from",
            "to",
            "lanes",
            "customers",
            "mean",
            "ci95_low",
            "ci95_high",
            "upper_bound",
            "limit",
        ])?;
        for (h, &end) in ends.iter().enumerate() {
            let ci = experiment::Interval::of(&plan.values[h]);
            w.write_record([
                crate::scenario::format_clock(plan.starts[h]),
                crate::scenario::format_clock(end),
                plan.lanes[h].to_string(),
                format!("{}", plan.customers[h]),
                format!("{}", ci.mean),
                format!("{}", ci.low()),
                format!("{}", ci.high()),
                format!("{}", plan.upper[h]),
                format!("{}", target.limit),
            ])?;
        }
        w.flush()?;
        std::fs::write(staging.join("plan.ron"), &ron_text)
    });
    if let Err(e) = written {
        errln!("error: cannot write {}: {e}", dir.display());
        return ExitCode::from(1);
    }
    outln!(
        "plan written to {} (plan.csv; plan.ron: storelab run {})",
        dir.display(),
        dir.join("plan.ron").display()
    );
    ExitCode::SUCCESS
}

/// `storelab merge`: the shards of one experiment into its results.
fn merge(shards: Vec<PathBuf>, out: Option<PathBuf>, report: Option<PathBuf>) -> ExitCode {
    if let Err(code) = check_destinations(out.as_deref(), report.as_deref()) {
        return code;
    }
    let (manifest, runs) = match store::merge(&shards) {
        Ok(m) => m,
        Err(e) => {
            errln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let mut variants = Vec::new();
    for v in &manifest.variants {
        match crate::scenario::validate::check(v.scenario.clone()) {
            Ok(valid) => variants.push((v.label.clone(), valid)),
            Err(problems) => {
                // Only a shard folder edited by hand gets here: it was valid when it ran.
                let first = problems
                    .first()
                    .map(|p| format!("{}: {}", p.path, p.message));
                errln!(
                    "error: scenario `{}` in the shards is invalid: {}",
                    v.label,
                    first.unwrap_or_default()
                );
                return ExitCode::from(2);
            }
        }
    }
    let variants = match store::assemble(variants, runs) {
        Ok(v) => v,
        Err(e) => {
            errln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    match &manifest.kind {
        store::Kind::Compare => show_compare(&variants, out.as_deref(), report.as_deref()),
        store::Kind::Sweep {
            scenario,
            sets,
            points,
        } => {
            let params: Vec<BTreeMap<String, String>> =
                manifest.variants.iter().map(|v| v.params.clone()).collect();
            let mut parsed = Vec::new();
            for combo in points {
                let mut c = Vec::new();
                for (path, text) in combo {
                    match serde_json::from_str(text) {
                        Ok(v) => c.push((path.clone(), v)),
                        Err(e) => {
                            errln!("error: a sweep value `{text}` in the shards: {e}");
                            return ExitCode::from(2);
                        }
                    }
                }
                parsed.push(c);
            }
            show_sweep(
                &variants,
                &SweepInfo {
                    scenario,
                    sets,
                    points: parsed,
                    params: &params,
                },
                out.as_deref(),
                report.as_deref(),
            )
        }
    }
}

fn gui(
    scenarios: Vec<PathBuf>,
    seed: Option<u64>,
    screenshot: Option<PathBuf>,
    (at, day): (Option<String>, Option<u32>),
    frames: u32,
    replay: Option<PathBuf>,
) -> ExitCode {
    let at = match at.map(|a| crate::scenario::ClockTime::parse(&a)) {
        Some(Ok(t)) => Some(t.seconds()),
        Some(Err(e)) => {
            errln!("error: --at {e}");
            return ExitCode::from(2);
        }
        None => None,
    };
    let replay = match replay.map(|p| crate::view::control::SessionLog::load(&p)) {
        Some(Ok(log)) => Some(log),
        Some(Err(e)) => {
            errln!("error: --replay {e}");
            return ExitCode::from(2);
        }
        None => None,
    };
    #[cfg(feature = "gui")]
    {
        crate::view::gui::run(crate::view::gui::GuiOptions {
            scenarios,
            seed,
            screenshot,
            at,
            day,
            frames,
            replay,
        })
    }
    #[cfg(not(feature = "gui"))]
    {
        let _ = (scenarios, seed, screenshot, at, day, frames, replay);
        errln!(
            "error: this storelab was built without the `gui` feature; build it with `cargo build --features gui`"
        );
        ExitCode::from(2)
    }
}

fn validate(paths: Vec<PathBuf>) -> ExitCode {
    let mut failed = false;
    for path in paths {
        match scenario::load(&path) {
            Ok(l) => outln!("{}: ok ({})", path.display(), l.scenario.name),
            Err(e) => {
                failed = true;
                report_error(&e);
            }
        }
    }
    if failed {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    }
}

/// Which build this is, for `bench`: figures only compare between builds of the same kind.
/// `tools/build-fast` sets `STORELAB_BUILD` while compiling.
fn build_kind() -> String {
    let profile = if cfg!(debug_assertions) {
        "debug (debug assertions, little optimisation: times mean little)"
    } else {
        "release"
    };
    let view = if cfg!(feature = "gui") {
        "with the live view"
    } else {
        "headless"
    };
    match option_env!("STORELAB_BUILD") {
        Some(kind) => format!("{profile}, {view}, {kind}"),
        None => format!("{profile}, {view}"),
    }
}

fn bench(path: PathBuf, runs: u32, replications: u32) -> ExitCode {
    let loaded = match load(&path) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let scenario = loaded.scenario;
    let seed = scenario.seed;
    let once = || -> Result<(f64, u64, u64), crate::sim::engine::Fault> {
        let start = Instant::now();
        // What `storelab run SCENARIO` does: no heatmap, and over days no customer records.
        let keep = crate::sim::Keep {
            records: false,
            heat: false,
        };
        let out = crate::sim::run_keeping(&scenario, seed, keep)?;
        Ok((
            start.elapsed().as_secs_f64(),
            out.summary.events,
            out.summary.customers.arrived,
        ))
    };
    if let Err(fault) = once() {
        return report_fault(&path.display().to_string(), &fault);
    }
    // Every run builds the store afresh, so the warm-up run has reached the peak; read before
    // the machine check's table adds its 8 MB.
    let peak = peak_rss_mb();
    let mut times = Vec::new();
    let mut checks = Vec::new();
    // Filled (not zeroed) so that its pages are in memory before the first check is timed.
    let mut check_table = vec![1u64; 1 << 20];
    let mut events = 0;
    let mut customers = 0;
    for _ in 0..runs.max(1) {
        checks.push(machine_check(&mut check_table));
        let Ok((t, e, c)) = once() else {
            return ExitCode::from(1);
        };
        times.push(t);
        events = e;
        customers = c;
    }
    times.sort_by(f64::total_cmp);
    checks.sort_by(f64::total_cmp);
    let median = times[times.len() / 2];
    let mean = times.iter().sum::<f64>() / times.len() as f64;
    let (check_min, check_median) = (checks[0], checks[checks.len() / 2]);
    outln!("scenario        {}", scenario.name);
    outln!("build           {}", build_kind());
    outln!(
        "runs            {} (after 1 warm-up), single thread",
        times.len()
    );
    outln!("customers/day   {customers}");
    outln!("events/day      {events}");
    outln!(
        "time per day    min {:.1} ms, median {:.1} ms, mean {:.1} ms",
        times[0] * 1e3,
        median * 1e3,
        mean * 1e3
    );
    outln!("events per s    {:.2} M", events as f64 / median / 1e6);
    // On a shared or throttled machine the same work takes longer at some moments than at
    // others; this says how much, so the day's median can be read against it.
    outln!(
        "machine check   a fixed workload before each run: min {:.2} ms, median {:.2} ms ({:.2}x); {}",
        check_min * 1e3,
        check_median * 1e3,
        check_median / check_min,
        if check_median / check_min > 1.15 {
            "the machine's speed varied during the runs: the min is nearer the engine's cost"
        } else {
            "steady"
        }
    );
    match peak {
        Some(mb) => outln!("peak memory     {mb:.1} MB (VmHWM of this process, one day)"),
        None => outln!("peak memory     unknown (no /proc/self/status)"),
    }
    if replications > 0 {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let timed = |threads: usize| -> Result<f64, ExitCode> {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .map_err(|_| ExitCode::from(1))?;
            let start = Instant::now();
            pool.install(|| {
                experiment::replicate(
                    vec![(scenario.name.clone(), scenario.clone())],
                    replications,
                    seed,
                    &Progress::hidden(),
                )
            })
            .map_err(|(label, fault)| report_fault(&label, &fault))?;
            Ok(start.elapsed().as_secs_f64())
        };
        let (one, all) = match (timed(1), timed(cores)) {
            (Ok(a), Ok(b)) => (a, b),
            _ => return ExitCode::from(1),
        };
        outln!(
            "{replications} replications  {one:.2} s on 1 thread, {all:.2} s on {cores} threads"
        );
        outln!(
            "parallel eff.   {:.0} % (speed-up {:.2} on {cores} threads)",
            100.0 * one / all / cores as f64,
            one / all
        );
    }
    ExitCode::SUCCESS
}

/// Seconds taken by a fixed amount of work (the same on every machine and run): random
/// reads and writes over 8 MB, as a simulation's look-ups are, which is what other programs on
/// a shared machine slow down (a pure arithmetic loop is not). For `bench` to report beside
/// its timings.
fn machine_check(table: &mut [u64]) -> f64 {
    let start = Instant::now();
    let mask = table.len() - 1;
    let mut x = 0x9E37_79B9_7F4A_7C15u64;
    let mut at = 0usize;
    for _ in 0..50_000 {
        // xorshift picks the next slot from what the last one held: no prefetching ahead.
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        at = (at ^ x as usize ^ table[at] as usize) & mask;
        table[at] = table[at].wrapping_add(x);
    }
    std::hint::black_box(&table[at]);
    start.elapsed().as_secs_f64()
}

/// Peak resident set size of this process, MB (Linux).
pub fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}
