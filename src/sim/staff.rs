//! Staff: who works in the store, and the queue of tasks waiting for them.
//!
//! Models who works where and what each does next. A cashier stands at every open staffed
//! lane (a staffed lane's service already includes the cashier's work); restockers start idle
//! at the backroom door. Work that waits for someone is a task in the [`TaskQueue`], posted by
//! the module of its concept (replenishment posts refills): each task names the role that may
//! do it, a priority and the time it was posted. An idle member of that role takes the task of
//! highest priority, the one posted first among equals; members of a role are offered tasks in
//! staff order ([`Crew::assign`]). Taking a task, the posting module starts it (walks,
//! schedules) or, if it is no longer needed, drops it and the member takes the next one.
//!
//! Roles ([`RoleKind`]): cashier (one lane each), restocker, attendant (one bank of
//! self-checkouts each, [`crate::sim::attendance`]). Priorities ([`Priority`]): ranks 0–255,
//! higher first, no unit: opening a till 250 (restockers), attending a stopped
//! self-checkout 200, refills 100, taking abandoned baskets back 90, receiving 80, counting
//! 50; within a rank, first come, first served. A member finishes the task in hand before
//! taking the next, with one exception: a restocker refilling a shelf stops when called to
//! open a till ([`crate::sim::lane_policy`]).
//!
//! Adding a task kind (Relabel, Pick, …) is one [`TaskKind`] variant,
//! with its role and priority in [`TaskKind::role`] and [`TaskKind::priority`], plus its
//! handler in the starter of that role (today replenishment's `RestockerWork::start`).
//!
//! Units: seconds since 00:00 (when posted), m/s (walking speed); priorities are ranks.

use std::cmp::Reverse;
use std::collections::BTreeMap;

use bevy::ecs::system::SystemParam;
use bevy::prelude::*;

use crate::RunConfig;
use crate::ids::{LaneId, ProductId};
use crate::scenario::LaneKind;
use crate::scenario::floor_plan::FloorPlan;
use crate::sim::checkout::{Checkout, Lane};
use crate::sim::engine::Clock;
use crate::sim::event_log::LogRow;
use crate::sim::movement::Motion;

/// What a staff member is employed as (a cashier with its lane).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Cashier {
        lane: LaneId,
    },
    Restocker,
    /// Oversees bank `bank` of self-checkouts ([`crate::sim::attendance`]).
    Attendant {
        bank: u32,
    },
}

impl Role {
    pub fn kind(&self) -> RoleKind {
        match self {
            Role::Cashier { .. } => RoleKind::Cashier,
            Role::Restocker => RoleKind::Restocker,
            Role::Attendant { bank } => RoleKind::Attendant { bank: *bank },
        }
    }

    /// The role's name in logs and the view.
    pub fn name(&self) -> &'static str {
        self.kind().name()
    }
}

/// A role without its details: what a task asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RoleKind {
    Cashier,
    Restocker,
    /// The attendant of one bank of self-checkouts: its tasks are that bank's.
    Attendant {
        bank: u32,
    },
}

impl RoleKind {
    pub fn name(self) -> &'static str {
        match self {
            RoleKind::Cashier => "cashier",
            RoleKind::Restocker => "restocker",
            RoleKind::Attendant { .. } => "attendant",
        }
    }
}

/// What a staff member is doing (a queued task, once taken, becomes one of these).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Task {
    Idle,
    /// Serving at a lane (cashiers).
    AtLane,
    /// Carrying `units` of product `product` to its shelf.
    ToShelf {
        product: ProductId,
        units: u32,
    },
    /// Putting `units` of `product` on the shelf.
    Refilling {
        product: ProductId,
        units: u32,
    },
    /// Receiving the delivered cases of `product` at the backroom door.
    Receiving {
        product: ProductId,
    },
    /// Walking to the shelf of `product` to count it.
    ToCount {
        product: ProductId,
    },
    /// Counting `product` (shelf and backroom).
    Counting {
        product: ProductId,
    },
    /// Walking to the stopped self-checkout `lane` (attendants).
    ToTerminal {
        lane: LaneId,
    },
    /// Resolving the stop at self-checkout `lane` (attendants).
    Helping {
        lane: LaneId,
    },
    /// Called to open till `lane` ([`crate::sim::lane_policy`]): handing over and walking.
    ToTill {
        lane: LaneId,
    },
    /// Serving as the cashier of till `lane`, opened on demand.
    AtTill {
        lane: LaneId,
    },
    /// Walking to lane `lane` to collect the goods of abandoned baskets.
    ToLane {
        lane: LaneId,
    },
    /// Walking back to the backroom.
    Returning,
}

#[derive(Component, Clone, Debug)]
pub struct StaffMember {
    /// Unique among all staff (selection and event-log key).
    pub id: u32,
    /// 1-based number within its role: `restocker 2` ([`staff_name`]).
    pub number: u32,
    pub role: Role,
    pub task: Task,
    /// Walking speed, m/s.
    pub speed: f64,
    /// The task under way and when it was taken (for hours by task).
    pub doing: Option<(TaskKind, f64)>,
    /// The scheduled end of the work it stands at (a refill), so a call to open a till can
    /// stop it.
    pub work_end: Option<crate::sim::engine::EventId>,
    /// On duty, on a break or off shift ([`crate::sim::rota`]); staff without a rota are
    /// always on duty.
    pub duty: Duty,
    /// Its name from the rota, if it has one.
    pub name: Option<String>,
    /// What it is called when not its role's name: a rota's auditors sit at audit points as
    /// cashiers sit at tills.
    pub title: Option<&'static str>,
}

impl StaffMember {
    /// What it is called in logs, the view and `summary.json`.
    pub fn title(&self) -> &'static str {
        self.title.unwrap_or(self.role.name())
    }
}

/// Whether a staff member is at work.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Duty {
    On,
    Break,
    Off,
}

/// Staff hours spent on each kind of task, booked when the task is over (back at the
/// backroom door).
#[derive(Resource, Debug, Default, Clone, PartialEq)]
pub struct StaffHours {
    pub restocking: f64,
    pub counting: f64,
    pub receiving: f64,
    /// Walking to and resolving stopped self-checkouts.
    pub attending: f64,
    /// Restockers called to open a till: handing over, walking there and serving.
    pub cashiering: f64,
}

impl StaffHours {
    /// Books the time since `since` on the task `kind`.
    pub fn book(&mut self, kind: TaskKind, since: f64, now: f64) {
        let hours = (now - since).max(0.0) / 3600.0;
        match kind {
            // Taking abandoned goods back is restocking work.
            TaskKind::Refill { .. } | TaskKind::TakeBack { .. } => self.restocking += hours,
            TaskKind::Count { .. } => self.counting += hours,
            TaskKind::Receive { .. } => self.receiving += hours,
            TaskKind::Attend { .. } => self.attending += hours,
            TaskKind::OpenTill { .. } => self.cashiering += hours,
        }
    }
}

/// Staff entities by role, in a fixed order.
#[derive(Resource, Debug, Default)]
pub struct Staff {
    pub cashiers: Vec<Entity>,
    pub restockers: Vec<Entity>,
    /// By bank of self-checkouts: its attendant, or the rota's attendants of a group whose
    /// terminals form one bank.
    pub attendants: Vec<Vec<Entity>>,
}

impl Staff {
    /// The members of a role, in staff order.
    pub fn of(&self, role: RoleKind) -> &[Entity] {
        match role {
            RoleKind::Cashier => &self.cashiers,
            RoleKind::Restocker => &self.restockers,
            RoleKind::Attendant { bank } => self
                .attendants
                .get(bank as usize)
                .map_or(&[], Vec::as_slice),
        }
    }
}

/// How urgent a task is: a rank, higher first (see the module header for the scale).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Priority(pub u8);

impl Priority {
    /// A till to open for a queue ("one in front"): before anything else a restocker does.
    pub const OPEN_TILL: Priority = Priority(250);
    /// A stopped self-checkout blocks a customer and a terminal: at once.
    pub const ATTEND: Priority = Priority(200);
    pub const REFILL: Priority = Priority(100);
    /// Deliveries wait while shelves need refilling (they come before opening, when none do).
    pub const RECEIVE: Priority = Priority(80);
    /// Goods of abandoned baskets (chilled ones among them) go back before deliveries are
    /// received, after refills: an assumption, no source ranks them.
    pub const TAKE_BACK: Priority = Priority(90);
    /// Counts wait while shelves need refilling.
    pub const COUNT: Priority = Priority(50);
}

/// Work waiting for a staff member.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TaskKind {
    /// Bring product `product` from the backroom to its shelf.
    Refill { product: ProductId },
    /// Count product `product` on its shelf and in the backroom.
    Count { product: ProductId },
    /// Receive the delivered cases of `product` into the backroom.
    Receive { product: ProductId },
    /// Take the goods of baskets abandoned at lane `lane` back to the backroom.
    TakeBack { lane: LaneId },
    /// Help at self-checkout `lane`, which stopped; for the attendant of bank `bank`.
    Attend { lane: LaneId, bank: u32 },
    /// Open till `lane` and serve there until it closes ([`crate::sim::lane_policy`]).
    OpenTill { lane: LaneId },
}

impl TaskKind {
    /// The role that does this kind of task.
    pub fn role(&self) -> RoleKind {
        match self {
            TaskKind::Refill { .. }
            | TaskKind::Count { .. }
            | TaskKind::Receive { .. }
            | TaskKind::TakeBack { .. }
            | TaskKind::OpenTill { .. } => RoleKind::Restocker,
            TaskKind::Attend { bank, .. } => RoleKind::Attendant { bank: *bank },
        }
    }

    /// This kind's priority.
    pub fn priority(&self) -> Priority {
        match self {
            TaskKind::Refill { .. } => Priority::REFILL,
            TaskKind::Count { .. } => Priority::COUNT,
            TaskKind::Receive { .. } => Priority::RECEIVE,
            TaskKind::TakeBack { .. } => Priority::TAKE_BACK,
            TaskKind::Attend { .. } => Priority::ATTEND,
            TaskKind::OpenTill { .. } => Priority::OPEN_TILL,
        }
    }
}

/// A task in the queue.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct QueuedTask {
    pub kind: TaskKind,
    /// Who may do it.
    pub role: RoleKind,
    pub priority: Priority,
    /// When it was posted, seconds since 00:00.
    pub posted: f64,
    /// Posting order: first posted, first taken among equal priorities.
    seq: u64,
}

/// Tasks waiting for a staff member, per role in the order they will be taken.
#[derive(Resource, Debug, Default)]
pub struct TaskQueue {
    by_role: BTreeMap<RoleKind, BTreeMap<(Reverse<Priority>, u64), QueuedTask>>,
    next_seq: u64,
}

impl TaskQueue {
    /// Posts a task for its kind's role at its kind's priority.
    pub fn post(&mut self, kind: TaskKind, now: f64) {
        self.post_as(kind, kind.role(), kind.priority(), now);
    }

    /// Posts a task for `role` at `priority`.
    pub fn post_as(&mut self, kind: TaskKind, role: RoleKind, priority: Priority, now: f64) {
        let seq = self.next_seq;
        self.next_seq += 1;
        let task = QueuedTask {
            kind,
            role,
            priority,
            posted: now,
            seq,
        };
        self.by_role
            .entry(role)
            .or_default()
            .insert((Reverse(priority), seq), task);
    }

    /// Removes and returns the next task for `role`: highest priority, first posted.
    pub fn take(&mut self, role: RoleKind) -> Option<QueuedTask> {
        self.by_role.get_mut(&role)?.pop_first().map(|(_, t)| t)
    }

    /// The waiting tasks, role by role, each role's in the order they will be taken.
    pub fn iter(&self) -> impl Iterator<Item = &QueuedTask> {
        self.by_role.values().flat_map(|q| q.values())
    }

    pub fn len(&self) -> usize {
        self.by_role.values().map(|q| q.len()).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.by_role.values().all(|q| q.is_empty())
    }
}

/// The staff and their task queue, for handlers that post tasks or free a member.
#[derive(SystemParam)]
pub struct Crew<'w, 's> {
    pub staff: Res<'w, Staff>,
    pub tasks: ResMut<'w, TaskQueue>,
    pub members: Query<'w, 's, (&'static mut StaffMember, &'static mut Motion)>,
}

impl Crew<'_, '_> {
    /// Gives waiting tasks of `role` to its idle members, in staff order, one each. `start`
    /// starts a task for a member (setting its [`Task`]) and returns true, or returns false
    /// when the task is no longer needed: it is dropped and the member takes the next one.
    /// Stops when the role's queue is empty.
    pub fn assign(
        &mut self,
        role: RoleKind,
        mut start: impl FnMut(Entity, &mut StaffMember, &mut Motion, &QueuedTask) -> bool,
    ) {
        for &e in self.staff.of(role) {
            let Ok((mut member, mut motion)) = self.members.get_mut(e) else {
                continue;
            };
            if member.task != Task::Idle || member.duty != Duty::On {
                continue;
            }
            loop {
                let Some(task) = self.tasks.take(role) else {
                    return;
                };
                if start(e, &mut member, &mut motion, &task) {
                    break;
                }
            }
        }
    }
}

pub struct StaffPlugin;

impl Plugin for StaffPlugin {
    fn build(&self, app: &mut App) {
        let config = app.world().resource::<RunConfig>().clone();
        let plan = app.world().resource::<FloorPlan>().clone();
        let now = app.world().resource::<Clock>().open;
        let lanes = app.world().resource::<Checkout>().lanes.clone();
        let speed = config.scenario.replenishment.walking_speed;
        let mut staff = Staff::default();
        let mut id = 0;
        for lane_entity in lanes {
            let lane = app.world().get::<Lane>(lane_entity).expect("lane").clone();
            if lane.kind == LaneKind::Staffed && lane.open {
                let e = app
                    .world_mut()
                    .spawn((
                        StaffMember {
                            id,
                            number: staff.cashiers.len() as u32 + 1,
                            role: Role::Cashier { lane: lane.index },
                            task: Task::AtLane,
                            speed,
                            doing: None,
                            work_end: None,
                            duty: Duty::On,
                            name: None,
                            title: None,
                        },
                        Motion::still(lane.service_point, now),
                    ))
                    .id();
                staff.cashiers.push(e);
                id += 1;
            }
        }
        let rota = config.scenario.rota.as_ref();
        let rota_restockers = rota.is_some_and(|r| {
            r.shifts
                .iter()
                .any(|s| s.role == crate::scenario::ShiftRole::Restocker)
        });
        if let (Some(r), Some(door)) = (rota, plan.backroom_door) {
            crate::sim::rota::spawn(app.world_mut(), r, &mut staff, &mut id, door, speed);
        }
        // A rota with restocker shifts replaces `replenishment.restockers`.
        if let Some(door) = plan.backroom_door.filter(|_| !rota_restockers) {
            for _ in 0..config.scenario.replenishment.restockers {
                let e = app
                    .world_mut()
                    .spawn((
                        StaffMember {
                            id,
                            number: staff.restockers.len() as u32 + 1,
                            role: Role::Restocker,
                            task: Task::Idle,
                            speed,
                            doing: None,
                            work_end: None,
                            duty: Duty::On,
                            name: None,
                            title: None,
                        },
                        Motion::still(door, now),
                    ))
                    .id();
                staff.restockers.push(e);
                id += 1;
            }
        }
        app.insert_resource(staff)
            .init_resource::<crate::sim::rota::RotaState>()
            .init_resource::<TaskQueue>()
            .init_resource::<StaffHours>();
    }
}

/// A staff member's name in the log and the view: its role and its number within the role,
/// `restocker 2` (the global id stays the selection key).
pub fn staff_name(m: &StaffMember) -> String {
    match &m.name {
        Some(name) => format!("{} {name}", m.title()),
        None => format!("{} {}", m.title(), m.number),
    }
}

/// Points an event-log row at staff member entity `e`; returns its task then.
pub fn describe_staff(world: &World, e: Entity, row: &mut LogRow) -> Option<Task> {
    let m = world.get::<StaffMember>(e)?;
    row.who = staff_name(m);
    row.staff = Some(m.id);
    Some(m.task)
}

#[cfg(test)]
mod tests {
    use bevy::ecs::system::RunSystemOnce;

    use super::*;
    use crate::ids::{Id, PoiId};

    fn refill(p: usize) -> TaskKind {
        TaskKind::Refill {
            product: ProductId::from_index(p),
        }
    }

    fn taken(q: &mut TaskQueue, role: RoleKind) -> Vec<TaskKind> {
        std::iter::from_fn(|| q.take(role))
            .map(|t| t.kind)
            .collect()
    }

    #[test]
    fn higher_priority_tasks_are_taken_first() {
        let mut q = TaskQueue::default();
        let r = RoleKind::Restocker;
        q.post_as(refill(0), r, Priority(10), 1.0);
        q.post_as(refill(1), r, Priority(200), 2.0);
        q.post_as(refill(2), r, Priority(100), 3.0);
        assert_eq!(q.len(), 3);
        assert_eq!(taken(&mut q, r), [refill(1), refill(2), refill(0)]);
        assert!(q.is_empty());
    }

    #[test]
    fn equal_priorities_are_taken_first_posted_first() {
        let mut q = TaskQueue::default();
        for p in [3, 1, 2] {
            q.post(refill(p), 5.0);
        }
        q.post_as(refill(9), RoleKind::Restocker, Priority(0), 6.0);
        q.post(refill(0), 7.0);
        let order: Vec<_> = q.iter().map(|t| (t.kind, t.posted)).collect();
        assert_eq!(
            order,
            [
                (refill(3), 5.0),
                (refill(1), 5.0),
                (refill(2), 5.0),
                (refill(0), 7.0),
                (refill(9), 6.0)
            ]
        );
        assert_eq!(
            taken(&mut q, RoleKind::Restocker),
            [refill(3), refill(1), refill(2), refill(0), refill(9)]
        );
    }

    #[test]
    fn a_task_goes_only_to_its_role() {
        let mut q = TaskQueue::default();
        q.post_as(refill(1), RoleKind::Cashier, Priority(255), 1.0);
        q.post(refill(2), 2.0);
        assert_eq!(refill(2).role(), RoleKind::Restocker);
        assert_eq!(taken(&mut q, RoleKind::Restocker), [refill(2)]);
        assert_eq!(q.len(), 1);
        assert_eq!(taken(&mut q, RoleKind::Cashier), [refill(1)]);
    }

    /// A store with one cashier and three restockers, the second one busy.
    fn crew_world() -> World {
        let mut world = World::new();
        let mut staff = Staff::default();
        let member = |id, role, task| {
            (
                StaffMember {
                    id,
                    number: id,
                    role,
                    task,
                    speed: 1.0,
                    doing: None,
                    work_end: None,
                    duty: Duty::On,
                    name: None,
                    title: None,
                },
                Motion::still(PoiId::from_index(0), 0.0),
            )
        };
        let cashier = Role::Cashier {
            lane: LaneId::from_index(0),
        };
        staff
            .cashiers
            .push(world.spawn(member(0, cashier, Task::AtLane)).id());
        for (id, task) in [(1, Task::Idle), (2, Task::Returning), (3, Task::Idle)] {
            let e = world.spawn(member(id, Role::Restocker, task)).id();
            staff.restockers.push(e);
        }
        world.insert_resource(staff);
        world.init_resource::<TaskQueue>();
        world
    }

    /// Runs [`Crew::assign`] for restockers, starting every task except refills of product 0
    /// (no longer needed); returns (member id, product) per task started.
    fn assign_restockers(world: &mut World) -> Vec<(u32, usize)> {
        world
            .run_system_once(|mut crew: Crew| {
                let mut started = Vec::new();
                crew.assign(RoleKind::Restocker, |_, m, _, t| {
                    let (TaskKind::Refill { product }
                    | TaskKind::Count { product }
                    | TaskKind::Receive { product }) = t.kind
                    else {
                        return false;
                    };
                    if product.index() == 0 {
                        return false;
                    }
                    m.task = Task::ToShelf { product, units: 1 };
                    started.push((m.id, product.index()));
                    true
                });
                started
            })
            .unwrap()
    }

    #[test]
    fn only_idle_members_of_the_role_take_tasks() {
        let mut world = crew_world();
        {
            let mut q = world.resource_mut::<TaskQueue>();
            for p in [0, 1, 2, 3] {
                q.post(refill(p), 1.0);
            }
        }
        // The unneeded refill of product 0 is dropped; the busy restocker 2 and the cashier
        // get nothing; one task is left for whoever is free next.
        assert_eq!(assign_restockers(&mut world), [(1, 1), (3, 2)]);
        let q = world.resource::<TaskQueue>();
        assert_eq!(q.iter().map(|t| t.kind).collect::<Vec<_>>(), [refill(3)]);
        // Nobody is idle now: the task waits.
        assert_eq!(assign_restockers(&mut world), []);
        assert_eq!(world.resource::<TaskQueue>().len(), 1);
    }
}
