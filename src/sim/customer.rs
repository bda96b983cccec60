//! The customer entity's data: who it is, what it wants, where it is in its journey.
//!
//! Not a plugin: the arrivals, shopping and checkout plugins each advance one part of the
//! journey (enter → shop → queue → pay → leave). Units: seconds, metres, items, currency.

use bevy::prelude::*;

use crate::ids::{LaneId, PoiId, ProductId, QueueId, SegmentId, ShelfId};
use crate::scenario::{CheckoutMethod, LaneKind, ScanGoPayment};
use crate::sim::random::SimRng;
use crate::sim::service::ServiceDraws;

/// One shelf to visit and what to take from it: the customer's picks `first..end`
/// ([`Customer::picks_at`]). Plain indices, so reordering a route moves no allocations.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Stop {
    pub shelf: ShelfId,
    pub first: u32,
    pub end: u32,
}

/// Where a customer is in its journey. Walking versus picking within `Shopping` follows from
/// its [`crate::scenario::floor_plan::Motion`]: before `depart` it stands at `from`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    Shopping,
    /// Waiting in this queue.
    Queueing {
        queue: QueueId,
    },
    /// Being served at this lane.
    InService {
        lane: LaneId,
    },
    /// Walking to the exit.
    Leaving,
}

#[derive(Component, Clone, Debug)]
pub struct Customer {
    /// Arrival number, from 0; also names its random stream.
    pub id: u32,
    pub arrived: f64,
    /// Walking speed, m/s.
    pub speed: f64,
    /// Items the customer came for.
    pub items_planned: u32,
    /// Shelves in visiting order.
    pub route: Vec<Stop>,
    /// (product, units) wanted, grouped by shelf; each stop names its share.
    pub picks: Vec<(ProductId, u32)>,
    pub next_stop: usize,
    /// Items in the basket and their value.
    pub items: u32,
    pub value: f64,
    /// Items wanted but found out of stock, and their value.
    pub items_lost: u32,
    pub value_lost: f64,
    /// Metres walked so far.
    pub distance: f64,
    /// The point of interest it is at or walking to.
    pub at: PoiId,
    pub phase: Phase,
    pub draws: ServiceDraws,
    /// Its stream for pick times.
    pub pick_rng: SimRng,
    /// Its stream for choosing a queue at random: opened at its first use (only that
    /// strategy draws from it), so customers that never draw do not carry it.
    pub choice_rng: Option<Box<SimRng>>,
    pub queue_joined: Option<f64>,
    pub lane: Option<LaneId>,
    pub service_start: Option<f64>,
    pub service_end: Option<f64>,
    /// Units taken per product, kept only when the scenario lets customers abandon their
    /// basket (`queue_behaviour`): what goes back if they do.
    pub basket: Vec<(ProductId, u32)>,
    /// Drawn when it first reaches the checkout, with `queue_behaviour` ([`Temper`]).
    pub temper: Option<Temper>,
    /// When its patience runs out (set on joining a queue, if it has a limited patience).
    pub renege_at: Option<f64>,
    /// Why it left without paying, if it gave up at the checkout.
    pub gave_up: Option<GaveUp>,
    /// Its basket holds an age-restricted product: an attended self-checkout stops for it.
    pub age_check: bool,
    /// Its segment ([`crate::sim::segments`]) and how it checks out.
    pub segment: SegmentId,
    pub method: Method,
    /// The checkout step it is on or heading for.
    pub step: Step,
    /// Times of the steps it has finished before the current one (scan & go: paying, then
    /// an audit; app payers: an audit, then the gate).
    pub earlier: EarlierSteps,
    /// Scan & go and cashierless customers: their stream and what they did not pay for.
    pub digital: Option<Box<crate::sim::segments::Digital>>,
}

/// A customer's checkout method, with what was drawn for it on arrival.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Lanes,
    ScanAndGo { payment: ScanGoPayment, audit: bool },
    Cashierless,
}

impl Method {
    pub fn of(method: CheckoutMethod, payment: ScanGoPayment, audit: bool) -> Method {
        match method {
            CheckoutMethod::Lanes => Method::Lanes,
            CheckoutMethod::ScanAndGo => Method::ScanAndGo { payment, audit },
            CheckoutMethod::Cashierless => Method::Cashierless,
        }
    }

    /// The first checkout step.
    pub fn first_step(self) -> Step {
        match self {
            Method::Lanes => Step::Lanes,
            Method::ScanAndGo {
                payment: ScanGoPayment::Point,
                ..
            } => Step::PayPoint,
            Method::ScanAndGo {
                payment: ScanGoPayment::App,
                audit,
            } => {
                if audit {
                    Step::Audit
                } else {
                    Step::Gate
                }
            }
            Method::Cashierless => Step::Gate,
        }
    }

    /// The step after `step` (`Done`: it walks out).
    pub fn after(self, step: Step) -> Step {
        match (self, step) {
            (
                Method::ScanAndGo {
                    payment: ScanGoPayment::Point,
                    audit: true,
                },
                Step::PayPoint,
            ) => Step::Audit,
            (
                Method::ScanAndGo {
                    payment: ScanGoPayment::App,
                    ..
                },
                Step::Audit,
            ) => Step::Gate,
            // Checked in at the entrance: its checkout comes after shopping.
            (_, Step::CheckIn) => self.first_step(),
            _ => Step::Done,
        }
    }
}

/// A step of the way out through the checkout zone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// A staffed till or self-checkout.
    Lanes,
    /// A scan & go payment point.
    PayPoint,
    /// A scan & go audit point.
    Audit,
    /// An exit gate.
    Gate,
    /// An entrance gate (cashierless customers check in before shopping).
    CheckIn,
    /// Through the checkout.
    Done,
}

impl Step {
    /// Every step, in declaration order (`step as usize` indexes it).
    pub const ALL: [Step; 6] = [
        Step::Lanes,
        Step::PayPoint,
        Step::Audit,
        Step::Gate,
        Step::CheckIn,
        Step::Done,
    ];

    /// Whether a lane of kind `kind` serves this step.
    pub fn takes(self, kind: LaneKind) -> bool {
        match self {
            Step::Lanes => kind.is_checkout(),
            Step::PayPoint => kind == LaneKind::PaymentPoint,
            Step::Audit => kind == LaneKind::Audit,
            Step::Gate => kind == LaneKind::Gate,
            Step::CheckIn => kind == LaneKind::EntryGate,
            Step::Done => false,
        }
    }
}

/// The checkout steps a customer finished before its current one.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct EarlierSteps {
    /// When it joined its first queue and its first service started.
    pub joined: Option<f64>,
    pub started: Option<f64>,
    /// Seconds waited in line and served, over those steps.
    pub waited: f64,
    pub served: f64,
}

/// How a customer takes the queues: drawn once from its own stream, in a fixed order
/// whatever the scenario uses, so variants keep common random numbers.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Temper {
    /// Uniform in (0, 1): it balks when this is below the balking probability it sees.
    pub balk: f64,
    /// Seconds it waits in line before leaving (none: however long).
    pub patience: Option<f64>,
}

/// Why a customer left the checkout without paying.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GaveUp {
    /// Saw the queue and left.
    Balked,
    /// Waited past its patience and left the queue.
    Reneged,
}

impl Customer {
    /// Items the current checkout step works on: the basket, or at an audit the items
    /// rescanned.
    pub fn work(&self) -> u32 {
        match (self.step, &self.digital) {
            (Step::Audit, Some(d)) => d.rescan,
            _ => self.items,
        }
    }

    /// What the customer takes at `stop`: (product, units).
    pub fn picks_at(&self, stop: &Stop) -> &[(ProductId, u32)] {
        &self.picks[stop.first as usize..stop.end as usize]
    }
}

/// A finished journey, as written to `customers.csv`.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct CustomerRecord {
    pub id: u32,
    /// Seconds since 00:00.
    pub arrival: f64,
    pub exit: Option<f64>,
    pub items_planned: u32,
    pub items_bought: u32,
    pub items_lost: u32,
    pub value: f64,
    pub value_lost: f64,
    pub shelves_visited: u32,
    pub distance_m: f64,
    /// Lane id such as `till-2`, empty if it did not pay.
    pub lane: crate::ids::Name,
    pub queue_joined: Option<f64>,
    pub service_start: Option<f64>,
    pub service_end: Option<f64>,
    /// Seconds in the queue before service (none if it did not queue).
    pub wait: Option<f64>,
    pub service_time: Option<f64>,
    pub time_in_store: Option<f64>,
    /// `served`, `no_purchase` (left without buying: every wanted item out of stock),
    /// `balked` or `reneged` (left the checkout without paying, basket left behind; its
    /// items and value are then 0) or `inside` (still in the store when the run stopped).
    pub outcome: &'static str,
    /// Its segment (empty for a scenario without segments).
    pub segment: crate::ids::Name,
}
