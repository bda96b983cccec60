//! The event log: every event of a run as one row (time, type, who, where, what changed), so a
//! student can follow one customer, lane or shelf and check a KPI by hand.
//!
//! Models nothing; it records. It is off unless a [`EventLog`] resource is in the world
//! ([`crate::Simulation::enable_event_log`]): then the dispatcher writes a row for each event
//! before its handlers run (who and where, from the state at that moment), and handlers add
//! what they changed ([`EventLog::what`]) or a row for a change that is no event of its own,
//! such as a service starting ([`EventLog::fact`]). With the log off a run does no extra work
//! beyond one resource look-up per event, and its results are the same either way.
//!
//! Units: seconds since 00:00 (`time_s`), clock time `HH:MM:SS`.

use bevy::prelude::*;

use crate::ids::{LaneId, PoiId, ShelfId};
use crate::scenario::floor_plan::FloorPlan;
use crate::scenario::format_clock;
use crate::sim::arrivals::ArrivalProcess;
use crate::sim::catalog::Catalog;
use crate::sim::checkout::{Checkout, Lane};
use crate::sim::customer::Customer;
use crate::sim::engine::{Clock, Dispatch};
use crate::sim::events::SimEvent;
use crate::sim::staff::{StaffMember, Task};

/// One row of the event log.
#[derive(Clone, Debug, PartialEq)]
pub struct LogRow {
    /// Seconds since 00:00.
    pub time: f64,
    /// The event's type (`ReachShelf`), or the change for a row that is no event of its own
    /// (`ServiceStart`).
    pub event: &'static str,
    /// Who acts: `customer 17`, `restocker 2`, `lane till-3` or `store`.
    pub who: String,
    /// Where: `shelf dairy`, `queue till-3`, `entrance 1`, … (empty when nowhere in particular).
    pub place: String,
    /// What changed, in words.
    pub what: String,
    /// The customer concerned, for a customer's timeline.
    pub customer: Option<u32>,
    /// The lane concerned, for a lane's timeline.
    pub lane: Option<LaneId>,
    /// The shelf concerned, for a shelf's timeline.
    pub shelf: Option<ShelfId>,
    /// The staff member concerned (its id), for a staff member's timeline.
    pub staff: Option<u32>,
}

/// The rows so far; present in the world only while logging.
#[derive(Resource, Debug, Default)]
pub struct EventLog {
    pub rows: Vec<LogRow>,
    /// The row of the event being handled.
    current: Option<usize>,
}

impl EventLog {
    /// Adds to what the event being handled changed (several parts are joined with "; ").
    pub fn what(&mut self, text: impl FnOnce() -> String) {
        if let Some(row) = self.current.and_then(|i| self.rows.get_mut(i)) {
            if !row.what.is_empty() {
                row.what.push_str("; ");
            }
            row.what.push_str(&text());
        }
    }

    /// Records a change that is no event of its own, at the current time.
    pub fn fact(&mut self, row: LogRow) {
        self.rows.push(row);
    }

    /// The rows about customer `id`, in time order.
    pub fn customer(&self, id: u32) -> impl Iterator<Item = &LogRow> {
        self.rows.iter().filter(move |r| r.customer == Some(id))
    }

    /// The rows about lane `lane`, in time order.
    pub fn lane(&self, lane: LaneId) -> impl Iterator<Item = &LogRow> {
        self.rows.iter().filter(move |r| r.lane == Some(lane))
    }

    /// The rows about shelf `shelf`, in time order.
    pub fn shelf(&self, shelf: ShelfId) -> impl Iterator<Item = &LogRow> {
        self.rows.iter().filter(move |r| r.shelf == Some(shelf))
    }

    /// The rows about staff member `id`, in time order.
    pub fn staff(&self, id: u32) -> impl Iterator<Item = &LogRow> {
        self.rows.iter().filter(move |r| r.staff == Some(id))
    }

    /// The log as CSV: `time_s,clock,event,who,where,what` (documented in docs/outputs.md).
    pub fn to_csv(&self) -> String {
        let mut s = String::from("time_s,clock,event,who,where,what\n");
        for r in &self.rows {
            s.push_str(&format!(
                "{:.3},{},{},{},{},{}\n",
                r.time,
                format_clock(r.time),
                r.event,
                csv_field(&r.who),
                csv_field(&r.place),
                csv_field(&r.what)
            ));
        }
        s
    }
}

/// Quotes a CSV field when it needs it (RFC 4180).
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// A customer's log name.
pub fn customer_name(id: u32) -> String {
    format!("customer {id}")
}

/// A staff member's name in the log and the view: its role and its number within the role,
/// `restocker 2` (the global id stays the selection key).
pub fn staff_name(m: &StaffMember) -> String {
    format!("{} {}", m.role.name(), m.number)
}

/// The name of a point of interest, for the `where` column.
pub fn place_name(plan: &FloorPlan, poi: PoiId) -> String {
    if let Some(k) = plan.entrances.iter().position(|&p| p == poi) {
        return format!("entrance {}", k + 1);
    }
    if let Some(k) = plan.exits.iter().position(|&p| p == poi) {
        return format!("exit {}", k + 1);
    }
    if plan.backroom_door == Some(poi) {
        return "backroom door".into();
    }
    if let Some(l) = plan.lanes.iter().find(|l| l.service_point == poi) {
        return format!("lane {}", l.name());
    }
    if let Some(s) = plan.shelves.iter().find(|s| s.access == poi) {
        return format!("shelf {}", s.id);
    }
    String::new()
}

/// Called by the dispatcher before an event's handlers: writes its row (if logging).
pub fn record_before(world: &mut World, ev: &SimEvent) {
    if !world.contains_resource::<EventLog>() {
        return;
    }
    let row = describe(world, ev);
    let mut log = world.resource_mut::<EventLog>();
    log.rows.push(row);
    log.current = Some(log.rows.len() - 1);
}

/// Who and where for `ev`, from the state before it is handled.
fn describe(world: &World, ev: &SimEvent) -> LogRow {
    let plan = world.resource::<FloorPlan>();
    let checkout = world.resource::<Checkout>();
    let mut row = LogRow {
        time: world.resource::<Clock>().now,
        event: ev.name(),
        who: "store".into(),
        place: String::new(),
        what: String::new(),
        customer: None,
        lane: None,
        shelf: None,
        staff: None,
    };
    let about_customer = |row: &mut LogRow, e: Entity| {
        if let Some(c) = world.get::<Customer>(e) {
            row.who = customer_name(c.id);
            row.customer = Some(c.id);
            row.place = place_name(plan, c.at);
        }
    };
    let about_staff = |row: &mut LogRow, e: Entity| -> Option<Task> {
        let m = world.get::<StaffMember>(e)?;
        row.who = staff_name(m);
        row.staff = Some(m.id);
        Some(m.task)
    };
    let catalog = world.resource::<Catalog>();
    // Points the row at the shelf of `product`; returns the product's catalogue entry.
    let at_shelf_of = |row: &mut LogRow, product| {
        let info = &catalog.products[product];
        row.shelf = Some(info.shelf);
        row.place = format!("shelf {}", plan.shelves[info.shelf].id);
        info
    };
    match ev {
        SimEvent::ArrivalDue(_) => {
            let id = world.resource::<ArrivalProcess>().next_id;
            row.who = customer_name(id);
            row.customer = Some(id);
            row.what = "walks in".into();
        }
        SimEvent::SetArrivalMultiplier(e) => {
            row.what = format!("arrival rate x {} (command)", e.multiplier);
        }
        SimEvent::CustomerEntered(e) => {
            about_customer(&mut row, e.customer);
            if let Some(c) = world.get::<Customer>(e.customer) {
                row.what = format!(
                    "plans {} items from {} shelves",
                    c.items_planned,
                    c.route.len()
                );
            }
        }
        SimEvent::ReachShelf(e) => {
            about_customer(&mut row, e.customer);
            let stop = world
                .get::<Customer>(e.customer)
                .and_then(|c| c.route.get(c.next_stop));
            row.shelf = stop.map(|s| s.shelf);
            // The shelf it came for (another shelf or a door may share its access point).
            if let Some(stop) = stop {
                row.place = format!("shelf {}", plan.shelves[stop.shelf].id);
            }
        }
        SimEvent::StockLow(e) => {
            let info = at_shelf_of(&mut row, e.product);
            row.who = format!("product {}", info.id);
            row.what = format!("{} below the refill threshold", info.name);
        }
        SimEvent::ReachCheckout(e) => about_customer(&mut row, e.customer),
        SimEvent::JoinQueue(e) => {
            about_customer(&mut row, e.customer);
            row.place = format!("queue {}", checkout.queue_names[e.queue]);
        }
        SimEvent::ServiceDone(e) => {
            row.who = format!("lane {}", checkout.lane_name(e.lane));
            row.place = row.who.clone();
            row.lane = Some(e.lane);
            let lane = world.get::<Lane>(checkout.lanes[e.lane]);
            if let Some(c) = lane
                .and_then(|l| l.serving)
                .and_then(|s| world.get::<Customer>(s))
            {
                row.customer = Some(c.id);
                row.what = format!(
                    "{} paid {:.2} for {} items",
                    customer_name(c.id),
                    c.value,
                    c.items
                );
            }
        }
        SimEvent::CustomerPaid(e) => {
            row.who = customer_name(e.customer);
            row.customer = Some(e.customer);
            row.what = format!("paid {:.2} for {} items", e.value, e.items);
        }
        SimEvent::SetLaneOpen(e) => {
            if let Some(name) = checkout.lane_names.get(e.lane) {
                row.who = format!("lane {name}");
                row.lane = Some(e.lane);
            }
            row.what = if e.open { "opens" } else { "closes" }.to_string() + " (command)";
        }
        SimEvent::ReachExit(e) => {
            about_customer(&mut row, e.customer);
            row.what = "reaches the exit".into();
        }
        SimEvent::CustomerLeft(e) => {
            let r = &e.record;
            row.who = customer_name(r.id);
            row.customer = Some(r.id);
            row.what = format!(
                "left ({}) after {:.0} s in the store",
                r.outcome,
                r.time_in_store.unwrap_or(0.0)
            );
        }
        SimEvent::RestockerAtShelf(e) => {
            if let Some(Task::ToShelf { product, units }) = about_staff(&mut row, e.staff) {
                let info = at_shelf_of(&mut row, product);
                row.what = format!("arrives with {units} x {}", info.name);
            }
        }
        SimEvent::RefillDone(e) => {
            if let Some(Task::Refilling { product, units }) = about_staff(&mut row, e.staff) {
                let info = at_shelf_of(&mut row, product);
                row.what = format!("puts {units} x {} on the shelf", info.name);
            }
        }
        SimEvent::RestockerBack(e) => {
            about_staff(&mut row, e.staff);
            row.place = "backroom door".into();
            row.what = "back, ready for the next task".into();
        }
        SimEvent::SampleDue(_) => row.what = "time-series sample".into(),
    }
    row
}
