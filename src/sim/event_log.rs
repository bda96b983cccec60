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

use crate::ids::{LaneId, PoiId, ProductId, QueueId, ShelfId};
use crate::scenario::floor_plan::FloorPlan;
use crate::scenario::format_clock;
use crate::sim::catalog::{Catalog, ProductInfo};
use crate::sim::customer::Customer;

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
    /// The queue concerned (a customer joining it), for the timelines of the lanes it feeds.
    pub queue: Option<QueueId>,
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

    /// The row of the event being handled, to point it at what the handler found (the queue a
    /// customer joined).
    pub fn current(&mut self) -> Option<&mut LogRow> {
        self.current.and_then(|i| self.rows.get_mut(i))
    }

    /// Records a change that is no event of its own, at the current time.
    pub fn fact(&mut self, row: LogRow) {
        self.rows.push(row);
    }

    /// The rows about customer `id`, in time order.
    pub fn customer(&self, id: u32) -> impl Iterator<Item = &LogRow> {
        self.rows.iter().filter(move |r| r.customer == Some(id))
    }

    /// The rows about lane `lane`, and customers joining `queue` (the queue that feeds it),
    /// in time order.
    pub fn lane(&self, lane: LaneId, queue: QueueId) -> impl Iterator<Item = &LogRow> {
        self.rows
            .iter()
            .filter(move |r| r.lane == Some(lane) || r.queue == Some(queue))
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

/// An event that can say who and where it concerns. Each concept describes its own events
/// (so this module names none of them), from the state before the event is handled.
pub trait Describe {
    fn describe(&self, world: &World, row: &mut LogRow);
}

/// Called by the dispatcher before an event's handlers while an event log is kept: writes its row.
pub fn record_before(world: &mut World, event: &'static str, ev: &impl Describe) {
    let mut row = LogRow::new(
        crate::sim::engine::with_lent::<crate::sim::events::SimEvent, _>(|a| a.now()),
        event,
    );
    ev.describe(world, &mut row);
    let mut log = world.resource_mut::<EventLog>();
    log.rows.push(row);
    log.current = Some(log.rows.len() - 1);
}

impl LogRow {
    /// A row about the store as a whole, to be filled in.
    pub fn new(time: f64, event: &'static str) -> Self {
        LogRow {
            time,
            event,
            who: "store".into(),
            place: String::new(),
            what: String::new(),
            customer: None,
            lane: None,
            queue: None,
            shelf: None,
            staff: None,
        }
    }

    /// Points the row at customer entity `e` (who, and where it stands).
    pub fn about_customer(&mut self, world: &World, e: Entity) {
        if let Some(c) = world.get::<Customer>(e) {
            self.who = customer_name(c.id);
            self.customer = Some(c.id);
            self.place = place_name(world.resource::<FloorPlan>(), c.at);
        }
    }

    /// Points the row at the shelf of `product`; returns the product's catalogue entry.
    pub fn at_shelf_of<'w>(&mut self, world: &'w World, product: ProductId) -> &'w ProductInfo {
        let info = &world.resource::<Catalog>().products[product];
        self.shelf = Some(info.shelf);
        self.place = format!(
            "shelf {}",
            world.resource::<FloorPlan>().shelves[info.shelf].id
        );
        info
    }
}
