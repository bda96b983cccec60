//! Checkout: lanes, queues, queue choice and service.
//!
//! Models: a customer with items walks to the nearest open lane of the checkout zone, looks at
//! the queues it may use (open lanes whose item limit its basket fits; if none fits, any open
//! lane) and joins one by the scenario's strategy. A lane group has one queue per lane or one
//! shared queue feeding all its lanes (the first free lane, in lane order, takes the head).
//! Service time comes from the group's model ([`crate::sim::service`]); afterwards the customer
//! pays and walks out. Joining, the walk along the queue and changing queues are instant.
//!
//! Units: seconds, items, currency; queue lengths in customers waiting (not being served).

use std::collections::VecDeque;

use bevy::ecs::system::SystemParam;
use bevy::prelude::*;
use rand::RngExt;
use serde::Serialize;

use crate::RunConfig;
use crate::ids::PoiId;
use crate::ids::{GroupId, Id, IdVec, LaneId, QueueId};
use crate::scenario::floor_plan::FloorPlan;
use crate::scenario::{LaneKind, QueueDiscipline, QueueStrategy, ServiceModel};
use crate::sim::customer::{Customer, Phase};
use crate::sim::engine::Clock;
use crate::sim::event_log::{Describe, EventLog, LogRow, customer_name};
use crate::sim::events::Agenda;
use crate::sim::journey::walk_to_exit;
use crate::sim::movement::{Motion, Movement, Walker};
use crate::sim::service;

/// A lane group from the scenario.
#[derive(Clone, Debug)]
pub struct GroupInfo {
    pub id: String,
    pub kind: LaneKind,
    pub service: ServiceModel,
    pub item_limit: Option<u32>,
    pub discipline: QueueDiscipline,
}

/// Lanes and queues by index (never by query order), and the groups' settings.
#[derive(Resource, Debug)]
pub struct Checkout {
    /// Lanes in the floor plan's lane order ([`FloorPlan::lanes`]).
    pub lanes: IdVec<LaneId, Entity>,
    pub queues: IdVec<QueueId, Entity>,
    pub groups: IdVec<GroupId, GroupInfo>,
    pub lane_names: IdVec<LaneId, String>,
    pub queue_names: IdVec<QueueId, String>,
    pub lane_points: IdVec<LaneId, PoiId>,
    /// Which lanes are open (mirrors [`Lane::open`] for quick look-ups).
    pub lane_open: IdVec<LaneId, bool>,
    pub strategy: QueueStrategy,
}

impl Checkout {
    pub fn lane_name(&self, lane: LaneId) -> &str {
        &self.lane_names[lane]
    }

    /// The service point of the open lane nearest to `from` (any lane if all are closed).
    pub fn nearest_approach(&self, plan: &FloorPlan, from: PoiId) -> Option<PoiId> {
        let any_open = self.lane_open.iter().any(|&o| o);
        let candidates = self
            .lane_points
            .iter()
            .zip(&self.lane_open)
            .filter(|&(_, &o)| o || !any_open)
            .map(|(&p, _)| p);
        plan.nearest(from, candidates)
    }
}

#[derive(Component, Clone, Debug)]
pub struct Lane {
    pub index: LaneId,
    pub group: GroupId,
    pub queue: QueueId,
    pub kind: LaneKind,
    pub open: bool,
    pub service_point: PoiId,
    /// Customer being served and when its service started and will end.
    pub serving: Option<Entity>,
    pub serving_items: u32,
    pub busy_since: f64,
    pub busy_until: f64,
    /// Seconds spent serving, and seconds staffed (open, or closed but finishing its last
    /// customer), within the KPI window up to the last change.
    pub busy_time: f64,
    pub open_time: f64,
    pub open_since: f64,
    /// Closed while serving: staffed until that customer is done.
    pub closing: bool,
    /// Start of the KPI window ([`Clock::measure_from`]).
    pub measure_from: f64,
    pub served: u32,
}

impl Lane {
    /// Seconds of `[from, to]` inside the KPI window.
    fn in_window(&self, from: f64, to: f64) -> f64 {
        (to - from.max(self.measure_from)).max(0.0)
    }

    /// Busy and staffed seconds within the KPI window up to `now`, counting the part in
    /// progress. Busy never exceeds staffed: a lane closed while serving stays staffed until
    /// its customer is done.
    pub fn times_at(&self, now: f64) -> (f64, f64) {
        let mut busy = self.busy_time;
        if self.serving.is_some() {
            busy += self.in_window(self.busy_since, now);
        }
        let mut open = self.open_time;
        if self.open || self.closing {
            open += self.in_window(self.open_since, now);
        }
        (busy, open)
    }
}

#[derive(Component, Clone, Debug)]
pub struct CheckoutQueue {
    pub index: QueueId,
    pub group: GroupId,
    /// Lanes this queue feeds, in order.
    pub lanes: Vec<LaneId>,
    pub waiting: VecDeque<Entity>,
    /// Items in the baskets waiting, and their expected total service time (seconds).
    pub items_waiting: u32,
    pub expected_work: f64,
    /// Of those waiting, the customers who arrived in the KPI window: only they count in
    /// the queue's statistics.
    pub counted: u32,
    /// ∫ counted customers waiting dt up to `last_change`, for the time-average length.
    pub area: f64,
    pub last_change: f64,
    pub max_len: u32,
    /// Counted customers who left this queue for service, and their waits (seconds).
    pub served_counted: u32,
    pub wait_sum: f64,
    /// Customers walking over from another lane to join, with their items and expected
    /// service time: shoppers choosing a queue see them coming.
    pub incoming: u32,
    pub incoming_items: u32,
    pub incoming_work: f64,
}

impl CheckoutQueue {
    fn touch(&mut self, now: f64) {
        self.area += f64::from(self.counted) * (now - self.last_change);
        self.last_change = now;
    }

    /// ∫ counted customers waiting dt up to `now` (they arrived in the KPI window, so this
    /// is an integral over the window).
    pub fn area_at(&self, now: f64) -> f64 {
        self.area + f64::from(self.counted) * (now - self.last_change)
    }
}

/// Scheduled: a customer with a basket reaches the checkout zone and picks a queue.
#[derive(Debug, Clone, Copy)]
pub struct ReachCheckout {
    pub customer: Entity,
}

/// Scheduled: a customer who walked from the lane it reached first to the queue it chose
/// joins that queue.
#[derive(Debug, Clone, Copy)]
pub struct JoinQueue {
    pub customer: Entity,
    pub queue: QueueId,
}

/// Scheduled: lane `lane` finishes serving its customer.
#[derive(Debug, Clone, Copy)]
pub struct ServiceDone {
    pub lane: LaneId,
}

/// Triggered when a customer has paid.
#[derive(Debug, Clone, Copy)]
pub struct CustomerPaid {
    /// The customer's arrival number.
    pub customer: u32,
    pub items: u32,
    pub value: f64,
}

/// A command: open or close a lane now. A closing lane finishes its customer; the customers
/// waiting in its own queue choose again.
#[derive(Debug, Clone, Copy)]
pub struct SetLaneOpen {
    pub lane: LaneId,
    pub open: bool,
}

impl Describe for ReachCheckout {
    fn describe(&self, world: &World, row: &mut LogRow) {
        row.about_customer(world, self.customer);
    }
}

impl Describe for JoinQueue {
    fn describe(&self, world: &World, row: &mut LogRow) {
        row.about_customer(world, self.customer);
        row.queue = Some(self.queue);
        row.place = format!(
            "queue {}",
            world.resource::<Checkout>().queue_names[self.queue]
        );
    }
}

impl Describe for ServiceDone {
    fn describe(&self, world: &World, row: &mut LogRow) {
        let checkout = world.resource::<Checkout>();
        row.who = format!("lane {}", checkout.lane_name(self.lane));
        row.place = row.who.clone();
        row.lane = Some(self.lane);
        let lane = world.get::<Lane>(checkout.lanes[self.lane]);
        if let Some(c) = lane
            .and_then(|l| l.serving)
            .and_then(|s| world.get::<Customer>(s))
        {
            row.customer = Some(c.id);
            row.what = format!(
                "{} paid {:.2} for {} items",
                customer_name(c.id),
                c.value,
                c.items
            );
        }
    }
}

impl Describe for CustomerPaid {
    fn describe(&self, _: &World, row: &mut LogRow) {
        row.who = customer_name(self.customer);
        row.customer = Some(self.customer);
        row.what = format!("paid {:.2} for {} items", self.value, self.items);
    }
}

impl Describe for SetLaneOpen {
    fn describe(&self, world: &World, row: &mut LogRow) {
        if let Some(name) = world.resource::<Checkout>().lane_names.get(self.lane) {
            row.who = format!("lane {name}");
            row.lane = Some(self.lane);
        }
        row.what = if self.open { "opens" } else { "closes" }.to_string() + " (command)";
    }
}

pub struct CheckoutPlugin;

impl Plugin for CheckoutPlugin {
    fn build(&self, app: &mut App) {
        let config = app.world().resource::<RunConfig>().clone();
        let plan = app.world().resource::<FloorPlan>().clone();
        let clock = *app.world().resource::<Clock>();
        let (now, measure_from) = (clock.open, clock.measure_from);
        let groups_cfg = &config.scenario.checkouts.groups;
        let groups: IdVec<GroupId, GroupInfo> = groups_cfg
            .iter()
            .map(|(id, g)| GroupInfo {
                id: id.clone(),
                kind: g.kind,
                service: g.service.clone(),
                item_limit: g.item_limit,
                discipline: g.queue,
            })
            .collect();
        let mut lanes = IdVec::new();
        let mut lane_names = IdVec::new();
        let mut lane_points = IdVec::new();
        let mut lane_open = IdVec::new();
        let mut queues: IdVec<QueueId, CheckoutQueue> = IdVec::new();
        let mut queue_names = IdVec::new();
        let mut lane_components: IdVec<LaneId, Lane> = IdVec::new();
        for (gi, group) in groups.iter_enumerated() {
            let open_count = groups_cfg[&group.id].open;
            let geoms: Vec<_> = plan
                .lanes
                .iter_enumerated()
                .filter(|(_, l)| l.group == group.id)
                .collect();
            // A shared queue only for a group with lanes: a queue no lane serves would trap
            // whoever joined it.
            let shared_queue = (group.discipline == QueueDiscipline::Shared && !geoms.is_empty())
                .then(|| {
                    queue_names.push(group.id.clone());
                    queues.push(new_queue(QueueId::from_index(queues.len()), gi, now))
                });
            for (k, &(index, geom)) in geoms.iter().enumerate() {
                let name = geom.name();
                let q = match shared_queue {
                    Some(q) => q,
                    None => {
                        queue_names.push(name.clone());
                        queues.push(new_queue(QueueId::from_index(queues.len()), gi, now))
                    }
                };
                queues[q].lanes.push(index);
                let open = open_count.is_none_or(|n| (k as u32) < n);
                let id = lane_components.push(Lane {
                    index,
                    group: gi,
                    queue: q,
                    kind: group.kind,
                    open,
                    service_point: geom.service_point,
                    serving: None,
                    serving_items: 0,
                    busy_since: now,
                    busy_until: now,
                    busy_time: 0.0,
                    open_time: 0.0,
                    open_since: now,
                    closing: false,
                    measure_from,
                    served: 0,
                });
                // The plan numbers lanes by group, as this loop visits them: one numbering.
                assert_eq!(id, index, "lane numbering of plan and checkout differ");
                lane_names.push(name);
                lane_points.push(geom.service_point);
                lane_open.push(open);
            }
        }
        for lane in lane_components {
            lanes.push(app.world_mut().spawn(lane).id());
        }
        let queues = queues
            .into_iter()
            .map(|q| app.world_mut().spawn(q).id())
            .collect();
        app.insert_resource(Checkout {
            lanes,
            queues,
            groups,
            lane_names,
            queue_names,
            lane_points,
            lane_open,
            strategy: config.scenario.checkouts.strategy,
        });
    }
}

fn new_queue(index: QueueId, group: GroupId, now: f64) -> CheckoutQueue {
    CheckoutQueue {
        index,
        group,
        lanes: Vec::new(),
        waiting: VecDeque::new(),
        items_waiting: 0,
        expected_work: 0.0,
        counted: 0,
        area: 0.0,
        last_change: now,
        max_len: 0,
        served_counted: 0,
        wait_sum: 0.0,
        incoming: 0,
        incoming_items: 0,
        incoming_work: 0.0,
    }
}

type CustomerQuery<'w, 's> = Query<'w, 's, (&'static mut Customer, &'static mut Motion)>;

/// What the checkout observers work on: customers, lanes, queues and the shared resources.
#[derive(SystemParam)]
pub(crate) struct Tills<'w, 's> {
    customers: CustomerQuery<'w, 's>,
    lanes: Query<'w, 's, &'static mut Lane>,
    queues: Query<'w, 's, &'static mut CheckoutQueue>,
    checkout: ResMut<'w, Checkout>,
    moves: Movement<'w>,
    clock: Res<'w, Clock>,
    agenda: ResMut<'w, Agenda>,
    log: Option<ResMut<'w, EventLog>>,
}

pub(crate) fn on_reach_checkout(In(ev): In<ReachCheckout>, mut t: Tills) {
    let now = t.clock.now;
    let Ok((mut c, mut motion)) = t.customers.get_mut(ev.customer) else {
        return;
    };
    let q = choose_queue(
        &mut c,
        &t.checkout,
        &t.lanes,
        &t.queues,
        t.moves.plan(),
        now,
    );
    let mut queue = t.queues.get_mut(t.checkout.queues[q]).expect("queue");
    let point = t.checkout.lane_points[queue.lanes[0]];
    if let Some(log) = t.log.as_mut() {
        let name = &t.checkout.queue_names[q];
        let walk = if point != c.at { ", walks there" } else { "" };
        log.what(|| {
            format!(
                "chooses queue {name} ({} waiting){walk}",
                queue.waiting.len()
            )
        });
    }
    if point != c.at {
        let group = &t.checkout.groups[queue.group];
        queue.incoming += 1;
        queue.incoming_items += c.items;
        queue.incoming_work += service::mean_service_time(&group.service, group.kind, c.items);
        // The chosen queue starts at another lane: walk there along the checkout zone.
        debug_assert_eq!(motion.to, c.at, "a customer walks from where it stands");
        let walk = t
            .moves
            .walk(Walker::Customer, &mut motion, point, c.speed, now);
        c.distance += walk.metres;
        c.at = point;
        c.phase = Phase::Shopping;
        t.agenda.schedule(
            walk.arrive,
            JoinQueue {
                customer: ev.customer,
                queue: q,
            },
        );
        return;
    }
    join_queue(ev.customer, q, &mut t);
}

pub(crate) fn on_join_queue(In(ev): In<JoinQueue>, mut t: Tills) {
    let items = t.customers.get(ev.customer).map_or(0, |(c, _)| c.items);
    let mut queue = t
        .queues
        .get_mut(t.checkout.queues[ev.queue])
        .expect("queue");
    let group = &t.checkout.groups[queue.group];
    queue.incoming -= 1;
    queue.incoming_items -= items;
    queue.incoming_work -= service::mean_service_time(&group.service, group.kind, items);
    if queue.incoming == 0 {
        // No drift from adding and subtracting floats.
        queue.incoming_work = 0.0;
    }
    let closed = !queue.lanes.iter().any(|&l| t.checkout.lane_open[l]);
    if closed && t.checkout.lane_open.iter().any(|&o| o) {
        // Its lanes closed during the walk: choose again from here.
        t.agenda.emit(ReachCheckout {
            customer: ev.customer,
        });
        return;
    }
    join_queue(ev.customer, ev.queue, &mut t);
}

/// Puts a customer standing at the start of queue `q` into it and starts services.
fn join_queue(customer: Entity, q: QueueId, t: &mut Tills) {
    let now = t.clock.now;
    let Ok((mut c, mut motion)) = t.customers.get_mut(customer) else {
        return;
    };
    let mut queue = t.queues.get_mut(t.checkout.queues[q]).expect("queue");
    t.moves.stand(Walker::Customer, &mut motion, c.at, now);
    c.phase = Phase::Queueing { queue: q };
    // A customer sent to choose again keeps its first joining time: its wait runs on.
    c.queue_joined.get_or_insert(now);
    let group = &t.checkout.groups[queue.group];
    let expected = service::mean_service_time(&group.service, group.kind, c.items);
    queue.touch(now);
    queue.waiting.push_back(customer);
    queue.counted += u32::from(c.arrived >= t.clock.measure_from);
    queue.items_waiting += c.items;
    queue.expected_work += expected;
    queue.max_len = queue.max_len.max(queue.waiting.len() as u32);
    if let Some(log) = t.log.as_mut() {
        let name = &t.checkout.queue_names[q];
        log.what(|| format!("joins queue {name} as number {}", queue.waiting.len()));
        if let Some(row) = log.current() {
            row.queue = Some(q);
        }
    }
    t.start_services(q);
}

/// Picks the queue by the scenario's strategy among those the customer may use. Among
/// equally good queues the customer takes the nearest (as shoppers do when every lane is
/// free), then the one listed first.
fn choose_queue(
    c: &mut Customer,
    checkout: &Checkout,
    lanes: &Query<&mut Lane>,
    queues: &Query<&mut CheckoutQueue>,
    plan: &FloorPlan,
    now: f64,
) -> QueueId {
    struct Option_ {
        index: QueueId,
        metres: f64,
        open_lanes: u32,
        fits: bool,
        customers: f64,
        items: f64,
        wait: f64,
    }
    let mut options = Vec::with_capacity(checkout.queues.len());
    for &qe in &checkout.queues {
        let q = queues.get(qe).expect("queue");
        let group = &checkout.groups[q.group];
        let mut open_lanes = 0;
        let mut busy = 0.0;
        let mut items = f64::from(q.items_waiting + q.incoming_items);
        let mut remaining = 0.0;
        for &l in &q.lanes {
            let lane = lanes.get(checkout.lanes[l]).expect("lane");
            if lane.open {
                open_lanes += 1;
            }
            if lane.serving.is_some() {
                busy += 1.0;
                items += f64::from(lane.serving_items);
                let mean =
                    service::mean_service_time(&group.service, group.kind, lane.serving_items);
                remaining += (mean - (now - lane.busy_since)).max(0.0);
            }
        }
        let per_lane = f64::from(open_lanes.max(1));
        options.push(Option_ {
            index: q.index,
            metres: plan.distance(c.at, checkout.lane_points[q.lanes[0]]),
            open_lanes,
            fits: group.item_limit.is_none_or(|limit| c.items <= limit),
            customers: (q.waiting.len() as f64 + f64::from(q.incoming) + busy) / per_lane,
            items: items / per_lane,
            wait: (q.expected_work + q.incoming_work + remaining) / per_lane,
        });
    }
    let mut allowed: Vec<&Option_> = options
        .iter()
        .filter(|o| o.open_lanes > 0 && o.fits)
        .collect();
    if allowed.is_empty() {
        allowed = options.iter().filter(|o| o.open_lanes > 0).collect();
    }
    if allowed.is_empty() {
        allowed = options.iter().collect();
    }
    let by = |key: fn(&Option_) -> f64| {
        allowed
            .iter()
            .min_by(|a, b| {
                key(a)
                    .total_cmp(&key(b))
                    .then(a.metres.total_cmp(&b.metres))
                    .then(a.index.cmp(&b.index))
            })
            .expect("at least one queue")
            .index
    };
    match checkout.strategy {
        QueueStrategy::Random => allowed[c.choice_rng.random_range(0..allowed.len())].index,
        QueueStrategy::FewestCustomers => by(|o| o.customers),
        QueueStrategy::FewestItems => by(|o| o.items),
        QueueStrategy::LeastExpectedWait => by(|o| o.wait),
    }
}

impl Tills<'_, '_> {
    /// Lets every idle open lane of queue `q` take the next customer.
    fn start_services(&mut self, q: QueueId) {
        let now = self.clock.now;
        let mut queue = self.queues.get_mut(self.checkout.queues[q]).expect("queue");
        let group = &self.checkout.groups[queue.group];
        for i in 0..queue.lanes.len() {
            if queue.waiting.is_empty() {
                break;
            }
            let l = queue.lanes[i];
            let mut lane = self.lanes.get_mut(self.checkout.lanes[l]).expect("lane");
            if !lane.open || lane.serving.is_some() {
                continue;
            }
            queue.touch(now);
            let customer = queue.waiting.pop_front().expect("non-empty");
            let Ok((mut c, mut motion)) = self.customers.get_mut(customer) else {
                continue;
            };
            if c.arrived >= self.clock.measure_from {
                queue.counted -= 1;
                queue.served_counted += 1;
                queue.wait_sum += now - c.queue_joined.unwrap_or(now);
            }
            queue.items_waiting -= c.items;
            queue.expected_work -= service::mean_service_time(&group.service, group.kind, c.items);
            if queue.waiting.is_empty() {
                // Avoid drift from repeated float subtraction.
                queue.expected_work = 0.0;
            }
            let duration = service::service_time(&group.service, lane.kind, c.items, c.draws);
            lane.serving = Some(customer);
            lane.serving_items = c.items;
            lane.busy_since = now;
            lane.busy_until = now + duration;
            c.phase = Phase::InService { lane: l };
            c.lane = Some(l);
            c.service_start = Some(now);
            if let Some(log) = self.log.as_mut() {
                let name = self.checkout.lane_name(l);
                let waited = now - c.queue_joined.unwrap_or(now);
                let mut row = LogRow::new(now, "ServiceStart");
                row.who = customer_name(c.id);
                row.place = format!("lane {name}");
                row.what = format!(
                    "served at {name} for {duration:.1} s ({} items) after waiting {waited:.1} s",
                    c.items
                );
                row.customer = Some(c.id);
                row.lane = Some(l);
                log.fact(row);
            }
            c.at = lane.service_point;
            // The walk along the queue to its lane takes no time.
            self.moves
                .stand(Walker::Customer, &mut motion, lane.service_point, now);
            self.agenda
                .schedule(now + duration, ServiceDone { lane: l });
        }
    }
}

pub(crate) fn on_service_done(In(ev): In<ServiceDone>, mut t: Tills) {
    let now = t.clock.now;
    let mut lane = t.lanes.get_mut(t.checkout.lanes[ev.lane]).expect("lane");
    let Some(customer) = lane.serving.take() else {
        return;
    };
    lane.busy_time += lane.in_window(lane.busy_since, now);
    if lane.closing {
        lane.closing = false;
        lane.open_time += lane.in_window(lane.open_since, now);
    }
    lane.served += 1;
    let q = lane.queue;
    if let Ok((mut c, mut motion)) = t.customers.get_mut(customer) {
        c.service_end = Some(now);
        t.agenda.emit(CustomerPaid {
            customer: c.id,
            items: c.items,
            value: c.value,
        });
        walk_to_exit(
            customer,
            &mut c,
            &mut motion,
            &mut t.moves,
            now,
            &mut t.agenda,
        );
    }
    t.start_services(q);
}

pub(crate) fn on_set_lane_open(In(ev): In<SetLaneOpen>, mut t: Tills) {
    let now = t.clock.now;
    let Some(&entity) = t.checkout.lanes.get(ev.lane) else {
        return;
    };
    let mut lane = t.lanes.get_mut(entity).expect("lane");
    if lane.open == ev.open {
        if let Some(log) = t.log.as_mut() {
            log.what(|| "no change: it already was".into());
        }
        return;
    }
    if ev.open {
        // Reopened while still finishing its last customer: staffed all along.
        if !lane.closing {
            lane.open_since = now;
        }
        lane.closing = false;
    } else if lane.serving.is_some() {
        lane.closing = true;
    } else {
        lane.open_time += lane.in_window(lane.open_since, now);
    }
    lane.open = ev.open;
    let q = lane.queue;
    t.checkout.lane_open[ev.lane] = ev.open;
    if ev.open {
        t.start_services(q);
        return;
    }
    // If no open lane feeds this queue any more, its customers choose again.
    let mut queue = t.queues.get_mut(t.checkout.queues[q]).expect("queue");
    if queue.lanes.iter().any(|&l| t.checkout.lane_open[l]) {
        return;
    }
    queue.touch(now);
    let leaving: Vec<Entity> = queue.waiting.drain(..).collect();
    queue.counted = 0;
    queue.items_waiting = 0;
    queue.expected_work = 0.0;
    if let Some(log) = t.log.as_mut() {
        log.what(|| format!("{} waiting customers choose again", leaving.len()));
    }
    for customer in leaving {
        t.agenda.emit(ReachCheckout { customer });
    }
}
// The checkout's part of the report: its lanes and queues over the KPI window, and the
// gauges of the time series. Metrics composes these; it reads no lane or queue itself.

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct LaneSummary {
    pub id: String,
    pub group: String,
    pub kind: LaneKind,
    pub served: u32,
    /// Busy seconds / staffed seconds, within the KPI window.
    pub utilisation: f64,
    pub busy_s: f64,
    pub open_s: f64,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct QueueSummary {
    pub id: String,
    /// Time-average number of measured customers waiting, over the KPI window.
    pub mean_length: f64,
    /// Most customers waiting at once (anyone, also during the warm-up).
    pub max_length: u32,
    /// Measured customers who went from this queue into service, and their mean wait
    /// (seconds): `mean_length = customers / duration_s × mean_wait_s` (Little's law).
    pub customers: u32,
    pub mean_wait_s: f64,
}

/// Each lane's service figures up to `now` (the end of the KPI window).
pub fn lane_summaries(world: &World, now: f64) -> Vec<LaneSummary> {
    let checkout = world.resource::<Checkout>();
    checkout
        .lanes
        .iter_enumerated()
        .map(|(i, &e)| {
            let lane = world.get::<Lane>(e).expect("lane");
            let (busy, open) = lane.times_at(now);
            LaneSummary {
                id: checkout.lane_names[i].clone(),
                group: checkout.groups[lane.group].id.clone(),
                kind: lane.kind,
                served: lane.served,
                utilisation: if open > 0.0 { busy / open } else { 0.0 },
                busy_s: busy,
                open_s: open,
            }
        })
        .collect()
}

/// Each queue's figures over a KPI window of `duration` seconds ending at `now`.
pub fn queue_summaries(world: &World, now: f64, duration: f64) -> Vec<QueueSummary> {
    let checkout = world.resource::<Checkout>();
    checkout
        .queues
        .iter_enumerated()
        .map(|(i, &e)| {
            let q = world.get::<CheckoutQueue>(e).expect("queue");
            QueueSummary {
                id: checkout.queue_names[i].clone(),
                mean_length: if duration > 0.0 {
                    q.area_at(now) / duration
                } else {
                    0.0
                },
                max_length: q.max_len,
                customers: q.served_counted,
                mean_wait_s: if q.served_counted > 0 {
                    q.wait_sum / f64::from(q.served_counted)
                } else {
                    0.0
                },
            }
        })
        .collect()
}

/// The checkout's gauges for a time-series sample.
#[derive(SystemParam)]
pub struct Gauges<'w, 's> {
    checkout: Res<'w, Checkout>,
    lanes: Query<'w, 's, &'static Lane>,
    queues: Query<'w, 's, &'static CheckoutQueue>,
}

impl Gauges<'_, '_> {
    /// Lanes open, lanes serving, and customers waiting in each queue (order of
    /// [`Checkout::queue_names`]). O(lanes + queues), not O(customers inside): a flood of
    /// customers must not make every sample slower.
    pub fn read(&self) -> (u32, u32, Vec<u32>) {
        let (mut open, mut busy) = (0, 0);
        for &e in &self.checkout.lanes {
            let lane = self.lanes.get(e).expect("lane");
            open += u32::from(lane.open);
            busy += u32::from(lane.serving.is_some());
        }
        let waiting = self
            .checkout
            .queues
            .iter()
            .map(|&e| self.queues.get(e).expect("queue").waiting.len() as u32)
            .collect();
        (open, busy, waiting)
    }
}
