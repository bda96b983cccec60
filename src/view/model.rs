//! Draw data: what a view shows of one store at one moment, as plain data.
//!
//! Models nothing; it reads the simulation's state and hands out positions and states of
//! lanes, queue slots, shelves and people, so that a renderer (the egui view, a test, a future
//! web view) paints them without knowing the model's internals or re-deriving its geometry.
//! Hit-testing ([`hit_test`]) lives here too, so that what is drawn and what a click selects
//! come from the same numbers.
//!
//! Units: metres from the top-left corner of the plan (x to the right, y downwards), seconds
//! since 00:00.

use std::collections::BTreeMap;

use bevy::prelude::{Entity, World};

use crate::ids::{CellId, IdVec, LaneId, QueueId, ShelfId};
use crate::scenario::LaneKind;
use crate::scenario::floor_plan::{CellKind, FloorPlan};
use crate::sim::checkout::{Checkout, CheckoutQueue, Lane};
use crate::sim::customer::{Customer, Phase};
use crate::sim::event_log::{EventLog, LogRow};
use crate::sim::inventory::Inventory;
use crate::sim::movement::Motion;
use crate::sim::shopping::{Catalog, Shelf, Slot};
use crate::sim::staff::{Role, StaffMember};

/// Distance between two customers standing in a queue, metres.
const QUEUE_SPACING: f64 = 0.6;

/// What a click can select.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Selection {
    Customer(u32),
    Lane(LaneId),
    Shelf(ShelfId),
    Staff(u32),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LaneState {
    Closed,
    Idle,
    Busy,
    /// A self-checkout whose transaction stopped until an attendant has helped.
    Stopped,
}

/// A checkout lane as drawn.
#[derive(Clone, Debug, PartialEq)]
pub struct LaneDraw {
    pub id: LaneId,
    /// The lane's name, as in outputs and the inspector (`till-2`).
    pub name: String,
    pub kind: LaneKind,
    pub cell: CellId,
    pub state: LaneState,
    /// Where its customer stands while served.
    pub service_point: (f64, f64),
    /// The queue this lane serves.
    pub queue: QueueId,
}

/// A shelf as drawn.
#[derive(Clone, Debug, PartialEq)]
pub struct ShelfDraw {
    pub id: ShelfId,
    pub name: String,
    pub cells: Vec<CellId>,
    /// Stock over capacity of all its products together (0..1).
    pub fill: f32,
    /// True when any of its products is out of stock.
    pub any_empty: bool,
}

/// What a person on the floor is doing (its colour in the view).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Activity {
    Walking,
    Picking,
    Queueing,
    InService,
    Leaving,
    Cashier,
    Restocker,
    Attendant,
}

/// A customer or staff member at its position.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PersonDraw {
    pub pos: (f64, f64),
    pub activity: Activity,
    /// `Selection::Customer` or `Selection::Staff`.
    pub who: Selection,
}

impl PersonDraw {
    pub fn is_staff(&self) -> bool {
        matches!(self.who, Selection::Staff(_))
    }
}

/// Everything a view draws of one store at one moment.
#[derive(Clone, Debug, PartialEq)]
pub struct DrawData {
    pub lanes: IdVec<LaneId, LaneDraw>,
    pub shelves: IdVec<ShelfId, ShelfDraw>,
    /// Customers first (by id), then staff (by id): a fixed drawing order.
    pub people: Vec<PersonDraw>,
}

impl DrawData {
    /// The draw data of a store at simulated time `t` (between events, walkers are placed
    /// along their paths by the share of time elapsed).
    pub fn of(world: &World, t: f64) -> DrawData {
        let plan = world.resource::<FloorPlan>();
        let checkout = world.resource::<Checkout>();
        let attendance = world.resource::<crate::sim::attendance::Attendance>();
        let lanes: IdVec<LaneId, LaneDraw> = checkout
            .lanes
            .iter_enumerated()
            .map(|(id, &e)| {
                let lane = world.get::<Lane>(e).expect("lane entity");
                let geom = &plan.lanes[id];
                LaneDraw {
                    id,
                    name: checkout.lane_name(id).to_string(),
                    kind: lane.kind,
                    cell: geom.cell,
                    state: if !lane.open && lane.serving.is_none() {
                        LaneState::Closed
                    } else if attendance.stopped(id) {
                        LaneState::Stopped
                    } else if lane.serving.is_some() {
                        LaneState::Busy
                    } else {
                        LaneState::Idle
                    },
                    service_point: plan.cell_centre(plan.pois[lane.service_point]),
                    queue: lane.queue,
                }
            })
            .collect();
        let catalog = world.resource::<Catalog>();
        let inventory = world.resource::<Inventory>();
        let shelves = plan
            .shelves
            .iter_enumerated()
            .map(|(id, geom)| {
                let (fill, any_empty) = world
                    .get::<Shelf>(catalog.shelves[id])
                    .map(|s| {
                        let on_shelf = |slot: &Slot| inventory.stock(slot.product).shelf;
                        let stock: u32 = s.slots.iter().map(on_shelf).sum();
                        let capacity: u32 = s.slots.iter().map(|slot| slot.capacity).sum();
                        (
                            stock as f32 / capacity.max(1) as f32,
                            s.slots.iter().any(|slot| on_shelf(slot) == 0),
                        )
                    })
                    .unwrap_or((1.0, false));
                ShelfDraw {
                    id,
                    name: geom.id.clone(),
                    cells: geom.cells.clone(),
                    fill,
                    any_empty,
                }
            })
            .collect();
        let people = people(world, plan, checkout, t);
        DrawData {
            lanes,
            shelves,
            people,
        }
    }
}

/// Queue slots: the n-th customer waiting in a queue stands n + 1 spacings behind the service
/// point of the queue's first lane, in the direction the queue grows.
fn queue_slots(
    world: &World,
    plan: &FloorPlan,
    checkout: &Checkout,
) -> BTreeMap<Entity, (f64, f64)> {
    let mut slots = BTreeMap::new();
    for &qe in &checkout.queues {
        let Some(q) = world.get::<CheckoutQueue>(qe) else {
            continue;
        };
        let Some(&first) = q.lanes.first() else {
            continue;
        };
        let lane = &plan.lanes[first];
        let (sx, sy) = plan.cell_centre(plan.pois[lane.service_point]);
        let (dx, dy) = lane.queue_direction;
        for (k, &e) in q.waiting.iter().enumerate() {
            let d = QUEUE_SPACING * (k + 1) as f64;
            slots.insert(e, (sx + f64::from(dx) * d, sy + f64::from(dy) * d));
        }
    }
    slots
}

fn people(world: &World, plan: &FloorPlan, checkout: &Checkout, t: f64) -> Vec<PersonDraw> {
    let slots = queue_slots(world, plan, checkout);
    let mut out = Vec::new();
    let mut customers = world
        .try_query::<(Entity, &Customer, &Motion)>()
        .expect("customers registered");
    for (e, c, m) in customers.iter(world) {
        let (pos, activity) = match c.phase {
            Phase::Queueing { .. } => (
                slots
                    .get(&e)
                    .copied()
                    .unwrap_or_else(|| m.position_at(plan, t)),
                Activity::Queueing,
            ),
            Phase::InService { .. } => (m.position_at(plan, t), Activity::InService),
            Phase::Leaving => (m.position_at(plan, t), Activity::Leaving),
            // Before departing, a shopper stands at the shelf it just reached: picking.
            Phase::Shopping => (
                m.position_at(plan, t),
                if t < m.depart {
                    Activity::Picking
                } else {
                    Activity::Walking
                },
            ),
        };
        out.push(PersonDraw {
            pos,
            activity,
            who: Selection::Customer(c.id),
        });
    }
    let mut staff = world
        .try_query::<(&StaffMember, &Motion)>()
        .expect("staff registered");
    for (s, m) in staff.iter(world) {
        // Staff on a break or off shift are in the staff room, out of sight.
        if s.duty != crate::sim::staff::Duty::On {
            continue;
        }
        let (pos, activity) = match s.role {
            // Cashiers sit on the far side of their till from the customer; a rota cashier
            // walking to or from a till is where it walks.
            Role::Cashier { lane } if s.task == crate::sim::staff::Task::AtLane => {
                (cashier_seat(plan, lane), Activity::Cashier)
            }
            Role::Cashier { .. } => (m.position_at(plan, t), Activity::Cashier),
            // A restocker serving at a till opened on demand sits where a cashier sits.
            Role::Restocker => match s.task {
                crate::sim::staff::Task::AtTill { lane } => {
                    (cashier_seat(plan, lane), Activity::Cashier)
                }
                _ => (m.position_at(plan, t), Activity::Restocker),
            },
            Role::Attendant { .. } => (m.position_at(plan, t), Activity::Attendant),
        };
        out.push(PersonDraw {
            pos,
            activity,
            who: Selection::Staff(s.id),
        });
    }
    // Drawing order must not depend on query order: customers, then staff, each by id.
    out.sort_by_key(|p| match p.who {
        Selection::Customer(id) => (0, id),
        Selection::Staff(id) => (1, id),
        _ => (2, 0),
    });
    out
}

/// What is at plan point `p` (metres): the nearest person within 0.45 cells, else the shelf
/// or lane drawn on that cell.
pub fn hit_test(plan: &FloorPlan, draw: &DrawData, p: (f64, f64)) -> Option<Selection> {
    // People are drawn with a radius of 0.3 cells; a little slack, but not so much that a
    // cashier covers the till it sits at.
    let reach = 0.45 * plan.cell_size;
    let near = draw
        .people
        .iter()
        .map(|m| (m, (m.pos.0 - p.0).hypot(m.pos.1 - p.1)))
        .filter(|(_, d)| *d <= reach)
        .min_by(|a, b| a.1.total_cmp(&b.1));
    if let Some((m, _)) = near {
        return Some(m.who);
    }
    let (x, y) = (
        (p.0 / plan.cell_size).floor(),
        (p.1 / plan.cell_size).floor(),
    );
    if x < 0.0 || y < 0.0 || x >= f64::from(plan.width) || y >= f64::from(plan.height) {
        return None;
    }
    match plan.cells[CellId(y as u32 * plan.width + x as u32)] {
        CellKind::Shelf(s) => Some(Selection::Shelf(s)),
        CellKind::Checkout(l) => Some(Selection::Lane(l)),
        _ => None,
    }
}

/// One line of the inspector's timeline.
#[derive(Clone, Debug, PartialEq)]
pub struct TimelineRow {
    /// Seconds since 00:00.
    pub time: f64,
    pub event: &'static str,
    pub who: String,
    pub place: String,
    pub what: String,
}

/// What happened so far to the selected customer, lane, shelf or staff member, oldest first
/// (empty when the event log is off).
pub fn timeline(world: &World, selection: Selection) -> Vec<TimelineRow> {
    let Some(log) = world.get_resource::<EventLog>() else {
        return Vec::new();
    };
    // A lane's day includes the customers joining the queue that feeds it.
    let lane_rows = |l: LaneId| -> Box<dyn Iterator<Item = &LogRow>> {
        let checkout = world.resource::<Checkout>();
        match checkout.lanes.get(l).and_then(|&e| world.get::<Lane>(e)) {
            Some(lane) => Box::new(log.lane(l, lane.queue)),
            None => Box::new(std::iter::empty()),
        }
    };
    let rows: Box<dyn Iterator<Item = &LogRow>> = match selection {
        Selection::Customer(id) => Box::new(log.customer(id)),
        Selection::Lane(l) => lane_rows(l),
        Selection::Shelf(s) => Box::new(log.shelf(s)),
        Selection::Staff(id) => {
            // A cashier's day is its lane's day.
            let cashier_at = world
                .try_query::<&StaffMember>()
                .and_then(|mut q| q.iter(world).find(|m| m.id == id).map(|m| m.role))
                .and_then(|role| match role {
                    Role::Cashier { lane } => Some(lane),
                    Role::Restocker | Role::Attendant { .. } => None,
                });
            match cashier_at {
                Some(lane) => lane_rows(lane),
                None => Box::new(log.staff(id)),
            }
        }
    };
    rows.map(|r| TimelineRow {
        time: r.time,
        event: r.event,
        who: r.who.clone(),
        place: r.place.clone(),
        what: r.what.clone(),
    })
    .collect()
}

/// Where the cashier of lane `lane` sits: on the far side of the till from the customer.
fn cashier_seat(plan: &FloorPlan, lane: LaneId) -> (f64, f64) {
    let geom = &plan.lanes[lane];
    let (cx, cy) = plan.cell_centre(geom.cell);
    let (dx, dy) = geom.queue_direction;
    (
        cx - f64::from(dx) * 0.3 * plan.cell_size,
        cy - f64::from(dy) * 0.3 * plan.cell_size,
    )
}

/// A customer's phase in words, naming its queue or lane: `waiting in queue sco`.
pub fn phase_text(world: &World, phase: Phase) -> String {
    let checkout = world.resource::<Checkout>();
    match phase {
        Phase::Shopping => "shopping".into(),
        Phase::Queueing { queue } => format!("waiting in queue {}", checkout.queue_names[queue]),
        Phase::InService { lane } => format!("being served at {}", checkout.lane_name(lane)),
        Phase::Leaving => "walking to the exit".into(),
    }
}

/// A staff member's role in words: `cashier at till-3`, `restocker`.
pub fn role_text(world: &World, s: &crate::sim::staff::StaffMember) -> String {
    match s.role {
        Role::Cashier { lane } => format!(
            "{} at {}",
            s.title(),
            world.resource::<Checkout>().lane_name(lane)
        ),
        Role::Restocker => "restocker".into(),
        Role::Attendant { bank } => {
            let attendance = world.resource::<crate::sim::attendance::Attendance>();
            let checkout = world.resource::<Checkout>();
            let lanes: Vec<&str> = attendance
                .bank_of
                .iter_enumerated()
                .filter(|&(_, &b)| b == Some(bank))
                .map(|(l, _)| checkout.lane_name(l))
                .collect();
            match (lanes.first(), lanes.last()) {
                (Some(first), Some(last)) => format!("attendant of {first} … {last}"),
                _ => "attendant".into(),
            }
        }
    }
}
