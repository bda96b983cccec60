//! Calendar: runs of several consecutive days.
//!
//! Models: each open day is one store day as a one-day run simulates it (doors open at `hours`,
//! the day ends when the last customer has left), in a world of its own with its own random
//! streams ([`random::day_seed`]); what carries over from one day to the next is handed over
//! explicitly: the inventory ledger (stock, records, orders). Customers do not carry over, and
//! nothing happens overnight except what the ledger does at closing (shrinkage, periodic
//! reviews). Closed weekdays have no customers; deliveries due on them arrive on the next open
//! day. A weekday's demand factor scales that day's arrival rate, and a weekday can have
//! opening hours of its own. The first `warmup_days` are
//! simulated but left out of every KPI.
//!
//! Per day the run reports customers, sales, out-of-stocks, record accuracy, phantom stock,
//! orders, deliveries and shrink (`days.csv`); per product over the measured days
//! (`products.csv`); and `summary.json` pools the measured days.
//!
//! Units: days (0-based inside, 1-based in outputs), seconds since 00:00 of the first day for
//! customer and time-series times, units of stock, currency.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::ids::{Id, IdVec, ProductId};
use crate::scenario::validate::ValidScenario;
use crate::scenario::{Calendar, LaneKind, Scenario, Weekday, format_clock};
use crate::sim::checkout::Checkout;
use crate::sim::customer::CustomerRecord;
use crate::sim::engine::{Clock, Fault};
use crate::sim::events::Agenda;
use crate::sim::inventory::{Flows, Inventory};
use crate::sim::metrics::{self, LaneSummary, Pool, QueueSummary, Summary, WaitClasses};
use crate::sim::movement::Navigation;
use crate::sim::staff::StaffHours;
use crate::sim::{Keep, RunOutput, Simulation, random};

/// Seconds in a day: day `d`'s times are shifted by `d × DAY` in the outputs.
pub const DAY: f64 = 86_400.0;

/// One row of `days.csv`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct DayRow {
    /// 1-based.
    pub day: u32,
    pub weekday: Weekday,
    pub open: bool,
    /// False for warm-up days (left out of every KPI).
    pub measured: bool,
    pub customers: u64,
    pub served: u64,
    pub revenue: f64,
    pub items_sold: u64,
    pub lost_items: u64,
    pub lost_value: f64,
    /// Mean wait in a queue, seconds.
    pub mean_wait_s: f64,
    /// Share of product-hours with an empty shelf while the store was open.
    pub oos_share: f64,
    /// Products whose record says units are there but whose shelf and backroom are empty, at
    /// the end of the day.
    pub phantom_products: u64,
    /// Share of products whose record equals the units staff and shoppers can find, at the
    /// end of the day, and the mean absolute difference (units).
    pub record_accuracy: f64,
    pub record_mae: f64,
    /// Units on shelves and in the backroom at the end of the day, and their value.
    pub on_hand_units: u64,
    pub on_hand_value: f64,
    pub orders: u64,
    pub units_delivered: u64,
    pub shrink_units: u64,
    pub shrink_value: f64,
    pub misplaced_units: u64,
    /// Products counted, and the net change the counts made to the records (units).
    pub counts: u64,
    pub count_corrections: i64,
    /// Staff hours by task: staffed tills open, refilling shelves, counting.
    pub cashier_hours: f64,
    pub restocking_hours: f64,
    pub counting_hours: f64,
    pub receiving_hours: f64,
}

/// One row of `products.csv`: a product over the measured days.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct ProductRow {
    pub product: String,
    pub sold: u64,
    pub lost: u64,
    /// Hours its shelf was empty while the store was open.
    pub oos_hours: f64,
    pub orders: u64,
    /// Orders cut because the backroom was full.
    pub orders_cut: u64,
    pub units_ordered: u64,
    pub units_delivered: u64,
    pub shrink: u64,
    pub misplaced: u64,
    /// At the end of the run: the record, the units that can be found (shelf, backroom,
    /// carried) and the misplaced ones.
    pub record_end: i64,
    pub on_hand_end: u64,
    pub misplaced_end: u64,
}

/// The inventory KPIs of a multi-day run, over the measured days (`summary.json`).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct InventorySummary {
    pub days: u32,
    pub measured_days: u32,
    pub oos_share: f64,
    pub phantom_product_days: u64,
    /// Mean over measured days of the day's record accuracy and mean absolute error.
    pub record_accuracy: f64,
    pub record_mae: f64,
    /// Units sold over units wanted.
    pub fill_rate: f64,
    pub mean_on_hand_units: f64,
    pub mean_on_hand_value: f64,
    pub orders: u64,
    pub units_delivered: u64,
    pub shrink_units: u64,
    pub shrink_value: f64,
    pub counts: u64,
    /// Staff hours over the measured days.
    pub cashier_hours: f64,
    pub restocking_hours: f64,
    pub counting_hours: f64,
    pub receiving_hours: f64,
}

/// Every product's flows at a moment, to take differences over a day or the measured days.
type Snapshot = Vec<Flows>;

fn snapshot(inv: &Inventory) -> Snapshot {
    inv.all_flows().cloned().collect()
}

/// How much the flow `f` of all products grew since `before`.
fn change<T: std::ops::Sub<Output = T> + std::iter::Sum>(
    inv: &Inventory,
    before: &[Flows],
    f: impl Fn(&Flows) -> T,
) -> T {
    inv.all_flows()
        .zip(before)
        .map(|(now, then)| f(now) - f(then))
        .sum()
}

/// The scenario of day `d`: the same store with the weekday's demand factor.
pub(crate) fn day_scenario(
    scenario: &Arc<Scenario>,
    cal: &Calendar,
    weekday: Weekday,
) -> Arc<Scenario> {
    let factor = cal.demand.get(&weekday).copied().unwrap_or(1.0);
    let hours = cal.hours.get(&weekday);
    if factor == 1.0 && hours.is_none() {
        return scenario.clone();
    }
    let mut s = (**scenario).clone();
    s.customers.arrival_multiplier *= factor;
    if let Some(h) = hours {
        s.hours = h.clone();
    }
    Arc::new(s)
}

/// Runs every day of a scenario with a calendar, keeping what `keep` says.
pub fn run_days(scenario: &ValidScenario, seed: u64, keep: Keep) -> Result<RunOutput, Fault> {
    let mut days = Days::new(scenario, seed, keep, false);
    days.run_to_end()?;
    Ok(days.into_output())
}

/// A run over the days of a scenario's calendar, one day at a time: what the CLI runs to the
/// end and what the view steps through (it shows the current day's [`Simulation`] and the
/// rows of the days before). Times are seconds since 00:00 of the first day ("global"); each
/// day's simulation keeps the time of its own day.
pub struct Days {
    scenario: ValidScenario,
    cal: Calendar,
    seed: u64,
    /// What each day keeps beyond its KPIs: customer records and time series, the heatmap.
    keep: Keep,
    /// Keep an event log of each day (the view's timelines).
    log: bool,
    prices: Vec<f64>,
    /// The day being simulated (0-based) and its simulation; after the last day, the last
    /// open day's, finished (and closed: its world keeps a copy of the ledger for the view).
    day: u32,
    sim: Option<Simulation>,
    /// Whether `sim`'s day has been closed (its row written).
    closed: bool,
    /// The ledger between days (while a day runs, its world holds it).
    inventory: Option<Inventory>,
    /// Flows at the start of the current day and of the first measured day.
    before: Snapshot,
    first_measured: Option<Snapshot>,
    rows: Vec<DayRow>,
    pooled: Pooled,
    measured_waits: Pool,
    measured_times: Pool,
    wait_classes: WaitClasses,
    records: Vec<CustomerRecord>,
    samples: Vec<metrics::Sample>,
    heat: Vec<f64>,
    queue_names: Vec<String>,
    customers_before: u32,
    last_exit: f64,
    events: u64,
}

impl Days {
    /// The run at the opening of its first open day (closed days before it are passed).
    pub fn new(scenario: &ValidScenario, seed: u64, keep: Keep, log: bool) -> Days {
        let cal = scenario
            .calendar
            .clone()
            .expect("a run over days needs a calendar");
        let inventory = Inventory::of_scenario(scenario, seed);
        let mut days = Days {
            scenario: scenario.clone(),
            prices: scenario.products.iter().map(|p| p.price).collect(),
            cal,
            seed,
            keep,
            log,
            day: 0,
            sim: None,
            closed: false,
            before: snapshot(&inventory),
            inventory: Some(inventory),
            first_measured: None,
            rows: Vec::new(),
            pooled: Pooled::default(),
            measured_waits: Pool::above(scenario.metrics.long_wait),
            measured_times: Pool::default(),
            wait_classes: WaitClasses::default(),
            records: Vec::new(),
            samples: Vec::new(),
            heat: Vec::new(),
            queue_names: Vec::new(),
            customers_before: 0,
            last_exit: f64::NEG_INFINITY,
            events: 0,
        };
        days.begin(0);
        days
    }

    /// The simulation of the day being simulated (or of the last open day, when all are done).
    pub fn sim(&self) -> &Simulation {
        self.sim.as_ref().expect("a calendar has an open day")
    }

    pub fn sim_mut(&mut self) -> &mut Simulation {
        self.sim.as_mut().expect("a calendar has an open day")
    }

    /// The current day (0-based) and the number of days.
    pub fn day(&self) -> u32 {
        self.day
    }

    pub fn calendar(&self) -> &Calendar {
        &self.cal
    }

    /// The rows of the days closed so far.
    pub fn rows(&self) -> &[DayRow] {
        &self.rows
    }

    /// Seconds since 00:00 of the first day.
    pub fn now(&self) -> f64 {
        f64::from(self.day) * DAY + self.sim().now()
    }

    /// True when the current day has nothing left to simulate.
    pub fn day_finished(&self) -> bool {
        self.sim().finished()
    }

    /// True when the last day has nothing left to simulate.
    pub fn finished(&self) -> bool {
        self.next_open_day().is_none() && self.day_finished()
    }

    /// The first open day after the current one.
    fn next_open_day(&self) -> Option<u32> {
        (self.day + 1..self.cal.days).find(|&d| self.cal.is_open(d))
    }

    /// When the next open day opens (global seconds), if there is one.
    pub fn next_opening(&self) -> Option<f64> {
        let d = self.next_open_day()?;
        Some(f64::from(d) * DAY + self.opening(d))
    }

    /// When day `d` opens, seconds since its 00:00.
    pub fn opening(&self, d: u32) -> f64 {
        let weekday = self.cal.first_weekday.plus(d);
        self.cal.hours_of(weekday, &self.scenario.hours).span().0
    }

    /// Simulates up to global time `t`. A day runs to its end before the next one starts, at
    /// midnight at the earliest.
    pub fn run_until(&mut self, t: f64) -> Result<(), Fault> {
        loop {
            let local = t - f64::from(self.day) * DAY;
            let sim = self.sim_mut();
            sim.run_until(local);
            if let Some(f) = sim.fault() {
                return Err(f.clone());
            }
            let midnight = f64::from(self.day + 1) * DAY;
            if t < midnight || self.next_open_day().is_none() {
                return Ok(());
            }
            // Past midnight: finish the day (in case its last customers are still inside).
            self.sim_mut().run_to_end();
            if let Some(f) = self.sim().fault() {
                return Err(f.clone());
            }
            self.next_day()?;
        }
    }

    /// After the last day has run to its end: closes it (its row is written) and passes the
    /// closed days after it; the last day's simulation stays on show. Idempotent.
    pub fn close_last_day(&mut self) -> Result<(), Fault> {
        if self.closed || !self.finished() {
            return Ok(());
        }
        self.close_day()?;
        self.begin(self.day + 1);
        Ok(())
    }

    /// Simulates every remaining day.
    pub fn run_to_end(&mut self) -> Result<(), Fault> {
        loop {
            self.sim_mut().run_to_end();
            if let Some(f) = self.sim().fault() {
                return Err(f.clone());
            }
            if self.next_open_day().is_none() {
                return Ok(());
            }
            self.next_day()?;
        }
    }

    /// Closes the current (finished) day and starts the next open one.
    fn next_day(&mut self) -> Result<(), Fault> {
        self.close_day()?;
        self.begin(self.day + 1);
        Ok(())
    }

    /// Starts day `d`: closed days are passed at once (a row each), the first open day from
    /// `d` on gets its simulation. Past the last day nothing starts (the last open day stays
    /// the current one).
    fn begin(&mut self, mut d: u32) {
        while d < self.cal.days {
            let inventory = self.inventory.take().expect("the ledger between days");
            if d >= self.cal.warmup_days && self.first_measured.is_none() {
                self.first_measured = Some(snapshot(&inventory));
            }
            self.before = snapshot(&inventory);
            let weekday = self.cal.first_weekday.plus(d);
            if !self.cal.is_open(d) {
                // Closed: nobody comes; the ledger's day passes (deliveries wait).
                let mut inventory = inventory;
                inventory.start_day(d, 0.0, random::day_seed(self.seed, d));
                let mut row = self.empty_row(d, false);
                close_row(&mut row, &inventory, &self.before, &self.prices);
                self.rows.push(row);
                self.inventory = Some(inventory);
                d += 1;
                continue;
            }
            self.day = d;
            let config = day_scenario(self.scenario.shared(), &self.cal, weekday);
            let mut sim = Simulation::for_day(
                &self.scenario,
                config,
                random::day_seed(self.seed, d),
                d,
                inventory,
            );
            if !self.keep.heat {
                sim.without_heatmap();
            }
            if self.log {
                sim.enable_event_log();
            }
            self.sim = Some(sim);
            self.closed = false;
            return;
        }
    }

    fn empty_row(&self, d: u32, open: bool) -> DayRow {
        DayRow {
            day: d + 1,
            weekday: self.cal.first_weekday.plus(d),
            open,
            measured: d >= self.cal.warmup_days,
            customers: 0,
            served: 0,
            revenue: 0.0,
            items_sold: 0,
            lost_items: 0,
            lost_value: 0.0,
            mean_wait_s: 0.0,
            oos_share: 0.0,
            phantom_products: 0,
            record_accuracy: 0.0,
            record_mae: 0.0,
            on_hand_units: 0,
            on_hand_value: 0.0,
            orders: 0,
            units_delivered: 0,
            shrink_units: 0,
            shrink_value: 0.0,
            misplaced_units: 0,
            counts: 0,
            count_corrections: 0,
            cashier_hours: 0.0,
            restocking_hours: 0.0,
            counting_hours: 0.0,
            receiving_hours: 0.0,
        }
    }

    /// Ends the current open day: its figures go into the row and the pools, its ledger is
    /// handed on (the day's world keeps a copy, for a view showing the day after it ended).
    fn close_day(&mut self) -> Result<(), Fault> {
        let d = self.day;
        let mut row = self.empty_row(d, true);
        let measured = row.measured;
        let offset = f64::from(d) * DAY;
        if let Some(f) = self.sim().fault() {
            return Err(f.clone());
        }
        self.closed = true;
        let sim = self.sim.as_mut().expect("an open day to close");
        let open = sim.world().resource::<Clock>().open;
        let mut day_records = sim.records();
        let summary = metrics::summarize_records(sim.world(), &day_records);
        let world = sim.world_mut();
        // An overloaded day that hit the cut-off ends there.
        let end = world
            .resource::<metrics::Metrics>()
            .store_emptied
            .unwrap_or(world.resource::<Agenda>().now());
        let hours = world.resource::<StaffHours>().clone();
        row.restocking_hours = hours.restocking;
        row.counting_hours = hours.counting;
        row.receiving_hours = hours.receiving;
        row.cashier_hours = summary
            .lanes
            .iter()
            .filter(|l| l.kind == LaneKind::Staffed)
            .map(|l| l.open_s / 3600.0)
            .sum();
        let mut inv = world.resource::<Inventory>().clone();
        let before = &self.before;
        let sold_today: IdVec<ProductId, u64> = inv
            .all_flows()
            .zip(before)
            .map(|(f, b)| f.sold - b.sold)
            .collect();
        inv.end_day(end, &sold_today);
        // The ledger's books balance every day (a bug otherwise, never input).
        debug_assert!((0..self.prices.len()).map(ProductId::from_index).all(|p| {
            inv.check(p)
                .map_err(|e| panic!("day {}: {e}", d + 1))
                .is_ok()
        }));
        let products = self.prices.len().max(1) as f64;
        let empty = change(&inv, before, |f| f.empty_seconds);
        row.oos_share = if end > open {
            empty / (products * (end - open))
        } else {
            0.0
        };
        row.customers = summary.customers.arrived;
        row.served = summary.customers.served;
        row.revenue = summary.sales.revenue;
        row.items_sold = summary.sales.items_sold;
        row.lost_items = summary.sales.lost_items;
        row.lost_value = summary.sales.lost_value;
        row.mean_wait_s = summary.waiting.stats.mean;
        let measure_from = world.resource::<Clock>().measure_from;
        if measured {
            let counted = || day_records.iter().filter(|r| r.arrival >= measure_from);
            for w in counted()
                .filter(|r| r.service_end.is_some())
                .filter_map(|r| r.wait)
            {
                self.measured_waits.add(w);
                self.wait_classes.add(w);
            }
            counted()
                .filter_map(|r| r.time_in_store)
                .for_each(|t| self.measured_times.add(t));
        }
        for r in &mut day_records {
            shift(r, offset, self.customers_before);
        }
        self.customers_before += day_records.len() as u32;
        self.events += summary.events;
        self.queue_names = world.resource::<Checkout>().queue_names.as_slice().to_vec();
        let day_heat = &world.resource::<Navigation>().heat.seconds;
        if self.heat.is_empty() {
            self.heat = day_heat.clone();
        } else {
            self.heat
                .iter_mut()
                .zip(day_heat)
                .for_each(|(h, x)| *h += x);
        }
        if self.keep.records {
            self.samples.extend(
                world
                    .resource::<metrics::Metrics>()
                    .samples
                    .iter()
                    .map(|s| {
                        let mut s = s.clone();
                        s.time += offset;
                        s
                    }),
            );
            self.records.extend(day_records);
        } else {
            // Only the time of the last exit is needed (the end of the run).
            self.last_exit = day_records
                .iter()
                .filter_map(|r| r.exit)
                .fold(self.last_exit, f64::max);
        }
        if measured {
            self.pooled.add(summary);
        }
        close_row(&mut row, &inv, before, &self.prices);
        self.rows.push(row);
        self.inventory = Some(inv);
        Ok(())
    }

    /// Gathers the outputs of a run that [`Days::run_to_end`] finished without a fault.
    pub fn into_output(mut self) -> RunOutput {
        assert!(self.finished(), "into_output on a run that is not finished");
        self.close_last_day()
            .expect("a finished run without a fault closes its last day");
        let inventory = self.inventory.take().expect("the ledger at the end");
        let measured_rows: Vec<&DayRow> = self.rows.iter().filter(|r| r.measured).collect();
        let first = self
            .first_measured
            .take()
            .unwrap_or_else(|| snapshot(&inventory));
        let catalog_ids: Vec<String> = self
            .scenario
            .products
            .iter()
            .map(|p| p.id.clone())
            .collect();
        let products = product_rows(&inventory, &first, &catalog_ids);
        let last_exit = self
            .records
            .iter()
            .filter_map(|r| r.exit)
            .fold(self.last_exit, f64::max);
        let mut summary = std::mem::take(&mut self.pooled).finish(
            &self.measured_waits,
            &self.measured_times,
            last_exit,
            &self.cal,
            &self.scenario,
            self.seed,
            self.events,
        );
        summary.inventory = Some(inventory_summary(
            self.cal.days,
            &measured_rows,
            &inventory,
            &first,
        ));
        RunOutput {
            staffing: Vec::new(),
            summary,
            records: self.records,
            samples: self.samples,
            queue_names: self.queue_names,
            heat: self.heat,
            wait_classes: self.wait_classes,
            days: self.rows,
            products,
        }
    }
}

/// Shifts a day's customer record onto the run's time line and numbering.
fn shift(r: &mut CustomerRecord, offset: f64, ids_before: u32) {
    r.id += ids_before;
    r.arrival += offset;
    for t in [
        &mut r.exit,
        &mut r.queue_joined,
        &mut r.service_start,
        &mut r.service_end,
    ]
    .into_iter()
    .flatten()
    {
        *t += offset;
    }
}

/// The stock figures of a day's row, from the ledger at the end of the day.
fn close_row(row: &mut DayRow, inv: &Inventory, before: &[Flows], prices: &[f64]) {
    let s = || inv.all_stock();
    let findable = |st: &crate::sim::inventory::Stock| st.findable() as i64;
    let n = prices.len().max(1) as f64;
    row.phantom_products = s().filter(|st| st.record > 0 && findable(st) == 0).count() as u64;
    row.record_accuracy = s().filter(|st| st.record == findable(st)).count() as f64 / n;
    row.record_mae = s()
        .map(|st| (st.record - findable(st)).abs() as f64)
        .sum::<f64>()
        / n;
    row.on_hand_units = s().map(|st| findable(st) as u64).sum();
    row.on_hand_value = s().zip(prices).map(|(st, p)| findable(st) as f64 * p).sum();
    row.orders = change(inv, before, |f| f.orders);
    row.units_delivered = change(inv, before, |f| f.delivered);
    row.shrink_units = change(inv, before, |f| f.shrunk);
    row.shrink_value = inv
        .all_flows()
        .zip(before)
        .zip(prices)
        .map(|((now, then), p)| (now.shrunk - then.shrunk) as f64 * p)
        .sum();
    row.misplaced_units = change(inv, before, |f| f.misplaced);
    row.counts = change(inv, before, |f| f.counts);
    row.count_corrections = change(inv, before, |f| f.corrected);
}

fn product_rows(inv: &Inventory, first: &[Flows], ids: &[String]) -> Vec<ProductRow> {
    ids.iter()
        .enumerate()
        .map(|(i, id)| {
            let p = ProductId::from_index(i);
            let (f, s, first) = (inv.flows(p), inv.stock(p), &first[i]);
            ProductRow {
                product: id.clone(),
                sold: f.sold - first.sold,
                lost: f.lost - first.lost,
                oos_hours: (f.empty_seconds - first.empty_seconds) / 3600.0,
                orders: f.orders - first.orders,
                orders_cut: f.orders_cut - first.orders_cut,
                units_ordered: f.ordered - first.ordered,
                units_delivered: f.delivered - first.delivered,
                shrink: f.shrunk - first.shrunk,
                misplaced: f.misplaced - first.misplaced,
                record_end: s.record,
                on_hand_end: s.findable(),
                misplaced_end: u64::from(s.misplaced),
            }
        })
        .collect()
}

fn inventory_summary(
    days: u32,
    measured: &[&DayRow],
    inv: &Inventory,
    first: &[Flows],
) -> InventorySummary {
    let open: Vec<&&DayRow> = measured.iter().filter(|r| r.open).collect();
    let mean = |v: f64, n: usize| if n > 0 { v / n as f64 } else { 0.0 };
    let sold = change(inv, first, |f| f.sold);
    let lost = change(inv, first, |f| f.lost);
    // Closing states of open days only: a closed day would repeat the day before.
    InventorySummary {
        days,
        measured_days: measured.len() as u32,
        oos_share: mean(open.iter().map(|r| r.oos_share).sum(), open.len()),
        phantom_product_days: open.iter().map(|r| r.phantom_products).sum(),
        record_accuracy: mean(open.iter().map(|r| r.record_accuracy).sum(), open.len()),
        record_mae: mean(open.iter().map(|r| r.record_mae).sum(), open.len()),
        fill_rate: if sold + lost > 0 {
            sold as f64 / (sold + lost) as f64
        } else {
            1.0
        },
        mean_on_hand_units: mean(
            open.iter().map(|r| r.on_hand_units as f64).sum(),
            open.len(),
        ),
        mean_on_hand_value: mean(open.iter().map(|r| r.on_hand_value).sum(), open.len()),
        orders: measured.iter().map(|r| r.orders).sum(),
        units_delivered: measured.iter().map(|r| r.units_delivered).sum(),
        shrink_units: measured.iter().map(|r| r.shrink_units).sum(),
        shrink_value: measured.iter().map(|r| r.shrink_value).sum(),
        counts: measured.iter().map(|r| r.counts).sum(),
        cashier_hours: measured.iter().map(|r| r.cashier_hours).sum(),
        restocking_hours: measured.iter().map(|r| r.restocking_hours).sum(),
        counting_hours: measured.iter().map(|r| r.counting_hours).sum(),
        receiving_hours: measured.iter().map(|r| r.receiving_hours).sum(),
    }
}

/// The measured days' summaries folded one by one (memory flat in the number of days): counts
/// and sums added, means weighted by each day's KPI window, in day order.
#[derive(Default)]
struct Pooled {
    /// The first measured day's summary: names of lanes and queues, initial stock.
    first: Option<Summary>,
    last_stock: Option<metrics::StockSummary>,
    days: u32,
    duration: f64,
    /// Σ mean_in_store × duration.
    in_store: f64,
    customers: metrics::CustomerCounts,
    sales: metrics::SalesSummary,
    refills: u64,
    units_refilled: u64,
    /// Per lane: served, busy and open seconds.
    lanes: Vec<(u32, f64, f64)>,
    /// Per queue: customers, Σ waits, Σ mean length × duration, longest, reneged.
    queues: Vec<(u32, f64, f64, u32, u32)>,
    /// Balking, reneging and jockeying (scenarios with `queue_behaviour`).
    gave_up: Option<crate::sim::checkout::GaveUpCounts>,
    /// Stops at self-checkouts (scenarios with `attendants`).
    attendance: Option<crate::sim::attendance::AttendanceCounts>,
    /// Tills opened on demand (scenarios with `lane_policy`).
    lane_policy: Option<crate::sim::lane_policy::LanePolicySummary>,
    /// Per segment (scenarios with `segments`).
    segments: Vec<crate::sim::segments::SegmentSummary>,
    /// Scan & go and cashierless customers.
    digital: Option<crate::sim::segments::DigitalCounts>,
    /// Staff hours of the rota.
    rota: Option<crate::sim::rota::RotaSummary>,
}

impl Pooled {
    fn add(&mut self, s: Summary) {
        self.days += 1;
        self.duration += s.duration_s;
        self.in_store += s.mean_in_store * s.duration_s;
        self.customers.add(&s.customers);
        self.sales.add(&s.sales);
        self.refills += s.stock.refills;
        self.units_refilled += s.stock.units_refilled;
        self.lanes.resize(s.lanes.len(), (0, 0.0, 0.0));
        for (acc, l) in self.lanes.iter_mut().zip(&s.lanes) {
            acc.0 += l.served;
            acc.1 += l.busy_s;
            acc.2 += l.open_s;
        }
        self.queues.resize(s.queues.len(), (0, 0.0, 0.0, 0, 0));
        for (acc, q) in self.queues.iter_mut().zip(&s.queues) {
            acc.0 += q.customers;
            acc.1 += q.mean_wait_s * f64::from(q.customers);
            acc.2 += q.mean_length * s.duration_s;
            acc.3 = acc.3.max(q.max_length);
            acc.4 += q.reneged;
        }
        if let Some(g) = &s.queue_behaviour {
            self.gave_up.get_or_insert_default().add(g);
        }
        if let Some(a) = &s.attendants {
            self.attendance.get_or_insert_default().add(&a.counts);
        }
        if let Some(p) = &s.lane_policy {
            self.lane_policy.get_or_insert_default().add(p);
        }
        if self.segments.is_empty() {
            self.segments = s
                .segments
                .iter()
                .map(|g| crate::sim::segments::SegmentSummary::named(&g.segment))
                .collect();
        }
        for (acc, g) in self.segments.iter_mut().zip(&s.segments) {
            acc.add(g);
        }
        if let Some(d) = &s.digital {
            self.digital.get_or_insert_default().add(&d.counts);
        }
        if let Some(r) = &s.rota {
            self.rota.get_or_insert_default().add(r);
        }
        self.last_stock = Some(s.stock.clone());
        if self.first.is_none() {
            self.first = Some(s);
        }
    }

    /// One summary over the measured days; distributions from the pooled customers.
    #[allow(clippy::too_many_arguments)]
    fn finish(
        self,
        waits: &Pool,
        times: &Pool,
        last_exit: f64,
        cal: &Calendar,
        scenario: &Scenario,
        seed: u64,
        events: u64,
    ) -> Summary {
        let (open, close) = scenario.hours.span();
        let first_measured = f64::from(cal.warmup_days) * DAY;
        let duration = self.duration;
        let per_time = |x: f64| if duration > 0.0 { x / duration } else { 0.0 };
        let template = self.first.as_ref();
        let lanes: Vec<LaneSummary> = template
            .map(|t| {
                t.lanes
                    .iter()
                    .zip(&self.lanes)
                    .map(|(l, &(served, busy, open))| LaneSummary {
                        served,
                        utilisation: if open > 0.0 { busy / open } else { 0.0 },
                        busy_s: busy,
                        open_s: open,
                        ..l.clone()
                    })
                    .collect()
            })
            .unwrap_or_default();
        let queues: Vec<QueueSummary> = template
            .map(|t| {
                t.queues
                    .iter()
                    .zip(&self.queues)
                    .map(
                        |(q, &(customers, wait_sum, length, longest, reneged))| QueueSummary {
                            mean_length: per_time(length),
                            max_length: longest,
                            customers,
                            reneged,
                            mean_wait_s: if customers > 0 {
                                wait_sum / f64::from(customers)
                            } else {
                                0.0
                            },
                            ..q.clone()
                        },
                    )
                    .collect()
            })
            .unwrap_or_default();
        let last_day = f64::from(cal.days - 1) * DAY;
        let day_clock = |t: f64| {
            let d = (t / DAY).floor();
            format!("day {} {}", d as u32 + 1, format_clock(t - d * DAY))
        };
        let end = if last_exit.is_finite() {
            last_exit
        } else {
            last_day + close
        };
        Summary {
            scenario: scenario.name.clone(),
            seed,
            open: format_clock(open),
            close: format_clock(close),
            end: day_clock(end),
            store_emptied: day_clock(end),
            measured_from: day_clock(first_measured + open + scenario.metrics.warmup),
            duration_s: duration,
            customers: self.customers,
            waiting: metrics::WaitStats {
                stats: waits.stats(),
                share_long: waits.share_above(),
                long_wait_s: scenario.metrics.long_wait,
            },
            time_in_store: times.stats(),
            mean_in_store: per_time(self.in_store),
            sales: self.sales,
            lanes,
            queues,
            stock: metrics::StockSummary {
                refills: self.refills,
                units_refilled: self.units_refilled,
                shelf_units_initial: template.map_or(0, |s| s.stock.shelf_units_initial),
                shelf_units_end: self.last_stock.as_ref().map_or(0, |s| s.shelf_units_end),
                backroom_units_initial: template.map_or(0, |s| s.stock.backroom_units_initial),
                backroom_units_end: self.last_stock.as_ref().map_or(0, |s| s.backroom_units_end),
            },
            events,
            inventory: None,
            queue_behaviour: self.gave_up,
            attendants: self
                .attendance
                .map(|a| crate::sim::attendance::AttendanceSummary::of(a, duration)),
            lane_policy: self.lane_policy,
            segments: self.segments,
            digital: self.digital.map(crate::sim::segments::DigitalSummary::of),
            rota: self.rota,
        }
    }
}
