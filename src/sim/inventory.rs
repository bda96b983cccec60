//! Inventory: the one ledger of stock. Every change of a product's stock goes through it — a
//! customer taking units, a restocker carrying units from the backroom and putting them on the
//! shelf — so physical stock and the stock the store's system believes it has (the *record*)
//! are kept apart in one place and every flow is counted once.
//!
//! Models, per product: units on the shelf (with the shelf's capacity), in the backroom, carried
//! by staff between the two, and misplaced (neither shoppers nor restockers find them); and the
//! record, which scanned sales lower and booked deliveries raise. Customers, restockers and
//! deliveries change stock only through [`Inventory`]'s methods, which keep the books: sold,
//! lost sales (wanted but the shelf was empty), refilled, delivered, shrunk, misplaced, times
//! the shelf ran empty and for how long.
//!
//! What makes the record drift (`stock_errors`, each a probability per unit): shrinkage
//! (units vanish from the shelf at closing, per unit sold that day, without a record change),
//! misplacement (per unit a restocker puts on a shelf), scanning errors (a unit sold is
//! booked as another product, chosen uniformly), delivery errors (a delivery brings one case
//! more or less than booked).
//!
//! Ordering (`ordering`) acts on the inventory position: the record plus units on order.
//! Continuous-review policies ((s, Q), (s, S)) are checked whenever a product's record falls;
//! periodic review (R, S) at closing every R days. An order placed on day d arrives on day d +
//! lead time at the delivery time (at opening when that is earlier), when the store is open;
//! receiving is instant or, with `receive_seconds_per_case`, staff work
//! ([`crate::sim::receiving`]). Nothing here special-cases phantom stock: when the
//! record says units are there that are not, a record-driven policy simply orders nothing.
//!
//! Units: units of stock, days (lead times, reviews), seconds (empty-shelf time), currency.

use bevy::prelude::*;
use rand::RngExt;
use rand_distr::{Binomial, Distribution as _};

use crate::RunConfig;
use crate::ids::{Id, IdVec, ProductId};
use crate::scenario::{CountMethod, Policy, Scenario, StockErrors};
use crate::sim::arrivals::ArrivalProcess;
use crate::sim::catalog::Catalog;
use crate::sim::event_log::{Describe, EventLog, LogRow};
use crate::sim::events::{Agenda, AgendaMut};
use crate::sim::random::{self, SimRng};
use crate::sim::shopping::StockLow;

/// Where a product's units are, and what the system records.
#[derive(Clone, Debug, PartialEq)]
pub struct Stock {
    /// On the shelf, where customers find them.
    pub shelf: u32,
    /// Most units the shelf holds.
    pub capacity: u32,
    /// In the backroom, where restockers find them.
    pub backroom: u32,
    /// Carried by staff from the backroom to the shelf.
    pub carried: u32,
    /// In the store but found by nobody.
    pub misplaced: u32,
    /// Delivered to the backroom door, not yet received (not on the record yet).
    pub at_door: u32,
    /// In baskets abandoned at the checkout, waiting for staff to take them back.
    pub returns: u32,
    /// What the store's system believes it holds (shelf, backroom and carried together). It
    /// can fall below zero, as real records do when more is scanned than was booked.
    pub record: i64,
}

impl Stock {
    /// Units staff and shoppers can find: shelf, backroom, carried and in abandoned baskets.
    /// The record is right when it equals this.
    pub fn findable(&self) -> u64 {
        u64::from(self.shelf)
            + u64::from(self.backroom)
            + u64::from(self.carried)
            + u64::from(self.returns)
    }

    /// Every unit physically in the store.
    pub fn physical(&self) -> u64 {
        u64::from(self.shelf)
            + u64::from(self.backroom)
            + u64::from(self.carried)
            + u64::from(self.misplaced)
            + u64::from(self.at_door)
            + u64::from(self.returns)
    }
}

/// A product's flows since the start of the run.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Flows {
    pub initial_shelf: u64,
    pub initial_backroom: u64,
    /// Units customers took from the shelf and did not abandon.
    pub sold: u64,
    /// Units left in abandoned baskets at the checkout, and of those, units staff took back
    /// to the backroom.
    pub abandoned: u64,
    pub returned: u64,
    /// Units customers wanted but found no more on the shelf: lost sales.
    pub lost: u64,
    /// Units put on the shelf from the backroom.
    pub refilled: u64,
    /// Times the shelf ran empty.
    pub stockouts: u64,
    /// Seconds the shelf was empty, closed intervals only (see [`Inventory::empty_seconds_at`]).
    pub empty_seconds: f64,
    /// Since when the shelf is empty, if it is.
    pub empty_since: Option<f64>,
    /// Orders placed, and units ordered (booked).
    pub orders: u64,
    /// Orders cut (or dropped) because the backroom was full.
    pub orders_cut: u64,
    pub ordered: u64,
    /// Units delivered into the backroom (what really came) and booked on the record.
    pub delivered: u64,
    pub booked: u64,
    /// Units that vanished (shrinkage) without a record change.
    pub shrunk: u64,
    /// Units put where nobody finds them.
    pub misplaced: u64,
    /// Units sold but booked as another product, and units booked wrongly onto this one.
    pub scanned_as_other: u64,
    pub scanned_instead: u64,
    /// Counts of this product, and the net change they made to the record.
    pub counts: u64,
    pub corrected: i64,
    /// Misplaced units a count found (and put back in the backroom).
    pub found: u64,
}

/// What a customer got at a shelf.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Taken {
    pub taken: u32,
    pub lost: u32,
    /// Units left on the shelf.
    pub left: u32,
}

/// The stock ledger of the store.
#[derive(Resource, Clone, Debug)]
pub struct Inventory {
    stock: IdVec<ProductId, Stock>,
    flows: IdVec<ProductId, Flows>,
    /// Sum of `lost` and number of empty shelves, kept as they change so that a time-series
    /// sample does not walk every product.
    lost_total: u64,
    empty_now: u64,
    rules: Rules,
    /// Orders not yet delivered, in the order they were placed.
    orders: Vec<Order>,
    /// Units on order per product (until received).
    on_order: IdVec<ProductId, u64>,
    /// Deliveries at the backroom door, not yet received: product, units booked, units come.
    arrived: Vec<(ProductId, u32, u32)>,
    /// The day (0-based) and its random stream for errors.
    day: u32,
    rng: SimRng,
    binomials: Binomials,
    /// Each product's flows and stock when the day opened: a day's figures are differences.
    day_base: IdVec<ProductId, DayBase>,
    /// The next product a cycle count starts with (counts go round the catalogue).
    count_cursor: usize,
    /// The last day closed (periodic reviews) and the last count day: a review or count due on
    /// a closed day is done on the next open day.
    last_closing: Option<u32>,
    last_count: Option<u32>,
    /// Units booked as sold today, per product (what a forecast sees).
    booked_sales_today: IdVec<ProductId, u64>,
    /// Open days in a row each product sold nothing (on the record).
    idle_days: IdVec<ProductId, u32>,
    /// Per product: forecast of daily recorded sales and its smoothed mean absolute deviation.
    forecast: IdVec<ProductId, (f64, f64)>,
}

/// What a day's figures are counted from.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DayBase {
    pub lost: u64,
    pub stockouts: u64,
    pub empty_seconds: f64,
    pub refilled: u64,
    pub shelf: u32,
    pub backroom: u32,
}

/// An order placed with a supplier.
#[derive(Clone, Debug, PartialEq)]
pub struct Order {
    pub product: ProductId,
    pub units: u32,
    /// The day it arrives (0-based).
    pub due_day: u32,
}

/// A policy with its levels in units.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Rule {
    None,
    /// Continuous review: at or below `s`, order `q` (as often as needed to rise above `s`).
    FixedQuantity {
        s: i64,
        q: u32,
    },
    /// Continuous review: at or below `s`, order up to `max`.
    UpTo {
        s: i64,
        max: i64,
    },
    /// Periodic review at closing every `every_days` days: order up to `up_to`.
    Periodic {
        every_days: u32,
        up_to: i64,
    },
    /// Computer-assisted ordering at closing every `every_days` days (see
    /// [`Policy::Forecast`]): smoothing weight and the service level's normal quantile.
    Forecast {
        alpha: f64,
        z: f64,
        every_days: u32,
    },
}

/// What drives the record and the orders, from the scenario.
#[derive(Clone, Debug, Default)]
pub struct Rules {
    pub errors: StockErrors,
    pub rules: IdVec<ProductId, Rule>,
    pub lead_time_days: u32,
    pub lead_time_spread_days: u32,
    pub delivery_time: f64,
    pub case_pack: u32,
    pub backroom_capacity: Option<u64>,
}

impl Rules {
    /// The scenario's policies in units; `DaysOfCover` from each product's expected daily
    /// demand (arrivals × mean basket × popularity share).
    pub fn of(scenario: &Scenario) -> Rules {
        let n = scenario.products.len();
        let Some(o) = &scenario.ordering else {
            return Rules {
                errors: scenario.stock_errors.clone(),
                rules: vec![Rule::None; n].into(),
                lead_time_days: 1,
                lead_time_spread_days: 0,
                delivery_time: 0.0,
                case_pack: 1,
                backroom_capacity: None,
            };
        };
        let daily = expected_daily_demand(scenario);
        let rules = scenario
            .products
            .iter()
            .zip(&daily)
            .map(|(p, &d)| rule_of(o.products.get(&p.id).unwrap_or(&o.policy), d))
            .collect();
        Rules {
            errors: scenario.stock_errors.clone(),
            rules,
            lead_time_days: o.lead_time_days,
            lead_time_spread_days: o.lead_time_spread_days,
            delivery_time: o.delivery_time.seconds(),
            case_pack: o.case_pack,
            backroom_capacity: o.backroom_capacity,
        }
    }
}

fn rule_of(p: &Policy, daily_demand: f64) -> Rule {
    match *p {
        Policy::None => Rule::None,
        Policy::ReorderPoint { s, q } => Rule::FixedQuantity { s: i64::from(s), q },
        Policy::MinMax { s, max } => Rule::UpTo {
            s: i64::from(s),
            max: i64::from(max),
        },
        Policy::Periodic { every_days, up_to } => Rule::Periodic {
            every_days,
            up_to: i64::from(up_to),
        },
        Policy::Forecast {
            alpha,
            service_level,
            every_days,
        } => Rule::Forecast {
            alpha,
            z: statrs::distribution::ContinuousCDF::inverse_cdf(
                &statrs::distribution::Normal::standard(),
                service_level,
            ),
            every_days,
        },
        Policy::DaysOfCover { s_days, max_days } => {
            let s = (s_days * daily_demand).ceil() as i64;
            Rule::UpTo {
                s,
                max: ((max_days * daily_demand).ceil() as i64).max(s + 1),
            }
        }
    }
}

/// Each product's expected units sold per day if nothing runs out.
pub fn expected_daily_demand(scenario: &Scenario) -> Vec<f64> {
    let customers = ArrivalProcess::new(scenario, 0).expected_total();
    // Segments with baskets of their own buy by their shares.
    let basket = crate::scenario::mean_basket(scenario);
    let total: f64 = scenario.products.iter().map(|p| p.popularity).sum();
    scenario
        .products
        .iter()
        .map(|p| customers * basket * p.popularity / total)
        .collect()
}

impl Inventory {
    /// The stock at opening: shelves and backroom as the scenario says, the record equal to it.
    pub fn new(stock: IdVec<ProductId, Stock>, open: f64, rules: Rules, seed: u64) -> Self {
        let flows: IdVec<ProductId, Flows> = stock
            .iter()
            .map(|s| Flows {
                initial_shelf: u64::from(s.shelf),
                initial_backroom: u64::from(s.backroom),
                empty_since: (s.shelf == 0).then_some(open),
                ..Flows::default()
            })
            .collect();
        let empty_now = flows.iter().filter(|f| f.empty_since.is_some()).count() as u64;
        let n = stock.len();
        let mut inv = Inventory {
            stock,
            flows,
            lost_total: 0,
            empty_now,
            rules,
            orders: Vec::new(),
            on_order: vec![0; n].into(),
            arrived: Vec::new(),
            day: 0,
            rng: random::stream(seed, random::INVENTORY),
            binomials: Binomials::default(),
            day_base: IdVec::new(),
            count_cursor: 0,
            last_closing: None,
            last_count: None,
            booked_sales_today: vec![0; n].into(),
            idle_days: vec![0; n].into(),
            forecast: IdVec::new(),
        };
        inv.set_day_base();
        inv
    }

    fn set_day_base(&mut self) {
        self.day_base = self
            .flows
            .iter()
            .zip(self.stock.iter())
            .map(|(f, s)| DayBase {
                lost: f.lost,
                stockouts: f.stockouts,
                empty_seconds: f.empty_seconds,
                refilled: f.refilled,
                shelf: s.shelf,
                backroom: s.backroom,
            })
            .collect();
    }

    /// Each product's flows and stock at today's opening.
    pub fn day_base(&self, p: ProductId) -> &DayBase {
        &self.day_base[p]
    }

    /// The next day begins at `open` (a new world carries this ledger over): a new random
    /// stream for the day, and shelves still empty are empty from opening.
    pub fn start_day(&mut self, day: u32, open: f64, seed: u64) {
        self.day = day;
        self.rng = random::stream(seed, random::INVENTORY);
        // Work cut off at the end of the day before (staff do not carry over): units on their
        // way to a shelf are back in the backroom.
        // So are abandoned baskets nobody took back: the closing staff clear the checkout.
        for (s, f) in self.stock.iter_mut().zip(self.flows.iter_mut()) {
            s.backroom += s.carried + s.returns;
            f.returned += u64::from(s.returns);
            s.carried = 0;
            s.returns = 0;
        }
        // Continuous review also at opening: a product that starts with nothing sells
        // nothing, so no sale would ever review it.
        for p in (0..self.stock.len()).map(ProductId::from_index) {
            self.review(p, open);
        }
        for (s, f) in self.stock.iter().zip(self.flows.iter_mut()) {
            if s.shelf == 0 {
                f.empty_since = Some(open);
            }
        }
        self.empty_now = self
            .flows
            .iter()
            .filter(|f| f.empty_since.is_some())
            .count() as u64;
        self.lost_total = 0;
        self.booked_sales_today.iter_mut().for_each(|b| *b = 0);
        self.set_day_base();
    }

    /// The day's doors are shut and the last customer left at `end`: empty spells end there
    /// (the night is not counted), shrinkage takes its units (`sold_today` per product), and
    /// periodic reviews order.
    pub fn end_day(&mut self, end: f64, sold_today: &IdVec<ProductId, u64>) {
        for f in self.flows.iter_mut() {
            if let Some(since) = f.empty_since.take() {
                f.empty_seconds += (end - since).max(0.0);
            }
        }
        self.empty_now = 0;
        let p_shrink = self.rules.errors.shrink_per_unit_sold;
        if p_shrink > 0.0 {
            for (i, &sold) in sold_today.iter_enumerated() {
                let lost = self.binomials.draw(&mut self.rng, sold, p_shrink);
                self.shrink(i, lost);
            }
        }
        for (idle, &sold) in self
            .idle_days
            .iter_mut()
            .zip(self.booked_sales_today.iter())
        {
            *idle = if sold == 0 { *idle + 1 } else { 0 };
        }
        let (day, last) = (self.day, self.last_closing);
        // A review day since the last closing (one that fell on a closed day comes now).
        let due = |every: u32| {
            let every = every.max(1);
            last.is_none_or(|l| day / every > l / every)
        };
        self.last_closing = Some(day);
        for i in (0..self.stock.len()).map(ProductId::from_index) {
            match self.rules.rules[i] {
                Rule::Periodic { every_days, up_to } if due(every_days) => {
                    let position = self.position(i);
                    if position < up_to {
                        self.place(i, (up_to - position) as u64, true);
                    }
                }
                Rule::Forecast {
                    alpha,
                    z,
                    every_days,
                } => {
                    // Smooth today's recorded sales into the forecast (every open day).
                    let sales = self.booked_sales_today[i] as f64;
                    let (f, mad) = self.forecast.get(i).copied().unwrap_or((sales, 0.0));
                    let mad = alpha * (sales - f).abs() + (1.0 - alpha) * mad;
                    let f = alpha * sales + (1.0 - alpha) * f;
                    if i.index() < self.forecast.len() {
                        self.forecast[i] = (f, mad);
                    }
                    if due(every_days) {
                        // Cover the days until the order after next arrives.
                        let days = f64::from(self.rules.lead_time_days.max(1) + every_days - 1);
                        let up_to = (f * days + z * 1.25 * mad * days.sqrt()).ceil() as i64;
                        let position = self.position(i);
                        if position < up_to {
                            self.place(i, (up_to - position) as u64, true);
                        }
                    }
                }
                _ => {}
            }
        }
    }

    /// The forecast of daily recorded sales of `p` and its mean absolute deviation.
    pub fn forecast(&self, p: ProductId) -> Option<(f64, f64)> {
        self.forecast.get(p).copied()
    }

    /// `units` vanish without a record change: from the shelf first, then the backroom.
    fn shrink(&mut self, p: ProductId, units: u64) {
        let s = &mut self.stock[p];
        let from_shelf = units.min(u64::from(s.shelf)) as u32;
        s.shelf -= from_shelf;
        let from_backroom = (units - u64::from(from_shelf)).min(u64::from(s.backroom)) as u32;
        s.backroom -= from_backroom;
        self.flows[p].shrunk += u64::from(from_shelf + from_backroom);
    }

    /// Whether a count is due today, counts every `every` days from day 1: a count day that
    /// fell on a closed day is done on the next open day. Marks it done.
    pub fn take_count_day(&mut self, every: u32) -> bool {
        let (day, every) = (self.day, every.max(1));
        let due = self.last_count.is_none_or(|l| day / every > l / every);
        if due {
            self.last_count = Some(day);
        }
        due
    }

    /// Products whose record shows stock but which sold nothing for `days` open days: what a
    /// phantom-stock check counts.
    pub fn idle_with_stock(&self, days: u32) -> Vec<ProductId> {
        (0..self.stock.len())
            .map(ProductId::from_index)
            .filter(|&p| self.stock[p].record > 0 && self.idle_days[p] >= days)
            .collect()
    }

    /// The products to count today: `n` of them from where the last count stopped, round
    /// the catalogue (all when `n` is absent or covers them all).
    pub fn next_to_count(&mut self, n: Option<u32>) -> Vec<ProductId> {
        let total = self.stock.len();
        let n = n.map_or(total, |n| (n as usize).min(total));
        let start = self.count_cursor;
        self.count_cursor = (start + n) % total.max(1);
        (0..n)
            .map(|k| ProductId::from_index((start + k) % total))
            .collect()
    }

    /// Units a count of `p` goes through (what it takes time for): shelf, backroom, carried
    /// and abandoned baskets, and misplaced units when the method finds them.
    pub fn units_to_count(&self, p: ProductId, method: &CountMethod) -> u32 {
        let s = &self.stock[p];
        let found = match method {
            CountMethod::Manual { .. } => 0,
            CountMethod::Rfid { .. } | CountMethod::RfidReaders { .. } => s.misplaced,
        };
        s.shelf + s.backroom + s.carried + s.returns + found
    }

    /// Counts `p` now and sets the record to the count. Manual: each unit missed or counted
    /// twice with probability `error / 2`; misplaced units are not seen. RFID: each unit
    /// (misplaced ones too) read with probability `tagged × read_rate`; misplaced units read
    /// go back to the backroom. Returns the record before and after.
    pub fn count(&mut self, p: ProductId, method: &CountMethod, now: f64) -> (i64, i64) {
        let s = &self.stock[p];
        // What staff can find: abandoned baskets waiting at a lane are counted too.
        let there = s.findable();
        let counted = match *method {
            CountMethod::Manual { error_per_item, .. } => {
                let missed = self
                    .binomials
                    .draw(&mut self.rng, there, error_per_item / 2.0);
                let twice = self
                    .binomials
                    .draw(&mut self.rng, there, error_per_item / 2.0);
                there - missed + twice
            }
            CountMethod::Rfid {
                tagged, read_rate, ..
            }
            | CountMethod::RfidReaders {
                tagged, read_rate, ..
            } => {
                let p_read = tagged * read_rate;
                let found = self
                    .binomials
                    .draw(&mut self.rng, u64::from(s.misplaced), p_read)
                    as u32;
                let read = self.binomials.draw(&mut self.rng, there, p_read);
                let s = &mut self.stock[p];
                s.misplaced -= found;
                s.backroom += found;
                self.flows[p].found += u64::from(found);
                read + u64::from(found)
            }
        };
        let s = &mut self.stock[p];
        let before = s.record;
        s.record = counted as i64;
        // Counted: its idle spell no longer calls for a check.
        self.idle_days[p] = 0;
        let f = &mut self.flows[p];
        f.counts += 1;
        f.corrected += s.record - before;
        let after = s.record;
        // A record corrected downwards may now call for an order.
        self.review(p, now);
        (before, after)
    }

    /// Record plus units on order.
    pub fn position(&self, p: ProductId) -> i64 {
        self.stock[p].record + self.on_order[p] as i64
    }

    /// Units on order for `p`.
    pub fn on_order(&self, p: ProductId) -> u64 {
        self.on_order[p]
    }

    /// The orders not yet delivered.
    pub fn open_orders(&self) -> &[Order] {
        &self.orders
    }

    /// A continuous-review policy looks at `p`'s position after its record fell at `now`.
    fn review(&mut self, p: ProductId, now: f64) {
        let after_delivery = now >= self.rules.delivery_time;
        match self.rules.rules[p] {
            Rule::FixedQuantity { s, q } => {
                let q = i64::from(q.max(1));
                let position = self.position(p);
                if position <= s {
                    // Enough batches of q to rise above s.
                    let batches = (s - position) / q + 1;
                    self.place(p, (batches * q) as u64, after_delivery);
                }
            }
            Rule::UpTo { s, max } => {
                let position = self.position(p);
                if position <= s {
                    self.place(p, (max - position) as u64, after_delivery);
                }
            }
            Rule::None | Rule::Periodic { .. } | Rule::Forecast { .. } => {}
        }
    }

    /// Orders `units` of `p`, rounded up to whole cases; `late`: placed after today's
    /// delivery time, so a lead time of 0 means tomorrow.
    fn place(&mut self, p: ProductId, units: u64, late: bool) {
        let pack = u64::from(self.rules.case_pack.max(1));
        let mut units = units.div_ceil(pack) * pack;
        if let Some(cap) = self.rules.backroom_capacity {
            let taken: u64 = self
                .stock
                .iter()
                .map(|s| u64::from(s.backroom) + u64::from(s.at_door))
                .sum::<u64>()
                + self.on_order.iter().sum::<u64>();
            let fits = cap.saturating_sub(taken) / pack * pack;
            if fits < units {
                self.flows[p].orders_cut += 1;
                units = fits;
            }
        }
        if units == 0 {
            return;
        }
        let units = u32::try_from(units).unwrap_or(u32::MAX);
        let mut lead =
            self.rules.lead_time_days + u32::from(late && self.rules.lead_time_days == 0);
        if self.rules.lead_time_spread_days > 0 {
            lead += self.rng.random_range(0..=self.rules.lead_time_spread_days);
        }
        self.orders.push(Order {
            product: p,
            units,
            due_day: self.day + lead,
        });
        self.on_order[p] += u64::from(units);
        self.flows[p].orders += 1;
        self.flows[p].ordered += u64::from(units);
    }

    /// Every order due by today arrives at the backroom door: one case more or less than
    /// booked with the delivery error's probability. Returns the products that came, in order
    /// (each once).
    pub fn arrive_due(&mut self) -> Vec<ProductId> {
        let day = self.day;
        let (due, later): (Vec<Order>, Vec<Order>) =
            self.orders.drain(..).partition(|o| o.due_day <= day);
        self.orders = later;
        let p_err = self.rules.errors.delivery_error_per_delivery;
        let pack = self.rules.case_pack.max(1);
        let mut products = Vec::new();
        for o in due {
            let mut came = o.units;
            if p_err > 0.0 && self.rng.random::<f64>() < p_err {
                came = if self.rng.random::<bool>() {
                    came.saturating_add(pack)
                } else {
                    came.saturating_sub(pack)
                };
            }
            self.stock[o.product].at_door = self.stock[o.product].at_door.saturating_add(came);
            self.flows[o.product].delivered += u64::from(came);
            self.arrived.push((o.product, o.units, came));
            if !products.contains(&o.product) {
                products.push(o.product);
            }
        }
        products
    }

    /// Cases of `p` waiting at the door.
    pub fn cases_at_door(&self, p: ProductId) -> u32 {
        self.stock[p].at_door.div_ceil(self.rules.case_pack.max(1))
    }

    /// Receives everything of `p` at the door: into the backroom, and onto the record as
    /// booked (what the delivery note says). Returns (units booked, units come).
    pub fn receive(&mut self, p: ProductId) -> (u32, u32) {
        let (mut booked, mut came) = (0u32, 0u32);
        self.arrived.retain(|&(q, b, c)| {
            if q == p {
                booked += b;
                came += c;
            }
            q != p
        });
        let (s, f) = (&mut self.stock[p], &mut self.flows[p]);
        s.at_door -= came;
        s.backroom = s.backroom.saturating_add(came);
        s.record += i64::from(booked);
        f.booked += u64::from(booked);
        self.on_order[p] -= u64::from(booked);
        (booked, came)
    }

    pub fn stock(&self, p: ProductId) -> &Stock {
        &self.stock[p]
    }

    pub fn flows(&self, p: ProductId) -> &Flows {
        &self.flows[p]
    }

    /// Every product's stock, in catalogue order.
    pub fn all_stock(&self) -> impl Iterator<Item = &Stock> {
        self.stock.iter()
    }

    /// Every product's flows, in catalogue order.
    pub fn all_flows(&self) -> impl Iterator<Item = &Flows> {
        self.flows.iter()
    }

    /// Lost sales today so far, all products.
    pub fn lost_total(&self) -> u64 {
        self.lost_total
    }

    /// Products whose shelf is empty now.
    pub fn empty_now(&self) -> u64 {
        self.empty_now
    }

    /// A customer wants `wanted` units at `now`: takes what the shelf holds, the rest is lost.
    /// Units taken are scanned later at the till; the record falls now (a basket is never
    /// abandoned today).
    pub fn take(&mut self, p: ProductId, wanted: u32, now: f64) -> Taken {
        let s = &mut self.stock[p];
        let f = &mut self.flows[p];
        let taken = wanted.min(s.shelf);
        let lost = wanted - taken;
        s.shelf -= taken;
        f.sold += u64::from(taken);
        f.lost += u64::from(lost);
        self.lost_total += u64::from(lost);
        if taken > 0 && s.shelf == 0 {
            f.stockouts += 1;
            if f.empty_since.replace(now).is_none() {
                self.empty_now += 1;
            }
        }
        let left = s.shelf;
        // Scanning errors: some units are booked as another product.
        let p_scan = self.rules.errors.scan_error_per_unit;
        let wrong = if p_scan > 0.0 {
            self.binomials.draw(&mut self.rng, u64::from(taken), p_scan) as u32
        } else {
            0
        };
        self.stock[p].record -= i64::from(taken - wrong);
        self.booked_sales_today[p] += u64::from(taken - wrong);
        self.flows[p].scanned_as_other += u64::from(wrong);
        if taken > wrong {
            self.review(p, now);
        }
        for _ in 0..wrong {
            let n = self.stock.len();
            // Uniformly among the other products.
            let k = self.rng.random_range(0..n - 1);
            let other = ProductId::from_index(if k >= p.index() { k + 1 } else { k });
            self.stock[other].record -= 1;
            self.booked_sales_today[other] += 1;
            self.flows[other].scanned_instead += 1;
            self.review(other, now);
        }
        Taken { taken, lost, left }
    }

    /// A customer leaves `units` of product `p` it took in an abandoned basket at the
    /// checkout. They were never scanned: the record gets back what the take booked off,
    /// and the units wait for staff ([`Inventory::return_to_backroom`]). A scanning error
    /// drawn for them when they were taken stays on the records (the model books a unit
    /// when it is taken).
    pub fn abandon(&mut self, p: ProductId, units: u32) {
        let (s, f) = (&mut self.stock[p], &mut self.flows[p]);
        s.returns += units;
        s.record += i64::from(units);
        f.sold -= u64::from(units);
        f.abandoned += u64::from(units);
        let b = &mut self.booked_sales_today[p];
        *b = b.saturating_sub(u64::from(units));
    }

    /// A customer leaves the store with `units` of product `p` it took but did not pay for
    /// (an item scan & go did not scan, or a cashierless gate missed). Physically gone, never
    /// booked off: shrink, and the record gets back what the take booked off.
    pub fn leave_unpaid(&mut self, p: ProductId, units: u32) {
        let (s, f) = (&mut self.stock[p], &mut self.flows[p]);
        s.record += i64::from(units);
        f.sold -= u64::from(units);
        f.shrunk += u64::from(units);
        let b = &mut self.booked_sales_today[p];
        *b = b.saturating_sub(u64::from(units));
    }

    /// Staff bring `units` of product `p` from an abandoned basket to the backroom, whence
    /// refills take them to the shelf.
    pub fn return_to_backroom(&mut self, p: ProductId, units: u32) {
        let (s, f) = (&mut self.stock[p], &mut self.flows[p]);
        debug_assert!(units <= s.returns, "returns more than was left");
        let units = units.min(s.returns);
        s.returns -= units;
        s.backroom += units;
        f.returned += u64::from(units);
    }

    /// A restocker takes from the backroom what fills the shelf's gap, as far as the
    /// backroom holds it; returns the units it carries.
    pub fn pick_for_refill(&mut self, p: ProductId) -> u32 {
        let s = &mut self.stock[p];
        // Units already carried to this shelf fill part of its gap.
        let gap = s.capacity.saturating_sub(s.shelf + s.carried);
        let units = gap.min(s.backroom);
        s.backroom -= units;
        s.carried += units;
        units
    }

    /// A restocker called away leaves the `units` it carried for a refill: they go back to
    /// the backroom stock (the next refill fetches them).
    pub fn unpick(&mut self, p: ProductId, units: u32) {
        let s = &mut self.stock[p];
        debug_assert!(units <= s.carried, "puts back more than it carried");
        let units = units.min(s.carried);
        s.carried -= units;
        s.backroom += units;
    }

    /// A restocker puts `units` it carried on the shelf at `now`.
    pub fn put_on_shelf(&mut self, p: ProductId, units: u32, now: f64) {
        let s = &mut self.stock[p];
        let f = &mut self.flows[p];
        debug_assert!(units <= s.carried, "puts more than it carried");
        s.carried -= units;
        let p_mis = self.rules.errors.misplaced_per_unit_refilled;
        let lost = if p_mis > 0.0 {
            self.binomials.draw(&mut self.rng, u64::from(units), p_mis) as u32
        } else {
            0
        };
        s.misplaced += lost;
        f.misplaced += u64::from(lost);
        let units = units - lost;
        // Customers only took stock since the units were picked, so they always fit.
        s.shelf += units;
        debug_assert!(s.shelf <= s.capacity);
        f.refilled += u64::from(units);
        if units > 0
            && let Some(since) = f.empty_since.take()
        {
            f.empty_seconds += now - since;
            self.empty_now -= 1;
        }
    }

    /// Seconds each product's shelf was empty today up to `now` (open intervals end at
    /// `now`).
    pub fn empty_seconds_at(&self, now: f64) -> IdVec<ProductId, f64> {
        self.flows
            .iter()
            .zip(self.day_base.iter())
            .map(|(f, b)| {
                f.empty_seconds - b.empty_seconds
                    + f.empty_since.map_or(0.0, |t| (now - t).max(0.0))
            })
            .collect()
    }

    /// Lost sales today up to `now`.
    pub fn lost_sales(&self, catalog: &Catalog, now: f64) -> LostSales {
        let base = || self.flows.iter().zip(self.day_base.iter());
        LostSales {
            items: self.lost_total,
            value: base()
                .zip(&catalog.products)
                .map(|((f, b), p)| (f.lost - b.lost) as f64 * p.price)
                .sum(),
            stockouts: base().map(|(f, b)| f.stockouts - b.stockouts).sum(),
            empty_seconds: self.empty_seconds_at(now).iter().sum(),
        }
    }

    /// Checks the books of product `p`: what came in equals what went out plus what is
    /// there, and the record equals the units the system saw come and go. `Err` names the
    /// first difference (a bug, never input).
    pub fn check(&self, p: ProductId) -> Result<(), String> {
        let (s, f) = (&self.stock[p], &self.flows[p]);
        let came = f.initial_shelf + f.initial_backroom + f.delivered;
        let went = f.sold + f.shrunk + s.physical();
        if came != went {
            return Err(format!(
                "product {p:?}: initial + delivered = {came} units but sold + shrunk + on hand = {went}"
            ));
        }
        let booked = (f.initial_shelf + f.initial_backroom + f.booked) as i64 - f.sold as i64
            + f.scanned_as_other as i64
            - f.scanned_instead as i64
            + f.corrected;
        if s.record != booked {
            return Err(format!(
                "product {p:?}: record {} but bookings say {booked}",
                s.record
            ));
        }
        Ok(())
    }
}

/// Sales lost to empty shelves, up to a time.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LostSales {
    /// Items wanted but found on an empty shelf, and their value.
    pub items: u64,
    pub value: f64,
    /// Times a product's shelf ran empty.
    pub stockouts: u64,
    /// Product-seconds with an empty shelf.
    pub empty_seconds: f64,
}

pub struct InventoryPlugin;

impl Plugin for InventoryPlugin {
    fn build(&self, app: &mut App) {
        let config = app.world().resource::<RunConfig>().clone();
        app.insert_resource(Inventory::of_scenario(&config.scenario, config.seed));
    }
}

impl Inventory {
    /// The stock at the first opening, as the scenario states it.
    pub fn of_scenario(scenario: &Scenario, seed: u64) -> Inventory {
        let (open, _) = scenario.hours.span();
        let stock = scenario
            .products
            .iter()
            .map(|p| {
                let shelf = p.shelf_stock.unwrap_or(p.capacity);
                Stock {
                    shelf,
                    capacity: p.capacity,
                    backroom: p.backroom_stock,
                    carried: 0,
                    misplaced: 0,
                    at_door: 0,
                    returns: 0,
                    record: i64::from(shelf) + i64::from(p.backroom_stock),
                }
            })
            .collect();
        let mut inv = Inventory::new(stock, open, Rules::of(scenario), seed);
        // Forecasts start from the expected demand, with a Poisson-like deviation.
        inv.forecast = expected_daily_demand(scenario)
            .into_iter()
            .map(|d| (d, 0.8 * d.sqrt()))
            .collect();
        inv
    }
}

/// Scheduled once a day when the scenario orders: the deliveries due by today arrive.
#[derive(Debug, Clone, Copy)]
pub struct DeliveriesDue;

impl Describe for DeliveriesDue {
    fn describe(&self, world: &World, row: &mut LogRow) {
        row.who = "supplier".into();
        row.place = "backroom".into();
        let inv = world.resource::<Inventory>();
        let n = inv.orders.iter().filter(|o| o.due_day <= inv.day).count();
        row.what = format!("{n} deliveries arrive");
    }
}

pub(crate) fn on_deliveries_due(
    _: In<DeliveriesDue>,
    mut inventory: ResMut<Inventory>,
    catalog: Res<Catalog>,
    config: Res<RunConfig>,
    mut agenda: AgendaMut,
    mut log: Option<ResMut<EventLog>>,
) {
    let mut products = inventory.arrive_due();
    // Deliveries not received by the end of an earlier day are still at the door.
    for p in (0..inventory.stock.len()).map(ProductId::from_index) {
        if inventory.stock[p].at_door > 0 && !products.contains(&p) {
            products.push(p);
        }
    }
    let timed = config
        .scenario
        .ordering
        .as_ref()
        .is_some_and(|o| o.receive_seconds_per_case > 0.0);
    if timed {
        // The restockers receive them (crate::sim::receiving).
        for &p in &products {
            agenda.emit(crate::sim::receiving::ReceiveDelivery { product: p });
        }
        return;
    }
    for &p in &products {
        let (booked, came) = inventory.receive(p);
        if let Some(log) = log.as_mut() {
            let name = &catalog.products[p].name;
            log.what(|| format!("{came} x {name} (booked {booked})"));
        }
        emit_if_low(
            &inventory,
            p,
            config.scenario.replenishment.threshold,
            &mut agenda,
        );
    }
}

/// Asks for a refill when `p`'s shelf is below the threshold (after a delivery).
pub(crate) fn emit_if_low(
    inventory: &Inventory,
    p: ProductId,
    threshold: f64,
    agenda: &mut Agenda,
) {
    let s = inventory.stock(p);
    if f64::from(s.shelf) < threshold * f64::from(s.capacity) {
        agenda.emit(StockLow { product: p });
    }
}

/// Draws of Binomial(n, p). Setting one up takes a power of 1 - p, and every pick of a
/// customer draws one (scanning errors), so the small ones are kept; a kept one draws exactly
/// as a new one would.
#[derive(Clone, Debug, Default)]
struct Binomials {
    /// For each probability (by its bits; a run uses a handful), the distributions of
    /// n = 1..=64 trials, built when first drawn: a look-up is a short scan and an index.
    small: Vec<(u64, [Option<Option<Binomial>>; 64])>,
}

impl Binomials {
    /// A draw of Binomial(n, p) (0 when n = 0).
    fn draw(&mut self, rng: &mut SimRng, n: u64, p: f64) -> u64 {
        if n == 0 || p <= 0.0 {
            return 0;
        }
        let make = || Binomial::new(n, p.min(1.0)).ok();
        let b = if n <= 64 {
            let bits = p.to_bits();
            let at = match self.small.iter().position(|(b, _)| *b == bits) {
                Some(at) => at,
                None => {
                    self.small.push((bits, [None; 64]));
                    self.small.len() - 1
                }
            };
            *self.small[at].1[n as usize - 1].get_or_insert_with(make)
        } else {
            make()
        };
        b.map_or(0, |b| b.sample(rng))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::Id;

    #[allow(non_snake_case)]
    fn P() -> ProductId {
        ProductId::from_index(0)
    }

    fn one(shelf: u32, capacity: u32, backroom: u32) -> Inventory {
        let stock = vec![Stock {
            shelf,
            capacity,
            backroom,
            carried: 0,
            misplaced: 0,
            at_door: 0,
            returns: 0,
            record: i64::from(shelf + backroom),
        }];
        let rules = Rules {
            rules: vec![Rule::None].into(),
            ..Rules::default()
        };
        Inventory::new(stock.into(), 0.0, rules, 1)
    }

    #[test]
    fn taking_more_than_the_shelf_holds_loses_the_rest_and_opens_an_empty_spell() {
        let mut inv = one(3, 10, 20);
        assert_eq!(
            inv.take(P(), 2, 10.0),
            Taken {
                taken: 2,
                lost: 0,
                left: 1
            }
        );
        assert_eq!(
            inv.take(P(), 4, 20.0),
            Taken {
                taken: 1,
                lost: 3,
                left: 0
            }
        );
        assert_eq!(inv.flows(P()).stockouts, 1);
        assert_eq!(inv.empty_now(), 1);
        assert_eq!(inv.lost_total(), 3);
        // Missing at an empty shelf is no new stock-out.
        inv.take(P(), 1, 25.0);
        assert_eq!(inv.flows(P()).stockouts, 1);
        assert_eq!(inv.empty_seconds_at(50.0)[P()], 30.0);
        assert_eq!(
            inv.stock(P()).record,
            20,
            "the record falls by units sold only"
        );
        inv.check(P()).unwrap();
    }

    #[test]
    fn a_refill_fills_the_gap_from_the_backroom_and_closes_the_empty_spell() {
        let mut inv = one(1, 10, 4);
        inv.take(P(), 1, 5.0);
        let units = inv.pick_for_refill(P());
        assert_eq!(units, 4, "the backroom limits it");
        assert_eq!(inv.stock(P()).carried, 4);
        // A second picker finds nothing left to fill (and no backroom).
        assert_eq!(inv.pick_for_refill(P()), 0);
        inv.check(P()).unwrap();
        inv.put_on_shelf(P(), units, 65.0);
        assert_eq!(inv.stock(P()).shelf, 4);
        assert_eq!(inv.flows(P()).empty_seconds, 60.0);
        assert_eq!(inv.empty_now(), 0);
        assert_eq!(inv.flows(P()).refilled, 4);
        inv.check(P()).unwrap();
    }

    #[test]
    fn the_check_finds_a_unit_that_vanished_or_a_record_that_moved() {
        let mut inv = one(5, 10, 5);
        inv.stock[P()].shelf -= 1;
        assert!(
            inv.check(P())
                .unwrap_err()
                .contains("sold + shrunk + on hand")
        );
        let mut inv = one(5, 10, 5);
        inv.stock[P()].record += 1;
        assert!(inv.check(P()).unwrap_err().contains("record"));
    }
}
