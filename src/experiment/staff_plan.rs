//! `storelab staff-plan`: the fewest open lanes of a group in each hour of the day that meet a
//! waiting-time target, found by simulation.
//!
//! Models nothing itself; it searches over lane schedules ([`crate::sim::lane_schedule`]).
//! Units: hours of the opening time (slot `h` runs from opening + h h to opening + (h+1) h),
//! lanes, seconds (waits).
//!
//! **The target** is read per hour. A customer belongs to the hour in which it joined a queue
//! of the planned group and paid there; those joining after closing belong to the last hour.
//! In each replication, an hour's value is the mean wait or the share waiting longer than a
//! limit of its customers (0 when it had none). An hour **meets** the target when the
//! one-sided upper confidence bound of that value over the replications (Student t) is at
//! most the limit. The confidence is split over the hours (Bonferroni), so the whole plan meets
//! the target in every hour with at least the stated confidence.
//!
//! **The search** is greedy, hour by hour. It starts with every lane of the group open in
//! every hour, and stops if some hour misses the target even so. Then, from the first hour to
//! the last, it lowers an hour's lanes one at a time for as long as the plan still meets the
//! target in *every* hour, and repeats such passes until one changes nothing. A queue left at the end of one hour spills into the next, and
//! customers who join late in an hour are served partly by the next hour's lanes. Every
//! candidate plan runs the same seeds (common random numbers), so two plans differ only by
//! their lanes. The result is a plan that meets the target in which no single hour can lose a
//! lane. Like any greedy search, it is not proven the cheapest in lane-hours: taking a lane
//! from an early hour can force one more in a later hour. It assumes that opening more lanes
//! never lengthens a wait.
//!
//! **The check.** The bounds that chose the plan were computed on the seeds the search tried
//! many plans on, so they flatter the plan found. The plan is run again on fresh seeds
//! (`SEED + n … SEED + 2n − 1`); an hour that misses the target there gets one lane more, until
//! every hour meets it. The figures reported are those of the fresh seeds.

use std::path::Path;

use rayon::prelude::*;

use crate::scenario::validate::ValidScenario;
use crate::scenario::{ClockTime, Scenario};

/// What is measured per hour.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Metric {
    /// Mean wait in the queue, seconds.
    WaitMean,
    /// Share of customers who waited longer than this many seconds.
    ShareOver(f64),
}

/// `METRIC <= LIMIT`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Target {
    pub metric: Metric,
    pub limit: f64,
}

impl Target {
    /// Parses `wait_mean_s <= 60`, `share_wait_over_5min <= 0.05` or
    /// `share_wait_over_90s <= 0.1`.
    pub fn parse(text: &str) -> Result<Target, String> {
        let usage = "write METRIC <= LIMIT with METRIC wait_mean_s, share_wait_over_<N>s or \
                     share_wait_over_<N>min, e.g. \"share_wait_over_5min <= 0.05\"";
        let (name, limit) = text
            .split_once("<=")
            .ok_or_else(|| format!("`{text}`: {usage}"))?;
        let (name, limit) = (name.trim(), limit.trim());
        let limit: f64 = limit
            .parse()
            .ok()
            .filter(|x: &f64| x.is_finite() && *x >= 0.0)
            .ok_or_else(|| format!("`{limit}` is not a limit (a number ≥ 0)"))?;
        let metric = if name == "wait_mean_s" {
            Metric::WaitMean
        } else if let Some(rest) = name.strip_prefix("share_wait_over_") {
            let (num, scale) = if let Some(n) = rest.strip_suffix("min") {
                (n, 60.0)
            } else if let Some(n) = rest.strip_suffix('s') {
                (n, 1.0)
            } else {
                return Err(format!("`{name}`: give the wait in s or min; {usage}"));
            };
            let n: f64 = num
                .parse()
                .ok()
                .filter(|x: &f64| x.is_finite() && *x >= 0.0)
                .ok_or_else(|| format!("`{name}`: `{num}` is not a number of {scale}s"))?;
            if limit > 1.0 {
                return Err(format!("`{limit}`: a share lies between 0 and 1"));
            }
            Metric::ShareOver(n * scale)
        } else {
            return Err(format!("`{name}` is not a metric: {usage}"));
        };
        Ok(Target { metric, limit })
    }

    /// The metric's name and unit, for tables.
    pub fn label(&self) -> String {
        match self.metric {
            Metric::WaitMean => "mean wait (s)".into(),
            Metric::ShareOver(s) => format!("share waiting > {s} s"),
        }
    }
}

/// A plan being searched for, and the evidence for it.
#[derive(Clone, Debug)]
pub struct Plan {
    pub group: String,
    /// Start of each hour, seconds since 00:00.
    pub starts: Vec<f64>,
    /// Lanes open in each hour.
    pub lanes: Vec<u32>,
    /// Lanes drawn in the group.
    pub drawn: u32,
    /// Per hour: the value of each replication at the final plan, on the fresh seeds.
    pub values: Vec<Vec<f64>>,
    /// Per hour: customers per replication (mean) who joined the group's queues.
    pub customers: Vec<f64>,
    /// Per hour: the upper confidence bound at the final plan, on the fresh seeds.
    pub upper: Vec<f64>,
    /// Candidate plans simulated (each with every replication).
    pub evaluations: u32,
    /// Hours that miss the target even with every lane open (the search stops there), in the
    /// search or in the check on fresh seeds.
    pub infeasible: Vec<usize>,
    /// Whether the figures are from the check on fresh seeds (else from the search's seeds,
    /// with every lane open, when the search stopped at once).
    pub checked: bool,
    /// Closing time, seconds since 00:00 (the end of the last hour).
    pub close: f64,
}

impl Plan {
    pub fn lane_hours(&self) -> f64 {
        self.lanes
            .iter()
            .zip(self.durations())
            .map(|(&l, d)| f64::from(l) * d / 3600.0)
            .sum()
    }

    /// Each hour's length in seconds (the last may be shorter).
    pub fn durations(&self) -> Vec<f64> {
        let mut d: Vec<f64> = self.starts.windows(2).map(|w| w[1] - w[0]).collect();
        d.push(self.close - self.starts.last().copied().unwrap_or(self.close));
        d
    }

    /// The group's schedule for this plan, hours with the same lanes run together.
    pub fn schedule(&self) -> Vec<(ClockTime, u32)> {
        let mut out: Vec<(ClockTime, u32)> = Vec::new();
        for (&t, &l) in self.starts.iter().zip(&self.lanes) {
            if out.last().is_none_or(|&(_, last)| last != l) {
                out.push((ClockTime(t), l));
            }
        }
        out
    }
}

/// Why no plan could be searched for.
#[derive(Debug)]
pub enum PlanError {
    /// Bad input: named with its option.
    Input(String),
    /// A run failed.
    Run(String, crate::sim::engine::Fault),
}

/// Settings of a search.
pub struct Search<'a> {
    pub scenario: &'a ValidScenario,
    pub group: Option<&'a str>,
    pub target: Target,
    pub replications: u32,
    pub base_seed: u64,
    pub confidence: f64,
}

/// The scenario with `group` following `lanes` per hour.
fn with_schedule(
    s: &Scenario,
    group: &str,
    starts: &[f64],
    lanes: &[u32],
) -> Result<ValidScenario, String> {
    let mut s = s.clone();
    let g = s.checkouts.groups.get_mut(group).expect("group checked");
    g.schedule = starts
        .iter()
        .zip(lanes)
        .map(|(&t, &l)| (ClockTime(t), l))
        .collect();
    crate::scenario::validate::check(s).map_err(|problems| {
        problems
            .iter()
            .map(|p| format!("{}: {}", p.path, p.message))
            .collect::<Vec<_>>()
            .join("; ")
    })
}

/// The scenario's lane groups, quoted, for messages.
fn group_list(s: &Scenario) -> String {
    s.checkouts
        .groups
        .keys()
        .map(|k| format!("\"{k}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The planned group: the one named, or the scenario's only staffed group.
fn pick_group(s: &Scenario, group: Option<&str>) -> Result<String, String> {
    match group {
        Some(g) if s.checkouts.groups.contains_key(g) => Ok(g.to_string()),
        Some(g) => Err(format!(
            "--group: no lane group \"{g}\" (the scenario has {})",
            group_list(s)
        )),
        None => {
            let staffed: Vec<&String> = s
                .checkouts
                .groups
                .iter()
                .filter(|(_, g)| g.kind == crate::scenario::LaneKind::Staffed)
                .map(|(id, _)| id)
                .collect();
            match staffed.as_slice() {
                [one] => Ok((*one).clone()),
                _ => Err(format!(
                    "--group: name the lane group to plan (the scenario has {})",
                    group_list(s)
                )),
            }
        }
    }
}

/// Per hour: a replication's value and its customers counted.
type Hourly = (Vec<f64>, Vec<f64>);

/// Hourly values of one replication: per hour, the metric and the customers counted.
fn hourly(out: &crate::RunOutput, lane_names: &[String], starts: &[f64], metric: Metric) -> Hourly {
    let hours = starts.len();
    let mut sum = vec![0.0; hours];
    let mut n = vec![0.0; hours];
    for r in &out.records {
        let (Some(joined), Some(wait)) = (r.queue_joined, r.wait) else {
            continue;
        };
        if r.outcome != "served" || !lane_names.iter().any(|n| r.lane == **n) {
            continue;
        }
        let h = starts.partition_point(|&s| s <= joined).clamp(1, hours) - 1;
        n[h] += 1.0;
        sum[h] += match metric {
            Metric::WaitMean => wait,
            Metric::ShareOver(limit) => f64::from(u8::from(wait > limit)),
        };
    }
    let values = sum
        .iter()
        .zip(&n)
        .map(|(s, &c)| if c > 0.0 { s / c } else { 0.0 })
        .collect();
    (values, n)
}

/// Searches for the plan (see the module's documentation). `progress` counts evaluations.
pub fn search(
    settings: &Search,
    progress: &(dyn Fn(u32) + Sync),
) -> Result<(Plan, ValidScenario), PlanError> {
    let s: &Scenario = settings.scenario;
    if s.calendar.is_some() {
        return Err(PlanError::Input(
            "staff-plan plans one day; this scenario runs over days (`calendar`)".into(),
        ));
    }
    if s.queue_behaviour.is_some() {
        // Customers who balk or renege leave the waits measured: fewer lanes would look
        // better by driving customers away.
        return Err(PlanError::Input(
            "staff-plan measures the waits of customers who pay; with `queue_behaviour` fewer \
             lanes would drive customers away and look better. Plan without it (remove \
             `queue_behaviour` in a variant)"
                .into(),
        ));
    }
    let group = pick_group(s, settings.group).map_err(PlanError::Input)?;
    // The plan becomes the group's schedule, which a rota's cashiers or a lane policy would
    // contradict (they open the group's lanes themselves).
    let staffed_by_rota = s.rota.as_ref().is_some_and(|r| {
        r.shifts
            .iter()
            .any(|sh| sh.group.as_deref() == Some(group.as_str()) && sh.role.at_lanes())
    });
    let policy = matches!(&s.lane_policy,
        Some(crate::scenario::LanePolicy::OneInFront { group: g, .. }) if *g == group);
    if staffed_by_rota || policy {
        return Err(PlanError::Input(format!(
            "{} the lanes of \"{group}\"; staff-plan plans open lanes by the hour (a \
             schedule) and needs a scenario where nothing else opens them: plan a variant without \
             it",
            if policy {
                "the lane policy opens"
            } else {
                "the rota's cashiers open"
            }
        )));
    }
    let plan_geom = settings.scenario.plan();
    let lane_names: Vec<String> = plan_geom
        .lanes
        .iter()
        .filter(|l| l.group == group)
        .map(|l| l.name().to_owned())
        .collect();
    let drawn = lane_names.len() as u32;
    if drawn == 0 {
        return Err(PlanError::Input(format!(
            "--group: \"{group}\" has no lanes drawn"
        )));
    }
    let (open, close) = s.hours.span();
    let starts: Vec<f64> = (0..)
        .map(|h| open + f64::from(h) * 3600.0)
        .take_while(|&t| t < close)
        .collect();
    let hours = starts.len();
    let reps = settings.replications;
    // One-sided bound, Bonferroni over the hours.
    let alpha = (1.0 - settings.confidence) / hours as f64;
    let mut evaluations = 0u32;
    // Simulates a candidate: per hour, every replication's value, and mean customers.
    let mut evaluate = |lanes: &[u32], base: u64| -> Result<(Vec<Vec<f64>>, Vec<f64>), PlanError> {
        let variant = with_schedule(s, &group, &starts, lanes).map_err(PlanError::Input)?;
        let runs: Vec<Result<Hourly, PlanError>> = (0..reps)
            .into_par_iter()
            .map(|i| {
                let seed = base.wrapping_add(u64::from(i));
                // The plan reads the customer records only: no heatmap booked.
                let keep = crate::sim::Keep {
                    records: true,
                    heat: false,
                };
                let out = crate::sim::run_keeping(&variant, seed, keep)
                    .map_err(|f| PlanError::Run(format!("{} (seed {seed})", s.name), f))?;
                Ok(hourly(&out, &lane_names, &starts, settings.target.metric))
            })
            .collect();
        let mut values = vec![Vec::new(); hours];
        let mut customers = vec![0.0; hours];
        for run in runs {
            let (v, n) = run?;
            for h in 0..hours {
                values[h].push(v[h]);
                customers[h] += n[h] / f64::from(reps);
            }
        }
        evaluations += 1;
        progress(evaluations);
        Ok((values, customers))
    };
    let upper = |values: &[Vec<f64>]| -> Vec<f64> {
        values
            .iter()
            .map(|xs| crate::experiment::Interval::at_level(xs, 1.0 - alpha).high())
            .collect()
    };
    let meets = |ub: &[f64]| ub.iter().all(|&u| u <= settings.target.limit);
    let mut lanes = vec![drawn; hours];
    let search_seed = settings.base_seed;
    let (mut values, mut customers) = evaluate(&lanes, search_seed)?;
    let mut ub = upper(&values);
    let infeasible: Vec<usize> = (0..hours)
        .filter(|&h| ub[h] > settings.target.limit)
        .collect();
    // Passes over the hours until none can lose a lane in the final plan (an hour tried
    // while later hours still had every lane open may manage with one fewer once they do not).
    let mut changed = infeasible.is_empty();
    while changed {
        changed = false;
        for h in 0..hours {
            while lanes[h] > 1 {
                let mut trial = lanes.clone();
                trial[h] -= 1;
                let (v, c) = evaluate(&trial, search_seed)?;
                let u = upper(&v);
                if !meets(&u) {
                    break;
                }
                (lanes, values, customers, ub) = (trial, v, c, u);
                changed = true;
            }
        }
    }
    // The bounds above were used to choose the plan among many on the same seeds, so they
    // flatter it. The plan is checked again on fresh seeds, and an hour that misses the target
    // there gets a lane more, until every hour meets it (these are the figures reported).
    let fresh = settings.base_seed.wrapping_add(u64::from(reps));
    let checked = infeasible.is_empty();
    let mut infeasible = infeasible;
    let mut checking = checked;
    while checking {
        let (v, c) = evaluate(&lanes, fresh)?;
        let u = upper(&v);
        (values, customers, ub) = (v, c, u);
        let short: Vec<usize> = (0..hours)
            .filter(|&h| ub[h] > settings.target.limit)
            .collect();
        // An hour that misses on the fresh seeds with every lane open cannot be helped.
        infeasible = short
            .iter()
            .copied()
            .filter(|&h| lanes[h] == drawn)
            .collect();
        checking = !short.is_empty() && infeasible.is_empty();
        for h in short {
            lanes[h] = (lanes[h] + 1).min(drawn);
        }
    }
    let plan = Plan {
        group: group.clone(),
        starts: starts.clone(),
        lanes,
        drawn,
        values,
        customers,
        upper: ub,
        evaluations,
        infeasible,
        checked,
        close,
    };
    let variant = with_schedule(s, &group, &plan.starts, &plan.lanes).map_err(PlanError::Input)?;
    Ok((plan, variant))
}

/// Path of `target` relative to folder `from` (both made absolute), for `extends`.
pub fn relative_path(from: &Path, target: &Path) -> std::path::PathBuf {
    // A folder not yet written: its parent, which exists, and its name.
    let abs = |p: &Path| {
        std::fs::canonicalize(p)
            .or_else(|e| match (p.parent(), p.file_name()) {
                (Some(dir), Some(name)) => {
                    let dir = if dir.as_os_str().is_empty() {
                        Path::new(".")
                    } else {
                        dir
                    };
                    std::fs::canonicalize(dir).map(|d| d.join(name))
                }
                _ => Err(e),
            })
            .unwrap_or_else(|_| p.to_path_buf())
    };
    let (from, target) = (abs(from), abs(target));
    let a: Vec<_> = from.components().collect();
    let b: Vec<_> = target.components().collect();
    let common = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let mut out = std::path::PathBuf::new();
    for _ in common..a.len() {
        out.push("..");
    }
    for c in &b[common..] {
        out.push(c);
    }
    out
}
