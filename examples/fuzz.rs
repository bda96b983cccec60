//! The long fuzz run (harness: tests/fuzzing/mod.rs; the bounded run is tests/fuzz.rs).
//!
//! ```sh
//! cargo run --release --example fuzz -- --cases 1000000
//! cargo run --release --example fuzz -- --seed 1 --from 4711 --cases 1   # replay one case
//! ```
//!
//! Options: `--cases N` (default 1,000,000), `--seed S` (1), `--from I` (0), `--budget SECS`
//! per case (10), `--mem-mb MB` address-space limit of the worker (4096), `--findings FILE`
//! (fuzz-findings.md), `--save DIR` (write each distinct failure, minimised, as a regression
//! file for tests/fuzz-regressions/).
//!
//! The cases run in a worker process under a memory limit, so a case that aborts the
//! process (stack overflow, out of memory) is recorded and the run goes on in a new worker
//! from the next case. Progress (cases, cases/s, failures) goes to stderr every 10 s; the
//! distinct failures, minimised, are written to the findings file.

#[path = "../tests/fuzzing/mod.rs"]
mod fuzzing;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

struct Args {
    cases: u64,
    seed: u64,
    from: u64,
    budget: u64,
    mem_mb: u64,
    findings: PathBuf,
    save: Option<PathBuf>,
    worker: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut a = Args {
        cases: 1_000_000,
        seed: 1,
        from: 0,
        budget: 10,
        mem_mb: 4096,
        findings: PathBuf::from("fuzz-findings.md"),
        save: None,
        worker: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = || it.next().ok_or(format!("{arg} needs a value"));
        let num = |v: String| {
            v.parse::<u64>()
                .map_err(|_| format!("{arg}: `{v}` is not a count"))
        };
        match arg.as_str() {
            "--cases" => a.cases = num(value()?)?,
            "--seed" => a.seed = num(value()?)?,
            "--from" => a.from = num(value()?)?,
            "--budget" => a.budget = num(value()?)?,
            "--mem-mb" => a.mem_mb = num(value()?)?,
            "--findings" => a.findings = PathBuf::from(value()?),
            "--save" => a.save = Some(PathBuf::from(value()?)),
            "--worker" => a.worker = true,
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    Ok(a)
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    if args.worker {
        worker(&args);
        ExitCode::SUCCESS
    } else {
        supervise(&args)
    }
}

/// One line per case on stdout, in case order: `ok I` or `fail I SIGNATURE`, then
/// `detail I TEXT` (newlines escaped) with the minimised input of a first-seen failure. A
/// process that dies leaves the case after the last line as the culprit.
fn worker(args: &Args) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let seeds = fuzzing::seeds(root);
    let budget = Duration::from_secs(args.budget);
    let to = args.from.saturating_add(args.cases);
    let mut seen = std::collections::BTreeSet::new();
    let work = fuzzing::Workdir::new(&seeds);
    let mut o = std::io::BufWriter::new(std::io::stdout().lock());
    let mut hung = false;
    fuzzing::run_cases(&seeds, args.seed, args.from, to, budget, |r| {
        let index = r.index;
        match &r.result {
            Ok(_) => {
                let _ = writeln!(o, "ok {index}");
            }
            Err(f) => {
                hung = f.stage == "event";
                let sig = f.signature();
                let _ = writeln!(o, "fail {index} {}", sig.replace('\n', " "));
                if seen.insert(sig.clone()) {
                    // A hung case is kept as it is: minimising would re-run the hang many times.
                    let small = if hung {
                        r.case.clone()
                    } else {
                        fuzzing::minimise(&r.case, f, &seeds, &work, budget)
                    };
                    let detail = format!(
                        "{}\nmessage: {}\nmutations: {}\n{}",
                        sig.replace('\n', " "),
                        f.message,
                        r.steps.join("; "),
                        fuzzing::describe(&small, &seeds)
                    );
                    let _ = writeln!(o, "detail {index} {}", detail.replace('\n', "\\n"));
                    if let Some(dir) = &args.save {
                        let (ext, bytes) = small.to_file();
                        let _ = std::fs::create_dir_all(dir);
                        let name = format!("seed{}-case{index}.{ext}", args.seed);
                        let _ = std::fs::write(dir.join(name), bytes);
                    }
                }
            }
        }
        // Flushed per case: if the next case kills the process, this one is on record.
        let _ = o.flush();
        !hung
    });
    if hung {
        // A thread is stuck in that case: carry on in a new process.
        std::process::exit(3);
    }
}

struct Finding {
    count: u64,
    first: u64,
    detail: String,
}

fn supervise(args: &Args) -> ExitCode {
    if fuzzing::find_cli().is_none() {
        eprintln!(
            "note: no storelab binary beside this example; build it (`cargo build --release`) \
             to check one case in ten through `storelab run --out` too"
        );
    }
    let exe = std::env::current_exe().expect("own path");
    let seeds = fuzzing::seeds(Path::new(env!("CARGO_MANIFEST_DIR")));
    let to = args.from.saturating_add(args.cases);
    let start = Instant::now();
    let mut next = args.from;
    let (mut done, mut failed) = (0u64, 0u64);
    let mut findings: BTreeMap<String, Finding> = BTreeMap::new();
    let mut last_report = Instant::now();
    while next < to {
        let mut cmd = Command::new("sh");
        cmd.arg("-c")
            .arg(format!(
                "ulimit -v {} && exec \"$0\" \"$@\"",
                args.mem_mb * 1024
            ))
            .arg(&exe)
            .args(["--worker", "--seed", &args.seed.to_string()])
            .args(["--from", &next.to_string()])
            .args(["--cases", &(to - next).to_string()])
            .args(["--budget", &args.budget.to_string()]);
        if let Some(dir) = &args.save {
            cmd.arg("--save").arg(dir);
        }
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("worker process");
        let out = BufReader::new(child.stdout.take().expect("piped"));
        let started = next;
        for line in out.lines() {
            let Ok(line) = line else { break };
            let (word, rest) = line.split_once(' ').unwrap_or((&line, ""));
            let (index, tail) = rest.split_once(' ').unwrap_or((rest, ""));
            let Ok(index) = index.parse::<u64>() else {
                continue;
            };
            match word {
                "ok" => {
                    done += 1;
                    next = index + 1;
                }
                "fail" => {
                    done += 1;
                    failed += 1;
                    next = index + 1;
                    let f = findings.entry(tail.to_string()).or_insert(Finding {
                        count: 0,
                        first: index,
                        detail: String::new(),
                    });
                    f.count += 1;
                }
                "detail" => {
                    let detail = tail.replace("\\n", "\n");
                    let sig = detail.lines().next().unwrap_or("").to_string();
                    if let Some(f) = findings.get_mut(&sig)
                        && f.detail.is_empty()
                    {
                        f.detail = detail;
                    }
                }
                _ => {}
            }
            if last_report.elapsed() > Duration::from_secs(10) {
                last_report = Instant::now();
                progress(start, done, failed, findings.len());
                write_findings(&args.findings, args, done, start, &findings);
            }
        }
        let status = child.wait().expect("worker status");
        let died = !status.success() && status.code() != Some(3);
        if died && next < to {
            // The process died inside case `next`: abort, stack overflow, out of memory.
            let index = next;
            done += 1;
            failed += 1;
            let g = fuzzing::generate(&seeds, args.seed, index);
            let sig = format!("crash of the process: {status}");
            let f = findings.entry(sig.clone()).or_insert(Finding {
                count: 0,
                first: index,
                detail: String::new(),
            });
            f.count += 1;
            if f.detail.is_empty() {
                f.detail = format!(
                    "{sig}\nmutations: {}\n{}",
                    g.steps.join("; "),
                    fuzzing::describe(&g.case, &seeds)
                );
            }
            next = index + 1;
        }
        if next == started && !died {
            eprintln!("the worker made no progress ({status}); stopping");
            break;
        }
    }
    progress(start, done, failed, findings.len());
    write_findings(&args.findings, args, done, start, &findings);
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn progress(start: Instant, done: u64, failed: u64, distinct: usize) {
    let secs = start.elapsed().as_secs_f64();
    eprintln!(
        "{done} cases in {secs:.0} s ({:.0} cases/s), {failed} failed, {distinct} distinct",
        done as f64 / secs.max(1e-9)
    );
}

fn write_findings(
    file: &Path,
    args: &Args,
    done: u64,
    start: Instant,
    findings: &BTreeMap<String, Finding>,
) {
    let secs = start.elapsed().as_secs_f64();
    let mut s = format!(
        "# Fuzz findings\n\nseed {}, cases {}..{} ({done} checked in {secs:.0} s, {:.0} cases/s), \
         {} distinct failures.\nReproduce case I: `cargo run --release --example fuzz -- --seed {} --from I --cases 1`.\n",
        args.seed,
        args.from,
        args.from + done,
        done as f64 / secs.max(1e-9),
        findings.len(),
        args.seed
    );
    for (sig, f) in findings {
        s.push_str(&format!(
            "\n## {sig}\n\n{} cases, first: case {}\n\n```\n{}\n```\n",
            f.count,
            f.first,
            if f.detail.is_empty() { sig } else { &f.detail }
        ));
    }
    let tmp = file.with_extension("md.partial");
    if std::fs::write(&tmp, s).is_ok() {
        let _ = std::fs::rename(&tmp, file);
    }
}
