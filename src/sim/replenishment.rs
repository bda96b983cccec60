//! Replenishment: refilling shelves from backroom stock.
//!
//! Models: when a product's shelf stock falls below `threshold × capacity`, a refill task is
//! posted on the staff task queue ([`crate::sim::staff`]), once per product until it is done;
//! refills all have one priority, so restockers take them first come, first served. An idle
//! restocker takes the next task at the backroom door, takes from the backroom as many units as
//! the shelf gap (at that moment) and the backroom allow (none: the task is dropped), walks to
//! the shelf, spends `setup_time + time_per_unit × units`, puts the units on the shelf, and
//! walks back. With an empty backroom nothing is refilled; the shelf stays empty and misses
//! count as lost sales. Every unit moves through the inventory ledger
//! ([`crate::sim::inventory`]): picked in the backroom, carried, put on the shelf.
//!
//! Restockers also take the goods of baskets abandoned at the checkout
//! ([`crate::sim::checkout`]) back: a restocker walks to the lane, collects every basket left
//! there (from then on the ledger counts the units as backroom stock) and walks back.
//!
//! Units: seconds, metres, m/s, units of stock.

use bevy::ecs::system::SystemParam;
use bevy::prelude::*;
use serde::{Deserialize, Serialize};

use crate::RunConfig;
use crate::ids::{Id, IdVec, ProductId};
use crate::sim::checkout::{BasketLeft, Checkout};
use crate::sim::event_log::{Describe, EventLog, LogRow};
use crate::sim::events::{Agenda, AgendaMut};
use crate::sim::inventory::{Inventory, emit_if_low};
use crate::sim::movement::{Motion, Movement, Walker};
use crate::sim::shopping::{Catalog, StockLow};
use crate::sim::staff::{
    Crew, QueuedTask, RoleKind, StaffHours, StaffMember, Task, TaskKind, TaskQueue, describe_staff,
    staff_name,
};

/// Products with a refill waiting or under way (one at a time per product), and refills done.
#[derive(Resource, Debug, Default)]
pub struct Refills {
    pending: IdVec<ProductId, bool>,
    /// Refills completed.
    pub done: u64,
}

impl Refills {
    /// True while a refill of `product` waits in the task queue or is under way.
    pub fn pending(&self, product: ProductId) -> bool {
        self.pending[product]
    }
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

/// Scheduled: a restocker reaches a lane to collect abandoned baskets.
#[derive(Debug, Clone, Copy)]
pub struct RestockerAtLane {
    pub staff: Entity,
}

/// Scheduled: a restocker is back at the backroom door.
#[derive(Debug, Clone, Copy)]
pub struct RestockerBack {
    pub staff: Entity,
}

impl Describe for RestockerAtShelf {
    fn describe(&self, world: &World, row: &mut LogRow) {
        if let Some(Task::ToShelf { product, units }) = describe_staff(world, self.staff, row) {
            let info = row.at_shelf_of(world, product);
            row.what = format!("arrives with {units} x {}", info.name);
        }
    }
}

impl Describe for RefillDone {
    fn describe(&self, world: &World, row: &mut LogRow) {
        if let Some(Task::Refilling { product, units }) = describe_staff(world, self.staff, row) {
            let info = row.at_shelf_of(world, product);
            row.what = format!("puts {units} x {} on the shelf", info.name);
        }
    }
}

impl Describe for RestockerAtLane {
    fn describe(&self, world: &World, row: &mut LogRow) {
        if let Some(Task::ToLane { lane }) = describe_staff(world, self.staff, row) {
            row.place = format!("lane {}", world.resource::<Checkout>().lane_name(lane));
            row.lane = Some(lane);
            row.what = "collects the abandoned baskets".into();
        }
    }
}

impl Describe for RestockerBack {
    fn describe(&self, world: &World, row: &mut LogRow) {
        describe_staff(world, self.staff, row);
        row.place = "backroom door".into();
        row.what = "back, ready for the next task".into();
    }
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
        app.insert_resource(Refills {
            pending: vec![false; n].into(),
            done: 0,
        });
    }
}

type StaffQuery<'w, 's> = Query<'w, 's, (&'static mut StaffMember, &'static mut Motion)>;

/// What starting a restocker's task needs: stock, shelves, walking and the agenda.
#[derive(SystemParam)]
pub struct RestockerWork<'w> {
    refills: ResMut<'w, Refills>,
    inventory: ResMut<'w, Inventory>,
    config: Res<'w, RunConfig>,
    catalog: Res<'w, Catalog>,
    moves: Movement<'w>,
    agenda: AgendaMut<'w>,
    checkout: Res<'w, Checkout>,
    log: Option<ResMut<'w, EventLog>>,
}

impl RestockerWork<'_> {
    /// Gives the waiting restocker tasks to idle restockers and starts them (every concept
    /// that posts restocker work ends with this).
    pub(crate) fn assign(&mut self, crew: &mut Crew) {
        crew.assign(RoleKind::Restocker, |e, m, motion, task| {
            self.start(e, m, motion, task)
        });
    }

    /// Starts a task restocker `staff` took ([`Crew::assign`]); false drops it.
    pub(crate) fn start(
        &mut self,
        staff: Entity,
        member: &mut StaffMember,
        motion: &mut Motion,
        task: &QueuedTask,
    ) -> bool {
        let now = self.agenda.now();
        let started = match task.kind {
            TaskKind::Refill { product } => self.start_refill(staff, member, motion, product),
            TaskKind::Receive { product } => {
                let per_case = self
                    .config
                    .scenario
                    .ordering
                    .as_ref()
                    .map_or(0.0, |o| o.receive_seconds_per_case);
                crate::sim::receiving::set_off(
                    staff,
                    member,
                    motion,
                    product,
                    &self.inventory,
                    per_case,
                    &mut self.moves,
                    &mut self.agenda,
                    now,
                );
                true
            }
            // Attendants' work, never a restocker's (their role is per bank).
            TaskKind::Attend { .. } => false,
            TaskKind::OpenTill { lane } => {
                // Opened meanwhile (by a command): no cashier needed.
                if self.checkout.lane_open[lane] {
                    false
                } else {
                    let handover = match &self.config.scenario.lane_policy {
                        Some(crate::scenario::LanePolicy::OneInFront { handover, .. }) => *handover,
                        None => 0.0,
                    };
                    let point = self.checkout.lane_points[lane];
                    let walk =
                        self.moves
                            .walk(Walker::Staff, motion, point, member.speed, now + handover);
                    member.task = Task::ToTill { lane };
                    self.agenda
                        .schedule(walk.arrive, crate::sim::lane_policy::TillStaffed { staff });
                    true
                }
            }
            TaskKind::TakeBack { lane } => {
                // Another restocker may have collected this lane's baskets already.
                if self.checkout.left_goods[lane].is_empty() {
                    false
                } else {
                    let point = self.checkout.lane_points[lane];
                    let walk = self
                        .moves
                        .walk(Walker::Staff, motion, point, member.speed, now);
                    member.task = Task::ToLane { lane };
                    self.agenda.schedule(walk.arrive, RestockerAtLane { staff });
                    true
                }
            }
            TaskKind::Count { product } => {
                crate::sim::counting::set_off(
                    staff,
                    member,
                    motion,
                    product,
                    &self.catalog,
                    &mut self.moves,
                    &mut self.agenda,
                    now,
                );
                true
            }
        };
        if started {
            member.doing = Some((task.kind, now));
        }
        started
    }

    pub(crate) fn now(&self) -> f64 {
        self.agenda.now()
    }

    /// A restocker refilling a shelf is called away: the refill stops (its end is cancelled),
    /// the units it carried go back to the backroom, the refill waits in the task queue
    /// again, and its time so far is booked. Returns false if it was not refilling.
    pub(crate) fn stop_refill(
        &mut self,
        member: &mut StaffMember,
        tasks: &mut TaskQueue,
        hours: &mut StaffHours,
    ) -> bool {
        let Task::Refilling { product, units } = member.task else {
            return false;
        };
        let now = self.agenda.now();
        if let Some(id) = member.work_end.take() {
            self.agenda.cancel(id);
        }
        self.inventory.unpick(product, units);
        // Still pending: the refill is posted again rather than asked for anew.
        tasks.post(TaskKind::Refill { product }, now);
        if let Some((kind, since)) = member.doing.take() {
            hours.book(kind, since, now);
        }
        member.task = Task::Idle;
        if let Some(log) = self.log.as_mut() {
            let name = crate::sim::staff::staff_name(member);
            log.what(|| format!("{name} leaves the refill to open a till"));
        }
        true
    }

    pub(crate) fn checkout(&self) -> &Checkout {
        &self.checkout
    }

    pub(crate) fn inventory_mut(&mut self) -> &mut Inventory {
        &mut self.inventory
    }

    /// Takes as many units as the shelf gap and the backroom allow and walks to the shelf;
    /// with none to take the task is dropped (the shelf asks again while it stays low).
    fn start_refill(
        &mut self,
        staff: Entity,
        member: &mut StaffMember,
        motion: &mut Motion,
        product: ProductId,
    ) -> bool {
        let info = &self.catalog.products[product];
        let units = self.inventory.pick_for_refill(product);
        if units == 0 {
            self.refills.pending[product] = false;
            return false;
        }
        let access = self.moves.plan().shelves[info.shelf].access;
        let now = self.agenda.now();
        let walk = self
            .moves
            .walk(Walker::Staff, motion, access, member.speed, now);
        member.task = Task::ToShelf { product, units };
        if let Some(log) = self.log.as_mut() {
            // Setting off is no event of its own (the task was taken), but a student following
            // a restocker needs it.
            let mut row = LogRow::new(now, "RestockerSetsOff");
            row.who = staff_name(member);
            row.staff = Some(member.id);
            row.shelf = Some(info.shelf);
            row.place = "backroom door".into();
            let shelf_id = &self.moves.plan().shelves[info.shelf].id;
            row.what = format!("takes {units} x {} to shelf {shelf_id}", info.name);
            log.fact(row);
        }
        self.agenda
            .schedule(walk.arrive, RestockerAtShelf { staff });
        true
    }
}

/// What [`on_stock_low`] works with once a request is new.
type StockLowParams = (Crew<'static, 'static>, RestockerWork<'static>);

/// An exclusive handler: a shopper asks on every visit below the threshold, so most requests
/// repeat one already queued (or find the backroom empty) and are answered from two
/// resources, without fetching the crew and the restockers' work.
pub(crate) fn on_stock_low(
    In(ev): In<StockLow>,
    world: &mut World,
    state: &mut bevy::ecs::system::SystemState<StockLowParams>,
) {
    let p = ev.product;
    if world.resource::<Refills>().pending(p)
        || world.resource::<Inventory>().stock(p).backroom == 0
    {
        return;
    }
    let (mut crew, mut work) = state
        .get_mut(world)
        .expect("the store's resources, inserted when it was built");
    if crew.staff.of(RoleKind::Restocker).is_empty() {
        return;
    }
    work.refills.pending[p] = true;
    crew.tasks
        .post(TaskKind::Refill { product: p }, work.agenda.now());
    work.assign(&mut crew);
}

pub(crate) fn on_at_shelf(
    In(ev): In<RestockerAtShelf>,
    mut crew: Crew,
    mut work: RestockerWork,
    mut hours: ResMut<StaffHours>,
) {
    let Ok((mut member, mut motion)) = crew.members.get_mut(ev.staff) else {
        return;
    };
    let Task::ToShelf { product, units } = member.task else {
        return;
    };
    let r = &work.config.scenario.replenishment;
    member.task = Task::Refilling { product, units };
    let end = work.agenda.now() + r.setup_time + r.time_per_unit * f64::from(units);
    member.work_end = Some(work.agenda.schedule(end, RefillDone { staff: ev.staff }));
    // A till waiting to be opened: it leaves the refill at once.
    if crew
        .tasks
        .iter()
        .any(|t| matches!(t.kind, TaskKind::OpenTill { .. }))
    {
        work.stop_refill(&mut member, &mut crew.tasks, &mut hours);
        if let Some(task) = crew.tasks.take(RoleKind::Restocker) {
            work.start(ev.staff, &mut member, &mut motion, &task);
        }
    }
}

pub(crate) fn on_refill_done(
    In(ev): In<RefillDone>,
    mut members: StaffQuery,
    mut refills: ResMut<Refills>,
    mut inventory: ResMut<Inventory>,
    mut moves: Movement,
    config: Res<RunConfig>,
    mut agenda: AgendaMut,
) {
    let now = agenda.now();
    let Ok((mut member, mut motion)) = members.get_mut(ev.staff) else {
        return;
    };
    let Task::Refilling { product, units } = member.task else {
        return;
    };
    member.work_end = None;
    inventory.put_on_shelf(product, units, now);
    refills.pending[product] = false;
    refills.done += 1;
    emit_if_low(
        &inventory,
        product,
        config.scenario.replenishment.threshold,
        &mut agenda,
    );
    walk_back(
        ev.staff,
        &mut member,
        &mut motion,
        &mut moves,
        &mut agenda,
        now,
    );
}

pub(crate) fn on_basket_left(In(ev): In<BasketLeft>, mut crew: Crew, mut work: RestockerWork) {
    // Without restockers the goods wait until the closing staff clear the checkout
    // ([`Inventory::start_day`]).
    if crew.staff.of(RoleKind::Restocker).is_empty() {
        return;
    }
    crew.tasks
        .post(TaskKind::TakeBack { lane: ev.lane }, work.agenda.now());
    work.assign(&mut crew);
}

pub(crate) fn on_at_lane(
    In(ev): In<RestockerAtLane>,
    mut members: StaffQuery,
    mut checkout: ResMut<Checkout>,
    mut inventory: ResMut<Inventory>,
    mut moves: Movement,
    mut agenda: AgendaMut,
) {
    let now = agenda.now();
    let Ok((mut member, mut motion)) = members.get_mut(ev.staff) else {
        return;
    };
    let Task::ToLane { lane } = member.task else {
        return;
    };
    for (p, units) in std::mem::take(&mut checkout.left_goods[lane]) {
        inventory.return_to_backroom(p, units);
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

/// Sends a restocker whose task is done back to the backroom door, where it takes the next
/// one ([`RestockerBack`]).
pub(crate) fn walk_back(
    staff: Entity,
    member: &mut StaffMember,
    motion: &mut Motion,
    moves: &mut Movement,
    agenda: &mut Agenda,
    now: f64,
) {
    let door = moves
        .plan()
        .backroom_door
        .expect("restockers need a backroom");
    let walk = moves.walk(Walker::Staff, motion, door, member.speed, now);
    member.task = Task::Returning;
    agenda.schedule(walk.arrive, RestockerBack { staff });
}

pub(crate) fn on_back(
    In(ev): In<RestockerBack>,
    mut crew: Crew,
    mut work: RestockerWork,
    mut hours: ResMut<StaffHours>,
    mut rostered: Query<&mut crate::sim::rota::Rostered>,
) {
    let now = work.now();
    if let Ok((mut member, _)) = crew.members.get_mut(ev.staff) {
        member.task = Task::Idle;
        if let Some((kind, since)) = member.doing.take() {
            hours.book(kind, since, now);
        }
        // A break or the shift's end that fell due meanwhile is taken now.
        let r = rostered.get_mut(ev.staff).ok();
        crate::sim::rota::restocker_free(
            ev.staff,
            &mut member,
            r.map(|r| r.into_inner()),
            now,
            &mut work.agenda,
        );
    }
    work.assign(&mut crew);
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct StockSummary {
    pub refills: u64,
    pub units_refilled: u64,
    pub shelf_units_initial: u64,
    pub shelf_units_end: u64,
    pub backroom_units_initial: u64,
    pub backroom_units_end: u64,
}

/// Refills and stock on the shelves and in the backroom, at the start and now.
pub fn stock_summary(world: &World) -> StockSummary {
    // Today's: a day of a longer run counts from its opening.
    let inventory = world.resource::<Inventory>();
    let stock = || inventory.all_stock();
    let base =
        || (0..inventory.all_stock().count()).map(|i| inventory.day_base(ProductId::from_index(i)));
    StockSummary {
        refills: world.resource::<Refills>().done,
        units_refilled: inventory
            .all_flows()
            .zip(base())
            .map(|(f, b)| f.refilled - b.refilled)
            .sum(),
        shelf_units_initial: base().map(|b| u64::from(b.shelf)).sum(),
        shelf_units_end: stock().map(|s| u64::from(s.shelf)).sum(),
        backroom_units_initial: base().map(|b| u64::from(b.backroom)).sum(),
        backroom_units_end: stock().map(|s| u64::from(s.backroom)).sum(),
    }
}
