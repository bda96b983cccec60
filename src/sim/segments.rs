//! Customer segments and the digital ways to check out: scan & go and cashierless.
//!
//! Models: every customer belongs to one segment, drawn on arrival from its own stream
//! ([`Attr::Segment`]) by the segments' shares (in id order; a segment without a share takes
//! the rest). A segment has its checkout method and may bring its own walking speed, basket,
//! pick time and patience. Without `segments` there is one segment, and everyone uses the
//! tills and self-checkouts.
//!
//! - **Scan & go** (`scan_and_go`): the customer scans every item it picks with its phone
//!   (extra seconds per item) and fails to scan each with a probability. It pays at a
//!   payment point (a lane group of kind `PaymentPoint`, the payment part of a self-checkout
//!   transaction) or in the app, leaving through an exit gate. A share, drawn on arrival, is
//!   audited at an audit point (kind `Audit`): a member of staff rescans some items (or all)
//!   and finds each unscanned item with probability rescanned / basket; those are paid.
//! - **Cashierless** (`cashierless`): the customer checks in at the entrance (seconds) and
//!   walks out through an exit gate (kind `Gate`, one customer at a time); the system misses
//!   each item with a probability and charges each wrongly with another (a complaint).
//!
//! Items nobody paid for leave the store through the inventory ledger
//! ([`Inventory::leave_unpaid`]): shrink, with the record still counting them, as Beck (2018)
//! describes for scan & go losses. Everything a scan & go or cashierless customer draws
//! comes from its own stream ([`Attr::Digital`]): first the audit, then per item picked the
//! scanning time and whether it scanned it, at the gate per item whether it was missed or
//! charged wrongly.
//!
//! Units: seconds, items, currency; shares 0..1.

use bevy::prelude::*;
use serde::{Deserialize, Serialize};

use crate::RunConfig;
use crate::ids::{Id, IdVec, ProductId, SegmentId};
use crate::scenario::{
    Cashierless, CheckoutMethod, Distribution, ScanAndGo, ScanGoPayment, Scenario,
};
use crate::sim::catalog::Catalog;
use crate::sim::checkout::{DigitalStep, StepDone};
use crate::sim::customer::{Customer, CustomerRecord, Method, Step};
use crate::sim::engine::Clock;
use crate::sim::event_log::EventLog;
use crate::sim::events::AgendaMut;
use crate::sim::inventory::Inventory;
use crate::sim::random::{self, Attr, BasketSampler, SimRng};

/// A segment as the simulation uses it.
#[derive(Clone, Debug)]
pub struct SegmentInfo {
    /// Its id in `segments` (empty without segments).
    pub name: crate::ids::Name,
    pub method: CheckoutMethod,
    /// Upper end of its band of the segment uniform: a customer whose uniform is below it
    /// (and not below the previous segment's) belongs to it.
    pub upper: f64,
    pub walking_speed: Distribution,
    pub basket: BasketSampler,
    pub pick_time: Distribution,
}

/// The segments and the digital checkout rules, with what the digital customers did.
#[derive(Resource, Debug)]
pub struct Segments {
    pub list: IdVec<SegmentId, SegmentInfo>,
    pub scan_and_go: Option<ScanAndGo>,
    pub cashierless: Option<Cashierless>,
    /// Cashierless customers check in at entrance gates (a lane group of kind `EntryGate`)
    /// rather than as they walk in.
    pub entry_gates: bool,
    /// Counted for customers who arrived in the KPI window.
    pub stats: DigitalCounts,
    seed: u64,
}

/// A scan & go or cashierless customer's own stream and what it did not pay for.
#[derive(Clone, Debug)]
pub struct Digital {
    pub rng: SimRng,
    /// Units taken but not scanned (scan & go) or missed by the gate (cashierless), by
    /// product, not yet found.
    pub unpaid: Vec<(ProductId, u32)>,
    /// Units unscanned at any time (found by an audit or not).
    pub unscanned: u32,
    /// Items an audit of its basket rescans (set when it has finished shopping).
    pub rescan: u32,
    /// Cashierless: seconds to check in at the entrance (drawn on entering).
    pub check_in_s: f64,
}

impl Digital {
    fn unpaid_units(&self) -> u32 {
        self.unpaid.iter().map(|&(_, u)| u).sum()
    }
}

/// What scan & go and cashierless customers (of the KPI window) did.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DigitalCounts {
    /// Scan & go customers who paid, and of them those audited.
    pub scan_go_customers: u64,
    pub audited: u64,
    /// Items scan & go customers did not scan, and of those the ones audits found.
    pub unscanned_items: u64,
    pub found_items: u64,
    /// Value scan & go customers paid.
    pub scan_go_value: f64,
    /// Cashierless customers who left through a gate.
    pub cashierless_customers: u64,
    /// Items the gates missed, and items charged wrongly.
    pub missed_items: u64,
    pub wrong_charges: u64,
    /// Cashierless customers charged wrongly at least once: they complain.
    pub complaints: u64,
    /// Value cashierless customers paid.
    pub cashierless_value: f64,
    /// Items that left the store unpaid (scan & go and cashierless), and their value.
    pub shrink_items: u64,
    pub shrink_value: f64,
    pub scan_go_shrink_value: f64,
}

impl DigitalCounts {
    /// Adds another day's counts (runs over days).
    pub fn add(&mut self, o: &DigitalCounts) {
        self.scan_go_customers += o.scan_go_customers;
        self.audited += o.audited;
        self.unscanned_items += o.unscanned_items;
        self.found_items += o.found_items;
        self.scan_go_value += o.scan_go_value;
        self.cashierless_customers += o.cashierless_customers;
        self.missed_items += o.missed_items;
        self.wrong_charges += o.wrong_charges;
        self.complaints += o.complaints;
        self.cashierless_value += o.cashierless_value;
        self.shrink_items += o.shrink_items;
        self.shrink_value += o.shrink_value;
        self.scan_go_shrink_value += o.scan_go_shrink_value;
    }

    /// Share of scan & go customers audited (0 without any).
    pub fn audit_share(&self) -> f64 {
        ratio(self.audited as f64, self.scan_go_customers as f64)
    }

    /// Scan & go shrink as a share of the value scan & go customers took (paid + unpaid).
    pub fn scan_go_shrink_share(&self) -> f64 {
        ratio(
            self.scan_go_shrink_value,
            self.scan_go_value + self.scan_go_shrink_value,
        )
    }

    /// Share of cashierless customers who complain about a wrong charge.
    pub fn complaint_share(&self) -> f64 {
        ratio(self.complaints as f64, self.cashierless_customers as f64)
    }
}

/// The digital checkout's KPIs (`summary.json`): the counts and the shares read from them.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DigitalSummary {
    #[serde(flatten)]
    pub counts: DigitalCounts,
    pub audit_share: f64,
    /// Unpaid value of scan & go customers over the value they took.
    pub scan_go_shrink_share: f64,
    pub complaint_share: f64,
}

impl DigitalSummary {
    pub fn of(counts: DigitalCounts) -> DigitalSummary {
        DigitalSummary {
            audit_share: counts.audit_share(),
            scan_go_shrink_share: counts.scan_go_shrink_share(),
            complaint_share: counts.complaint_share(),
            counts,
        }
    }
}

fn ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 { a / b } else { 0.0 }
}

impl Segments {
    pub fn of(scenario: &Scenario, seed: u64) -> Segments {
        let c = &scenario.customers;
        let list = match &scenario.segments {
            None => std::iter::once(SegmentInfo {
                name: crate::ids::Name::default(),
                method: CheckoutMethod::Lanes,
                upper: 1.0,
                walking_speed: c.walking_speed.clone(),
                basket: BasketSampler::new(&c.basket),
                pick_time: c.pick_time.clone(),
            })
            .collect(),
            Some(map) => {
                let stated: f64 = map.values().filter_map(|s| s.share).sum();
                let rest = (1.0 - stated).max(0.0);
                let mut upper = 0.0;
                let last = map.len() - 1;
                map.iter()
                    .enumerate()
                    .map(|(i, (name, s))| {
                        upper += s.share.unwrap_or(rest);
                        SegmentInfo {
                            name: name.as_str().into(),
                            method: s.checkout,
                            // The last band ends at 1 whatever rounding left.
                            upper: if i == last { 1.0 } else { upper },
                            walking_speed: s
                                .walking_speed
                                .clone()
                                .unwrap_or_else(|| c.walking_speed.clone()),
                            basket: BasketSampler::new(s.basket.as_ref().unwrap_or(&c.basket)),
                            pick_time: s.pick_time.clone().unwrap_or_else(|| c.pick_time.clone()),
                        }
                    })
                    .collect()
            }
        };
        Segments {
            list,
            scan_and_go: scenario.scan_and_go.clone(),
            cashierless: scenario.cashierless.clone(),
            entry_gates: scenario
                .checkouts
                .groups
                .values()
                .any(|g| g.kind == crate::scenario::LaneKind::EntryGate),
            stats: DigitalCounts::default(),
            seed,
        }
    }

    /// Whether the scenario names segments.
    pub fn named(&self) -> bool {
        self.list.len() > 1 || !self.list[SegmentId(0)].name.is_empty()
    }

    /// The segment of customer `id`, from its own stream (no draw with one segment).
    pub fn draw(&self, id: u32) -> SegmentId {
        if self.list.len() == 1 {
            return SegmentId(0);
        }
        let u = random::open_unit(&mut random::customer_stream(self.seed, id, Attr::Segment));
        self.list
            .iter_enumerated()
            .find(|(_, s)| u < s.upper)
            .map_or(SegmentId::from_index(self.list.len() - 1), |(i, _)| i)
    }

    /// The checkout method of a customer of `segment`, with its audit drawn, and its digital
    /// stream (scan & go and cashierless only).
    pub fn method(&self, id: u32, segment: SegmentId) -> (Method, Option<Box<Digital>>) {
        let kind = self.list[segment].method;
        if kind == CheckoutMethod::Lanes {
            return (Method::Lanes, None);
        }
        let mut rng = random::customer_stream(self.seed, id, Attr::Digital);
        // Drawn for every digital customer, so the scan stream starts at the same place.
        let u = random::open_unit(&mut rng);
        let (payment, audit) = match &self.scan_and_go {
            Some(sg) => (sg.payment, sg.audit.as_ref().is_some_and(|a| u < a.share)),
            None => (ScanGoPayment::Point, false),
        };
        let digital = Digital {
            rng,
            unpaid: Vec::new(),
            unscanned: 0,
            rescan: 0,
            check_in_s: 0.0,
        };
        (Method::of(kind, payment, audit), Some(Box::new(digital)))
    }

    /// A scan & go customer picked `taken` units of `product`: the seconds it spends scanning
    /// them, and the units it does not scan (kept as unpaid).
    pub fn scan(&self, digital: &mut Digital, product: ProductId, taken: u32) -> f64 {
        let Some(sg) = &self.scan_and_go else {
            return 0.0;
        };
        let mut seconds = 0.0;
        let mut missed = 0;
        for _ in 0..taken {
            seconds += random::draw(&sg.scan_time, &mut digital.rng);
            if random::open_unit(&mut digital.rng) < sg.unscanned_per_item {
                missed += 1;
            }
        }
        if missed > 0 {
            digital.unpaid.push((product, missed));
            digital.unscanned += missed;
        }
        seconds
    }

    /// Seconds a cashierless customer needs to check in at the entrance.
    pub fn check_in(&self, digital: &mut Digital) -> f64 {
        self.cashierless
            .as_ref()
            .map_or(0.0, |c| random::draw(&c.check_in, &mut digital.rng))
    }

    /// Items an audit rescans of a basket of `items`.
    pub fn rescanned(&self, items: u32) -> u32 {
        match self.scan_and_go.as_ref().and_then(|s| s.audit.as_ref()) {
            Some(a) => match a.rescan {
                crate::scenario::Rescan::Partial(k) => k.min(items),
                crate::scenario::Rescan::Full => items,
            },
            None => items,
        }
    }

    /// An audit of a basket of `items` (every unit taken, the unscanned ones included) ends:
    /// each unscanned unit is found with probability rescanned / items and paid. Returns the
    /// units found.
    pub fn audit(&mut self, digital: &mut Digital, items: u32, measured: bool) -> u32 {
        let p = if items == 0 {
            0.0
        } else {
            f64::from(self.rescanned(items)) / f64::from(items)
        };
        let mut found = 0;
        for (_, units) in &mut digital.unpaid {
            let mut left = 0;
            for _ in 0..*units {
                if random::open_unit(&mut digital.rng) >= p {
                    left += 1;
                }
            }
            found += *units - left;
            *units = left;
        }
        digital.unpaid.retain(|&(_, u)| u > 0);
        if measured {
            self.stats.found_items += u64::from(found);
        }
        found
    }

    /// A cashierless customer with these picks passes the gate: each unit is missed
    /// (unpaid) or charged wrongly with the scenario's probabilities.
    pub fn gate(&mut self, digital: &mut Digital, picks: &[(ProductId, u32)], measured: bool) {
        let Some(c) = &self.cashierless else {
            return;
        };
        let mut wrong = 0;
        for &(p, units) in picks {
            let mut missed = 0;
            for _ in 0..units {
                if random::open_unit(&mut digital.rng) < c.missed_per_item {
                    missed += 1;
                }
                if random::open_unit(&mut digital.rng) < c.wrong_charge_per_item {
                    wrong += 1;
                }
            }
            if missed > 0 {
                digital.unpaid.push((p, missed));
            }
        }
        if measured {
            self.stats.missed_items += u64::from(digital.unpaid_units());
            self.stats.wrong_charges += wrong;
            self.stats.complaints += u64::from(wrong > 0);
        }
    }

    /// A digital customer leaves paid: what it did not pay for leaves the store as shrink
    /// through the ledger. Returns the units and value it did not pay.
    pub fn settle(
        &mut self,
        method: Method,
        digital: &mut Digital,
        inventory: &mut Inventory,
        catalog: &Catalog,
        paid_value: f64,
        measured: bool,
    ) -> (u32, f64) {
        let mut units = 0;
        let mut value = 0.0;
        for (p, u) in digital.unpaid.drain(..) {
            inventory.leave_unpaid(p, u);
            units += u;
            value += f64::from(u) * catalog.products[p].price;
        }
        if measured {
            let s = &mut self.stats;
            s.shrink_items += u64::from(units);
            s.shrink_value += value;
            match method {
                Method::ScanAndGo { audit, .. } => {
                    s.scan_go_customers += 1;
                    s.audited += u64::from(audit);
                    s.unscanned_items += u64::from(digital.unscanned);
                    s.scan_go_value += paid_value - value;
                    s.scan_go_shrink_value += value;
                }
                Method::Cashierless => {
                    s.cashierless_customers += 1;
                    s.cashierless_value += paid_value - value;
                }
                Method::Lanes => {}
            }
        }
        (units, value)
    }
}

/// A segment's customers over the KPI window (means over those who paid, where stated).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SegmentSummary {
    pub segment: String,
    pub customers: u64,
    pub served: u64,
    /// Left without paying: balked, reneged or nothing found.
    pub not_served: u64,
    /// Mean seconds in queues (all checkout steps) of those who paid.
    pub wait_mean_s: f64,
    /// Share of those who paid who waited longer than `metrics.long_wait`.
    pub share_long: f64,
    /// Mean seconds in the store of those who left.
    pub time_in_store_mean_s: f64,
    pub items_bought: u64,
    pub revenue: f64,
    pub lost_value: f64,
    #[serde(skip)]
    sums: SegmentSums,
}

#[derive(Clone, Debug, Default, PartialEq)]
struct SegmentSums {
    wait: f64,
    long: u64,
    time: f64,
    left: u64,
}

impl SegmentSummary {
    /// An empty summary of segment `name`, to add days to.
    pub fn named(name: &str) -> SegmentSummary {
        SegmentSummary {
            segment: name.to_string(),
            ..Default::default()
        }
    }

    fn finish(&mut self) {
        let paid = self.served as f64;
        self.wait_mean_s = ratio(self.sums.wait, paid);
        self.share_long = ratio(self.sums.long as f64, paid);
        self.time_in_store_mean_s = ratio(self.sums.time, self.sums.left as f64);
    }

    /// Adds another day's figures (runs over days).
    pub fn add(&mut self, o: &SegmentSummary) {
        self.customers += o.customers;
        self.served += o.served;
        self.not_served += o.not_served;
        self.items_bought += o.items_bought;
        self.revenue += o.revenue;
        self.lost_value += o.lost_value;
        self.sums.wait += o.sums.wait;
        self.sums.long += o.sums.long;
        self.sums.time += o.sums.time;
        self.sums.left += o.sums.left;
        self.finish();
    }
}

/// Per segment, the customers of the KPI window (arrived from `from`); `long` is the long
/// wait, seconds. Empty for a scenario without segments.
pub fn segment_summaries(
    segments: &Segments,
    records: &[CustomerRecord],
    from: f64,
    long: f64,
) -> Vec<SegmentSummary> {
    if !segments.named() {
        return Vec::new();
    }
    let mut out: Vec<SegmentSummary> = segments
        .list
        .iter()
        .map(|s| SegmentSummary {
            segment: s.name.to_string(),
            ..Default::default()
        })
        .collect();
    for r in records.iter().filter(|r| r.arrival >= from) {
        let Some(s) = out.iter_mut().find(|s| r.segment == *s.segment) else {
            continue;
        };
        s.customers += 1;
        s.lost_value += r.value_lost;
        if let Some(t) = r.time_in_store {
            s.sums.time += t;
            s.sums.left += 1;
        }
        if r.outcome == "served" {
            s.served += 1;
            s.items_bought += u64::from(r.items_bought);
            s.revenue += r.value;
            let w = r.wait.unwrap_or(0.0);
            s.sums.wait += w;
            s.sums.long += u64::from(w > long);
        } else if r.outcome != "inside" {
            s.not_served += 1;
        }
    }
    out.iter_mut().for_each(SegmentSummary::finish);
    out
}

/// A digital customer is through a checkout step: an audit's findings, a gate's errors;
/// through its last step, what nobody noticed leaves unpaid (its basket's items and value
/// become what it pays). Then it goes on ([`StepDone`]).
pub(crate) fn on_digital_step(
    In(ev): In<DigitalStep>,
    mut customers: Query<&mut Customer>,
    mut segments: ResMut<Segments>,
    catalog: Res<Catalog>,
    mut inventory: ResMut<Inventory>,
    clock: Res<Clock>,
    mut agenda: AgendaMut,
    mut log: Option<ResMut<EventLog>>,
) {
    let Ok(mut c) = customers.get_mut(ev.customer) else {
        return;
    };
    let c = &mut *c;
    let measured = c.arrived >= clock.measure_from;
    let Some(d) = c.digital.as_mut() else {
        return;
    };
    match (c.step, c.method) {
        (Step::Audit, _) => {
            let found = segments.audit(d, c.items, measured);
            if let Some(log) = log.as_mut() {
                log.what(|| format!("audit finds {found} unscanned items"));
            }
        }
        (Step::Gate, Method::Cashierless) => segments.gate(d, &c.basket, measured),
        _ => {}
    }
    if c.method.after(c.step) == Step::Done {
        let (units, value) =
            segments.settle(c.method, d, &mut inventory, &catalog, c.value, measured);
        c.items -= units;
        c.value -= value;
    }
    agenda.emit(StepDone {
        customer: ev.customer,
    });
}

pub struct SegmentsPlugin;

impl Plugin for SegmentsPlugin {
    fn build(&self, app: &mut App) {
        let config = app.world().resource::<RunConfig>().clone();
        app.insert_resource(Segments::of(&config.scenario, config.seed));
    }
}
