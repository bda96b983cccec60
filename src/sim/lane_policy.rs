//! Lane policies: staffed tills that open and close during the day ("one in front").
//!
//! Models (`lane_policy: OneInFront(…)`): whenever a customer joins a queue of the policy's
//! group, the policy counts the customers waiting beyond `max_waiting` at each till of the
//! group; while that excess is more than the tills already being opened can take (each takes
//! `max_waiting + 1`: one served, the rest waiting), it posts a task to open the next closed
//! till, in reading order. A restocker takes it before any other work (staff task queue,
//! [`crate::sim::staff::Priority::OPEN_TILL`]): a free one at once; with none free, one
//! refilling a shelf stops the refill (its units go back to the backroom, the refill is
//! queued again), one walking to a shelf stops on arrival, other work is finished first. It
//! hands over (`handover` seconds), walks to the till and opens it; customers at the back of
//! queues with more than `max_waiting` waiting are called over until the new till has
//! `max_waiting + 1` in line. A till opened so
//! closes when it has stood idle with an empty queue for `close_after_idle` seconds; its
//! restocker walks back to the backroom and its other work. Tills open at opening keep their
//! own cashiers and stay open.
//!
//! Units: customers (waiting), seconds.

use bevy::prelude::*;
use serde::{Deserialize, Serialize};

use crate::RunConfig;
use crate::ids::{GroupId, IdVec, LaneId};
use crate::scenario::LanePolicy;
use crate::sim::checkout::{Checkout, CheckoutQueue, Lane, SetLaneOpen, Tills};
use crate::sim::customer::Customer;
use crate::sim::engine::Clock;
use crate::sim::event_log::{Describe, LogRow};
use crate::sim::movement::Motion;
use crate::sim::replenishment::{RestockerWork, walk_back};
use crate::sim::staff::{Crew, RoleKind, StaffMember, Task, TaskKind, describe_staff};

/// The policy's settings and state (inactive without `lane_policy`).
#[derive(Resource, Debug, Default)]
pub struct LanePolicyState {
    /// The group it opens tills of, and its settings.
    pub group: Option<GroupId>,
    pub max_waiting: u32,
    pub close_after_idle: f64,
    pub handover: f64,
    /// The policy group's tills: when each opened or closed (seconds since 00:00, open), by
    /// the policy or by a command; and which are open now.
    pub changes: Vec<(f64, LaneId, bool)>,
    pub open_now: IdVec<LaneId, bool>,
    pub openings: u64,
    pub closings: u64,
    /// Refills restockers left to open a till.
    pub interruptions: u64,
}

impl LanePolicyState {
    /// Whether joins to queues of group `g` are watched.
    pub fn watches(&self, g: GroupId) -> bool {
        self.group == Some(g)
    }
}

/// The policy's figures in `summary.json` (over the whole day, warm-up included: staff
/// work is not tied to the customers of the KPI window).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LanePolicySummary {
    /// Tills opened and closed by the policy.
    pub openings: u64,
    pub closings: u64,
    /// Refills restockers stopped to open a till.
    pub interruptions: u64,
    /// Hours restockers spent handing over, walking to tills and serving there (tasks done).
    pub cashier_hours: f64,
}

impl LanePolicySummary {
    /// Adds another day's figures (runs over days).
    pub fn add(&mut self, o: &LanePolicySummary) {
        self.openings += o.openings;
        self.closings += o.closings;
        self.interruptions += o.interruptions;
        self.cashier_hours += o.cashier_hours;
    }
}

/// A command (the live view): "one in front" calls a till when more than `max_waiting`
/// customers wait at one, from now on; the policy checks the queues at once.
#[derive(Debug, Clone, Copy)]
pub struct SetMaxWaiting {
    pub max_waiting: u32,
}

impl Describe for SetMaxWaiting {
    fn describe(&self, _: &World, row: &mut LogRow) {
        row.what = format!(
            "one in front: a till is called when more than {} wait (command)",
            self.max_waiting
        );
    }
}

pub(crate) fn on_set_max_waiting(
    In(ev): In<SetMaxWaiting>,
    mut state: ResMut<LanePolicyState>,
    mut agenda: crate::sim::events::AgendaMut,
) {
    if state.group.is_none() {
        return;
    }
    state.max_waiting = ev.max_waiting.min(1000);
    agenda.emit(PolicyCheck);
}

/// Emitted when a customer joins a queue the policy watches: check whether to call a cashier.
#[derive(Debug, Clone, Copy)]
pub struct PolicyCheck;

/// Scheduled: a called restocker has handed over and reached the till it opens.
#[derive(Debug, Clone, Copy)]
pub struct TillStaffed {
    pub staff: Entity,
}

/// Scheduled: a till opened by the policy may have been idle long enough to close.
#[derive(Debug, Clone, Copy)]
pub struct TillIdle {
    pub lane: LaneId,
    /// When its idle spell began (it stays open if it served anyone since).
    pub since: f64,
}

impl Describe for PolicyCheck {
    fn describe(&self, _: &World, row: &mut LogRow) {
        row.who = "store".into();
        row.what = "checks the queues (one in front)".into();
    }
}

impl Describe for TillStaffed {
    fn describe(&self, world: &World, row: &mut LogRow) {
        if let Some(Task::ToTill { lane }) = describe_staff(world, self.staff, row) {
            row.place = format!("lane {}", world.resource::<Checkout>().lane_name(lane));
            row.lane = Some(lane);
            row.what = "opens the till".into();
        }
    }
}

impl Describe for TillIdle {
    fn describe(&self, world: &World, row: &mut LogRow) {
        let name = world
            .resource::<Checkout>()
            .lane_name(self.lane)
            .to_string();
        row.who = format!("lane {name}");
        row.place = row.who.clone();
        row.lane = Some(self.lane);
        row.what = "idle check".into();
    }
}

pub struct LanePolicyPlugin;

impl Plugin for LanePolicyPlugin {
    fn build(&self, app: &mut App) {
        let config = app.world().resource::<RunConfig>().clone();
        let open = app.world().resource::<Clock>().open;
        let checkout = app.world().resource::<Checkout>();
        let n = checkout.lanes.len();
        let mut state = LanePolicyState {
            open_now: vec![false; n].into(),
            ..Default::default()
        };
        if let Some(LanePolicy::OneInFront {
            group,
            max_waiting,
            close_after_idle,
            handover,
        }) = &config.scenario.lane_policy
        {
            let g = checkout
                .groups
                .iter_enumerated()
                .find(|(_, info)| &info.id == group)
                .map(|(g, _)| g);
            state.group = g;
            state.max_waiting = *max_waiting;
            state.close_after_idle = *close_after_idle;
            state.handover = *handover;
            for (l, &e) in checkout.lanes.iter_enumerated() {
                let lane = app.world().get::<Lane>(e).expect("lane");
                if Some(lane.group) == g && lane.open {
                    state.changes.push((open, l, true));
                    state.open_now[l] = true;
                }
            }
        }
        app.insert_resource(state);
    }
}

/// Customers waiting beyond `max_waiting` at each till of the group, summed.
fn excess(
    state: &LanePolicyState,
    checkout: &Checkout,
    queues: &Query<&CheckoutQueue>,
    group: GroupId,
) -> u32 {
    checkout
        .queues
        .iter()
        .filter_map(|&e| queues.get(e).ok())
        .filter(|q| q.group == group && q.lanes.iter().any(|&l| checkout.lane_open[l]))
        .map(|q| {
            let open = q.lanes.iter().filter(|&&l| checkout.lane_open[l]).count() as u32;
            (q.waiting.len() as u32).saturating_sub(state.max_waiting * open)
        })
        .sum()
}

pub(crate) fn on_policy_check(
    _: In<PolicyCheck>,
    mut state: ResMut<LanePolicyState>,
    queues: Query<&CheckoutQueue>,
    lanes: Query<&Lane>,
    mut crew: Crew,
    mut work: RestockerWork,
    mut hours: ResMut<crate::sim::staff::StaffHours>,
) {
    let mut interruptions = 0;
    let Some(group) = state.group else {
        return;
    };
    let now = work.now();
    let checkout = work.checkout();
    // Tills a restocker was called to open: the call waits in the task queue or the
    // restocker is on its way. A till opened meanwhile by a command needs no cashier (the
    // task is dropped when a restocker takes it).
    let mut called: Vec<LaneId> = crew
        .tasks
        .iter()
        .filter_map(|t| match t.kind {
            TaskKind::OpenTill { lane } => Some(lane),
            _ => None,
        })
        .chain(crew.members.iter().filter_map(|(m, _)| match m.task {
            Task::ToTill { lane } => Some(lane),
            _ => None,
        }))
        // Rota cashiers walk to tills of other groups.
        .filter(|&l| !checkout.lane_open[l] && checkout.lane_group[l] == group)
        .collect();
    let waiting = excess(&state, checkout, &queues, group);
    let per_till = state.max_waiting + 1;
    let mut supply = called.len() as u32 * per_till;
    let mut posted = false;
    while waiting > supply {
        let next = checkout.lanes.iter_enumerated().find(|&(l, &e)| {
            !checkout.lane_open[l]
                && !called.contains(&l)
                && lanes
                    .get(e)
                    .is_ok_and(|lane| lane.group == group && !lane.closing)
        });
        let Some((lane, _)) = next else {
            break;
        };
        called.push(lane);
        crew.tasks.post(TaskKind::OpenTill { lane }, now);
        supply += per_till;
        posted = true;
    }
    if posted {
        work.assign(&mut crew);
        // Nobody free: restockers refilling shelves stop and go, in staff order.
        let restockers = crew.staff.restockers.clone();
        for e in restockers {
            if !crew
                .tasks
                .iter()
                .any(|t| matches!(t.kind, TaskKind::OpenTill { .. }))
            {
                break;
            }
            let Ok((mut member, mut motion)) = crew.members.get_mut(e) else {
                continue;
            };
            if member.duty != crate::sim::staff::Duty::On
                || !work.stop_refill(&mut member, &mut crew.tasks, &mut hours)
            {
                continue;
            }
            interruptions += 1;
            if let Some(task) = crew.tasks.take(RoleKind::Restocker) {
                work.start(e, &mut member, &mut motion, &task);
            }
        }
    }
    state.interruptions += interruptions;
}

type StaffQuery<'w, 's> =
    Query<'w, 's, (&'static mut StaffMember, &'static mut Motion), Without<Customer>>;

pub(crate) fn on_till_staffed(
    In(ev): In<TillStaffed>,
    mut state: ResMut<LanePolicyState>,
    mut staff: StaffQuery,
    mut t: Tills,
) {
    let now = t.now();
    let Ok((mut member, mut motion)) = staff.get_mut(ev.staff) else {
        return;
    };
    let Task::ToTill { lane } = member.task else {
        return;
    };
    if t.lane_is_open(lane) {
        // Opened meanwhile by a command: the restocker goes back to its work.
        let (moves, agenda) = t.moves_and_agenda();
        walk_back(ev.staff, &mut member, &mut motion, moves, agenda, now);
        return;
    }
    member.task = Task::AtTill { lane };
    state.openings += 1;
    state.changes.push((now, lane, true));
    state.open_now[lane] = true;
    t.set_lane_open(lane, true);
    t.set_on_demand(lane, Some(ev.staff));
    // The staff call customers from the back of long queues over to the new till.
    t.call_over(lane, state.max_waiting as usize);
    t.check_idle(lane);
}

pub(crate) fn on_till_idle(
    In(ev): In<TillIdle>,
    mut state: ResMut<LanePolicyState>,
    mut staff: StaffQuery,
    mut t: Tills,
) {
    let now = t.now();
    let Some(e) = t.on_demand(ev.lane) else {
        return;
    };
    if !t.idle_since(ev.lane, ev.since) {
        return;
    }
    state.closings += 1;
    state.changes.push((now, ev.lane, false));
    state.open_now[ev.lane] = false;
    t.set_on_demand(ev.lane, None);
    t.set_lane_open(ev.lane, false);
    if let Ok((mut member, mut motion)) = staff.get_mut(e) {
        let (moves, agenda) = t.moves_and_agenda();
        walk_back(e, &mut member, &mut motion, moves, agenda, now);
    }
}

/// After a command opened or closed a lane (the checkout handled it first): the staffing
/// table records the change; a till the policy staffed and the command closed releases its
/// restocker.
pub(crate) fn on_lane_command(
    In(ev): In<SetLaneOpen>,
    mut state: ResMut<LanePolicyState>,
    mut staff: StaffQuery,
    mut t: Tills,
) {
    let now = t.now();
    if state.group.is_none() || state.open_now.get(ev.lane).is_none() {
        return;
    }
    let open = t.lane_is_open(ev.lane);
    if !t.in_group(ev.lane, state.group) || open == state.open_now[ev.lane] {
        return;
    }
    state.open_now[ev.lane] = open;
    state.changes.push((now, ev.lane, open));
    if !open && let Some(e) = t.on_demand(ev.lane) {
        t.set_on_demand(ev.lane, None);
        if let Ok((mut member, mut motion)) = staff.get_mut(e) {
            let (moves, agenda) = t.moves_and_agenda();
            walk_back(e, &mut member, &mut motion, moves, agenda, now);
        }
    }
}

/// The policy's figures, with the restockers' cashier hours.
pub fn summary(world: &World) -> Option<LanePolicySummary> {
    let state = world.resource::<LanePolicyState>();
    state.group?;
    Some(LanePolicySummary {
        openings: state.openings,
        closings: state.closings,
        interruptions: state.interruptions,
        cashier_hours: world.resource::<crate::sim::staff::StaffHours>().cashiering,
    })
}

/// One clock hour of the staffing table (`staffing.csv`): the tills of the policy group, or
/// of the rota's cashiers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StaffingRow {
    /// The hour's start, `HH:MM`.
    pub hour: String,
    /// Tills open, time-average over the hour (up to `end` in the last hour).
    pub tills_open: f64,
    /// Most tills open at once in the hour.
    pub tills_open_max: u32,
    /// Tills the policy opened and closed in the hour.
    pub openings: u32,
    pub closings: u32,
}

/// The hourly staffing table of the policy group from its open/close changes, from the hour
/// of opening to `end` (the last event).
pub fn staffing_table(state: &LanePolicyState, open: f64, end: f64) -> Vec<StaffingRow> {
    if state.group.is_none() {
        return Vec::new();
    }
    hourly_tills(&state.changes, open, end)
}

/// The hourly table of tills from their open/close changes `(time, lane, opened)` in time
/// order, from the hour of opening to `end`.
pub fn hourly_tills(changes: &[(f64, LaneId, bool)], open: f64, end: f64) -> Vec<StaffingRow> {
    let mut rows = Vec::new();
    let mut changes = changes.iter().peekable();
    let mut count: u32 = 0;
    let mut hour = (open / 3600.0).floor() * 3600.0;
    while hour < end {
        let next = hour + 3600.0;
        let (mut area, mut t, mut max) = (0.0, hour, count);
        let (mut openings, mut closings) = (0, 0);
        while let Some(&&(time, _, opened)) = changes.peek() {
            if time >= next {
                break;
            }
            changes.next();
            let time = time.max(hour);
            area += f64::from(count) * (time - t);
            t = time;
            if opened {
                count += 1;
                // The tills open at opening are no policy openings.
                openings += u32::from(time > open);
            } else {
                count = count.saturating_sub(1);
                closings += 1;
            }
            max = max.max(count);
        }
        let stop = next.min(end);
        area += f64::from(count) * (stop - t).max(0.0);
        rows.push(StaffingRow {
            hour: {
                let c = crate::scenario::format_clock(hour);
                c[..c.len() - 3].to_string()
            },
            tills_open: area / (stop - hour).max(1e-9),
            tills_open_max: max,
            openings,
            closings,
        });
        hour = next;
    }
    rows
}
