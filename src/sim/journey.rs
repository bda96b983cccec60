//! Journeys' end: customers walking out, and the record of each journey.
//!
//! Models a customer leaving: from wherever it stands (after paying, or with an empty basket)
//! it walks to the nearest exit; on reaching it the journey is recorded (times, items, money,
//! distance, lane, outcome) in a [`CustomerRecord`] and the entity despawned.
//!
//! Units: seconds since 00:00, metres, m/s, currency.

use bevy::prelude::*;

use crate::scenario::floor_plan::FloorPlan;
use crate::sim::customer::{Customer, CustomerRecord, GaveUp, Phase};
use crate::sim::event_log::{Describe, LogRow, customer_name};
use crate::sim::events::{Agenda, AgendaMut};
use crate::sim::movement::{Motion, Movement, Walker};
use crate::sim::segments::Segments;

/// Scheduled: a customer reaches the exit.
#[derive(Debug, Clone, Copy)]
pub struct ReachExit {
    pub customer: Entity,
}

/// Emitted when a customer leaves, with its journey (boxed: every event on the agenda is as
/// large as the largest, and the record would make them all four times larger).
#[derive(Debug, Clone)]
pub struct CustomerLeft {
    pub record: Box<CustomerRecord>,
}

impl Describe for ReachExit {
    fn describe(&self, world: &World, row: &mut LogRow) {
        row.about_customer(world, self.customer);
        row.what = "reaches the exit".into();
    }
}

impl Describe for CustomerLeft {
    fn describe(&self, _: &World, row: &mut LogRow) {
        let r = &self.record;
        row.who = customer_name(r.id);
        row.customer = Some(r.id);
        row.what = format!(
            "left ({}) after {:.0} s in the store",
            r.outcome,
            r.time_in_store.unwrap_or(0.0)
        );
    }
}

/// Sends a customer from where it stands to the nearest exit.
pub fn walk_to_exit(
    customer: Entity,
    c: &mut Customer,
    motion: &mut Motion,
    moves: &mut Movement,
    now: f64,
    agenda: &mut Agenda,
) {
    let plan = moves.plan();
    let exit = plan
        .nearest(c.at, plan.exits.iter().copied())
        .unwrap_or(plan.exits[0]);
    debug_assert_eq!(motion.to, c.at, "a customer walks from where it stands");
    let walk = moves.walk(Walker::Customer, motion, exit, c.speed, now);
    c.distance += walk.metres;
    c.at = exit;
    c.phase = Phase::Leaving;
    agenda.schedule(walk.arrive, ReachExit { customer });
}

/// What [`on_reach_exit`] reads and writes.
type ExitParams = (
    Query<'static, 'static, (&'static Customer, &'static Motion)>,
    Movement<'static>,
    AgendaMut<'static>,
    Res<'static, Segments>,
);

/// Despawns the customer straight from the world (an exclusive handler): through `Commands`
/// every exit would pay for a command queue.
pub(crate) fn on_reach_exit(
    In(ev): In<ReachExit>,
    world: &mut World,
    state: &mut bevy::ecs::system::SystemState<ExitParams>,
) {
    let (customers, mut moves, mut agenda, segments) = state
        .get_mut(world)
        .expect("the store's resources, inserted when it was built");
    let Ok((c, motion)) = customers.get(ev.customer) else {
        return;
    };
    let now = agenda.now();
    moves.leave(Walker::Customer, motion, now);
    let record = journey_record(c, Some(now), moves.plan(), &segments);
    agenda.emit(CustomerLeft {
        record: Box::new(record),
    });
    // The lent agenda goes back before the world is used again.
    drop(agenda);
    world.despawn(ev.customer);
}

/// The record of a journey, finished (`exit` given) or still under way. Times and waits cover
/// every checkout step (scan & go: paying and an audit).
pub fn journey_record(
    c: &Customer,
    exit: Option<f64>,
    plan: &FloorPlan,
    segments: &Segments,
) -> CustomerRecord {
    let served = c.service_end.is_some();
    let e = &c.earlier;
    let wait = match c.queue_joined.zip(c.service_start) {
        Some((j, s)) => Some(e.waited + (s - j)),
        None => e.joined.map(|_| e.waited),
    };
    let service_time = match c.service_start.zip(c.service_end) {
        Some((s, end)) => Some(e.served + (end - s)),
        None => e.started.map(|_| e.served),
    };
    CustomerRecord {
        id: c.id,
        arrival: c.arrived,
        exit,
        items_planned: c.items_planned,
        items_bought: c.items,
        items_lost: c.items_lost,
        value: c.value,
        value_lost: c.value_lost,
        shelves_visited: c.next_stop as u32,
        distance_m: c.distance,
        lane: c
            .lane
            .map(|l| plan.lanes[l].name.clone())
            .unwrap_or_default(),
        queue_joined: e.joined.or(c.queue_joined),
        service_start: e.started.or(c.service_start),
        service_end: c.service_end,
        wait,
        service_time,
        time_in_store: exit.map(|e| e - c.arrived),
        outcome: match (exit, served, c.gave_up) {
            (None, _, _) => "inside",
            (Some(_), true, _) => "served",
            (Some(_), false, Some(GaveUp::Balked)) => "balked",
            (Some(_), false, Some(GaveUp::Reneged)) => "reneged",
            (Some(_), false, None) => "no_purchase",
        },
        segment: segments.list[c.segment].name.clone(),
    }
}
