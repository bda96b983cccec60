//! Finished replications on disk: resumable experiments, shards and their merge.
//!
//! Models nothing; units are those of the replications it stores. Two uses share one format,
//! a folder holding `experiment.ron` (what the experiment is: kind, variants with their full
//! scenarios, replications, base seed, shard) and `runs.ron` (one finished replication per
//! line, in any order):
//!
//! - **Resume.** `compare`/`sweep` with `--out DIR` keep every finished replication in
//!   `DIR.partial/` the moment it ends. Interrupted (Ctrl-C, a killed job, a lost machine), the
//!   same command finds the folder, checks it holds the same experiment, and runs only what is
//!   missing. `DIR` itself appears only when every replication is done, written atomically, and
//!   `DIR.partial` is removed then. A line cut short by a kill is ignored and its run redone.
//! - **Shards.** `--shard I/N` runs only jobs `j` (variant-major, `j = v × n + i`) with
//!   `j mod N = I − 1` and writes them as a folder; `storelab merge` checks that the shards
//!   are of one experiment and cover every job exactly once, and then builds the variants as
//!   a one-machine run would. Results are byte-identical because RON writes every `f64` as the
//!   shortest text that reads back as the same number, and the runs are put back in job order.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::experiment::{Progress, Replication, Variant};
use crate::scenario::Scenario;
use crate::scenario::validate::ValidScenario;
use crate::sim::engine::Fault;

/// The experiment's description in a partial or shard folder.
pub const MANIFEST: &str = "experiment.ron";
/// Finished replications, one per line.
pub const RUNS: &str = "runs.ron";
/// Version of the folder format; folders of another version are refused.
const FORMAT: u32 = 1;

/// What produced the replications: tells `merge` which table and report to make.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Kind {
    Compare,
    /// A sweep of `scenario` over `sets` (the `--set` paths); each point's values as JSON text.
    Sweep {
        scenario: String,
        sets: Vec<String>,
        points: Vec<Vec<(String, String)>>,
    },
}

/// `--shard I/N`: the I-th (1-based) of N shares of an experiment's jobs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    pub index: u32,
    pub count: u32,
}

impl Shard {
    /// Parses `I/N` with 1 ≤ I ≤ N.
    pub fn parse(s: &str) -> Result<Shard, String> {
        let bad = || format!("expected I/N with 1 ≤ I ≤ N, e.g. 2/8, not `{s}`");
        let (i, n) = s.split_once('/').ok_or_else(bad)?;
        let index: u32 = i.trim().parse().map_err(|_| bad())?;
        let count: u32 = n.trim().parse().map_err(|_| bad())?;
        if index == 0 || index > count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }

    /// Whether job `j` belongs to this shard. Round robin, so every shard gets a mix of
    /// variants (a sweep's points can differ a lot in run time).
    pub fn takes(&self, job: usize) -> bool {
        job % self.count as usize == (self.index - 1) as usize
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// A variant as stored: its label, the sweep values that define it, and the whole scenario
/// (`extends` resolved), so a merge needs none of the original files.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StoredVariant {
    pub label: String,
    pub params: BTreeMap<String, String>,
    pub scenario: Scenario,
}

/// Everything that defines an experiment's results.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// storelab's version: another version may simulate differently.
    pub storelab: String,
    pub format: u32,
    pub kind: Kind,
    pub replications: u32,
    pub base_seed: u64,
    pub shard: Option<Shard>,
    pub variants: Vec<StoredVariant>,
}

impl Manifest {
    pub fn new(
        kind: Kind,
        variants: &[(String, ValidScenario)],
        params: &[BTreeMap<String, String>],
        replications: u32,
        base_seed: u64,
        shard: Option<Shard>,
    ) -> Manifest {
        Manifest {
            storelab: env!("CARGO_PKG_VERSION").to_string(),
            format: FORMAT,
            kind,
            replications,
            base_seed,
            shard,
            variants: variants
                .iter()
                .enumerate()
                .map(|(i, (label, s))| StoredVariant {
                    label: label.clone(),
                    params: params.get(i).cloned().unwrap_or_default(),
                    scenario: Scenario::clone(s),
                })
                .collect(),
        }
    }

    /// The (variant, replication) jobs of this manifest's shard (all without one), in job
    /// order.
    pub fn jobs(&self) -> Vec<(usize, u32)> {
        (0..self.variants.len())
            .flat_map(|v| (0..self.replications).map(move |i| (v, i)))
            .enumerate()
            .filter(|(j, _)| self.shard.is_none_or(|s| s.takes(*j)))
            .map(|(_, job)| job)
            .collect()
    }

    /// What differs from `other` apart from the shard, in words (`None`: the same experiment).
    fn difference(&self, other: &Manifest) -> Option<String> {
        if self.storelab != other.storelab || self.format != other.format {
            return Some(format!(
                "storelab {} wrote one, storelab {} the other",
                self.storelab, other.storelab
            ));
        }
        match (&self.kind, &other.kind) {
            (Kind::Compare, Kind::Compare) => {}
            (
                Kind::Sweep {
                    scenario: a,
                    sets: sa,
                    points: pa,
                },
                Kind::Sweep {
                    scenario: b,
                    sets: sb,
                    points: pb,
                },
            ) => {
                if a != b {
                    return Some(format!("a sweep of \"{a}\" against one of \"{b}\""));
                }
                if sa != sb {
                    return Some(format!(
                        "--set {} against --set {}",
                        sa.join(", "),
                        sb.join(", ")
                    ));
                }
                if pa != pb {
                    return Some(format!(
                        "other --set values ({} points against {})",
                        pa.len(),
                        pb.len()
                    ));
                }
            }
            _ => return Some("a comparison against a sweep".into()),
        }
        if self.replications != other.replications {
            return Some(format!(
                "{} against {} replications",
                self.replications, other.replications
            ));
        }
        if self.base_seed != other.base_seed {
            return Some(format!(
                "base seed {} against {}",
                self.base_seed, other.base_seed
            ));
        }
        if self.variants.len() != other.variants.len() {
            return Some(format!(
                "{} against {} scenarios",
                self.variants.len(),
                other.variants.len()
            ));
        }
        for (a, b) in self.variants.iter().zip(&other.variants) {
            if a.label != b.label || a.params != b.params {
                return Some(format!("scenario `{}` against `{}`", a.label, b.label));
            }
            if a.scenario != b.scenario {
                return Some(format!("scenario `{}` was changed", a.label));
            }
        }
        None
    }
}

/// One finished replication as stored.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct StoredRun {
    pub variant: usize,
    pub replication: u32,
    pub queue_names: Vec<String>,
    pub rep: Replication,
}

/// Why an experiment could not go on.
#[derive(Debug)]
pub enum Failure {
    /// A folder could not be read or written, or holds something else.
    Io(String),
    /// A run failed (the variant's label and seed, and why).
    Run(String, Fault),
    /// Ctrl-C: the finished runs are kept where the message says.
    Interrupted,
}

/// The folder where `compare`/`sweep --out DIR` keep finished replications: `DIR.partial`.
pub fn partial_path(out: &Path) -> PathBuf {
    let mut name = out.file_name().unwrap_or_default().to_os_string();
    name.push(".partial");
    out.with_file_name(name)
}

/// An open partial folder that finished runs are appended to. Its runs file is locked while
/// open, so two processes never write one experiment's runs.
pub struct Partial {
    dir: PathBuf,
    runs: Mutex<fs::File>,
    /// The same file, for flushing outside the lock.
    sync: fs::File,
}

/// Whether `dir` holds nothing but what a process killed while creating it leaves.
fn unborn(dir: &Path) -> io::Result<bool> {
    for e in fs::read_dir(dir)? {
        if e?.file_name() != format!("{MANIFEST}.tmp").as_str() {
            return Ok(false);
        }
    }
    Ok(true)
}

impl Partial {
    /// Opens `dir` for `manifest`: returns the runs already finished there (when it holds the
    /// same experiment), or creates the folder. A folder of another experiment, or not of
    /// storelab, is refused and left alone. Errors: (message, bad input?).
    pub fn open(
        dir: &Path,
        manifest: &Manifest,
    ) -> Result<(Partial, Vec<StoredRun>), (String, bool)> {
        let show = dir.display();
        let io = |what: &str, e: io::Error| (format!("cannot {what} {show}: {e}"), false);
        let fresh = match fs::symlink_metadata(dir) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                fs::create_dir_all(dir).map_err(|e| io("create", e))?;
                true
            }
            Err(e) => return Err(io("read", e)),
            Ok(m) if !m.is_dir() => {
                return Err((
                    format!(
                        "{show} is in the way (not a folder); move it, or choose another --out"
                    ),
                    true,
                ));
            }
            Ok(_) => unborn(dir).map_err(|e| io("read", e))?,
        };
        if fresh {
            write_manifest(dir, manifest).map_err(|e| io("write", e))?;
        } else {
            let stored = read_manifest(dir).map_err(|e| {
                (
                    format!(
                        "{show} is not an unfinished storelab experiment ({e}); move it, or \
                         choose another --out"
                    ),
                    true,
                )
            })?;
            if let Some(diff) = manifest.difference(&stored) {
                return Err((
                    format!(
                        "{show} holds the unfinished runs of another experiment ({diff}); \
                         finish that one with its own command, delete {show}, or choose \
                         another --out"
                    ),
                    true,
                ));
            }
            if stored.shard != manifest.shard {
                return Err((
                    format!(
                        "{show} holds the runs of shard {} and this is {}; delete {show}, or \
                         choose another --out",
                        stored.shard.map_or("none".into(), |s| s.to_string()),
                        manifest.shard.map_or("no shard".into(), |s| s.to_string())
                    ),
                    true,
                ));
            }
        }
        let path = dir.join(RUNS);
        let file = fs::OpenOptions::new()
            .create(true)
            .read(true)
            .append(true)
            .open(&path)
            .map_err(|e| io("write", e))?;
        if file.try_lock().is_err() {
            return Err((
                format!(
                    "{show} is in use by another storelab process running this experiment; \
                     wait for it to end, or stop it"
                ),
                true,
            ));
        }
        let (done, complete) = read_runs(dir, manifest).map_err(|e| (e, true))?;
        // A line cut short by a kill is dropped, so the next run starts a line of its own.
        file.set_len(complete).map_err(|e| io("write", e))?;
        let sync = file.try_clone().map_err(|e| io("write", e))?;
        Ok((
            Partial {
                dir: dir.to_path_buf(),
                runs: Mutex::new(file),
                sync,
            },
            done,
        ))
    }

    /// Appends a finished run as one line and flushes it to disk (outside the lock, so
    /// threads finishing together do not wait for each other's flush), so that a kill right
    /// after loses nothing.
    pub fn record(&self, run: &StoredRun) -> io::Result<()> {
        let mut line = ron::to_string(run).map_err(io::Error::other)?;
        line.push('\n');
        {
            let mut f = self.runs.lock().unwrap_or_else(|p| p.into_inner());
            f.write_all(line.as_bytes())?;
        }
        self.sync.sync_data()
    }

    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// Removes the folder once its results are written elsewhere.
    pub fn remove(self) -> io::Result<()> {
        drop(self.runs);
        drop(self.sync);
        fs::remove_dir_all(&self.dir)
    }
}

fn write_manifest(dir: &Path, manifest: &Manifest) -> io::Result<()> {
    let text = ron::ser::to_string_pretty(manifest, ron::ser::PrettyConfig::default())
        .map_err(io::Error::other)?;
    // Written beside and renamed, so a manifest is whole or absent.
    let tmp = dir.join(format!("{MANIFEST}.tmp"));
    fs::write(&tmp, text)?;
    fs::File::open(&tmp)?.sync_all()?;
    fs::rename(&tmp, dir.join(MANIFEST))
}

fn read_manifest(dir: &Path) -> Result<Manifest, String> {
    let path = dir.join(MANIFEST);
    let text = fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let m: Manifest = ron::from_str(&text).map_err(|e| format!("{}:{e}", path.display()))?;
    if m.format != FORMAT {
        return Err(format!(
            "{}: folder format {} (this storelab reads {FORMAT})",
            path.display(),
            m.format
        ));
    }
    // A manifest edited by hand must not reach an index out of range.
    let sweep_points = match &m.kind {
        Kind::Sweep { points, .. } => Some(points.len()),
        Kind::Compare => None,
    };
    if m.variants.is_empty()
        || m.replications == 0
        || m.shard.is_some_and(|s| s.index == 0 || s.index > s.count)
        || sweep_points.is_some_and(|n| n != m.variants.len())
    {
        return Err(format!(
            "{}: damaged (its counts do not fit)",
            path.display()
        ));
    }
    Ok(m)
}

/// The runs in `dir`'s runs file that belong to `manifest`'s jobs, and the length of the file
/// up to its last complete line. A last line without its newline was cut short by a kill and
/// is dropped; a run stored twice counts once.
fn read_runs(dir: &Path, manifest: &Manifest) -> Result<(Vec<StoredRun>, u64), String> {
    let path = dir.join(RUNS);
    let text = match fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
    };
    let jobs: BTreeSet<(usize, u32)> = manifest.jobs().into_iter().collect();
    let mut seen = BTreeSet::new();
    let mut runs = Vec::new();
    let complete = text.rfind('\n').map_or("", |end| &text[..end]);
    let kept = text.rfind('\n').map_or(0, |end| end as u64 + 1);
    for (n, line) in complete.lines().enumerate() {
        let run: StoredRun = ron::from_str(line)
            .map_err(|e| format!("{}:{}: {e} (a damaged file)", path.display(), n + 1))?;
        let job = (run.variant, run.replication);
        if !jobs.contains(&job) {
            return Err(format!(
                "{}:{}: a run (scenario {}, replication {}) this experiment does not have",
                path.display(),
                n + 1,
                run.variant + 1,
                run.replication
            ));
        }
        if seen.insert(job) {
            runs.push(run);
        }
    }
    Ok((runs, kept))
}

/// Runs the jobs not in `done` in parallel, hands each finished run to `keep` (e.g.
/// [`Partial::record`]) and returns all runs, `done` included, in job order.
pub fn run_jobs(
    scenarios: &[ValidScenario],
    labels: &[String],
    manifest: &Manifest,
    done: Vec<StoredRun>,
    keep: &(dyn Fn(&StoredRun) -> io::Result<()> + Sync),
    progress: &Progress,
) -> Result<Vec<StoredRun>, Failure> {
    let finished: BTreeSet<(usize, u32)> =
        done.iter().map(|r| (r.variant, r.replication)).collect();
    let todo: Vec<(usize, u32)> = manifest
        .jobs()
        .into_iter()
        .filter(|j| !finished.contains(j))
        .collect();
    progress.set(done.len() as u64);
    let results: Vec<Result<Option<StoredRun>, Failure>> = todo
        .par_iter()
        .map(|&(v, i)| {
            let seed = manifest.base_seed.wrapping_add(u64::from(i));
            let out = crate::sim::run_summary(&scenarios[v], seed)
                .map_err(|f| Failure::Run(format!("{} (seed {seed})", labels[v]), f))?;
            // A run stopped by Ctrl-C is incomplete: never kept.
            if crate::interrupt::requested() {
                return Ok(None);
            }
            let run = StoredRun {
                variant: v,
                replication: i,
                queue_names: out.queue_names.clone(),
                rep: Replication::from_output(out),
            };
            keep(&run).map_err(|e| Failure::Io(e.to_string()))?;
            progress.inc();
            Ok(Some(run))
        })
        .collect();
    progress.finish();
    let mut runs = done;
    for r in results {
        match r {
            Ok(Some(run)) => runs.push(run),
            Ok(None) => {}
            Err(f) => return Err(f),
        }
    }
    if crate::interrupt::requested() {
        return Err(Failure::Interrupted);
    }
    runs.sort_by_key(|r| (r.variant, r.replication));
    Ok(runs)
}

/// The variants of a complete set of runs, as `experiment::replicate` builds them.
pub fn assemble(
    variants: Vec<(String, ValidScenario)>,
    runs: Vec<StoredRun>,
) -> Result<Vec<Variant>, String> {
    let mut out: Vec<Variant> = variants
        .into_iter()
        .map(|(label, scenario)| Variant::new(label, scenario))
        .collect();
    let n = out.len();
    for run in runs {
        let v = out
            .get_mut(run.variant)
            .ok_or_else(|| format!("a stored run names scenario {} of {n}", run.variant + 1))?;
        v.push_rep(run.queue_names, run.rep);
    }
    Ok(out)
}

/// What stands at a shard's `--out` folder before it runs.
pub enum ShardTarget {
    /// Nothing of a shard: run it.
    Free,
    /// This very shard, finished: nothing to do.
    Done,
}

/// Checks a shard's `--out`: a finished folder of the same shard of the same experiment means
/// the work is done (a requeued task ends at once); another experiment's or shard's runs are
/// refused, since they are the only copy `merge` can use.
pub fn check_shard_out(dir: &Path, manifest: &Manifest) -> Result<ShardTarget, String> {
    if !dir.join(MANIFEST).is_file() {
        return Ok(ShardTarget::Free);
    }
    let show = dir.display();
    let stored = read_manifest(dir).map_err(|e| format!("{show}: {e}"))?;
    if let Some(diff) = manifest.difference(&stored) {
        return Err(format!(
            "{show} holds the runs of another experiment ({diff}), which `storelab merge` \
             needs; choose another --out"
        ));
    }
    if stored.shard != manifest.shard {
        return Err(format!(
            "{show} holds the runs of shard {}, which `storelab merge` needs; choose another --out",
            stored.shard.map_or("none".into(), |s| s.to_string())
        ));
    }
    Ok(ShardTarget::Done)
}

/// Writes a shard's runs (in job order) as a folder, atomically.
pub fn write_shard(dir: &Path, manifest: &Manifest, runs: &[StoredRun]) -> io::Result<()> {
    crate::experiment::output::write_shard_atomically(dir, |staging| {
        write_manifest(staging, manifest)?;
        let mut w = io::BufWriter::new(fs::File::create(staging.join(RUNS))?);
        for run in runs {
            let line = ron::to_string(run).map_err(io::Error::other)?;
            writeln!(w, "{line}")?;
        }
        w.into_inner().map_err(|e| e.into_error())?.sync_all()
    })
}

/// Reads shard folders and checks that they are every shard of one experiment, each once,
/// with every job present. Returns the experiment (without a shard) and its runs in job
/// order.
pub fn merge(dirs: &[PathBuf]) -> Result<(Manifest, Vec<StoredRun>), String> {
    let mut first: Option<(PathBuf, Manifest)> = None;
    let mut by_index: BTreeMap<u32, PathBuf> = BTreeMap::new();
    let mut runs = Vec::new();
    for dir in dirs {
        let show = dir.display();
        if dir.extension().is_some_and(|x| x == "partial") {
            // `merge parts/*` also matches the folder of a shard that was interrupted.
            crate::console::errln!("note: skipping {show} (the unfinished runs of a shard)");
            continue;
        }
        let m = read_manifest(dir).map_err(|e| format!("{show} is not a shard folder: {e}"))?;
        if !dir.join(crate::experiment::output::MARKER).is_file() {
            return Err(format!(
                "{show} is unfinished (a shard folder appears only when its runs are done)"
            ));
        }
        let Some(shard) = m.shard else {
            return Err(format!(
                "{show} holds no shard (it was not written with --shard I/N)"
            ));
        };
        if let Some((p, f)) = &first {
            if let Some(diff) = m.difference(f) {
                return Err(format!(
                    "{show} and {} are shards of different experiments ({diff})",
                    p.display()
                ));
            }
            let n = f.shard.map_or(0, |s| s.count);
            if shard.count != n {
                return Err(format!(
                    "{show} is shard {shard} but {} is one of {n}",
                    p.display()
                ));
            }
        }
        if let Some(other) = by_index.insert(shard.index, dir.clone()) {
            return Err(format!(
                "{show} and {} are both shard {shard}",
                other.display()
            ));
        }
        let (mine, _) = read_runs(dir, &m)?;
        let expected = m.jobs().len();
        if mine.len() != expected {
            return Err(format!(
                "{show} holds {} of the {expected} runs of shard {shard}",
                mine.len()
            ));
        }
        runs.extend(mine);
        if first.is_none() {
            first = Some((dir.clone(), m));
        }
    }
    let Some((_, mut manifest)) = first else {
        return Err("no shard folders given".into());
    };
    let n = manifest.shard.map_or(0, |s| s.count);
    let missing: Vec<String> = (1..=n)
        .filter(|i| !by_index.contains_key(i))
        .map(|i| format!("{i}/{n}"))
        .collect();
    if !missing.is_empty() {
        return Err(format!("shard {} missing", missing.join(", ")));
    }
    manifest.shard = None;
    runs.sort_by_key(|r| (r.variant, r.replication));
    Ok((manifest, runs))
}
