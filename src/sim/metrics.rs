//! Metrics: what a run measures, while it runs and at the end.
//!
//! Models nothing; it observes. Counts arrivals, payments and departures, keeps every finished
//! customer journey, integrates the number of customers in the store over time (for Little's
//! law), and samples a time series every `sample_interval` seconds (default one simulated
//! minute) from opening until the store is empty after closing. [`summarize`] turns the state
//! at the end into the KPIs of `summary.json`. What it counts itself comes from events
//! (entered, paid, left); the sections about lanes, queues and stock are reported by those
//! concepts ([`checkout::lane_summaries`], [`checkout::Gauges`],
//! [`replenishment::stock_summary`], [`Inventory::lost_sales`]), so metrics reads none of
//! their internals.
//!
//! Units: seconds, customers, items, currency; utilisation is a share (0..1).

use bevy::prelude::*;
use serde::{Deserialize, Serialize};
use statrs::statistics::{Data, Distribution as _, Max, OrderStatistics};

use crate::RunConfig;
use crate::scenario::floor_plan::FloorPlan;
use crate::scenario::format_clock;
use crate::sim::arrivals::CustomerEntered;
use crate::sim::catalog::Catalog;
use crate::sim::checkout::{self, CustomerPaid};
pub use crate::sim::checkout::{LaneSummary, QueueSummary};
use crate::sim::customer::{Customer, CustomerRecord};
use crate::sim::engine::{Clock, EventId};
use crate::sim::event_log::{Describe, LogRow};
use crate::sim::events::{Agenda, AgendaMut};
use crate::sim::inventory::Inventory;
use crate::sim::journey::{CustomerLeft, journey_record};
use crate::sim::replenishment;
pub use crate::sim::replenishment::StockSummary;

/// Counters and records of a run.
#[derive(Resource, Debug, Default)]
pub struct Metrics {
    pub arrived: u64,
    pub in_store: u64,
    /// Customers who arrived in the KPI window (from [`Clock::measure_from`]): every
    /// statistic of the summary counts them only.
    pub measured: u64,
    /// Of those, how many are inside now.
    pub measured_in_store: u64,
    /// ∫ measured customers in store dt up to `last_change`.
    pub in_store_area: f64,
    last_change: f64,
    pub paid: u64,
    pub revenue: f64,
    pub items_sold: u64,
    pub records: Vec<CustomerRecord>,
    pub samples: Vec<Sample>,
    /// When the last customer left after closing: the end of the KPI horizon. Staff may
    /// still be at work after it.
    pub store_emptied: Option<f64>,
    next_sample: Option<EventId>,
}

impl Metrics {
    fn touch(&mut self, now: f64) {
        self.in_store_area += self.measured_in_store as f64 * (now - self.last_change);
        self.last_change = now;
    }

    /// ∫ measured customers in store dt up to `now` (an integral over the KPI window).
    pub fn in_store_area_at(&self, now: f64) -> f64 {
        self.in_store_area + self.measured_in_store as f64 * (now - self.last_change)
    }
}

/// One row of `timeseries.csv`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Sample {
    pub time: f64,
    pub arrived: u64,
    pub in_store: u64,
    pub shopping: u64,
    pub queueing: u64,
    pub in_service: u64,
    pub lanes_open: u32,
    pub lanes_busy: u32,
    pub served: u64,
    pub revenue: f64,
    pub items_sold: u64,
    pub items_lost: u64,
    pub products_empty: u64,
    /// Customers waiting in each queue (order of [`checkout::Checkout::queue_names`]).
    pub queues: Vec<u32>,
}

/// Scheduled: take a time-series sample.
#[derive(Debug, Clone, Copy)]
pub struct SampleDue;

impl Describe for SampleDue {
    fn describe(&self, _: &World, row: &mut LogRow) {
        row.what = "time-series sample".into();
    }
}

pub struct MetricsPlugin;

impl Plugin for MetricsPlugin {
    fn build(&self, app: &mut App) {
        let open = app.world().resource::<Clock>().open;
        app.insert_resource(Metrics {
            last_change: open,
            ..Default::default()
        });
        app.world_mut()
            .resource_mut::<Agenda>()
            .schedule(open, SampleDue);
    }
}

pub(crate) fn on_entered(
    _: In<CustomerEntered>,
    mut metrics: ResMut<Metrics>,
    clock: Res<Clock>,
    agenda: AgendaMut,
) {
    let now = agenda.now();
    metrics.touch(now);
    metrics.arrived += 1;
    metrics.in_store += 1;
    if now >= clock.measure_from {
        metrics.measured += 1;
        metrics.measured_in_store += 1;
    }
}

pub(crate) fn on_left(
    In(ev): In<CustomerLeft>,
    mut metrics: ResMut<Metrics>,
    clock: Res<Clock>,
    mut agenda: AgendaMut,
) {
    let now = agenda.now();
    metrics.touch(now);
    metrics.in_store -= 1;
    if ev.record.arrival >= clock.measure_from {
        metrics.measured_in_store -= 1;
    }
    metrics.records.push(*ev.record);
    if metrics.in_store == 0 && now >= clock.close {
        // The day is over: take the last sample now instead of at the next interval.
        if let Some(id) = metrics.next_sample.take() {
            agenda.cancel(id);
        }
        agenda.emit(SampleDue);
    }
}

pub(crate) fn on_paid(In(ev): In<CustomerPaid>, mut metrics: ResMut<Metrics>) {
    metrics.paid += 1;
    metrics.revenue += ev.value;
    metrics.items_sold += u64::from(ev.items);
}

pub(crate) fn on_sample(
    _: In<SampleDue>,
    mut metrics: ResMut<Metrics>,
    gauges: checkout::Gauges,
    inventory: Res<Inventory>,
    config: Res<RunConfig>,
    clock: Res<Clock>,
    mut agenda: AgendaMut,
) {
    let now = agenda.now();
    let (lanes_open, lanes_busy, waiting) = gauges.read();
    let (shopping, queueing, in_service) = phase_counts(metrics.in_store, &waiting, lanes_busy);
    let sample = Sample {
        time: now,
        arrived: metrics.arrived,
        in_store: metrics.in_store,
        shopping,
        queueing,
        in_service,
        lanes_open,
        lanes_busy,
        served: metrics.paid,
        revenue: metrics.revenue,
        items_sold: metrics.items_sold,
        items_lost: inventory.lost_total(),
        products_empty: inventory.empty_now(),
        queues: waiting,
    };
    metrics.samples.push(sample);
    let next = now + config.scenario.metrics.sample_interval;
    if now >= clock.close && metrics.in_store == 0 {
        metrics.store_emptied.get_or_insert(now);
        metrics.next_sample = None;
    } else if next <= clock.close || metrics.in_store > 0 {
        metrics.next_sample = Some(agenda.schedule(next, SampleDue));
    } else {
        // Closing falls between two samples: sample at closing time.
        metrics.next_sample = Some(agenda.schedule(clock.close, SampleDue));
    }
}

/// Customers (shopping or leaving, queueing, in service) from the counts the checkout keeps:
/// a customer is `Queueing` exactly while in a queue's line and `InService` exactly while a
/// lane serves it; everyone else inside is shopping, walking to a queue or leaving.
pub fn phase_counts(in_store: u64, waiting: &[u32], lanes_busy: u32) -> (u64, u64, u64) {
    let queueing: u64 = waiting.iter().map(|&w| u64::from(w)).sum();
    let in_service = u64::from(lanes_busy);
    (
        in_store.saturating_sub(queueing + in_service),
        queueing,
        in_service,
    )
}

/// Mean, median, 95th percentile and maximum of a sample (statrs; quantiles by its
/// median-unbiased definition; over several days from a [`Pool`], by nearest rank). All zero
/// for an empty sample.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct Stats {
    pub count: u64,
    pub mean: f64,
    pub median: f64,
    pub p95: f64,
    pub max: f64,
}

impl Stats {
    pub fn of(values: Vec<f64>) -> Stats {
        if values.is_empty() {
            return Stats::default();
        }
        let count = values.len() as u64;
        let mut data = Data::new(values);
        Stats {
            count,
            mean: data.mean().unwrap_or(0.0),
            median: data.median(),
            p95: data.quantile(0.95),
            max: data.max(),
        }
    }
}

/// Values of many days pooled in memory that does not grow with the number of values: exact
/// count, mean (up to rounding), maximum and share above a limit; median and 95th percentile
/// read from bins 0.1 % wide (nearest rank, the bin's geometric middle). A run over a year
/// would otherwise keep every customer's wait.
#[derive(Clone, Debug, Default)]
pub struct Pool {
    count: u64,
    sum: f64,
    max: f64,
    zeros: u64,
    /// Positive values by bin: `bins[i]` holds (1.001^k, 1.001^(k+1)] for k = `first` + i.
    /// Dense, not a map: an add is an index (values cluster, so the range stays narrow).
    bins: Vec<u64>,
    first: i32,
    limit: f64,
    above: u64,
}

/// Relative width of a [`Pool`] bin.
const POOL_STEP: f64 = 1.001;
/// Bins on either side of 1 a [`Pool`] may use: more than any finite f64 needs.
const POOL_BINS: i32 = 800_000;

impl Pool {
    /// An empty pool that also counts values above `limit`.
    pub fn above(limit: f64) -> Pool {
        Pool {
            limit,
            ..Pool::default()
        }
    }

    pub fn add(&mut self, v: f64) {
        self.count += 1;
        self.sum += v;
        self.max = if self.count == 1 { v } else { self.max.max(v) };
        if v > self.limit {
            self.above += 1;
        }
        if v > 0.0 {
            // Finite positive values lie within ±745,000 bins; the clamp only keeps an
            // infinite one (which the engine never produces) from overflowing the offsets.
            let k = ((v.ln() / POOL_STEP.ln()).ceil() as i32 - 1).clamp(-POOL_BINS, POOL_BINS);
            if self.bins.is_empty() {
                self.first = k;
            } else if k < self.first {
                let grow = (self.first - k) as usize;
                self.bins.splice(0..0, std::iter::repeat_n(0, grow));
                self.first = k;
            }
            let i = (k - self.first) as usize;
            if i >= self.bins.len() {
                self.bins.resize(i + 1, 0);
            }
            self.bins[i] += 1;
        } else {
            self.zeros += 1;
        }
    }

    /// Share of the values above the limit (0 when empty).
    pub fn share_above(&self) -> f64 {
        if self.count == 0 {
            0.0
        } else {
            self.above as f64 / self.count as f64
        }
    }

    /// The value of rank ⌈q·n⌉ (at least 1), from its bin.
    fn quantile(&self, q: f64) -> f64 {
        let rank = ((q * self.count as f64).ceil() as u64).clamp(1, self.count);
        if rank <= self.zeros {
            return 0.0;
        }
        let mut seen = self.zeros;
        for (k, &n) in (self.first..).zip(&self.bins) {
            seen += n;
            if seen >= rank {
                return POOL_STEP.powf(f64::from(k) + 0.5).min(self.max);
            }
        }
        self.max
    }

    pub fn stats(&self) -> Stats {
        if self.count == 0 {
            return Stats::default();
        }
        Stats {
            count: self.count,
            mean: self.sum / self.count as f64,
            median: self.quantile(0.5),
            p95: self.quantile(0.95),
            max: self.max,
        }
    }
}

/// Paying customers' waits in 30 s classes, the last holding every wait from 19.5 min on:
/// what the report's histogram needs, in a few bytes per run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WaitClasses {
    #[serde(with = "class_counts")]
    pub counts: [u64; WaitClasses::CLASSES],
    pub max: f64,
}

/// serde reaches only up to 32-element arrays: the classes go as a sequence.
mod class_counts {
    use super::WaitClasses;
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub fn serialize<S: Serializer>(
        c: &[u64; WaitClasses::CLASSES],
        s: S,
    ) -> Result<S::Ok, S::Error> {
        s.collect_seq(c)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<[u64; WaitClasses::CLASSES], D::Error> {
        let v = Vec::<u64>::deserialize(d)?;
        let n = v.len();
        v.try_into()
            .map_err(|_| D::Error::invalid_length(n, &"one count per wait class"))
    }
}

impl Default for WaitClasses {
    fn default() -> Self {
        WaitClasses {
            counts: [0; WaitClasses::CLASSES],
            max: 0.0,
        }
    }
}

impl WaitClasses {
    /// Width of a class, seconds.
    pub const WIDTH: f64 = 30.0;
    pub const CLASSES: usize = 40;

    pub fn add(&mut self, wait: f64) {
        self.counts[((wait / Self::WIDTH) as usize).min(Self::CLASSES - 1)] += 1;
        self.max = self.max.max(wait);
    }

    pub fn of(waits: impl IntoIterator<Item = f64>) -> Self {
        let mut c = WaitClasses::default();
        waits.into_iter().for_each(|w| c.add(w));
        c
    }

    pub fn merge(&mut self, other: &WaitClasses) {
        self.counts
            .iter_mut()
            .zip(&other.counts)
            .for_each(|(a, b)| *a += b);
        self.max = self.max.max(other.max);
    }
}

#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct CustomerCounts {
    /// Every customer who came in (also during the warm-up).
    pub arrived: u64,
    /// Those who arrived in the KPI window: the customers every statistic counts.
    pub measured: u64,
    pub served: u64,
    /// Left without buying (every wanted item out of stock).
    pub left_without_buying: u64,
    /// Still inside when the run stopped at its cut-off (closing + 4 h). Normally 0: the
    /// run goes on until the store is empty. More than 0 means an overloaded store whose
    /// waits are underestimated: the waits of these customers never finished.
    pub inside_at_end: u64,
    /// Of those inside at the cut-off, the ones waiting in a queue or being served.
    pub waiting_at_end: u64,
}

impl CustomerCounts {
    /// Adds another day's counts (runs over days).
    pub fn add(&mut self, o: &CustomerCounts) {
        self.arrived += o.arrived;
        self.measured += o.measured;
        self.served += o.served;
        self.left_without_buying += o.left_without_buying;
        self.inside_at_end += o.inside_at_end;
        self.waiting_at_end += o.waiting_at_end;
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct WaitStats {
    /// Seconds in queue before service, customers who paid (after warm-up).
    #[serde(flatten)]
    pub stats: Stats,
    /// Share of those customers who waited longer than `long_wait_s`.
    pub share_long: f64,
    pub long_wait_s: f64,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct SalesSummary {
    pub items_sold: u64,
    pub revenue: f64,
    /// Items wanted but found on an empty shelf, and their value.
    pub lost_items: u64,
    pub lost_value: f64,
    /// Times a product's shelf ran empty.
    pub stockout_events: u64,
    /// Product-hours with an empty shelf.
    pub empty_shelf_hours: f64,
}

impl SalesSummary {
    /// Adds another day's sales (runs over days).
    pub fn add(&mut self, o: &SalesSummary) {
        self.items_sold += o.items_sold;
        self.revenue += o.revenue;
        self.lost_items += o.lost_items;
        self.lost_value += o.lost_value;
        self.stockout_events += o.stockout_events;
        self.empty_shelf_hours += o.empty_shelf_hours;
    }
}

/// The KPIs of one run (`summary.json`).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Summary {
    pub scenario: String,
    pub seed: u64,
    pub open: String,
    pub close: String,
    /// Time of the last event (customers gone and staff work done), `HH:MM:SS`.
    pub end: String,
    /// When the last customer left (end of the KPI window), `HH:MM:SS`.
    pub store_emptied: String,
    /// Start of the KPI window (opening plus the warm-up), `HH:MM:SS`.
    pub measured_from: String,
    /// Length of the KPI window (its start until the store emptied, or the cut-off),
    /// seconds. Every statistic below is over this window and the customers who arrived
    /// in it.
    pub duration_s: f64,
    pub customers: CustomerCounts,
    pub waiting: WaitStats,
    /// Seconds from entrance to exit, measured customers who left.
    pub time_in_store: Stats,
    /// Time-average number of measured customers in the store over the KPI window.
    pub mean_in_store: f64,
    pub sales: SalesSummary,
    pub lanes: Vec<LaneSummary>,
    pub queues: Vec<QueueSummary>,
    pub stock: StockSummary,
    /// Events processed (a measure of work, for benchmarks).
    pub events: u64,
    /// Runs over several days: the inventory KPIs over the measured days.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inventory: Option<crate::sim::calendar::InventorySummary>,
    /// Scenarios with `queue_behaviour`: customers (of the KPI window) who balked, reneged
    /// or changed queues, and the baskets left behind (lost revenue).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub queue_behaviour: Option<checkout::GaveUpCounts>,
    /// Scenarios with `attendants`: stops at self-checkouts and the attendants' work.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attendants: Option<crate::sim::attendance::AttendanceSummary>,
    /// Scenarios with a `lane_policy`: tills opened and closed on demand, restockers' hours
    /// at tills.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lane_policy: Option<crate::sim::lane_policy::LanePolicySummary>,
    /// Scenarios with `segments`: each segment's customers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub segments: Vec<crate::sim::segments::SegmentSummary>,
    /// Scenarios with scan & go or cashierless customers: audits, unpaid items, complaints.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub digital: Option<crate::sim::segments::DigitalSummary>,
    /// Scenarios with a `rota`: every member's hours on duty, on break, over time and (cashiers)
    /// at an open till.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rota: Option<crate::sim::rota::RotaSummary>,
}

/// Every customer journey: finished ones in exit order, then those still inside (by id).
pub fn all_records(world: &mut World) -> Vec<CustomerRecord> {
    let mut records = world.resource::<Metrics>().records.clone();
    let plan = world.resource::<FloorPlan>();
    let segments = world.resource::<crate::sim::segments::Segments>();
    let mut q = world
        .try_query::<&Customer>()
        .expect("customer component registered");
    let mut inside: Vec<CustomerRecord> = q
        .iter(world)
        .map(|c| journey_record(c, None, plan, segments))
        .collect();
    inside.sort_by_key(|r| r.id);
    records.extend(inside);
    records
}

/// The KPIs at the current simulated time.
pub fn summarize(world: &mut World) -> Summary {
    let records = all_records(world);
    summarize_records(world, &records)
}

/// [`summarize`] from the journeys [`all_records`] gave (a finished run needs both, and
/// builds the journeys once).
pub fn summarize_records(world: &World, records: &[CustomerRecord]) -> Summary {
    let config = world.resource::<RunConfig>().clone();
    let clock = *world.resource::<Clock>();
    let metrics = world.resource::<Metrics>();
    let last_event = world.resource::<Agenda>().now();
    // The KPI window runs from the end of the warm-up until the store emptied after
    // closing (or the cut-off); statistics count the customers who arrived in it.
    let now = metrics.store_emptied.unwrap_or(last_event);
    let scenario = &config.scenario;
    let warm = clock.measure_from;
    let long = scenario.metrics.long_wait;
    let counted = || records.iter().filter(|r| r.arrival >= warm);
    let waits: Vec<f64> = counted()
        .filter(|r| r.service_end.is_some())
        .filter_map(|r| r.wait)
        .collect();
    let share_long = if waits.is_empty() {
        0.0
    } else {
        waits.iter().filter(|&&w| w > long).count() as f64 / waits.len() as f64
    };
    let times: Vec<f64> = counted().filter_map(|r| r.time_in_store).collect();
    let duration = (now - warm).max(0.0);
    let mean_in_store = if duration > 0.0 {
        metrics.in_store_area_at(now) / duration
    } else {
        0.0
    };
    let customers = CustomerCounts {
        arrived: metrics.arrived,
        measured: metrics.measured,
        served: records.iter().filter(|r| r.outcome == "served").count() as u64,
        left_without_buying: records
            .iter()
            .filter(|r| r.outcome == "no_purchase")
            .count() as u64,
        inside_at_end: records.iter().filter(|r| r.outcome == "inside").count() as u64,
        waiting_at_end: records
            .iter()
            .filter(|r| r.outcome == "inside" && r.queue_joined.is_some())
            .count() as u64,
    };
    let lost = world
        .resource::<Inventory>()
        .lost_sales(world.resource::<Catalog>(), now);
    let sales = SalesSummary {
        items_sold: metrics.items_sold,
        revenue: metrics.revenue,
        lost_items: lost.items,
        lost_value: lost.value,
        stockout_events: lost.stockouts,
        empty_shelf_hours: lost.empty_seconds / 3600.0,
    };
    let lanes = checkout::lane_summaries(world, now);
    let queues = checkout::queue_summaries(world, now, duration);
    let stock = replenishment::stock_summary(world);
    let (open, close) = scenario.hours.span();
    Summary {
        scenario: scenario.name.clone(),
        seed: config.seed,
        open: format_clock(open),
        close: format_clock(close),
        end: format_clock(last_event),
        store_emptied: format_clock(now),
        measured_from: format_clock(warm),
        duration_s: duration,
        customers,
        waiting: WaitStats {
            stats: Stats::of(waits),
            share_long,
            long_wait_s: long,
        },
        time_in_store: Stats::of(times),
        mean_in_store,
        sales,
        lanes,
        queues,
        stock,
        events: world.resource::<Agenda>().fired(),
        inventory: None,
        queue_behaviour: scenario
            .queue_behaviour
            .as_ref()
            .map(|_| world.resource::<checkout::Checkout>().gave_up.clone()),
        attendants: scenario.attendants.as_ref().map(|_| {
            let mut counts = world
                .resource::<crate::sim::attendance::Attendance>()
                .stats
                .clone();
            // Rota attendants count by their hours on duty.
            counts.rota_staffed_s =
                crate::sim::rota::summary(world).map_or(0.0, |r| r.attendant_hours * 3600.0);
            crate::sim::attendance::AttendanceSummary::of(counts, duration)
        }),
        lane_policy: crate::sim::lane_policy::summary(world),
        segments: crate::sim::segments::segment_summaries(
            world.resource::<crate::sim::segments::Segments>(),
            records,
            warm,
            long,
        ),
        digital: (scenario.scan_and_go.is_some() || scenario.cashierless.is_some()).then(|| {
            crate::sim::segments::DigitalSummary::of(
                world
                    .resource::<crate::sim::segments::Segments>()
                    .stats
                    .clone(),
            )
        }),
        rota: scenario
            .rota
            .as_ref()
            .and_then(|_| crate::sim::rota::summary(world)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngExt, SeedableRng};

    /// A pool agrees with the exact sample: count, maximum and share above the limit exactly,
    /// the mean to rounding, median and 95th percentile within half a bin (0.05 %) of the
    /// value of that rank.
    #[test]
    fn pool_matches_the_exact_sample() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        // Waits: a third zero (a free lane), the rest exponential with mean 90 s.
        let values: Vec<f64> = (0..20_000)
            .map(|_| {
                if rng.random::<f64>() < 1.0 / 3.0 {
                    0.0
                } else {
                    -90.0 * (1.0 - rng.random::<f64>()).ln()
                }
            })
            .collect();
        let mut pool = Pool::above(300.0);
        values.iter().for_each(|&v| pool.add(v));
        let stats = pool.stats();
        let mut sorted = values.clone();
        sorted.sort_by(f64::total_cmp);
        let n = sorted.len();
        assert_eq!(stats.count, n as u64);
        assert_eq!(stats.max, sorted[n - 1]);
        let exact_mean = values.iter().sum::<f64>() / n as f64;
        assert!((stats.mean - exact_mean).abs() <= 1e-12 * exact_mean);
        let above = values.iter().filter(|&&v| v > 300.0).count() as f64 / n as f64;
        assert_eq!(pool.share_above(), above);
        for (q, got) in [(0.5, stats.median), (0.95, stats.p95)] {
            let at_rank = sorted[(q * n as f64).ceil() as usize - 1];
            assert!(
                (got - at_rank).abs() <= 0.0005 * at_rank,
                "quantile {q}: {got} against {at_rank}"
            );
        }
        assert_eq!(Pool::default().stats(), Stats::default());
    }

    /// The 30 s classes count every wait once, the long ones in the last class.
    #[test]
    fn wait_classes_count_every_wait_once() {
        let mut a = WaitClasses::of([0.0, 29.9, 30.0, 5000.0]);
        assert_eq!(a.counts[0], 2);
        assert_eq!(a.counts[1], 1);
        assert_eq!(a.counts[WaitClasses::CLASSES - 1], 1);
        a.merge(&WaitClasses::of([45.0]));
        assert_eq!(a.counts[1], 2);
        assert_eq!(a.counts.iter().sum::<u64>(), 5);
        assert_eq!(a.max, 5000.0);
    }
}
