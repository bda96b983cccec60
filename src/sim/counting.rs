//! Counting: stock counts that correct the record, by hand or with RFID.
//!
//! Models: on count days (day 1 and every `every_days` after; one that falls on a closed day
//! moves to the next open day) from `start`, the regular counts: all products, or
//! `products_per_day` round the catalogue. With `when_idle_days`, on any open day also the
//! products whose record shows stock but which sold nothing for that many open days (a
//! phantom-stock check), first. They are counted one after another: at
//! most `staff` count tasks are on the staff task queue at a time, for the restockers, below
//! refills in priority; each finished count posts the next. Time spent counting is time not
//! spent refilling. A restocker walks to the product's shelf and counts shelf and backroom
//! (and, with RFID, the misplaced units it reads) at the method's rate in items per hour; when
//! it is done the record is set to what was counted ([`Inventory::count`]) and it walks back
//! to the backroom door, where it takes its next task. Counts not done by the end of the day
//! are dropped; the next count day goes on round the catalogue.
//!
//! With fixed RFID readers (`RfidReaders`) no one counts: every product is read every
//! `every_minutes` while the store is open ([`ReadersDue`]), at no staff time.
//!
//! Units: items per hour, seconds, minutes, days.

use bevy::prelude::*;

use crate::RunConfig;
use crate::ids::{Id, ProductId};
use crate::sim::engine::Clock;
use crate::sim::event_log::{Describe, EventLog, LogRow};
use crate::sim::events::{Agenda, AgendaMut};
use crate::sim::inventory::Inventory;
use crate::sim::movement::{Motion, Movement, Walker};
use crate::sim::replenishment::{RestockerWork, walk_back};
use crate::sim::shopping::Catalog;
use crate::sim::staff::{Crew, StaffMember, Task, TaskKind, describe_staff};

/// Scheduled on count days, and on days with products to check for phantom stock: the day's
/// count tasks are posted (`scheduled`: the day's share of the regular counts too).
#[derive(Debug, Clone, Copy)]
pub struct CountsDue {
    pub scheduled: bool,
}

/// Scheduled every `every_minutes` while the store is open, with fixed RFID readers: every
/// product is read.
#[derive(Debug, Clone, Copy)]
pub struct ReadersDue;

impl Describe for ReadersDue {
    fn describe(&self, _: &World, row: &mut LogRow) {
        row.who = "RFID readers".into();
        row.what = "read every product".into();
    }
}

pub(crate) fn on_readers_due(
    _: In<ReadersDue>,
    mut inventory: ResMut<Inventory>,
    config: Res<RunConfig>,
    clock: Res<Clock>,
    mut agenda: AgendaMut,
) {
    let Some(counting) = &config.scenario.counting else {
        return;
    };
    let crate::scenario::CountMethod::RfidReaders { every_minutes, .. } = counting.method else {
        return;
    };
    let now = agenda.now();
    for i in 0..inventory.all_stock().count() {
        inventory.count(ProductId::from_index(i), &counting.method, now);
    }
    let next = now + 60.0 * every_minutes;
    if next < clock.close {
        agenda.schedule(next, ReadersDue);
    }
}

/// Scheduled: a restocker reaches the shelf it is to count.
#[derive(Debug, Clone, Copy)]
pub struct CounterAtShelf {
    pub staff: Entity,
}

/// Scheduled: a restocker has counted its product.
#[derive(Debug, Clone, Copy)]
pub struct CountDone {
    pub staff: Entity,
}

impl Describe for CountsDue {
    fn describe(&self, _: &World, row: &mut LogRow) {
        row.what = "stock counts posted for the restockers".into();
    }
}

impl Describe for CounterAtShelf {
    fn describe(&self, world: &World, row: &mut LogRow) {
        if let Some(Task::ToCount { product }) = describe_staff(world, self.staff, row) {
            let info = row.at_shelf_of(world, product);
            row.what = format!("starts counting {}", info.name);
        }
    }
}

impl Describe for CountDone {
    fn describe(&self, world: &World, row: &mut LogRow) {
        if let Some(Task::Counting { product }) = describe_staff(world, self.staff, row) {
            let info = row.at_shelf_of(world, product);
            row.what = format!("has counted {}", info.name);
        }
    }
}

/// Today's counts not yet posted.
#[derive(Resource, Debug, Default)]
pub struct CountPlan {
    pub todo: std::collections::VecDeque<ProductId>,
}

pub struct CountingPlugin;

impl Plugin for CountingPlugin {
    fn build(&self, app: &mut App) {
        app.init_resource::<CountPlan>();
    }
}

pub(crate) fn on_counts_due(
    In(ev): In<CountsDue>,
    mut crew: Crew,
    mut work: RestockerWork,
    mut plan: ResMut<CountPlan>,
    config: Res<RunConfig>,
) {
    let Some(counting) = &config.scenario.counting else {
        return;
    };
    let now = work.now();
    // Phantom-stock checks first, then the day's regular counts (each product once).
    let inventory = work.inventory_mut();
    let mut todo = counting
        .when_idle_days
        .map_or_else(Vec::new, |d| inventory.idle_with_stock(d));
    if ev.scheduled {
        for p in inventory.next_to_count(counting.products_per_day) {
            if !todo.contains(&p) {
                todo.push(p);
            }
        }
    }
    plan.todo = todo.into();
    for _ in 0..counting.staff {
        if let Some(product) = plan.todo.pop_front() {
            crew.tasks.post(TaskKind::Count { product }, now);
        }
    }
    work.assign(&mut crew);
}

/// Sends a restocker to count `product`.
pub(crate) fn set_off(
    staff: Entity,
    member: &mut StaffMember,
    motion: &mut Motion,
    product: ProductId,
    catalog: &Catalog,
    moves: &mut Movement,
    agenda: &mut Agenda,
    now: f64,
) {
    let shelf = catalog.products[product].shelf;
    let access = moves.plan().shelves[shelf].access;
    let walk = moves.walk(Walker::Staff, motion, access, member.speed, now);
    member.task = Task::ToCount { product };
    agenda.schedule(walk.arrive, CounterAtShelf { staff });
}

pub(crate) fn on_counter_at_shelf(
    In(ev): In<CounterAtShelf>,
    mut members: Query<&mut StaffMember>,
    inventory: Res<Inventory>,
    config: Res<RunConfig>,
    mut agenda: AgendaMut,
) {
    let Ok(mut member) = members.get_mut(ev.staff) else {
        return;
    };
    let Task::ToCount { product } = member.task else {
        return;
    };
    let Some(counting) = &config.scenario.counting else {
        return;
    };
    let rate = match counting.method {
        crate::scenario::CountMethod::Manual { items_per_hour, .. }
        | crate::scenario::CountMethod::Rfid { items_per_hour, .. } => items_per_hour,
        // Readers need no staff: no count task is ever posted for them.
        crate::scenario::CountMethod::RfidReaders { .. } => return,
    };
    let units = inventory.units_to_count(product, &counting.method);
    member.task = Task::Counting { product };
    let done = agenda.now() + 3600.0 * f64::from(units) / rate;
    agenda.schedule(done, CountDone { staff: ev.staff });
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn on_count_done(
    In(ev): In<CountDone>,
    mut members: Query<(&mut StaffMember, &mut Motion)>,
    mut inventory: ResMut<Inventory>,
    mut plan: ResMut<CountPlan>,
    mut tasks: ResMut<crate::sim::staff::TaskQueue>,
    config: Res<RunConfig>,
    mut moves: Movement,
    mut agenda: AgendaMut,
    mut log: Option<ResMut<EventLog>>,
) {
    let Ok((mut member, mut motion)) = members.get_mut(ev.staff) else {
        return;
    };
    let Task::Counting { product } = member.task else {
        return;
    };
    let Some(counting) = &config.scenario.counting else {
        return;
    };
    let now = agenda.now();
    let (before, after) = inventory.count(product, &counting.method, now);
    // The next count: taken by whoever is free first (at the latest this counter, back at
    // the door).
    if let Some(next) = plan.todo.pop_front() {
        tasks.post(TaskKind::Count { product: next }, now);
    }
    if let Some(log) = log.as_mut() {
        log.what(|| format!("record {before} -> {after}"));
    }
    walk_back(
        ev.staff,
        &mut member,
        &mut motion,
        &mut moves,
        &mut agenda,
        now,
    );
}
