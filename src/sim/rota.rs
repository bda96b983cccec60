//! Rota: named staff on shifts, with breaks.
//!
//! Models (`rota`): each shift brings its staff on duty at `from` and sends them home at `to`;
//! a break of `breaks.minutes` falls due `breaks.after_hours` after the shift starts when the
//! shift is longer than that. Staff start and end a shift, and take breaks, at the backroom
//! door (the staff room). Nobody drops work: a restocker whose break or shift end falls due
//! finishes the task in hand and walks back first; a cashier's till stops taking customers
//! and serves its queue first ([`Tills::drain_lane`]), then the cashier walks back. A
//! cashier on duty walks from the door to the first till of its group that nobody staffs and
//! opens it: a till of a rota group is open exactly while a cashier is at it. More cashiers
//! on duty than tills wait at the door for one to free.
//!
//! Each member is in exactly one [`Duty`] at a time (on duty with one task, idle included; on
//! a break; off shift); [`Rostered`] books the seconds of each, so hours add up to the
//! shift (plus the minutes a last task ran over).
//!
//! Units: seconds since 00:00, hours and minutes in the scenario.

use bevy::prelude::*;
use serde::{Deserialize, Serialize};

use crate::ids::{GroupId, IdVec, LaneId, PoiId};
use crate::scenario::{Rota, ShiftRole};
use crate::sim::checkout::{Checkout, Tills};
use crate::sim::customer::Customer;
use crate::sim::engine::Clock;
use crate::sim::event_log::{Describe, LogRow};
use crate::sim::events::Agenda;
use crate::sim::movement::{Motion, Walker};
use crate::sim::replenishment::RestockerWork;
use crate::sim::staff::{Crew, Duty, Role, Staff, StaffMember, Task, describe_staff};

/// A staff member's shift and what it has done of it.
#[derive(Component, Clone, Debug)]
pub struct Rostered {
    /// Index of its shift in `rota.shifts`.
    pub shift: usize,
    pub from: f64,
    pub to: f64,
    /// When its break falls due (none: the shift is too short for one), and its length, s.
    pub break_at: Option<f64>,
    pub break_len: f64,
    /// Cashiers and auditors: the lane group whose lanes they open; attendants: the
    /// self-checkout group they help at.
    pub group: Option<GroupId>,
    /// A break or the shift's end fell due while it was busy: taken once the work is done.
    pub pending: Option<Leave>,
    /// Seconds on duty and on break so far (closed intervals), and since when the current
    /// duty runs.
    pub on_s: f64,
    pub break_s: f64,
    pub since: f64,
    /// Cashiers: seconds at an open till (closed intervals), and since when at the current.
    pub till_s: f64,
    pub at_till_since: Option<f64>,
    /// When it went off shift for good.
    pub left: Option<f64>,
    /// Seconds on duty after the shift's end (closed intervals), finishing work.
    pub over_s: f64,
}

/// Why a member leaves its work.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Leave {
    Break,
    End,
}

impl Rostered {
    /// Changes `m`'s duty at `now`, booking the time of the duty it ends.
    fn set_duty(&mut self, m: &mut StaffMember, duty: Duty, now: f64) {
        match m.duty {
            Duty::On => {
                self.on_s += now - self.since;
                self.over_s += (now - self.since.max(self.to)).max(0.0);
            }
            Duty::Break => self.break_s += now - self.since,
            Duty::Off => {}
        }
        self.since = now;
        m.duty = duty;
        if duty == Duty::Off && now >= self.to {
            self.left = Some(now);
        }
    }

    /// Seconds on duty and on break up to `now`, the current duty included.
    pub fn hours_at(&self, duty: Duty, now: f64) -> (f64, f64) {
        let run = now - self.since;
        match duty {
            Duty::On => (self.on_s + run, self.break_s),
            Duty::Break => (self.on_s, self.break_s + run),
            Duty::Off => (self.on_s, self.break_s),
        }
    }

    /// Seconds at an open till up to `now`.
    pub fn till_at(&self, now: f64) -> f64 {
        self.till_s + self.at_till_since.map_or(0.0, |s| now - s)
    }
}

/// Which cashier staffs (or walks to) each till of a rota group.
#[derive(Resource, Debug, Default)]
pub struct RotaState {
    pub till_of: IdVec<LaneId, Option<Entity>>,
    /// The rota's members in staff order.
    pub members: Vec<Entity>,
    /// When rota tills opened and closed: (seconds since 00:00, lane, opened), in time order
    /// (`staffing.csv`).
    pub changes: Vec<(f64, LaneId, bool)>,
    /// Members past their shift's end kept on (cashiers and auditors at their lane,
    /// attendants at their terminals) for customers who could go nowhere else, in the order
    /// they stayed on.
    pub holding: Vec<Entity>,
}

/// Scheduled: a member's shift starts.
#[derive(Debug, Clone, Copy)]
pub struct ShiftStarts {
    pub staff: Entity,
}

/// Scheduled: a member's break falls due.
#[derive(Debug, Clone, Copy)]
pub struct BreakDue {
    pub staff: Entity,
}

/// Scheduled: a member's break is over.
#[derive(Debug, Clone, Copy)]
pub struct BreakOver {
    pub staff: Entity,
}

/// Scheduled: a member's shift ends.
#[derive(Debug, Clone, Copy)]
pub struct ShiftEnds {
    pub staff: Entity,
}

/// Scheduled: a cashier reaches the till it walked to.
#[derive(Debug, Clone, Copy)]
pub struct CashierAtTill {
    pub staff: Entity,
}

/// Scheduled: a cashier who left its till (or an attendant its terminals) reaches the backroom
/// door.
#[derive(Debug, Clone, Copy)]
pub struct CashierBack {
    pub staff: Entity,
}

/// Emitted by the checkout: a till that stopped taking customers has served its last one.
#[derive(Debug, Clone, Copy)]
pub struct TillDrained {
    pub lane: LaneId,
}

macro_rules! describe_member {
    ($($event:ident => $what:expr),+ $(,)?) => {
        $(impl Describe for $event {
            fn describe(&self, world: &World, row: &mut LogRow) {
                describe_staff(world, self.staff, row);
                row.what = $what.into();
            }
        })+
    };
}

describe_member! {
    ShiftStarts => "starts its shift",
    BreakDue => "is due a break",
    BreakOver => "comes back from its break",
    ShiftEnds => "reaches the end of its shift",
    CashierAtTill => "reaches its till",
    CashierBack => "is back at the staff room",
}

impl Describe for TillDrained {
    fn describe(&self, world: &World, row: &mut LogRow) {
        let checkout = world.resource::<Checkout>();
        row.place = format!("lane {}", checkout.lane_name(self.lane));
        row.lane = Some(self.lane);
        row.what = "has served its last customer and closes".into();
    }
}

/// Spawns the rota's staff (off shift, at the backroom door) with ids from `*id`, and
/// schedules their shifts. Cashiers go into `staff.cashiers`, restockers into
/// `staff.restockers`.
pub fn spawn(
    world: &mut World,
    rota: &Rota,
    staff: &mut Staff,
    id: &mut u32,
    door: PoiId,
    speed: f64,
) -> Vec<Entity> {
    let checkout = world.resource::<Checkout>();
    let groups: Vec<(String, GroupId)> = checkout
        .groups
        .iter_enumerated()
        .map(|(g, info)| (info.id.clone(), g))
        .collect();
    let first_lane = |g: GroupId| {
        checkout
            .lane_group
            .iter_enumerated()
            .find(|&(_, &lg)| lg == g)
            .map(|(l, _)| l)
    };
    let mut planned = Vec::new();
    for (si, shift) in rota.shifts.iter().enumerate() {
        let group = shift
            .group
            .as_ref()
            .and_then(|name| groups.iter().find(|(n, _)| n == name).map(|&(_, g)| g));
        let (from, to) = (shift.from.seconds(), shift.to.seconds());
        let after = rota.breaks.after_hours * 3600.0;
        let break_at = (to - from > after).then_some(from + after);
        for k in 0..shift.staff {
            // Auditors sit at audit points as cashiers sit at tills: the same role, another
            // title.
            let (role, title) = match shift.role {
                ShiftRole::Restocker => (Role::Restocker, None),
                // Its bank is the group's, numbered by the attendance plugin.
                ShiftRole::Attendant => (Role::Attendant { bank: u32::MAX }, None),
                at_lanes => (
                    Role::Cashier {
                        lane: group.and_then(first_lane).unwrap_or(LaneId(0)),
                    },
                    (at_lanes == ShiftRole::Auditor).then_some("auditor"),
                ),
            };
            planned.push((
                si,
                shift.names.get(k as usize).cloned(),
                role,
                title,
                group,
                from,
                to,
                break_at,
            ));
        }
    }
    let now = world.resource::<Clock>().open;
    let mut out = Vec::new();
    let (mut auditors, mut attendants) = (0, 0);
    for (si, name, role, title, group, from, to, break_at) in planned {
        // Attendants join their bank's list in the attendance plugin.
        let mut list = match role {
            Role::Cashier { .. } => Some(&mut staff.cashiers),
            Role::Attendant { .. } => None,
            Role::Restocker => Some(&mut staff.restockers),
        };
        let number = if title.is_some() {
            auditors += 1;
            auditors
        } else if matches!(role, Role::Attendant { .. }) {
            attendants += 1;
            attendants
        } else {
            list.iter()
                .flat_map(|l| l.iter())
                .filter(|&&e| {
                    world
                        .get::<StaffMember>(e)
                        .is_some_and(|m| m.title.is_none())
                })
                .count() as u32
                + 1
        };
        let e = world
            .spawn((
                StaffMember {
                    id: *id,
                    number,
                    role,
                    task: Task::Idle,
                    speed,
                    doing: None,
                    work_end: None,
                    duty: Duty::Off,
                    name,
                    title,
                },
                Motion::still(door, now),
                Rostered {
                    shift: si,
                    from,
                    to,
                    break_at,
                    break_len: rota.breaks.minutes * 60.0,
                    group,
                    pending: None,
                    on_s: 0.0,
                    break_s: 0.0,
                    since: from,
                    till_s: 0.0,
                    at_till_since: None,
                    left: None,
                    over_s: 0.0,
                },
            ))
            .id();
        if let Some(list) = list.as_mut() {
            list.push(e);
        }
        *id += 1;
        let mut agenda = world.resource_mut::<Agenda>();
        agenda.schedule(from.max(now), ShiftStarts { staff: e });
        if let Some(b) = break_at {
            agenda.schedule(b, BreakDue { staff: e });
        }
        agenda.schedule(to, ShiftEnds { staff: e });
        out.push(e);
    }
    let lanes = world.resource::<Checkout>().lanes.len();
    world.insert_resource(RotaState {
        till_of: (0..lanes).map(|_| None).collect(),
        members: out.clone(),
        changes: Vec::new(),
        holding: Vec::new(),
    });
    out
}

type StaffQuery<'w, 's> = Query<
    'w,
    's,
    (
        &'static mut StaffMember,
        &'static mut Motion,
        &'static mut Rostered,
    ),
    Without<Customer>,
>;

/// Sends on-duty cashier `e` to the first free till of its group, or lets it wait at the door.
fn to_a_till(
    e: Entity,
    m: &mut StaffMember,
    motion: &mut Motion,
    r: &Rostered,
    state: &mut RotaState,
    t: &mut Tills,
) {
    let Some(group) = r.group else {
        return;
    };
    let lanes: Vec<LaneId> = t.lanes_of(group);
    let Some(lane) = lanes
        .into_iter()
        .find(|&l| state.till_of[l].is_none() && !t.lane_is_open(l))
    else {
        m.task = Task::Idle;
        return;
    };
    state.till_of[lane] = Some(e);
    m.role = Role::Cashier { lane };
    m.task = Task::ToTill { lane };
    let now = t.now();
    let point = t.checkout().lane_points[lane];
    let (moves, agenda) = t.moves_and_agenda();
    let walk = moves.walk(Walker::Staff, motion, point, m.speed, now);
    agenda.schedule(walk.arrive, CashierAtTill { staff: e });
}

/// Till `lane` is free: the first cashier of its group waiting at the door walks to it.
fn hand_on(lane: LaneId, staff: &mut StaffQuery, state: &mut RotaState, t: &mut Tills) {
    let members = state.members.clone();
    for w in members {
        let Ok((mut wm, mut wmotion, wr)) = staff.get_mut(w) else {
            continue;
        };
        if wm.duty == Duty::On
            && wm.task == Task::Idle
            && matches!(wm.role, Role::Cashier { .. })
            && wr.group.is_some_and(|g| t.in_group(lane, Some(g)))
        {
            to_a_till(w, &mut wm, &mut wmotion, &wr, state, t);
            return;
        }
    }
}

/// Sends a cashier from where it stands back to the door.
fn walk_to_door(e: Entity, m: &mut StaffMember, motion: &mut Motion, t: &mut Tills) {
    let now = t.now();
    let (moves, agenda) = t.moves_and_agenda();
    let door = moves.plan().backroom_door.expect("a rota needs a backroom");
    let walk = moves.walk(Walker::Staff, motion, door, m.speed, now);
    m.task = Task::Returning;
    agenda.schedule(walk.arrive, CashierBack { staff: e });
}

/// A member free of work at the door takes its pending leave: a break, or home.
fn take_leave(
    e: Entity,
    m: &mut StaffMember,
    r: &mut Rostered,
    now: f64,
    agenda: &mut Agenda,
) -> bool {
    match r.pending.take() {
        Some(Leave::Break) => {
            r.set_duty(m, Duty::Break, now);
            agenda.schedule(now + r.break_len, BreakOver { staff: e });
            true
        }
        Some(Leave::End) => {
            r.set_duty(m, Duty::Off, now);
            true
        }
        None => false,
    }
}

pub(crate) fn on_shift_starts(
    In(ev): In<ShiftStarts>,
    mut staff: StaffQuery,
    mut state: ResMut<RotaState>,
    mut t: Tills,
) {
    let now = t.now();
    let Ok((mut m, mut motion, mut r)) = staff.get_mut(ev.staff) else {
        return;
    };
    r.since = now;
    r.set_duty(&mut m, Duty::On, now);
    if matches!(m.role, Role::Cashier { .. }) {
        to_a_till(ev.staff, &mut m, &mut motion, &r, &mut state, &mut t);
    }
}

/// After a shift starts or a break ends: restockers now on duty take waiting tasks (a
/// handler of its own: the crew and the tills cannot be borrowed together).
pub(crate) fn assign_restockers<E>(_: In<E>, mut crew: Crew, mut work: RestockerWork) {
    work.assign(&mut crew);
}

/// Whether another member of group `group`'s shifts works at `now` (on duty, on a break, or
/// starting now), so member `e` is not the last.
fn colleague_on_shift(
    e: Entity,
    group: Option<GroupId>,
    now: f64,
    staff: &StaffQuery,
    state: &RotaState,
) -> bool {
    state.members.iter().any(|&o| {
        o != e
            && staff.get(o).is_ok_and(|(_, _, r)| {
                r.group == group
                    && r.left.is_none()
                    && ((r.from <= now && now < r.to) || state.holding.contains(&o))
            })
    })
}

/// Whether member `e`, about to go home at or after its shift's end, must stay on as the last
/// of its group because customers inside could pay (be audited, use the terminals) nowhere
/// else; if so it is (or stays) in `state.holding`.
fn stays_as_last(e: Entity, staff: &StaffQuery, state: &mut RotaState, t: &Tills) -> bool {
    let Ok((m, _, r)) = staff.get(e) else {
        return false;
    };
    if colleague_on_shift(e, r.group, t.now(), staff, state) {
        return false;
    }
    let needed = match (m.role, r.group) {
        (Role::Cashier { lane }, Some(_)) => t.strands_someone(lane),
        (Role::Attendant { .. }, Some(g)) => t.group_in_use(g),
        _ => false,
    };
    if needed && !state.holding.contains(&e) {
        state.holding.push(e);
    }
    needed
}

/// A break or the shift's end falls due: taken at once by a member free of work, else noted
/// and taken when the work is done (a cashier's till serves its queue first).
fn leave_due(
    e: Entity,
    leave: Leave,
    staff: &mut StaffQuery,
    state: &mut RotaState,
    t: &mut Tills,
) {
    let now = t.now();
    // The last of its group whose customers could go nowhere else stays on (overtime) until
    // they are through, as a store's closing cashier does; with a colleague on shift, it
    // hands over as usual.
    let stays = leave == Leave::End
        && staff.get(e).is_ok_and(|(m, _, _)| m.duty == Duty::On)
        && stays_as_last(e, staff, state, t);
    let Ok((mut m, mut motion, mut r)) = staff.get_mut(e) else {
        return;
    };
    match m.duty {
        Duty::Off => return,
        // A shift that ends during a break ends when the break is over.
        Duty::Break => {
            r.pending = Some(Leave::End);
            return;
        }
        Duty::On => {}
    }
    r.pending = Some(leave);
    if matches!(m.role, Role::Attendant { .. }) {
        // The others finish the help in hand, then go (a walk back already under way ends
        // at the door, where a pending leave is taken).
        if !stays && m.task == Task::Idle {
            walk_to_door(e, &mut m, &mut motion, t);
        }
        return;
    }
    if stays {
        // At its till it goes on serving; on the way to one it goes on; at the door (or
        // walking back) it goes to a till again when back.
        if m.task == Task::Idle {
            to_a_till(e, &mut m, &mut motion, &r, state, t);
        }
        return;
    }
    match m.task {
        Task::Idle => {
            let (_, agenda) = t.moves_and_agenda();
            take_leave(e, &mut m, &mut r, now, agenda);
        }
        Task::AtLane => {
            if let Role::Cashier { lane } = m.role {
                // The till closes to newcomers; TillDrained follows when its queue is served.
                t.drain_lane(lane);
            }
        }
        Task::ToTill { lane } if matches!(m.role, Role::Cashier { .. }) => {
            // On its way to a till: it turns back, and the till is free for another.
            state.till_of[lane] = None;
            walk_to_door(e, &mut m, &mut motion, t);
            hand_on(lane, staff, state, t);
        }
        // Restockers (and cashiers walking back) finish first.
        _ => {}
    }
}

pub(crate) fn on_break_due(
    In(ev): In<BreakDue>,
    mut staff: StaffQuery,
    mut state: ResMut<RotaState>,
    mut t: Tills,
) {
    leave_due(ev.staff, Leave::Break, &mut staff, &mut state, &mut t);
}

pub(crate) fn on_shift_ends(
    In(ev): In<ShiftEnds>,
    mut staff: StaffQuery,
    mut state: ResMut<RotaState>,
    mut t: Tills,
) {
    leave_due(ev.staff, Leave::End, &mut staff, &mut state, &mut t);
}

pub(crate) fn on_break_over(
    In(ev): In<BreakOver>,
    mut staff: StaffQuery,
    mut state: ResMut<RotaState>,
    mut t: Tills,
) {
    let now = t.now();
    let ending = staff
        .get(ev.staff)
        .is_ok_and(|(_, _, r)| r.pending == Some(Leave::End) || now >= r.to);
    // The last of its group whose shift ended during the break comes back to close.
    let stays = ending && stays_as_last(ev.staff, &staff, &mut state, &t);
    let Ok((mut m, mut motion, mut r)) = staff.get_mut(ev.staff) else {
        return;
    };
    if ending && !stays {
        r.pending = None;
        r.set_duty(&mut m, Duty::Off, now);
        return;
    }
    if stays {
        r.pending = Some(Leave::End);
    }
    r.set_duty(&mut m, Duty::On, now);
    if matches!(m.role, Role::Cashier { .. }) {
        to_a_till(ev.staff, &mut m, &mut motion, &r, &mut state, &mut t);
    }
}

pub(crate) fn on_cashier_at_till(
    In(ev): In<CashierAtTill>,
    mut staff: StaffQuery,
    mut state: ResMut<RotaState>,
    mut t: Tills,
) {
    let now = t.now();
    let Ok((mut m, mut motion, mut r)) = staff.get_mut(ev.staff) else {
        return;
    };
    let Task::ToTill { lane } = m.task else {
        return;
    };
    // A walk it turned back from, and set out on again since, ends later.
    if motion.arrive != now {
        return;
    }
    if r.pending.is_some() && !state.holding.contains(&ev.staff) {
        state.till_of[lane] = None;
        walk_to_door(ev.staff, &mut m, &mut motion, &mut t);
        hand_on(lane, &mut staff, &mut state, &mut t);
        return;
    }
    m.task = Task::AtLane;
    r.at_till_since = Some(now);
    state.changes.push((now, lane, true));
    t.set_lane_open(lane, true);
}

pub(crate) fn on_till_drained(
    In(ev): In<TillDrained>,
    mut staff: StaffQuery,
    mut state: ResMut<RotaState>,
    mut t: Tills,
) {
    let now = t.now();
    // Lanes closed by a schedule have no cashier of the rota.
    let Some(e) = state.till_of.get_mut(ev.lane).and_then(Option::take) else {
        return;
    };
    state.changes.push((now, ev.lane, false));
    let Ok((mut m, mut motion, mut r)) = staff.get_mut(e) else {
        return;
    };
    if let Some(since) = r.at_till_since.take() {
        r.till_s += now - since;
    }
    walk_to_door(e, &mut m, &mut motion, &mut t);
    // A cashier waiting at the door takes the till now free.
    hand_on(ev.lane, &mut staff, &mut state, &mut t);
}

/// A customer has left: a cashier kept on past its shift goes once nobody inside needs its
/// till any more (its queue served first, as at any shift's end).
pub(crate) fn on_customer_left(
    _: In<crate::sim::journey::CustomerLeft>,
    mut staff: StaffQuery,
    state: Option<ResMut<RotaState>>,
    mut t: Tills,
) {
    // Every run has customers; only a run with a rota has a RotaState.
    let Some(mut state) = state.filter(|s| !s.holding.is_empty()) else {
        return;
    };
    let holding = std::mem::take(&mut state.holding);
    for e in holding {
        let Ok((mut m, mut motion, r)) = staff.get_mut(e) else {
            continue;
        };
        if m.duty != Duty::On {
            continue;
        }
        match m.role {
            Role::Cashier { lane } => {
                if t.strands_someone(lane) {
                    state.holding.push(e);
                } else if m.task == Task::Idle {
                    // Waiting at the door for a till: it goes home.
                    let now = t.now();
                    let mut r = r;
                    let (_, agenda) = t.moves_and_agenda();
                    take_leave(e, &mut m, &mut r, now, agenda);
                } else {
                    // At its till: served out, then home; on the way to one: it turns
                    // back on arriving.
                    t.drain_lane(lane);
                }
            }
            Role::Attendant { .. } => {
                if r.group.is_some_and(|g| t.group_in_use(g)) {
                    state.holding.push(e);
                } else if m.task == Task::Idle {
                    walk_to_door(e, &mut m, &mut motion, &mut t);
                }
                // Else it goes when the help in hand is done (its leave is pending).
            }
            Role::Restocker => {}
        }
    }
}

pub(crate) fn on_cashier_back(
    In(ev): In<CashierBack>,
    mut staff: StaffQuery,
    mut state: ResMut<RotaState>,
    mut t: Tills,
) {
    let now = t.now();
    // Back to go home, but the last of its group still needed (its shift ended on the way):
    // it stays on, a cashier at a till again.
    let ending = staff
        .get(ev.staff)
        .is_ok_and(|(m, _, r)| m.duty == Duty::On && r.pending == Some(Leave::End));
    let stays = ending && stays_as_last(ev.staff, &staff, &mut state, &t);
    let Ok((mut m, mut motion, mut r)) = staff.get_mut(ev.staff) else {
        return;
    };
    m.task = Task::Idle;
    let (_, agenda) = t.moves_and_agenda();
    if (stays || !take_leave(ev.staff, &mut m, &mut r, now, agenda))
        && m.duty == Duty::On
        && matches!(m.role, Role::Cashier { .. })
    {
        to_a_till(ev.staff, &mut m, &mut motion, &r, &mut state, &mut t);
    }
}

/// A restocker is back at the door with nothing in hand: a pending break or shift end is
/// taken now (true), else it takes the next task.
pub(crate) fn restocker_free(
    e: Entity,
    m: &mut StaffMember,
    rostered: Option<&mut Rostered>,
    now: f64,
    agenda: &mut Agenda,
) -> bool {
    match rostered {
        Some(r) => take_leave(e, m, r, now, agenda),
        None => false,
    }
}

/// One member's shift in `summary.json`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MemberHours {
    pub name: String,
    pub role: String,
    pub from: String,
    pub to: String,
    /// Hours on duty (any task, idle included) and on break.
    pub on_duty_h: f64,
    pub break_h: f64,
    /// Hours on duty after the shift's end, finishing work.
    pub overtime_h: f64,
    /// Cashiers and auditors: hours at an open till (or audit point).
    pub till_h: f64,
}

/// The rota's figures: every member's hours, and totals by role.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RotaSummary {
    pub members: Vec<MemberHours>,
    pub cashier_hours: f64,
    pub restocker_hours: f64,
    /// Auditors at scan & go audit points, and self-checkout attendants (0 without such
    /// shifts).
    pub auditor_hours: f64,
    pub attendant_hours: f64,
    pub break_hours: f64,
}

impl RotaSummary {
    /// Adds another day's figures (runs over days): member by member, and the totals.
    pub fn add(&mut self, o: &RotaSummary) {
        if self.members.is_empty() {
            self.members = o.members.clone();
        } else {
            for (a, b) in self.members.iter_mut().zip(&o.members) {
                a.on_duty_h += b.on_duty_h;
                a.break_h += b.break_h;
                a.overtime_h += b.overtime_h;
                a.till_h += b.till_h;
            }
        }
        self.cashier_hours += o.cashier_hours;
        self.restocker_hours += o.restocker_hours;
        self.auditor_hours += o.auditor_hours;
        self.attendant_hours += o.attendant_hours;
        self.break_hours += o.break_hours;
    }
}

/// The rota's figures at `now` (none without a rota).
pub fn summary(world: &World) -> Option<RotaSummary> {
    let state = world.get_resource::<RotaState>()?;
    let now = world.resource::<Agenda>().now();
    let mut out = RotaSummary::default();
    for &e in &state.members {
        let (Some(m), Some(r)) = (world.get::<StaffMember>(e), world.get::<Rostered>(e)) else {
            continue;
        };
        let (on, brk) = r.hours_at(m.duty, now);
        let overtime = r.over_s
            + if m.duty == Duty::On {
                (now - r.since.max(r.to)).max(0.0)
            } else {
                0.0
            };
        let h = MemberHours {
            name: crate::sim::staff::staff_name(m),
            role: m.title().to_string(),
            from: crate::scenario::format_clock(r.from),
            to: crate::scenario::format_clock(r.to),
            on_duty_h: on / 3600.0,
            break_h: brk / 3600.0,
            overtime_h: overtime / 3600.0,
            till_h: r.till_at(now) / 3600.0,
        };
        match (m.role, m.title) {
            (Role::Cashier { .. }, None) => out.cashier_hours += h.on_duty_h,
            (Role::Cashier { .. }, Some(_)) => out.auditor_hours += h.on_duty_h,
            (Role::Attendant { .. }, _) => out.attendant_hours += h.on_duty_h,
            (Role::Restocker, _) => out.restocker_hours += h.on_duty_h,
        }
        out.break_hours += h.break_h;
        out.members.push(h);
    }
    Some(out)
}
