//! Experiments: replications with common random numbers, confidence intervals, comparisons of
//! variants and parameter sweeps.
//!
//! Replication `i` of every variant runs with seed `base + i`, so all variants see the same
//! customers (the random streams are per customer, see [`crate::sim::random`]) and a difference
//! between variants comes from the process change, not from luck. Replications run in
//! parallel (rayon); results are collected in job order, so they are identical whatever the
//! thread count. Intervals are two-sided 95 % Student-t intervals over replications; a
//! comparison uses the paired differences against the first variant, and marks a difference
//! significant only after Holm's correction over all KPIs × variants (family-wise 5 %).

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::Value;
use statrs::distribution::{ContinuousCDF, StudentsT};

pub mod output;
pub mod report;
pub mod staff_plan;
pub mod store;

use crate::RunOutput;
use crate::error::Problem;
use crate::scenario::validate::ValidScenario;
use crate::scenario::{Scenario, ShiftRole};
use crate::sim::metrics::{Sample, Summary};
use crate::sim::segments::SegmentSummary;
use std::borrow::Cow;

/// A scalar KPI read from a run's summary.
#[derive(Clone, Debug)]
pub struct Kpi {
    pub id: Cow<'static, str>,
    pub label: Cow<'static, str>,
    pub unit: &'static str,
    pub get: Get,
}

/// How a KPI is read from a summary.
#[derive(Clone, Debug)]
pub enum Get {
    /// A figure of the whole run.
    Run(fn(&Summary) -> f64),
    /// A figure of one segment (0 when a run lacks it).
    Segment(String, fn(&SegmentSummary) -> f64),
}

impl Kpi {
    /// The KPI's value in run summary `s`.
    pub fn value(&self, s: &Summary) -> f64 {
        match &self.get {
            Get::Run(f) => f(s),
            Get::Segment(name, f) => s
                .segments
                .iter()
                .find(|g| &g.segment == name)
                .map_or(0.0, f),
        }
    }
}

/// A [`Kpi`] of the whole run, written as a constant.
const fn kpi(
    id: &'static str,
    label: &'static str,
    unit: &'static str,
    get: fn(&Summary) -> f64,
) -> Kpi {
    Kpi {
        id: Cow::Borrowed(id),
        label: Cow::Borrowed(label),
        unit,
        get: Get::Run(get),
    }
}

/// Mean utilisation of the lanes that were open at some time.
fn mean_utilisation(s: &Summary) -> f64 {
    let open: Vec<f64> = s
        .lanes
        .iter()
        .filter(|l| l.open_s > 0.0)
        .map(|l| l.utilisation)
        .collect();
    if open.is_empty() {
        0.0
    } else {
        open.iter().sum::<f64>() / open.len() as f64
    }
}

/// The KPIs compared and swept, in table order.
pub const KPIS: &[Kpi] = &[
    kpi("customers_arrived", "Customers arrived", "", |s| {
        s.customers.arrived as f64
    }),
    kpi("customers_served", "Customers served", "", |s| {
        s.customers.served as f64
    }),
    kpi("left_without_buying", "Left without buying", "", |s| {
        s.customers.left_without_buying as f64
    }),
    kpi(
        "inside_at_cutoff",
        "Still inside at cut-off (overload)",
        "",
        |s| s.customers.inside_at_end as f64,
    ),
    kpi("wait_mean_s", "Wait in queue, mean", "s", |s| {
        s.waiting.stats.mean
    }),
    kpi("wait_median_s", "Wait in queue, median", "s", |s| {
        s.waiting.stats.median
    }),
    kpi("wait_p95_s", "Wait in queue, p95", "s", |s| {
        s.waiting.stats.p95
    }),
    kpi("wait_max_s", "Wait in queue, max", "s", |s| {
        s.waiting.stats.max
    }),
    kpi("share_long_wait", "Share waiting > long_wait", "%", |s| {
        100.0 * s.waiting.share_long
    }),
    kpi("time_in_store_mean_s", "Time in store, mean", "s", |s| {
        s.time_in_store.mean
    }),
    kpi("mean_in_store", "Customers in store (avg)", "", |s| {
        s.mean_in_store
    }),
    kpi(
        "lane_utilisation",
        "Lane utilisation (open lanes)",
        "%",
        |s| 100.0 * mean_utilisation(s),
    ),
    kpi("items_sold", "Items sold", "", |s| {
        s.sales.items_sold as f64
    }),
    kpi("revenue", "Revenue", "", |s| s.sales.revenue),
    kpi("lost_items", "Lost sales, items", "", |s| {
        s.sales.lost_items as f64
    }),
    kpi("lost_value", "Lost sales, value", "", |s| {
        s.sales.lost_value
    }),
    kpi("stockout_events", "Stock-out events", "", |s| {
        s.sales.stockout_events as f64
    }),
    kpi("empty_shelf_hours", "Empty-shelf product-hours", "h", |s| {
        s.sales.empty_shelf_hours
    }),
];

/// The inventory KPIs of runs over several days (absent from one-day runs).
pub const INVENTORY_KPIS: &[Kpi] = &[
    kpi(
        "oos_share",
        "Out of stock, share of product-hours",
        "%",
        |s| s.inventory.as_ref().map_or(0.0, |i| 100.0 * i.oos_share),
    ),
    kpi("fill_rate", "Fill rate", "%", |s| {
        s.inventory.as_ref().map_or(0.0, |i| 100.0 * i.fill_rate)
    }),
    kpi("record_accuracy", "Record accuracy", "%", |s| {
        s.inventory
            .as_ref()
            .map_or(0.0, |i| 100.0 * i.record_accuracy)
    }),
    kpi("record_mae", "Record error, mean absolute", "units", |s| {
        s.inventory.as_ref().map_or(0.0, |i| i.record_mae)
    }),
    kpi(
        "phantom_product_days",
        "Phantom stock, product-days",
        "",
        |s| {
            s.inventory
                .as_ref()
                .map_or(0.0, |i| i.phantom_product_days as f64)
        },
    ),
    kpi("shrink_units", "Shrink, units", "", |s| {
        s.inventory.as_ref().map_or(0.0, |i| i.shrink_units as f64)
    }),
    kpi(
        "mean_on_hand_units",
        "On hand at closing, mean units",
        "",
        |s| s.inventory.as_ref().map_or(0.0, |i| i.mean_on_hand_units),
    ),
    kpi("counting_hours", "Staff hours counting", "h", |s| {
        s.inventory.as_ref().map_or(0.0, |i| i.counting_hours)
    }),
    kpi("restocking_hours", "Staff hours refilling", "h", |s| {
        s.inventory.as_ref().map_or(0.0, |i| i.restocking_hours)
    }),
    kpi("receiving_hours", "Staff hours receiving", "h", |s| {
        s.inventory.as_ref().map_or(0.0, |i| i.receiving_hours)
    }),
    kpi("orders", "Orders placed", "", |s| {
        s.inventory.as_ref().map_or(0.0, |i| i.orders as f64)
    }),
];

/// The KPIs of customers acting on the queues (0 for a scenario without `queue_behaviour`).
pub const QUEUE_BEHAVIOUR_KPIS: &[Kpi] = &[
    kpi(
        "abandonment",
        "Gave up at the checkout (balked or reneged)",
        "%",
        |s| {
            s.queue_behaviour
                .as_ref()
                .map_or(0.0, |q| 100.0 * q.abandonment())
        },
    ),
    kpi("balked", "Balked (left at the queue)", "", |s| {
        s.queue_behaviour.as_ref().map_or(0.0, |q| q.balked as f64)
    }),
    kpi("reneged", "Reneged (left the queue)", "", |s| {
        s.queue_behaviour.as_ref().map_or(0.0, |q| q.reneged as f64)
    }),
    kpi("jockeyed", "Queue changes (jockeying)", "", |s| {
        s.queue_behaviour
            .as_ref()
            .map_or(0.0, |q| q.jockeyed as f64)
    }),
    kpi("abandoned_value", "Abandoned baskets, value", "", |s| {
        s.queue_behaviour
            .as_ref()
            .map_or(0.0, |q| q.abandoned_value)
    }),
];

/// The KPIs of self-checkout attendance (0 for a scenario without `attendants`).
pub const ATTENDANT_KPIS: &[Kpi] = &[
    kpi(
        "sco_stop_share",
        "Self-checkouts stopped, share of transactions",
        "%",
        |s| s.attendants.as_ref().map_or(0.0, |a| 100.0 * a.stop_share),
    ),
    kpi(
        "sco_blocked_s",
        "Stopped self-checkout, mean time until it runs again",
        "s",
        |s| s.attendants.as_ref().map_or(0.0, |a| a.mean_blocked_s),
    ),
    kpi(
        "sco_blocked_hours",
        "Self-checkouts stopped, terminal-hours",
        "h",
        |s| {
            s.attendants
                .as_ref()
                .map_or(0.0, |a| a.counts.blocked_s / 3600.0)
        },
    ),
    kpi("attendant_utilisation", "Attendant utilisation", "%", |s| {
        s.attendants.as_ref().map_or(0.0, |a| 100.0 * a.utilisation)
    }),
];

/// The KPIs of a lane policy (0 for a scenario without `lane_policy`).
pub const LANE_POLICY_KPIS: &[Kpi] = &[
    kpi("tills_opened", "Tills opened on demand", "", |s| {
        s.lane_policy.as_ref().map_or(0.0, |p| p.openings as f64)
    }),
    kpi(
        "restocker_hours_at_tills",
        "Restocker hours at tills",
        "h",
        |s| s.lane_policy.as_ref().map_or(0.0, |p| p.cashier_hours),
    ),
];

/// The KPIs of scan & go and cashierless customers (0 for a scenario without them).
pub const DIGITAL_KPIS: &[Kpi] = &[
    kpi(
        "unpaid_items",
        "Items taken out unpaid (scan & go, cashierless)",
        "",
        |s| {
            s.digital
                .as_ref()
                .map_or(0.0, |d| d.counts.shrink_items as f64)
        },
    ),
    kpi(
        "unpaid_value",
        "Value taken out unpaid (scan & go, cashierless)",
        "",
        |s| s.digital.as_ref().map_or(0.0, |d| d.counts.shrink_value),
    ),
    kpi("scan_go_audits", "Scan & go audits", "", |s| {
        s.digital.as_ref().map_or(0.0, |d| d.counts.audited as f64)
    }),
    kpi(
        "cashierless_complaints",
        "Cashierless customers charged wrongly",
        "",
        |s| {
            s.digital
                .as_ref()
                .map_or(0.0, |d| d.counts.complaints as f64)
        },
    ),
];

/// Hours of each role on the rota, shown when some variant's rota has shifts of that role.
pub const ROTA_KPIS: &[(ShiftRole, Kpi)] = &[
    (
        ShiftRole::Cashier,
        kpi("cashier_hours", "Cashier hours on duty (rota)", "h", |s| {
            s.rota.as_ref().map_or(0.0, |r| r.cashier_hours)
        }),
    ),
    (
        ShiftRole::Restocker,
        kpi(
            "restocker_hours",
            "Restocker hours on duty (rota)",
            "h",
            |s| s.rota.as_ref().map_or(0.0, |r| r.restocker_hours),
        ),
    ),
    (
        ShiftRole::Auditor,
        kpi("auditor_hours", "Auditor hours on duty (rota)", "h", |s| {
            s.rota.as_ref().map_or(0.0, |r| r.auditor_hours)
        }),
    ),
    (
        ShiftRole::Attendant,
        kpi(
            "attendant_hours",
            "Attendant hours on duty (rota)",
            "h",
            |s| s.rota.as_ref().map_or(0.0, |r| r.attendant_hours),
        ),
    ),
];

/// The KPIs of one segment, by id suffix, label, unit and reader.
type SegmentKpi = (
    &'static str,
    &'static str,
    &'static str,
    fn(&SegmentSummary) -> f64,
);

/// What is compared per segment.
const SEGMENT_KPIS: &[SegmentKpi] = &[
    ("wait_mean_s", "mean wait", "s", |g| g.wait_mean_s),
    ("share_long", "waited long", "%", |g| 100.0 * g.share_long),
    ("time_in_store_s", "mean time in store", "s", |g| {
        g.time_in_store_mean_s
    }),
    ("revenue", "revenue", "", |g| g.revenue),
];

/// The KPIs of these variants: [`KPIS`]; [`INVENTORY_KPIS`] when every run spans days (a
/// one-day run has no inventory figures to compare); [`QUEUE_BEHAVIOUR_KPIS`] when some
/// variant lets customers balk, renege or jockey, [`ATTENDANT_KPIS`] when some variant has
/// self-checkout attendants, [`LANE_POLICY_KPIS`] when some variant has a lane policy,
/// [`DIGITAL_KPIS`] when some variant has scan & go or cashierless customers (the others
/// count 0); and per segment that every variant has, [`SEGMENT_KPIS`].
pub fn kpis(variants: &[Variant]) -> Vec<Kpi> {
    let days = !variants.is_empty()
        && variants
            .iter()
            .all(|v| !v.reps.is_empty() && v.reps.iter().all(|r| r.summary.inventory.is_some()));
    let behaviour = variants
        .iter()
        .any(|v| v.reps.iter().any(|r| r.summary.queue_behaviour.is_some()));
    let attended = variants
        .iter()
        .any(|v| v.reps.iter().any(|r| r.summary.attendants.is_some()));
    let policy = variants
        .iter()
        .any(|v| v.reps.iter().any(|r| r.summary.lane_policy.is_some()));
    let digital = variants
        .iter()
        .any(|v| v.reps.iter().any(|r| r.summary.digital.is_some()));
    let rota_role = |role: ShiftRole| {
        variants.iter().any(|v| {
            v.scenario
                .rota
                .iter()
                .flat_map(|r| &r.shifts)
                .any(|sh| sh.role == role)
        })
    };
    // The segments every variant has (a segment a variant lacks has no figures to compare),
    // in the first variant's order.
    let segments: Vec<&str> = variants
        .first()
        .and_then(|v| v.reps.first())
        .map_or(&[][..], |r| &r.summary.segments[..])
        .iter()
        .map(|g| g.segment.as_str())
        .filter(|name| {
            variants.iter().all(|v| {
                v.reps
                    .iter()
                    .all(|r| r.summary.segments.iter().any(|g| g.segment == *name))
            })
        })
        .collect();
    let per_segment = segments.into_iter().flat_map(|name| {
        SEGMENT_KPIS.iter().map(move |&(id, label, unit, get)| Kpi {
            id: Cow::Owned(format!("segment_{name}_{id}")),
            label: Cow::Owned(format!("Segment {name}: {label}")),
            unit,
            get: Get::Segment(name.to_string(), get),
        })
    });
    KPIS.iter()
        .chain(QUEUE_BEHAVIOUR_KPIS.iter().filter(|_| behaviour))
        .chain(LANE_POLICY_KPIS.iter().filter(|_| policy))
        .chain(ATTENDANT_KPIS.iter().filter(|_| attended))
        .chain(DIGITAL_KPIS.iter().filter(|_| digital))
        .chain(
            ROTA_KPIS
                .iter()
                .filter(|(role, _)| rota_role(*role))
                .map(|(_, k)| k),
        )
        .chain(INVENTORY_KPIS.iter().filter(|_| days))
        .cloned()
        .chain(per_segment)
        .collect()
}

/// What one replication keeps for tables and charts (and, for resumed or sharded experiments,
/// on disk: see [`store`]).
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Replication {
    pub seed: u64,
    pub summary: Summary,
    pub samples: Vec<Sample>,
    /// Waits in queue of the customers who paid (after warm-up), seconds.
    pub waits: crate::sim::metrics::WaitClasses,
    /// Customer-seconds per floor cell.
    pub heat: Vec<f64>,
    /// Runs over several days: one row per day.
    pub days: Vec<crate::sim::calendar::DayRow>,
}

/// A scenario variant and its replications.
#[derive(Clone, Debug)]
pub struct Variant {
    pub label: String,
    pub scenario: ValidScenario,
    pub queue_names: Vec<String>,
    pub reps: Vec<Replication>,
}

impl Replication {
    /// Keeps what experiments need from a finished run.
    pub fn from_output(out: RunOutput) -> Replication {
        Replication {
            seed: out.summary.seed,
            waits: out.wait_classes,
            days: out.days,
            summary: out.summary,
            samples: out.samples,
            heat: out.heat,
        }
    }
}

impl Variant {
    /// A variant with no replications yet.
    pub fn new(label: String, scenario: ValidScenario) -> Variant {
        Variant {
            label,
            scenario,
            queue_names: Vec::new(),
            reps: Vec::new(),
        }
    }

    fn push(&mut self, out: RunOutput) {
        self.queue_names = out.queue_names.clone();
        let rep = Replication::from_output(out);
        self.reps.push(rep);
    }

    fn push_rep(&mut self, queue_names: Vec<String>, rep: Replication) {
        self.queue_names = queue_names;
        self.reps.push(rep);
    }

    /// A single finished run as a one-replication variant (for `run --report`).
    pub fn single(label: String, scenario: ValidScenario, out: RunOutput) -> Variant {
        let mut v = Variant::new(label, scenario);
        v.push(out);
        v
    }
}

/// A progress bar on stderr that appears only after a second and only on a terminal.
pub struct Progress {
    bar: ProgressBar,
    start: Instant,
    shown: AtomicBool,
    terminal: bool,
}

impl Progress {
    pub fn new(total: u64, what: &str) -> Self {
        Self::counting(total, what, "runs")
    }

    /// A bar counting `total` things named `unit` (e.g. "simulated minutes").
    pub fn counting(total: u64, what: &str, unit: &str) -> Self {
        let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::hidden());
        bar.set_style(
            ProgressStyle::with_template(&format!(
                "{{msg}} [{{bar:30}}] {{pos}}/{{len}} {unit}, ETA {{eta}}"
            ))
            .expect("valid template")
            .progress_chars("=> "),
        );
        bar.set_message(what.to_string());
        Progress {
            bar,
            start: Instant::now(),
            shown: AtomicBool::new(false),
            terminal: std::io::stdout().is_terminal() && std::io::stderr().is_terminal(),
        }
    }

    /// A silent progress (tests, libraries).
    pub fn hidden() -> Self {
        let mut p = Progress::new(0, "");
        p.terminal = false;
        p
    }

    pub fn inc(&self) {
        // Atomic: replications call it from several threads.
        self.bar.inc(1);
        self.show_if_slow();
    }

    /// Moves the bar to `pos`.
    pub fn set(&self, pos: u64) {
        self.bar.set_position(pos);
        self.show_if_slow();
    }

    /// The bar appears on a terminal once the work has taken a second.
    fn show_if_slow(&self) {
        if self.terminal
            && self.start.elapsed().as_secs_f64() > 1.0
            && !self.shown.swap(true, Ordering::Relaxed)
        {
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
        }
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

/// Runs `replications` replications of every variant with common random numbers: replication
/// `i` of each variant uses seed `base_seed + i`. Results are in input order. (The CLI goes
/// through [`store`] to keep finished runs on disk; this keeps them in memory only.)
pub fn replicate(
    variants: Vec<(String, ValidScenario)>,
    replications: u32,
    base_seed: u64,
    progress: &Progress,
) -> Result<Vec<Variant>, (String, crate::sim::engine::Fault)> {
    let manifest = store::Manifest::new(
        store::Kind::Compare,
        &variants,
        &[],
        replications,
        base_seed,
        None,
    );
    let scenarios: Vec<ValidScenario> = variants.iter().map(|(_, s)| s.clone()).collect();
    let labels: Vec<String> = variants.iter().map(|(l, _)| l.clone()).collect();
    // Runs are cut down to what a replication keeps as soon as they end, so that the
    // customers of every run are never in memory together.
    match store::run_jobs(
        &scenarios,
        &labels,
        &manifest,
        Vec::new(),
        &|_| Ok(()),
        progress,
    ) {
        Ok(runs) => Ok(store::assemble(variants, runs).expect("runs of these variants")),
        Err(store::Failure::Run(label, fault)) => Err((label, fault)),
        // The CLI checks `interrupt::requested()`; nothing else fails without a store.
        Err(store::Failure::Interrupted | store::Failure::Io(_)) => Ok(Vec::new()),
    }
}

/// A warning when runs stopped at the cut-off with customers still inside (an overloaded
/// store): their waits never finished, so the wait KPIs of those runs look better than the
/// store is. Names the variants concerned.
pub fn overload_warning(variants: &[Variant]) -> Option<String> {
    let hit: Vec<String> = variants
        .iter()
        .filter_map(|v| {
            let n = v
                .reps
                .iter()
                .filter(|r| r.summary.customers.inside_at_end > 0)
                .count();
            (n > 0).then(|| format!("{} ({n} of {} runs)", v.label, v.reps.len()))
        })
        .collect();
    (!hit.is_empty()).then(|| {
        format!(
            "overloaded: customers were still inside at the cut-off (4 h after closing) in {}; \
             their waits never finished, so wait KPIs there are underestimated \
             (KPI inside_at_cutoff).",
            hit.join(", ")
        )
    })
}

/// Mean and 95 % confidence interval.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Interval {
    pub mean: f64,
    /// Half the width of the 95 % interval (NaN with fewer than two values).
    pub half_width: f64,
    pub n: usize,
}

impl Interval {
    pub fn of(xs: &[f64]) -> Interval {
        Interval::at_level(xs, 0.975)
    }

    /// Mean and half-width `t(level; n − 1) · sd/√n`: `of` is `at_level(xs, 0.975)`; a
    /// one-sided bound at confidence p is `at_level(xs, p).high()`.
    pub fn at_level(xs: &[f64], level: f64) -> Interval {
        let n = xs.len();
        let mean = if n == 0 {
            f64::NAN
        } else {
            xs.iter().sum::<f64>() / n as f64
        };
        let half_width = if n < 2 {
            f64::NAN
        } else {
            let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n as f64 - 1.0);
            let t = StudentsT::new(0.0, 1.0, n as f64 - 1.0)
                .expect("n ≥ 2")
                .inverse_cdf(level);
            t * (var / n as f64).sqrt()
        };
        Interval {
            mean,
            half_width,
            n,
        }
    }

    pub fn low(&self) -> f64 {
        self.mean - self.half_width
    }

    pub fn high(&self) -> f64 {
        self.mean + self.half_width
    }

    /// True when the interval excludes zero (not noise at the 5 % level *for this one
    /// comparison*; tables of many comparisons use [`KpiRow::significant`]).
    pub fn excludes_zero(&self) -> bool {
        self.half_width.is_finite() && (self.low() > 0.0 || self.high() < 0.0)
    }
}

/// Two-sided p-value of the paired t-test that the mean of the differences `d` is zero
/// (the test whose 95 % interval is [`Interval::of`]: p < 0.05 exactly when that interval
/// excludes zero). NaN with fewer than two values.
pub fn paired_p_value(d: &[f64]) -> f64 {
    let n = d.len();
    if n < 2 {
        return f64::NAN;
    }
    let mean = d.iter().sum::<f64>() / n as f64;
    let var = d.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n as f64 - 1.0);
    let se = (var / n as f64).sqrt();
    if se == 0.0 {
        // Every replication shows the same difference: none at all, or one that is not noise.
        return if mean == 0.0 { 1.0 } else { 0.0 };
    }
    let t = StudentsT::new(0.0, 1.0, n as f64 - 1.0).expect("n ≥ 2");
    (2.0 * (1.0 - t.cdf((mean / se).abs()))).clamp(0.0, 1.0)
}

/// Holm's step-down adjustment (Holm 1979): adjusted p-values such that rejecting every
/// hypothesis with an adjusted p below α keeps the family-wise error rate (any false
/// "significant" among all of them) at most α, whatever their dependence. NaN stays NaN and
/// does not count as a hypothesis.
pub fn holm(p: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..p.len()).filter(|&i| !p[i].is_nan()).collect();
    // Stable sort: ties keep input order, so the result is deterministic.
    order.sort_by(|&a, &b| p[a].total_cmp(&p[b]));
    let m = order.len();
    let mut out = vec![f64::NAN; p.len()];
    let mut running = 0.0f64;
    for (rank, &i) in order.iter().enumerate() {
        running = running.max(((m - rank) as f64 * p[i]).min(1.0));
        out[i] = running;
    }
    out
}

/// Family-wise error rate of the significance marks of [`kpi_rows`].
pub const FAMILY_ALPHA: f64 = 0.05;

/// One KPI across variants: intervals and paired differences against the first variant.
#[derive(Clone, Debug)]
pub struct KpiRow {
    pub kpi: Kpi,
    pub values: Vec<Vec<f64>>,
    pub intervals: Vec<Interval>,
    /// `None` for the first variant.
    pub differences: Vec<Option<Interval>>,
    /// Paired t-test p-value of each difference (NaN for the first variant).
    pub p_values: Vec<f64>,
    /// Holm-adjusted over every KPI × variant of the table (NaN for the first variant).
    pub p_holm: Vec<f64>,
    /// The difference is significant at family-wise level [`FAMILY_ALPHA`] (Holm): with every
    /// KPI × variant tested at once, a plain 5 % per test would mark some noise.
    pub significant: Vec<bool>,
}

/// The KPI table of a set of variants with equal replications. Significance is controlled
/// family-wise over all KPIs × variants with Holm's method.
pub fn kpi_rows(variants: &[Variant]) -> Vec<KpiRow> {
    let mut rows = raw_kpi_rows(variants);
    let flat: Vec<f64> = rows.iter().flat_map(|r| r.p_values.clone()).collect();
    let adjusted = holm(&flat);
    let mut k = 0;
    for row in &mut rows {
        for vi in 0..row.p_values.len() {
            row.p_holm[vi] = adjusted[k];
            row.significant[vi] = adjusted[k] < FAMILY_ALPHA;
            k += 1;
        }
    }
    rows
}

fn raw_kpi_rows(variants: &[Variant]) -> Vec<KpiRow> {
    kpis(variants)
        .into_iter()
        .map(|kpi| {
            let values: Vec<Vec<f64>> = variants
                .iter()
                .map(|v| v.reps.iter().map(|r| kpi.value(&r.summary)).collect())
                .collect();
            let intervals = values.iter().map(|xs| Interval::of(xs)).collect();
            let paired: Vec<Option<Vec<f64>>> = values
                .iter()
                .enumerate()
                .map(|(i, xs)| {
                    (i > 0).then(|| xs.iter().zip(&values[0]).map(|(b, a)| b - a).collect())
                })
                .collect();
            let differences = paired
                .iter()
                .map(|d| d.as_deref().map(Interval::of))
                .collect();
            let p_values: Vec<f64> = paired
                .iter()
                .map(|d| d.as_deref().map_or(f64::NAN, paired_p_value))
                .collect();
            let n = p_values.len();
            KpiRow {
                kpi,
                values,
                intervals,
                differences,
                p_values,
                p_holm: vec![f64::NAN; n],
                significant: vec![false; n],
            }
        })
        .collect()
}

/// At most this many values per `--set`.
pub const MAX_VALUES: usize = 1000;
/// At most this many sweep points (the product of the value counts).
pub const MAX_POINTS: usize = 10_000;

/// A `--set PATH=VALUES` of a sweep.
#[derive(Clone, Debug, PartialEq)]
pub struct SetSpec {
    pub path: String,
    pub values: Vec<Value>,
}

/// One step of a field path: a field or map key, or a list index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Segment {
    /// `name` after a dot (or first), or `["any key"]`.
    Key(String),
    /// `[3]`.
    Index(usize),
}

const PATH_GRAMMAR: &str = "a path is field names joined by dots, with list indexes in brackets \
     and map keys as names or in quotes, e.g. products[3].price or checkouts.groups[\"self\"].open";

/// Characters of a bare name: field names, enum variants, map keys such as lane group ids and
/// clock times (`07:30`).
fn name_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '-' | ':')
}

/// Parses a field path: `name ('.' name | '[' index ']' | '["key"]')*`. A malformed path is an
/// error naming the column, never a guess (a typo would otherwise sweep some other field or
/// nothing at all).
pub fn parse_path(path: &str) -> Result<Vec<Segment>, String> {
    let chars: Vec<char> = path.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let bad = |i: usize, what: &str| {
        format!(
            "`{path}`: {what} at column {}; {PATH_GRAMMAR}",
            i.min(chars.len()) + 1
        )
    };
    let name = |i: &mut usize| -> Option<String> {
        let start = *i;
        while *i < chars.len() && name_char(chars[*i]) {
            *i += 1;
        }
        (*i > start).then(|| chars[start..*i].iter().collect())
    };
    if path.is_empty() {
        return Err(format!("the field path is empty; {PATH_GRAMMAR}"));
    }
    match name(&mut i) {
        Some(n) => out.push(Segment::Key(n)),
        None => return Err(bad(i, "expected a field name")),
    }
    while i < chars.len() {
        match chars[i] {
            '.' => {
                i += 1;
                match name(&mut i) {
                    Some(n) => out.push(Segment::Key(n)),
                    None => return Err(bad(i, "expected a field name after `.`")),
                }
            }
            '[' => {
                i += 1;
                if chars.get(i) == Some(&'"') {
                    i += 1;
                    let mut key = String::new();
                    loop {
                        match chars.get(i) {
                            None => return Err(bad(i, "unclosed quote")),
                            Some('"') => break,
                            Some('\\') if matches!(chars.get(i + 1), Some('"' | '\\')) => {
                                key.push(chars[i + 1]);
                                i += 2;
                            }
                            Some(&c) => {
                                key.push(c);
                                i += 1;
                            }
                        }
                    }
                    i += 1;
                    out.push(Segment::Key(key));
                } else {
                    let start = i;
                    while i < chars.len() && chars[i].is_ascii_digit() {
                        i += 1;
                    }
                    if i == start {
                        return Err(bad(
                            i,
                            "expected a list index (0, 1, …) or a quoted key after `[`",
                        ));
                    }
                    let digits: String = chars[start..i].iter().collect();
                    let index = digits
                        .parse::<usize>()
                        .map_err(|_| bad(start, "list index too large"))?;
                    out.push(Segment::Index(index));
                }
                if chars.get(i) != Some(&']') {
                    return Err(bad(i, "expected `]`"));
                }
                i += 1;
            }
            ']' => return Err(bad(i, "`]` without `[`")),
            c => return Err(bad(i, &format!("unexpected `{c}`"))),
        }
    }
    Ok(out)
}

/// Parses `PATH=VALUES`, where VALUES is a comma list (`1,2,4`), an integer range (`0..8`,
/// both ends included) or a stepped range (`0.8..1.4:0.2`). Values are JSON (numbers,
/// `true`, `null`, `"text"`, objects) or plain text. The path must be well-formed (see
/// [`parse_path`]); numbers in ranges must be finite and at most [`MAX_VALUES`] values.
pub fn parse_set(arg: &str) -> Result<SetSpec, String> {
    let (path, values) = arg.split_once('=').ok_or_else(|| {
        format!("`{arg}`: expected PATH=VALUES, e.g. customers.arrival_multiplier=0.8,1.0,1.2")
    })?;
    let path = path.trim();
    parse_path(path).map_err(|e| format!("`{arg}`: {e}"))?;
    let values = values.trim();
    if values.is_empty() {
        return Err(format!("`{arg}`: no values"));
    }
    let parsed = if let Some((a, b)) = values.split_once("..") {
        parse_range(arg, a, b)?
    } else {
        values
            .split(',')
            .map(|v| {
                let v = v.trim();
                if v.is_empty() {
                    return Err(format!("`{arg}`: an empty value in the list"));
                }
                Ok(serde_json::from_str(v).unwrap_or_else(|_| Value::String(v.to_string())))
            })
            .collect::<Result<Vec<_>, _>>()?
    };
    if parsed.len() > MAX_VALUES {
        return Err(format!(
            "`{arg}`: {} values; at most {MAX_VALUES}",
            parsed.len()
        ));
    }
    Ok(SetSpec {
        path: path.to_string(),
        values: parsed,
    })
}

/// The values of a range `A..B` or `A..B:STEP`, counted before any is built.
fn parse_range(arg: &str, a: &str, b: &str) -> Result<Vec<Value>, String> {
    let (b, step) = match b.split_once(':') {
        Some((b, s)) => (b, Some(s)),
        None => (b, None),
    };
    let num = |s: &str| match s.trim().parse::<f64>() {
        Ok(x) if x.is_finite() => Ok(x),
        Ok(_) => Err(format!(
            "`{arg}`: `{}` in the range is not a finite number",
            s.trim()
        )),
        Err(_) => Err(format!(
            "`{arg}`: `{}` is not a number in the range",
            s.trim()
        )),
    };
    let (a, b) = (num(a)?, num(b)?);
    let step = match step {
        Some(s) => num(s)?,
        None => 1.0,
    };
    if step <= 0.0 || b < a {
        return Err(format!(
            "`{arg}`: a range goes up from its start with a positive step"
        ));
    }
    // Counted in floating point (b - a may be 1e300): compared with the cap before any
    // conversion to an integer, so nothing overflows.
    let span = (b - a) / step;
    if !span.is_finite() || span + 1.0 > MAX_VALUES as f64 {
        return Err(format!(
            "`{arg}`: more than {MAX_VALUES} values in the range; at most {MAX_VALUES}"
        ));
    }
    let count = (span + 1e-9).floor() as usize + 1;
    // Integers stay integers while f64 represents them exactly.
    const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53
    let integral = a.fract() == 0.0 && step.fract() == 0.0 && a.abs() <= EXACT && b.abs() <= EXACT;
    // Round away float noise such as 0.30000000000000004: keep 12 significant digits of the
    // range's scale (formatting, unlike scaling by a power of ten, cannot overflow at 1e300).
    let scale_exp = a.abs().max(b.abs()).log10().floor() as i32;
    let round = |v: f64| -> f64 {
        if v == 0.0 {
            return 0.0;
        }
        let digits = 12 + v.abs().log10().floor() as i32 - scale_exp;
        if digits < 0 {
            return 0.0;
        }
        let digits = digits as usize;
        format!("{v:.digits$e}").parse().expect("formatted f64")
    };
    let mut out = Vec::with_capacity(count);
    let mut last = f64::NEG_INFINITY;
    for k in 0..count {
        let v = a + step * k as f64;
        if integral {
            out.push(Value::from(v as i64));
            continue;
        }
        let v = round(v);
        if v <= last {
            return Err(format!(
                "`{arg}`: the step is too small for numbers this large (values repeat)"
            ));
        }
        last = v;
        out.push(Value::from(v));
    }
    Ok(out)
}

/// Number of sweep points (the product of the value counts), or `None` past `usize`.
pub fn point_count(specs: &[SetSpec]) -> Option<usize> {
    specs
        .iter()
        .try_fold(1usize, |n, s| n.checked_mul(s.values.len()))
}

/// Every combination of the specs' values (the first spec varies slowest). Refused before
/// anything is built when there would be more than [`MAX_POINTS`].
pub fn combinations(specs: &[SetSpec]) -> Result<Vec<Vec<(String, Value)>>, String> {
    match point_count(specs) {
        Some(n) if n <= MAX_POINTS => {}
        Some(n) => return Err(format!("{n} sweep points; at most {MAX_POINTS}")),
        None => return Err(format!("too many sweep points; at most {MAX_POINTS}")),
    }
    let mut out: Vec<Vec<(String, Value)>> = vec![Vec::new()];
    for spec in specs {
        out = out
            .into_iter()
            .flat_map(|combo| {
                spec.values.iter().map(move |v| {
                    let mut c = combo.clone();
                    c.push((spec.path.clone(), v.clone()));
                    c
                })
            })
            .collect();
    }
    Ok(out)
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "nothing (null)",
        Value::Bool(_) => "true or false",
        Value::Number(n) if n.is_f64() => "a number",
        Value::Number(_) => "an integer",
        Value::String(_) => "text",
        Value::Array(_) => "a list",
        Value::Object(_) => "a structure",
    }
}

/// Sets one field of a scenario by its path (as documented in `docs/experiments.md`).
pub fn set_field(scenario: &Scenario, path: &str, value: &Value) -> Result<Scenario, Problem> {
    let mut root = serde_json::to_value(scenario).map_err(|e| Problem::new(path, e.to_string()))?;
    let segments = parse_path(path).map_err(|e| Problem::new(path, e))?;
    let mut here = &mut root;
    let mut walked = String::new();
    for segment in &segments {
        let place = if walked.is_empty() {
            "the scenario".to_string()
        } else {
            format!("`{walked}`")
        };
        here = match (here, segment) {
            (Value::Object(map), Segment::Key(token)) => {
                if !map.contains_key(token) {
                    let known: Vec<&str> = map.keys().map(String::as_str).collect();
                    return Err(Problem::new(
                        path,
                        format!(
                            "unknown field `{token}` in {place}; it has: {}",
                            known.join(", ")
                        ),
                    ));
                }
                map.get_mut(token).expect("checked")
            }
            (Value::Object(_), Segment::Index(i)) => {
                return Err(Problem::new(
                    path,
                    format!("{place} is a structure, not a list: name a field, not [{i}]"),
                ));
            }
            (Value::Array(items), segment) => {
                let len = items.len();
                // `products.3.price` is documented as well as `products[3].price`.
                let i = match segment {
                    Segment::Index(i) => *i,
                    Segment::Key(token) => token.parse().map_err(|_| {
                        Problem::new(
                            path,
                            format!("{place} is a list: use an index such as [0], not `{token}`"),
                        )
                    })?,
                };
                items.get_mut(i).ok_or_else(|| {
                    Problem::new(
                        path,
                        format!("index {i} is past the end of {place} ({len} entries)"),
                    )
                })?
            }
            (other, segment) => {
                let what = match segment {
                    Segment::Key(k) => format!("field `{k}`"),
                    Segment::Index(i) => format!("entry [{i}]"),
                };
                return Err(Problem::new(
                    path,
                    format!("{place} is {}, it has no {what}", kind_of(other)),
                ));
            }
        };
        match segment {
            Segment::Key(k) => {
                if !walked.is_empty() {
                    walked.push('.');
                }
                walked.push_str(k);
            }
            Segment::Index(i) => walked.push_str(&format!("[{i}]")),
        }
    }
    // A value of another kind is an error, except integers where numbers go and null for
    // optional fields.
    let compatible = match (&*here, value) {
        (Value::Number(_), Value::Number(n)) => !(here.is_u64() || here.is_i64()) || !n.is_f64(),
        (Value::Null, _) | (_, Value::Null) => true,
        (a, b) => std::mem::discriminant(a) == std::mem::discriminant(b),
    };
    if !compatible {
        return Err(Problem::new(
            path,
            format!(
                "expects {}, got {} ({value})",
                kind_of(here),
                kind_of(value)
            ),
        ));
    }
    *here = value.clone();
    serde_json::from_value(root)
        .map_err(|e| Problem::new(path, format!("value {value} does not fit: {e}")))
}

/// Applies a combination of field settings.
pub fn apply(scenario: &Scenario, combo: &[(String, Value)]) -> Result<Scenario, Problem> {
    let mut s = scenario.clone();
    for (path, value) in combo {
        s = set_field(&s, path, value)?;
    }
    Ok(s)
}

/// Label of a sweep point: `path=value; …` (strings without quotes).
pub fn combo_label(combo: &[(String, Value)]) -> String {
    combo
        .iter()
        .map(|(p, v)| match v {
            Value::String(s) => format!("{p}={s}"),
            v => format!("{p}={v}"),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// Writes `results.csv` (one row per variant × replication × KPI) and `summary.csv` (means,
/// intervals and paired differences) into `dir`, atomically.
pub fn write_results(
    dir: &std::path::Path,
    variants: &[Variant],
    params: &[BTreeMap<String, String>],
) -> std::io::Result<()> {
    let rows = kpi_rows(variants);
    let param_names: Vec<String> = params
        .first()
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default();
    crate::experiment::output::write_dir_atomically(dir, |staging| {
        let mut w = csv::Writer::from_path(staging.join("results.csv"))?;
        let mut header = vec!["variant".to_string()];
        header.extend(param_names.iter().cloned());
        header.extend(["replication", "seed", "kpi", "unit", "value"].map(String::from));
        w.write_record(&header)?;
        for (vi, v) in variants.iter().enumerate() {
            for (ri, rep) in v.reps.iter().enumerate() {
                for row in &rows {
                    let mut rec = vec![v.label.clone()];
                    rec.extend(param_names.iter().map(|n| {
                        params
                            .get(vi)
                            .and_then(|p| p.get(n))
                            .cloned()
                            .unwrap_or_default()
                    }));
                    rec.extend([
                        ri.to_string(),
                        rep.seed.to_string(),
                        row.kpi.id.to_string(),
                        row.kpi.unit.to_string(),
                        format!("{}", row.values[vi][ri]),
                    ]);
                    w.write_record(&rec)?;
                }
            }
        }
        w.flush()?;
        let mut w = csv::Writer::from_path(staging.join("summary.csv"))?;
        let mut header = vec!["variant".to_string()];
        header.extend(param_names.iter().cloned());
        header.extend(
            [
                "kpi",
                "unit",
                "replications",
                "mean",
                "ci95_low",
                "ci95_high",
                "diff_vs_first",
                "diff_ci95_low",
                "diff_ci95_high",
                "p_value",
                "p_holm",
                "significant",
            ]
            .map(String::from),
        );
        w.write_record(&header)?;
        let num = |x: f64| {
            if x.is_finite() {
                format!("{x}")
            } else {
                String::new()
            }
        };
        for row in &rows {
            for (vi, v) in variants.iter().enumerate() {
                let ci = row.intervals[vi];
                let mut rec = vec![v.label.clone()];
                rec.extend(param_names.iter().map(|n| {
                    params
                        .get(vi)
                        .and_then(|p| p.get(n))
                        .cloned()
                        .unwrap_or_default()
                }));
                rec.extend([
                    row.kpi.id.to_string(),
                    row.kpi.unit.to_string(),
                    ci.n.to_string(),
                    num(ci.mean),
                    num(ci.low()),
                    num(ci.high()),
                ]);
                match row.differences[vi] {
                    Some(d) => rec.extend([
                        num(d.mean),
                        num(d.low()),
                        num(d.high()),
                        num(row.p_values[vi]),
                        num(row.p_holm[vi]),
                        if row.significant[vi] { "yes" } else { "no" }.to_string(),
                    ]),
                    None => rec.extend(["", "", "", "", "", ""].map(String::from)),
                }
                w.write_record(&rec)?;
            }
        }
        w.flush()
    })
}
