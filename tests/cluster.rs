//! Experiments beyond one process: shards merged into results byte-identical to one run
//! (locally, with GNU parallel and as a Slurm job array on a single-node cluster started for the
//! test), resuming an interrupted sweep, and the errors of `merge`.
//!
//! Needs the Debian packages `parallel`, `slurm-wlm` and `munge` (tools/test-deps installs them) and
//! root for the Slurm daemons; without them these tests fail rather than pass silently.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::*;

fn storelab(args: &[&str]) -> Output {
    Command::new(bin())
        .args(args)
        .output()
        .expect("run storelab")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).to_string()
}

fn ok(o: &Output) -> String {
    assert!(
        o.status.success(),
        "storelab failed: {}\n{}",
        text(&o.stderr),
        text(&o.stdout)
    );
    text(&o.stdout)
}

fn s(p: &Path) -> String {
    p.to_string_lossy().to_string()
}

/// The experiment the tests shard: a sweep of the supermarket over two settings, `n`
/// replications per point.
fn sweep_n(n: u32) -> Vec<String> {
    [
        "sweep",
        &s(&scenario_path("supermarket.ron")),
        "--set",
        "checkouts.groups.till.open=4..5",
        "--set",
        "customers.arrival_multiplier=0.9,1.1",
        "-n",
        &n.to_string(),
    ]
    .map(String::from)
    .to_vec()
}

fn sweep_args() -> Vec<String> {
    sweep_n(3)
}

fn with(base: &[String], extra: &[&str]) -> Vec<String> {
    let mut v = base.to_vec();
    v.extend(extra.iter().map(|x| x.to_string()));
    v
}

fn run(args: &[String]) -> Output {
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    storelab(&refs)
}

/// Asserts that two result folders and reports hold the same bytes.
fn assert_same_results(a: &Path, b: &Path) {
    for f in ["results.csv", "summary.csv"] {
        let (x, y) = (
            std::fs::read(a.join(f)).unwrap(),
            std::fs::read(b.join(f)).unwrap(),
        );
        assert!(
            x == y,
            "{f} differs between {} and {}",
            a.display(),
            b.display()
        );
    }
}

/// The table a command printed, without the lines naming files written.
fn table(stdout: &str) -> String {
    stdout
        .lines()
        .filter(|l| !l.contains("written to"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn compare_shards_merge_into_the_results_and_report_of_one_run() {
    let dir = tempfile::tempdir().unwrap();
    let one = dir.path().join("one");
    let args = [
        "compare",
        &s(&scenario_path("minimal.ron")),
        &s(&scenario_path("self-checkout.ron")),
        "-n",
        "4",
    ]
    .map(String::from)
    .to_vec();
    let whole = ok(&run(&with(
        &args,
        &[
            "--out",
            &s(&one),
            "--report",
            &s(&dir.path().join("one.html")),
        ],
    )));
    // Three shards of 8 jobs, merged in another order than written.
    let mut shards = Vec::new();
    for i in 1..=3 {
        let d = dir.path().join(format!("shard{i}"));
        let o = ok(&run(&with(
            &args,
            &[
                "--shard",
                &format!("{i}/3"),
                "--out",
                &s(&d),
                "--threads",
                "1",
            ],
        )));
        assert!(o.contains(&format!("shard {i}/3")), "{o}");
        // A shard is a folder of runs, not results.
        assert!(d.join("runs.ron").is_file() && !d.join("summary.csv").exists());
        shards.push(s(&d));
    }
    shards.reverse();
    let merged = dir.path().join("merged");
    let mut m = vec!["merge".to_string()];
    m.extend(shards);
    m.extend(
        [
            "--out",
            &s(&merged),
            "--report",
            &s(&dir.path().join("merged.html")),
        ]
        .map(String::from),
    );
    let merged_out = ok(&run(&m));
    assert_same_results(&one, &merged);
    assert_eq!(
        std::fs::read(dir.path().join("one.html")).unwrap(),
        std::fs::read(dir.path().join("merged.html")).unwrap(),
        "the merged report differs"
    );
    assert_eq!(table(&whole), table(&merged_out));
}

#[test]
fn sweep_shards_run_by_gnu_parallel_merge_into_one_runs_results() {
    let dir = tempfile::tempdir().unwrap();
    let one = dir.path().join("one");
    let whole = ok(&run(&with(&sweep_args(), &["--out", &s(&one)])));
    // The recipe of docs/cluster.md: one shard per job, two at a time.
    let shards = dir.path().join("sweep.shards");
    std::fs::create_dir(&shards).unwrap();
    let mut cmd = Command::new("parallel");
    cmd.args(["--will-cite", "--halt", "now,fail=1", "-j", "2"])
        .arg(bin())
        .args(sweep_args())
        .args(["--threads", "1", "--shard", "{}/4", "--out"])
        .arg(shards.join("{}"))
        .args([":::", "1", "2", "3", "4"]);
    let o = cmd
        .output()
        .expect("GNU parallel (Debian package `parallel`; tools/test-deps installs it)");
    assert!(o.status.success(), "parallel: {}", text(&o.stderr));
    let merged = dir.path().join("merged");
    let mut m = vec!["merge".to_string()];
    m.extend((1..=4).map(|i| s(&shards.join(i.to_string()))));
    m.extend(["--out".to_string(), s(&merged)]);
    let merged_out = ok(&run(&m));
    assert_same_results(&one, &merged);
    assert_eq!(table(&whole), table(&merged_out));
}

#[test]
fn sweep_as_a_slurm_job_array_on_a_single_node_cluster() {
    let dir = tempfile::tempdir().unwrap();
    let cluster = dir.path().join("slurm");
    let up = Command::new(root().join("tools/slurm-local"))
        .args(["start", &s(&cluster)])
        .output()
        .expect("tools/slurm-local");
    assert!(
        up.status.success(),
        "cannot start a single-node Slurm cluster (needs root and the Debian packages \
         slurm-wlm and munge, which tools/test-deps installs): {}",
        text(&up.stderr)
    );
    // Stops the daemons however the test ends.
    struct Down(PathBuf);
    impl Drop for Down {
        fn drop(&mut self) {
            let _ = Command::new(root().join("tools/slurm-local"))
                .args(["stop", &s(&self.0)])
                .status();
        }
    }
    let _down = Down(cluster.clone());
    let conf = cluster.join("slurm.conf");
    let out = dir.path().join("sweep");
    let sbatch = Command::new("sbatch")
        .env("SLURM_CONF", &conf)
        .env("STORELAB", bin())
        .current_dir(dir.path())
        .args(["--wait", "--array=1-3"])
        .arg(root().join("tools/cluster/shard.sbatch"))
        .arg("3")
        .arg(&out)
        .args(sweep_args())
        .output()
        .expect("sbatch");
    let logs: String = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".log"))
        .map(|e| read(&e.path()))
        .collect();
    assert!(
        sbatch.status.success(),
        "job array failed: {}\n{logs}",
        text(&sbatch.stderr)
    );
    assert!(logs.contains("shard 3/3"), "{logs}");
    let merged = dir.path().join("merged");
    let mut m = vec!["merge".to_string()];
    m.extend((1..=3).map(|i| s(&dir.path().join(format!("sweep.shards/{i}")))));
    m.extend(["--out".to_string(), s(&merged)]);
    ok(&run(&m));
    let one = dir.path().join("one");
    ok(&run(&with(&sweep_args(), &["--out", &s(&one)])));
    assert_same_results(&one, &merged);
}

/// Lines (finished runs) in a partial folder.
fn runs_kept(partial: &Path) -> usize {
    std::fs::read_to_string(partial.join("runs.ron"))
        .map(|t| t.matches('\n').count())
        .unwrap_or(0)
}

/// Starts `args`, waits until `partial` holds at least `n` finished runs, and kills it.
fn start_and_kill(args: &[String], partial: &Path, n: usize) {
    let mut child = Command::new(bin())
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while runs_kept(partial) < n {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the sweep ended before it could be killed"
        );
        assert!(start.elapsed() < Duration::from_secs(120), "no run kept");
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn a_killed_sweep_resumes_without_redoing_its_finished_runs() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("sweep");
    let partial = dir.path().join("sweep.partial");
    // Enough runs on one thread that the kills land in the middle.
    let args = with(&sweep_n(10), &["--threads", "1", "--out", &s(&out)]);
    start_and_kill(&args, &partial, 3);
    assert!(!out.exists(), "a killed sweep left a result folder");
    let kept = runs_kept(&partial);
    assert!((3..40).contains(&kept), "{kept} runs kept");
    // A kill in the middle of a write leaves a line without its end.
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(partial.join("runs.ron"))
        .unwrap();
    std::io::Write::write_all(&mut f, b"(variant:0,replicat").unwrap();
    drop(f);
    // While another process works on the experiment, a second one is refused.
    let held = std::fs::File::open(partial.join("runs.ron")).unwrap();
    held.lock().unwrap();
    let o = run(&args);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    assert!(text(&o.stderr).contains("in use by another storelab process"));
    drop(held);
    // Resumed and killed again: the cut line was dropped, not continued.
    start_and_kill(&args, &partial, kept + 2);
    let again = runs_kept(&partial);
    let lines = read(&partial.join("runs.ron"));
    assert!(
        !lines.contains("replicat(") && !lines.contains("replicat\n"),
        "the cut line was kept or continued"
    );
    let o = run(&args);
    let err = text(&o.stderr);
    ok(&o);
    assert!(
        err.contains(&format!("resuming: {again} of 40 runs")),
        "{err}"
    );
    assert!(
        !partial.exists(),
        "the partial folder stayed after finishing"
    );
    let fresh = dir.path().join("fresh");
    ok(&run(&with(&sweep_n(10), &["--out", &s(&fresh)])));
    assert_same_results(&fresh, &out);
}

#[test]
fn a_partial_folder_of_another_experiment_is_refused_and_kept() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("sweep");
    let partial = dir.path().join("sweep.partial");
    // A shard's runs, put where an unfinished experiment with other replications would be.
    ok(&run(&with(
        &sweep_args(),
        &["--shard", "1/2", "--out", &s(&partial)],
    )));
    let before = std::fs::read(partial.join("runs.ron")).unwrap();
    let o = run(&with(&sweep_n(4), &["--out", &s(&out)]));
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    let err = text(&o.stderr);
    assert!(
        err.contains("another experiment") && err.contains("4 against 3 replications"),
        "{err}"
    );
    assert_eq!(std::fs::read(partial.join("runs.ron")).unwrap(), before);
    // Not a storelab folder at all.
    let foreign = dir.path().join("mine.partial");
    std::fs::create_dir(&foreign).unwrap();
    std::fs::write(foreign.join("notes.txt"), "mine").unwrap();
    let o = run(&with(
        &sweep_args(),
        &["--out", &s(&dir.path().join("mine"))],
    ));
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("is not an unfinished storelab experiment"),
        "{}",
        text(&o.stderr)
    );
    assert_eq!(read(&foreign.join("notes.txt")), "mine");
}

#[test]
fn merge_refuses_incomplete_duplicate_or_mixed_shards() {
    let dir = tempfile::tempdir().unwrap();
    let shard = |i: u32, n: u32, extra: &[&str]| -> String {
        let d = dir.path().join(format!("s{i}of{n}{}", extra.join("")));
        let mut a = with(
            &sweep_args(),
            &["--shard", &format!("{i}/{n}"), "--out", &s(&d)],
        );
        a.extend(extra.iter().map(|x| x.to_string()));
        ok(&run(&a));
        s(&d)
    };
    let (a, b, c) = (shard(1, 3, &[]), shard(2, 3, &[]), shard(3, 3, &[]));
    let other = shard(3, 3, &["--seed", "99"]);
    let merge = |dirs: &[&str]| {
        let mut m = vec!["merge"];
        m.extend(dirs);
        storelab(&m)
    };
    for (dirs, expect) in [
        (vec![a.as_str(), b.as_str()], "shard 3/3 missing"),
        (
            vec![a.as_str(), b.as_str(), b.as_str()],
            "are both shard 2/3",
        ),
        (
            vec![a.as_str(), b.as_str(), other.as_str()],
            "different experiments (base seed 99 against 2018)",
        ),
        (
            vec![a.as_str(), c.as_str(), "/nonexistent"],
            "is not a shard folder",
        ),
    ] {
        let o = merge(&dirs);
        assert_eq!(o.status.code(), Some(2), "{dirs:?}");
        let err = text(&o.stderr);
        assert!(err.contains(expect), "{dirs:?}: {err}");
    }
    // A shard run again into its finished folder does nothing; another shard there is refused.
    let before = std::fs::read(Path::new(&a).join("runs.ron")).unwrap();
    let o = run(&with(&sweep_args(), &["--shard", "1/3", "--out", &a]));
    assert!(
        text(&o.stdout).contains("already done"),
        "{}",
        text(&o.stdout)
    );
    let o = run(&with(&sweep_args(), &["--shard", "2/3", "--out", &a]));
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("holds the runs of shard 1/3"),
        "{}",
        text(&o.stderr)
    );
    let o = run(&with(&sweep_n(4), &["--shard", "1/3", "--out", &a]));
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("another experiment"),
        "{}",
        text(&o.stderr)
    );
    assert_eq!(
        std::fs::read(Path::new(&a).join("runs.ron")).unwrap(),
        before
    );
    // Results never replace a shard's runs.
    let o = merge(&[a.as_str(), b.as_str(), c.as_str(), "--out", a.as_str()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stderr).contains("holds the runs of a shard"),
        "{}",
        text(&o.stderr)
    );
    assert!(Path::new(&a).join("runs.ron").is_file());
    // Shards need an --out to write to.
    let o = run(&with(&sweep_args(), &["--shard", "1/2"]));
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("--out"), "{}", text(&o.stderr));
    let o = run(&with(&sweep_args(), &["--shard", "3/2", "--out", "x"]));
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("1 ≤ I ≤ N"), "{}", text(&o.stderr));
}

/// Every shipped scenario, and the replications of those with days, rotas, attendants and
/// segments, come back from the stored form unchanged: a merge or a resume computes every KPI
/// from exactly the numbers the run produced.
#[test]
fn scenarios_and_replications_survive_the_stored_form() {
    use storelab::experiment::{self, Progress, Replication};
    use storelab::scenario::Scenario;
    let all: Vec<PathBuf> = files_under(&root().join("scenarios"))
        .into_iter()
        .filter(|p| p.extension().is_some_and(|x| x == "ron"))
        .collect();
    assert!(all.len() > 20);
    for p in &all {
        let s = storelab::scenario::load(p).unwrap().scenario;
        let text = ron::to_string(&*s).unwrap();
        let back: Scenario = ron::from_str(&text).unwrap();
        assert!(back == *s, "{} changes when stored", p.display());
    }
    for rel in [
        "inventory/corner-shop.ron",
        "checkout/rota.ron",
        "checkout/sco-attendants-rota.ron",
        "checkout/scan-and-go-audited.ron",
        "checkout/cashierless.ron",
        "checkout/combined.ron",
    ] {
        let v = experiment::replicate(
            vec![(rel.to_string(), load(rel))],
            2,
            11,
            &Progress::hidden(),
        )
        .unwrap();
        let kpis = experiment::kpis(&v);
        for rep in &v[0].reps {
            let back: Replication = ron::from_str(&ron::to_string(rep).unwrap()).unwrap();
            for k in &kpis {
                let (a, b) = (k.value(&rep.summary), k.value(&back.summary));
                assert!(
                    a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan()),
                    "{rel}: KPI {} is {a} but {b} when stored",
                    k.id
                );
            }
            assert_eq!(rep.samples, back.samples, "{rel}");
            assert_eq!(rep.days, back.days, "{rel}");
            assert_eq!(rep.waits, back.waits, "{rel}");
            assert_eq!(rep.heat, back.heat, "{rel}");
        }
    }
}
