//! Self-checkout attendants: terminals that stop, and the staff who walk over to help.
//!
//! Models (`attendants` in the scenario): the lanes of each attended self-checkout group, in
//! reading order, are cut into banks of `terminals_per_attendant`, one attendant each,
//! starting at the bank's first lane. When a transaction starts at an attended terminal it
//! stops with probability `intervention` (an unreadable code, a weight check: Beck 2022
//! reports one attendant for six terminals as what supervisors find workable; how often
//! terminals stop has no published figure, so the probability is an assumption) and always
//! when the basket holds an age-restricted product. It stops after a uniform share of its
//! scanning and payment time; the terminal then waits ([`TerminalStops`]) until the bank's
//! attendant has walked over ([`AttendantAtTerminal`]) and resolved it (`resolve` seconds,
//! [`HelpDone`]); then the rest of the transaction runs. The attendant stays where it helped
//! and takes the bank's next stop, first come, first served (staff task queue, priority
//! [`crate::sim::staff::Priority::ATTEND`]). Each customer draws whether it stops, where and
//! how long the help takes from a stream of its own ([`Attr::Help`]), so variants keep common
//! random numbers.
//!
//! Attendants on the [`crate::sim::rota`] replace a group's all-day attendants: its terminals
//! are then one bank, served by whichever of them is on duty and free ([`assign_rota_banks`]);
//! they leave for breaks and home once the help in hand is done.
//!
//! Units: seconds, metres, m/s; the intervention probability per transaction.

use bevy::ecs::system::SystemParam;
use bevy::prelude::*;
use serde::{Deserialize, Serialize};

use crate::RunConfig;
use crate::ids::{Id, IdVec, LaneId};
use crate::scenario::{Attendants, LaneKind};
use crate::sim::checkout::{Checkout, Lane, ServiceDone};
use crate::sim::engine::Clock;
use crate::sim::event_log::{Describe, LogRow};
use crate::sim::events::AgendaMut;
use crate::sim::movement::{Motion, Movement, Walker};
use crate::sim::random::{self, Attr, open_unit};
use crate::sim::staff::{
    Crew, RoleKind, Staff, StaffHours, StaffMember, Task, TaskKind, describe_staff,
};

/// The attended terminals, the banks and their figures.
#[derive(Resource, Debug, Default)]
pub struct Attendance {
    pub config: Option<Attendants>,
    /// The bank of each lane (none: not attended).
    pub bank_of: IdVec<LaneId, Option<u32>>,
    /// When each stopped terminal stopped (for the response time).
    stopped_at: IdVec<LaneId, Option<f64>>,
    /// Banks served by rota attendants (one per such group: all its terminals).
    pub rota_banks: Vec<u32>,
    pub stats: AttendanceCounts,
}

/// Stops and help over the KPI window (stops of customers who arrived in it).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AttendanceCounts {
    /// Attendants: standing by all day, one per bank, and on the rota.
    pub attendants: u32,
    /// Transactions at attended terminals, and of those, how many stopped (all reasons) and
    /// how many for an age check.
    pub transactions: u64,
    pub stops: u64,
    pub age_checks: u64,
    /// Seconds terminals stood stopped (waiting for the attendant and being helped), and of
    /// those, seconds until the attendant arrived.
    pub blocked_s: f64,
    pub response_s: f64,
    /// Seconds the attendants spent walking to stops and helping.
    pub busy_s: f64,
    /// Of `attendants`, those on the rota, and the seconds they were on duty (their banks
    /// have no attendant standing by all day).
    #[serde(skip)]
    pub rota_attendants: u32,
    #[serde(skip)]
    pub rota_staffed_s: f64,
}

impl AttendanceCounts {
    /// Adds another day's counts (runs over days).
    pub fn add(&mut self, o: &AttendanceCounts) {
        self.attendants = self.attendants.max(o.attendants);
        self.transactions += o.transactions;
        self.stops += o.stops;
        self.age_checks += o.age_checks;
        self.blocked_s += o.blocked_s;
        self.response_s += o.response_s;
        self.busy_s += o.busy_s;
        self.rota_attendants = self.rota_attendants.max(o.rota_attendants);
        self.rota_staffed_s += o.rota_staffed_s;
    }
}

/// The attendants' figures in `summary.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AttendanceSummary {
    #[serde(flatten)]
    pub counts: AttendanceCounts,
    /// Share of transactions at attended terminals that stopped.
    pub stop_share: f64,
    /// Mean seconds from a stop until the attendant arrived, and until the terminal ran again.
    pub mean_response_s: f64,
    pub mean_blocked_s: f64,
    /// Attendants' busy time / (attendants × the KPI window, plus rota attendants' hours on
    /// duty).
    pub utilisation: f64,
}

impl AttendanceSummary {
    pub fn of(counts: AttendanceCounts, duration: f64) -> AttendanceSummary {
        let per_stop = |x: f64| {
            if counts.stops > 0 {
                x / counts.stops as f64
            } else {
                0.0
            }
        };
        let all_day = counts.attendants - counts.rota_attendants;
        let staffed = f64::from(all_day) * duration + counts.rota_staffed_s;
        AttendanceSummary {
            stop_share: if counts.transactions > 0 {
                counts.stops as f64 / counts.transactions as f64
            } else {
                0.0
            },
            mean_response_s: per_stop(counts.response_s),
            mean_blocked_s: per_stop(counts.blocked_s),
            utilisation: if staffed > 0.0 {
                counts.busy_s / staffed
            } else {
                0.0
            },
            counts,
        }
    }
}

/// Where a transaction at an attended terminal stops: after `after` seconds of it, for
/// `resolve` seconds of help once the attendant is there.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Stop {
    pub after: f64,
    pub resolve: f64,
    pub age_check: bool,
}

impl Attendance {
    /// Whether self-checkout `lane` stands stopped, waiting for or getting help.
    pub fn stopped(&self, lane: LaneId) -> bool {
        self.stopped_at.get(lane).is_some_and(|s| s.is_some())
    }

    /// Whether (and where) the transaction of customer `id`, lasting `duration` seconds at
    /// `lane`, stops. Counts the transaction when `measured`.
    pub fn plan_stop(
        &mut self,
        seed: u64,
        id: u32,
        lane: LaneId,
        duration: f64,
        age_check: bool,
        measured: bool,
    ) -> Option<Stop> {
        let config = self.config.as_ref()?;
        self.bank_of[lane]?;
        // Always three draws in this order, whatever the settings.
        let mut rng = random::customer_stream(seed, id, Attr::Help);
        let stops = open_unit(&mut rng) < config.intervention;
        let share = open_unit(&mut rng);
        let resolve = random::draw(&config.resolve, &mut rng);
        if measured {
            self.stats.transactions += 1;
        }
        (stops || age_check).then(|| {
            if measured {
                self.stats.stops += 1;
                self.stats.age_checks += u64::from(age_check);
            }
            Stop {
                after: share * duration,
                resolve,
                age_check,
            }
        })
    }
}

/// Scheduled: the transaction at self-checkout `lane` stops and waits for an attendant.
#[derive(Debug, Clone, Copy)]
pub struct TerminalStops {
    pub lane: LaneId,
}

/// Scheduled: an attendant reaches the stopped terminal it walks to.
#[derive(Debug, Clone, Copy)]
pub struct AttendantAtTerminal {
    pub staff: Entity,
}

/// Scheduled: an attendant has resolved the stop; the transaction runs on.
#[derive(Debug, Clone, Copy)]
pub struct HelpDone {
    pub staff: Entity,
}

impl Describe for TerminalStops {
    fn describe(&self, world: &World, row: &mut LogRow) {
        let checkout = world.resource::<Checkout>();
        row.who = format!("lane {}", checkout.lane_name(self.lane));
        row.place = row.who.clone();
        row.lane = Some(self.lane);
        row.what = "stops: needs an attendant".into();
    }
}

impl Describe for AttendantAtTerminal {
    fn describe(&self, world: &World, row: &mut LogRow) {
        if let Some(Task::ToTerminal { lane }) = describe_staff(world, self.staff, row) {
            row.place = format!("lane {}", world.resource::<Checkout>().lane_name(lane));
            row.lane = Some(lane);
            row.what = "arrives to help".into();
        }
    }
}

impl Describe for HelpDone {
    fn describe(&self, world: &World, row: &mut LogRow) {
        if let Some(Task::Helping { lane }) = describe_staff(world, self.staff, row) {
            row.place = format!("lane {}", world.resource::<Checkout>().lane_name(lane));
            row.lane = Some(lane);
            row.what = "resolved the stop; the transaction runs on".into();
        }
    }
}

pub struct AttendancePlugin;

impl Plugin for AttendancePlugin {
    fn build(&self, app: &mut App) {
        let config = app.world().resource::<RunConfig>().clone();
        let now = app.world().resource::<Clock>().open;
        let checkout = app.world().resource::<Checkout>();
        let n_lanes = checkout.lanes.len();
        let mut attendance = Attendance {
            config: config.scenario.attendants.clone(),
            bank_of: vec![None; n_lanes].into(),
            stopped_at: vec![None; n_lanes].into(),
            rota_banks: Vec::new(),
            stats: AttendanceCounts::default(),
        };
        let Some(a) = config.scenario.attendants.clone() else {
            app.insert_resource(attendance);
            return;
        };
        // Groups whose attendants come from the rota: all of a group's terminals are one bank,
        // served by whichever of them are on duty.
        let rota_groups: Vec<&str> = config
            .scenario
            .rota
            .iter()
            .flat_map(|r| &r.shifts)
            .filter(|sh| sh.role == crate::scenario::ShiftRole::Attendant)
            .filter_map(|sh| sh.group.as_deref())
            .collect();
        // Banks: each attended group's lanes in lane order, cut into runs of N.
        let mut banks: Vec<LaneId> = Vec::new();
        let mut rota_bank_of: Vec<(String, u32)> = Vec::new();
        for group in &a.groups {
            let lanes: Vec<LaneId> = checkout
                .lane_names
                .iter_enumerated()
                .filter(|&(l, _)| {
                    let g = &checkout.groups[lane_group(app.world(), checkout, l)];
                    &g.id == group && g.kind == LaneKind::SelfCheckout
                })
                .map(|(l, _)| l)
                .collect();
            if lanes.is_empty() {
                continue;
            }
            if rota_groups.contains(&group.as_str()) {
                let bank = banks.len() as u32;
                for &l in &lanes {
                    attendance.bank_of[l] = Some(bank);
                }
                banks.push(lanes[0]);
                rota_bank_of.push((group.clone(), bank));
                attendance.rota_banks.push(bank);
                continue;
            }
            for chunk in lanes.chunks(a.terminals_per_attendant.max(1) as usize) {
                let bank = banks.len() as u32;
                for &l in chunk {
                    attendance.bank_of[l] = Some(bank);
                }
                banks.push(chunk[0]);
            }
        }
        let points: Vec<_> = banks.iter().map(|&l| checkout.lane_points[l]).collect();
        attendance.stats.attendants = (banks.len() - rota_bank_of.len()) as u32;
        // The rota's attendants (spawned by the staff plugin) join their group's bank.
        let rostered: Vec<Entity> = app
            .world()
            .get_resource::<crate::sim::rota::RotaState>()
            .map(|r| r.members.clone())
            .unwrap_or_default();
        let group_names: Vec<String> = checkout.groups.iter().map(|g| g.id.clone()).collect();
        let mut by_bank: Vec<Vec<Entity>> = vec![Vec::new(); banks.len()];
        for e in rostered {
            let world = app.world_mut();
            let group = world
                .get::<crate::sim::rota::Rostered>(e)
                .and_then(|r| r.group)
                .map(|g| group_names[g.index()].clone());
            let Some(mut m) = world.get_mut::<StaffMember>(e) else {
                continue;
            };
            if !matches!(m.role, crate::sim::staff::Role::Attendant { .. }) {
                continue;
            }
            if let Some(&(_, bank)) = rota_bank_of.iter().find(|(g, _)| Some(g) == group.as_ref()) {
                m.role = crate::sim::staff::Role::Attendant { bank };
                m.speed = a.walking_speed;
                by_bank[bank as usize].push(e);
            }
        }
        let rota_count = by_bank.iter().map(Vec::len).sum::<usize>() as u32;
        attendance.stats.attendants += rota_count;
        attendance.stats.rota_attendants = rota_count;
        let staff = app.world().resource::<Staff>();
        let first_id = (staff.cashiers.len() + staff.restockers.len()) as u32 + rota_count;
        let mut number = rota_count;
        for (bank, point) in points.into_iter().enumerate() {
            if attendance.rota_banks.contains(&(bank as u32)) {
                continue;
            }
            let id = first_id + number - rota_count;
            number += 1;
            let e = app
                .world_mut()
                .spawn((
                    StaffMember {
                        id,
                        number,
                        role: crate::sim::staff::Role::Attendant { bank: bank as u32 },
                        task: Task::Idle,
                        speed: a.walking_speed,
                        doing: None,
                        work_end: None,
                        duty: crate::sim::staff::Duty::On,
                        name: None,
                        title: None,
                    },
                    Motion::still(point, now),
                ))
                .id();
            by_bank[bank].push(e);
        }
        app.world_mut().resource_mut::<Staff>().attendants = by_bank;
        app.insert_resource(attendance);
    }
}

/// The group of lane `l` (read from its component: the checkout keeps groups per lane there).
fn lane_group(world: &World, checkout: &Checkout, l: LaneId) -> crate::ids::GroupId {
    world.get::<Lane>(checkout.lanes[l]).expect("lane").group
}

type Lanes<'w, 's> = Query<'w, 's, &'static mut Lane>;

/// What the attendance handlers work on.
#[derive(SystemParam)]
pub(crate) struct Help<'w, 's> {
    attendance: ResMut<'w, Attendance>,
    checkout: Res<'w, Checkout>,
    lanes: Lanes<'w, 's>,
    moves: Movement<'w>,
    agenda: AgendaMut<'w>,
    hours: ResMut<'w, StaffHours>,
}

impl Help<'_, '_> {
    /// Gives bank `bank`'s waiting stops to its attendant if idle: it walks to the terminal.
    fn assign(&mut self, crew: &mut Crew, bank: u32) {
        let now = self.agenda.now();
        crew.assign(
            RoleKind::Attendant { bank },
            |staff, member, motion, task| {
                let TaskKind::Attend { lane, .. } = task.kind else {
                    return false;
                };
                let point = self.checkout.lane_points[lane];
                let walk = self
                    .moves
                    .walk(Walker::Staff, motion, point, member.speed, now);
                member.task = Task::ToTerminal { lane };
                member.doing = Some((task.kind, now));
                self.agenda
                    .schedule(walk.arrive, AttendantAtTerminal { staff });
                true
            },
        );
    }
}

pub(crate) fn on_terminal_stops(In(ev): In<TerminalStops>, mut crew: Crew, mut help: Help) {
    let now = help.agenda.now();
    let Some(bank) = help.attendance.bank_of[ev.lane] else {
        return;
    };
    help.attendance.stopped_at[ev.lane] = Some(now);
    crew.tasks.post(
        TaskKind::Attend {
            lane: ev.lane,
            bank,
        },
        now,
    );
    help.assign(&mut crew, bank);
}

pub(crate) fn on_attendant_at_terminal(
    In(ev): In<AttendantAtTerminal>,
    mut crew: Crew,
    mut help: Help,
) {
    let now = help.agenda.now();
    let Ok((mut member, _)) = crew.members.get_mut(ev.staff) else {
        return;
    };
    let Task::ToTerminal { lane } = member.task else {
        return;
    };
    member.task = Task::Helping { lane };
    let Ok(l) = help.lanes.get(help.checkout.lanes[lane]) else {
        return;
    };
    let resolve = l.stop.map_or(0.0, |s| s.resolve);
    if let Some(stopped) = help.attendance.stopped_at[lane]
        && l.stop_counted
    {
        help.attendance.stats.response_s += now - stopped;
    }
    help.agenda
        .schedule(now + resolve, HelpDone { staff: ev.staff });
}

pub(crate) fn on_help_done(
    In(ev): In<HelpDone>,
    mut crew: Crew,
    mut help: Help,
    rostered: Query<&crate::sim::rota::Rostered>,
    rota: Option<Res<crate::sim::rota::RotaState>>,
) {
    let now = help.agenda.now();
    let Ok((mut member, _)) = crew.members.get_mut(ev.staff) else {
        return;
    };
    let Task::Helping { lane } = member.task else {
        return;
    };
    member.task = Task::Idle;
    let bank = match member.role {
        crate::sim::staff::Role::Attendant { bank } => bank,
        _ => return,
    };
    if let Some((kind, since)) = member.doing.take() {
        help.hours.book(kind, since, now);
        if help
            .lanes
            .get(help.checkout.lanes[lane])
            .is_ok_and(|l| l.stop_counted)
        {
            help.attendance.stats.busy_s += now - since;
        }
    }
    let stopped = help.attendance.stopped_at[lane].take();
    let mut l = help.lanes.get_mut(help.checkout.lanes[lane]).expect("lane");
    if let (Some(stop), Some(stopped)) = (l.stop.take(), stopped) {
        if l.stop_counted {
            help.attendance.stats.blocked_s += now - stopped;
        }
        // The rest of the transaction runs from now.
        let rest = (l.busy_until - l.busy_since - stop.after).max(0.0);
        l.busy_until = now + rest;
        help.agenda.schedule(now + rest, ServiceDone { lane });
    }
    // A rota attendant whose break or shift end fell due meanwhile goes now (unless it is
    // the last, staying while customers may still use the terminals).
    let leaving = rostered.get(ev.staff).is_ok_and(|r| r.pending.is_some())
        && !rota.is_some_and(|s| s.holding.contains(&ev.staff));
    if leaving && let Ok((mut member, mut motion)) = crew.members.get_mut(ev.staff) {
        let door = help
            .moves
            .plan()
            .backroom_door
            .expect("a rota needs a backroom");
        let walk = help
            .moves
            .walk(Walker::Staff, &mut motion, door, member.speed, now);
        member.task = Task::Returning;
        help.agenda.schedule(
            walk.arrive,
            crate::sim::rota::CashierBack { staff: ev.staff },
        );
    }
    help.assign(&mut crew, bank);
}

/// After a rota attendant's shift starts, its break ends or it is back at the door: the
/// rota's attendants on duty take the stops waiting at their banks.
pub(crate) fn assign_rota_banks<E>(_: In<E>, mut crew: Crew, mut help: Help) {
    for bank in help.attendance.rota_banks.clone() {
        help.assign(&mut crew, bank);
    }
}
