//! Replenishment: refilling shelves from backroom stock.
//!
//! Models: when a product's shelf stock falls below `threshold × capacity`, a refill task joins
//! a first-come-first-served list (once per product until it is done). An idle restocker takes
//! the next task at the backroom door, takes from the backroom as many units as the shelf gap
//! (at that moment) and the backroom allow, walks to the shelf, spends
//! `setup_time + time_per_unit × units`, puts the units on the shelf, and walks back. With an
//! empty backroom nothing is refilled; the shelf stays empty and misses count as lost sales.
//!
//! Units: seconds, metres, m/s, units of stock.

use std::collections::VecDeque;

use bevy::prelude::*;

use crate::RunConfig;
use crate::ids::{IdVec, ProductId};
use crate::scenario::floor_plan::FloorPlan;
use crate::sim::engine::{Agenda, Clock};
use crate::sim::movement::Motion;
use crate::sim::shopping::{Catalog, Shelf, StockLedger, StockLow};
use crate::sim::staff::{Staff, StaffMember, Task};

/// Backroom stock per product, and units being carried to shelves.
#[derive(Resource, Clone, Debug)]
pub struct Backroom {
    pub initial: IdVec<ProductId, u64>,
    pub stock: IdVec<ProductId, u32>,
    pub in_transit: IdVec<ProductId, u32>,
}

/// Refill tasks waiting for a restocker.
#[derive(Resource, Debug, Default)]
pub struct RefillQueue {
    pub tasks: VecDeque<ProductId>,
    pending: IdVec<ProductId, bool>,
    /// Refills completed.
    pub done: u64,
}

/// Scheduled: a restocker reaches the shelf it carries goods to.
#[derive(Debug, Clone, Copy)]
pub struct RestockerAtShelf {
    pub staff: Entity,
}

/// Scheduled: a restocker has put the goods on the shelf.
#[derive(Debug, Clone, Copy)]
pub struct RefillDone {
    pub staff: Entity,
}

/// Scheduled: a restocker is back at the backroom door.
#[derive(Debug, Clone, Copy)]
pub struct RestockerBack {
    pub staff: Entity,
}

pub struct ReplenishmentPlugin;

impl Plugin for ReplenishmentPlugin {
    fn build(&self, app: &mut App) {
        let config = app.world().resource::<RunConfig>().clone();
        let stock: IdVec<ProductId, u32> = config
            .scenario
            .products
            .iter()
            .map(|p| p.backroom_stock)
            .collect();
        let n = stock.len();
        app.insert_resource(Backroom {
            initial: stock.iter().map(|&s| u64::from(s)).collect(),
            stock,
            in_transit: vec![0; n].into(),
        })
        .insert_resource(RefillQueue {
            tasks: VecDeque::new(),
            pending: vec![false; n].into(),
            done: 0,
        });
    }
}

type StaffQuery<'w, 's> = Query<'w, 's, (&'static mut StaffMember, &'static mut Motion)>;

/// Gives waiting tasks to idle restockers (in staff order).
fn dispatch(
    staff: &Staff,
    members: &mut StaffQuery,
    queue: &mut RefillQueue,
    backroom: &mut Backroom,
    shelves: &Query<&mut Shelf>,
    catalog: &Catalog,
    plan: &FloorPlan,
    now: f64,
    agenda: &mut Agenda,
) {
    for &e in &staff.restockers {
        let Ok((mut member, mut motion)) = members.get_mut(e) else {
            continue;
        };
        if member.task != Task::Idle {
            continue;
        }
        // Take the next task that still has a gap and backroom stock; drop the others.
        let task = loop {
            let Some(p) = queue.tasks.pop_front() else {
                break None;
            };
            let info = &catalog.products[p];
            let shelf = shelves.get(catalog.shelves[info.shelf]).expect("shelf");
            let gap = info.capacity - shelf.slots[usize::from(info.slot)].on_shelf;
            let units = gap.min(backroom.stock[p]);
            if units > 0 {
                break Some((p, units, shelf.access));
            }
            queue.pending[p] = false;
        };
        let Some((product, units, access)) = task else {
            return;
        };
        backroom.stock[product] -= units;
        backroom.in_transit[product] += units;
        let from = motion.to;
        let arrive = now + plan.distance(from, access) / member.speed;
        *motion = Motion {
            from,
            to: access,
            depart: now,
            arrive,
        };
        member.task = Task::ToShelf { product, units };
        agenda.schedule(arrive, RestockerAtShelf { staff: e });
    }
}

pub(crate) fn on_stock_low(
    In(ev): In<StockLow>,
    mut queue: ResMut<RefillQueue>,
    mut backroom: ResMut<Backroom>,
    staff: Res<Staff>,
    mut members: StaffQuery,
    shelves: Query<&mut Shelf>,
    catalog: Res<Catalog>,
    plan: Res<FloorPlan>,
    clock: Res<Clock>,
    mut agenda: ResMut<Agenda>,
) {
    let p = ev.product;
    if queue.pending[p] || backroom.stock[p] == 0 || staff.restockers.is_empty() {
        return;
    }
    queue.pending[p] = true;
    queue.tasks.push_back(ev.product);
    dispatch(
        &staff,
        &mut members,
        &mut queue,
        &mut backroom,
        &shelves,
        &catalog,
        &plan,
        clock.now,
        &mut agenda,
    );
}

pub(crate) fn on_at_shelf(
    In(ev): In<RestockerAtShelf>,
    mut members: StaffQuery,
    config: Res<RunConfig>,
    clock: Res<Clock>,
    mut agenda: ResMut<Agenda>,
) {
    let Ok((mut member, _)) = members.get_mut(ev.staff) else {
        return;
    };
    let Task::ToShelf { product, units } = member.task else {
        return;
    };
    let r = &config.scenario.replenishment;
    member.task = Task::Refilling { product, units };
    agenda.schedule(
        clock.now + r.setup_time + r.time_per_unit * f64::from(units),
        RefillDone { staff: ev.staff },
    );
}

pub(crate) fn on_refill_done(
    In(ev): In<RefillDone>,
    mut members: StaffQuery,
    mut shelves: Query<&mut Shelf>,
    mut queue: ResMut<RefillQueue>,
    mut backroom: ResMut<Backroom>,
    mut ledger: ResMut<StockLedger>,
    catalog: Res<Catalog>,
    plan: Res<FloorPlan>,
    config: Res<RunConfig>,
    clock: Res<Clock>,
    mut agenda: ResMut<Agenda>,
) {
    let now = clock.now;
    let Ok((mut member, mut motion)) = members.get_mut(ev.staff) else {
        return;
    };
    let Task::Refilling { product, units } = member.task else {
        return;
    };
    let p = product;
    let info = &catalog.products[p];
    let mut shelf = shelves.get_mut(catalog.shelves[info.shelf]).expect("shelf");
    let slot = &mut shelf.slots[usize::from(info.slot)];
    // Customers only took stock since the units were counted, so they always fit.
    slot.on_shelf += units;
    debug_assert!(slot.on_shelf <= slot.capacity);
    let still_low = f64::from(slot.on_shelf)
        < config.scenario.replenishment.threshold * f64::from(slot.capacity);
    backroom.in_transit[p] -= units;
    ledger.refilled[p] += u64::from(units);
    if let Some(since) = ledger.empty_since[p].take() {
        ledger.empty_seconds[p] += now - since;
        ledger.empty_now -= 1;
    }
    queue.pending[p] = false;
    queue.done += 1;
    if still_low {
        agenda.emit(StockLow { product });
    }
    let door = plan.backroom_door.expect("restockers need a backroom");
    let arrive = now + plan.distance(motion.to, door) / member.speed;
    *motion = Motion {
        from: motion.to,
        to: door,
        depart: now,
        arrive,
    };
    member.task = Task::Returning;
    agenda.schedule(arrive, RestockerBack { staff: ev.staff });
}

pub(crate) fn on_back(
    In(ev): In<RestockerBack>,
    mut members: StaffQuery,
    mut queue: ResMut<RefillQueue>,
    mut backroom: ResMut<Backroom>,
    staff: Res<Staff>,
    shelves: Query<&mut Shelf>,
    catalog: Res<Catalog>,
    plan: Res<FloorPlan>,
    clock: Res<Clock>,
    mut agenda: ResMut<Agenda>,
) {
    if let Ok((mut member, _)) = members.get_mut(ev.staff) {
        member.task = Task::Idle;
    }
    dispatch(
        &staff,
        &mut members,
        &mut queue,
        &mut backroom,
        &shelves,
        &catalog,
        &plan,
        clock.now,
        &mut agenda,
    );
}
