//! Checkout: lanes, queues, queue choice and service.
//!
//! Models: a customer with items walks to the nearest open lane of the checkout zone, looks at
//! the queues it may use (open lanes whose item limit its basket fits; if none fits, any open
//! lane) and joins one by the scenario's strategy. A lane group has one queue per lane or one
//! shared queue feeding all its lanes (the first free lane, in lane order, takes the head).
//! Service time comes from the group's model ([`crate::sim::service`]); afterwards the customer
//! pays and walks out. Joining, the walk along the queue and changing queues are instant.
//!
//! With `queue_behaviour`, customers also act on the queues (Lu et al. 2013 found purchase
//! incidence falls with the visible queue length): having chosen a queue, a customer *balks*
//! (leaves the store) with the balking table's probability for the customers waiting there;
//! one with a limited patience *reneges* (leaves the queue) when it has waited that long
//! without being served; with jockeying, when a queue shortens the last customer of a
//! longer queue it may use walks over if at least `min_difference` fewer customers stand in
//! line there than ahead of it. A balking or reneging customer leaves its basket at the lane:
//! the units go back to the ledger's returns ([`Inventory::abandon`]) and a restocker takes
//! them to the backroom. Each customer draws its balking uniform and its patience once, from
//! its own stream ([`Attr::Patience`]).
//!
//! Units: seconds, items, currency; queue lengths in customers waiting (not being served).

use std::collections::VecDeque;

use bevy::ecs::system::SystemParam;
use bevy::prelude::*;
use rand::RngExt;
use serde::{Deserialize, Serialize};

use crate::RunConfig;
use crate::ids::PoiId;
use crate::ids::ProductId;
use crate::ids::{GroupId, Id, IdVec, LaneId, QueueId, SegmentId};
use crate::scenario::floor_plan::FloorPlan;
use crate::scenario::{LaneKind, QueueBehaviour, QueueDiscipline, QueueStrategy, ServiceModel};
use crate::sim::attendance::{Attendance, TerminalStops};
use crate::sim::customer::{Customer, GaveUp, Phase, Step, Temper};
use crate::sim::engine::Clock;
use crate::sim::event_log::{Describe, EventLog, LogRow, customer_name};
use crate::sim::events::{Agenda, AgendaMut};
use crate::sim::inventory::Inventory;
use crate::sim::journey::walk_to_exit;
use crate::sim::movement::{Motion, Movement, Walker};
use crate::sim::random::{self, Attr};
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
    /// Balking, reneging, jockeying (none: customers wait however long).
    pub behaviour: Option<QueueBehaviour>,
    /// The run's seed: customers' [`Temper`] and queue choice streams.
    pub seed: u64,
    /// Customers who gave up and what they left, counted for those in the KPI window.
    pub gave_up: GaveUpCounts,
    /// Goods left in abandoned baskets at each lane, waiting for a restocker.
    pub left_goods: IdVec<LaneId, Vec<(ProductId, u32)>>,
    /// The lane group a lane policy watches, and its idle time before a till closes
    /// ([`crate::sim::lane_policy`]).
    pub policy: Option<(GroupId, f64)>,
    /// Tills opened by the lane policy (they close when idle), and who staffs each.
    pub on_demand: IdVec<LaneId, Option<Entity>>,
    /// Each lane's group.
    pub lane_group: IdVec<LaneId, GroupId>,
    /// Per segment, the lane groups its customers may use at the tills and self-checkouts.
    pub segment_groups: IdVec<SegmentId, IdVec<GroupId, bool>>,
    /// Per segment and step (`Step as usize`), the lanes [`Checkout::takes_at`] allows, in
    /// lane order: the nearest lane is looked for twice per customer, over every lane.
    usable_lanes: IdVec<SegmentId, [Vec<LaneId>; Step::ALL.len()]>,
    /// Groups whose tills the rota's cashiers open and close ([`crate::sim::rota`]).
    pub rota_groups: Vec<GroupId>,
    /// Per segment, its own patience (none: `queue_behaviour.reneging`'s).
    pub segment_patience: IdVec<SegmentId, Option<crate::scenario::Distribution>>,
    /// Start of the KPI window ([`Clock::measure_from`]), kept here so that the checkout's
    /// handlers need not fetch the clock.
    pub measure_from: f64,
}

/// Customers (of the KPI window) who balked, reneged or changed queues, and the baskets left.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct GaveUpCounts {
    /// Customers who reached the checkout with items: of them, the share who balked or
    /// reneged is the abandonment rate.
    pub reached: u64,
    pub balked: u64,
    pub reneged: u64,
    /// Moves from one queue to another (a customer may move more than once).
    pub jockeyed: u64,
    /// Items and value in the baskets left by those who balked or reneged: lost revenue.
    pub abandoned_items: u64,
    pub abandoned_value: f64,
}

impl GaveUpCounts {
    /// Share of the customers who reached the checkout that balked or reneged (0 if none
    /// reached it).
    pub fn abandonment(&self) -> f64 {
        if self.reached == 0 {
            0.0
        } else {
            (self.balked + self.reneged) as f64 / self.reached as f64
        }
    }

    /// Adds another day's counts (runs over days).
    pub fn add(&mut self, o: &GaveUpCounts) {
        self.reached += o.reached;
        self.balked += o.balked;
        self.reneged += o.reneged;
        self.jockeyed += o.jockeyed;
        self.abandoned_items += o.abandoned_items;
        self.abandoned_value += o.abandoned_value;
    }
}

impl Checkout {
    pub fn lane_name(&self, lane: LaneId) -> &str {
        &self.lane_names[lane]
    }

    /// The lane whose service point is `point` (customers at the checkout stand at one).
    pub fn lane_at(&self, point: PoiId) -> LaneId {
        self.lane_points
            .iter_enumerated()
            .find(|&(_, &p)| p == point)
            .map_or(LaneId::from_index(0), |(l, _)| l)
    }

    /// Whether customer `c` may use a lane of group `group` at its current checkout step.
    pub fn takes(&self, c: &Customer, group: GroupId) -> bool {
        self.takes_at(c, c.step, group)
    }

    /// Whether customer `c` may use a lane of group `group` at checkout step `step`.
    pub fn takes_at(&self, c: &Customer, step: Step, group: GroupId) -> bool {
        serves(&self.groups, &self.segment_groups, c.segment, step, group)
    }

    /// The service point nearest to `from` of the open lanes `c` may use at its current step
    /// (of any such lane if all are closed).
    pub fn nearest_approach(&self, plan: &FloorPlan, from: PoiId, c: &Customer) -> Option<PoiId> {
        let usable = &self.usable_lanes[c.segment][c.step as usize];
        let any_open = usable.iter().any(|&l| self.lane_open[l]);
        let candidates = usable
            .iter()
            .filter(|&&l| self.lane_open[l] || !any_open)
            .map(|&l| self.lane_points[l]);
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
    /// Closed to newcomers but serving its queue until it is empty (a cashier going on a
    /// break or home, [`crate::sim::rota`]); staffed meanwhile.
    pub draining: bool,
    /// Start of the KPI window ([`Clock::measure_from`]).
    pub measure_from: f64,
    pub served: u32,
    /// The transaction under way stops (or stopped) for an attendant
    /// ([`crate::sim::attendance`]); whether its customer counts in the KPIs.
    pub stop: Option<crate::sim::attendance::Stop>,
    pub stop_counted: bool,
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
    /// Counted customers who left this queue's line when their patience ran out.
    pub reneged: u32,
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

/// Scheduled: a customer's patience runs out (it leaves its queue if still waiting).
#[derive(Debug, Clone, Copy)]
pub struct PatienceOut {
    pub customer: Entity,
}

/// Emitted when a customer leaves a basket at lane `lane`: work for a restocker.
#[derive(Debug, Clone, Copy)]
pub struct BasketLeft {
    pub lane: LaneId,
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

impl Describe for PatienceOut {
    fn describe(&self, world: &World, row: &mut LogRow) {
        row.about_customer(world, self.customer);
        row.what = "runs out of patience".into();
    }
}

impl Describe for BasketLeft {
    fn describe(&self, world: &World, row: &mut LogRow) {
        let checkout = world.resource::<Checkout>();
        row.place = format!("lane {}", checkout.lane_name(self.lane));
        row.lane = Some(self.lane);
        row.what = "a basket is left at the lane".into();
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
        let rota_groups: Vec<&str> = config
            .scenario
            .rota
            .iter()
            .flat_map(|r| &r.shifts)
            // Cashiers and auditors open their lanes (attendants only help at theirs).
            .filter(|s| s.role.at_lanes())
            .filter_map(|s| s.group.as_deref())
            .collect();
        for (gi, group) in groups.iter_enumerated() {
            // The tills of a rota group open when its cashiers come on duty.
            let open_count = if rota_groups.contains(&group.id.as_str()) {
                Some(0)
            } else {
                groups_cfg[&group.id].open
            };
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
                let name = geom.name().to_owned();
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
                    draining: false,
                    measure_from,
                    served: 0,
                    stop: None,
                    stop_counted: false,
                });
                // The plan numbers lanes by group, as this loop visits them: one numbering.
                assert_eq!(id, index, "lane numbering of plan and checkout differ");
                lane_names.push(name);
                lane_points.push(geom.service_point);
                lane_open.push(open);
            }
        }
        let policy = match &config.scenario.lane_policy {
            Some(crate::scenario::LanePolicy::OneInFront {
                group,
                close_after_idle,
                ..
            }) => groups
                .iter_enumerated()
                .find(|(_, g)| &g.id == group)
                .map(|(g, _)| (g, *close_after_idle)),
            None => None,
        };
        let lane_group = lane_components.iter().map(|l| l.group).collect();
        let rota_group_ids = groups
            .iter_enumerated()
            .filter(|(_, g)| rota_groups.contains(&g.id.as_str()))
            .map(|(g, _)| g)
            .collect();
        let segment_groups = segment_groups(&config.scenario, &groups);
        let usable_lanes = (0..segment_groups.len())
            .map(SegmentId::from_index)
            .map(|segment| {
                Step::ALL.map(|step| {
                    lane_components
                        .iter()
                        .filter(|l| serves(&groups, &segment_groups, segment, step, l.group))
                        .map(|l| l.index)
                        .collect()
                })
            })
            .collect();
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
            left_goods: lane_open.iter().map(|_| Vec::new()).collect(),
            on_demand: lane_open.iter().map(|_| None).collect(),
            policy,
            lane_group,
            segment_groups,
            usable_lanes,
            rota_groups: rota_group_ids,
            segment_patience: match &config.scenario.segments {
                None => std::iter::once(None).collect(),
                Some(map) => map.values().map(|s| s.patience.clone()).collect(),
            },
            lane_open,
            strategy: config.scenario.checkouts.strategy,
            behaviour: config.scenario.queue_behaviour.clone(),
            seed: config.seed,
            gave_up: GaveUpCounts::default(),
            measure_from,
        });
    }
}

/// Whether a lane of group `group` serves a customer of `segment` at checkout step `step`:
/// [`Checkout::takes_at`], and the lists of usable lanes built from it.
fn serves(
    groups: &IdVec<GroupId, GroupInfo>,
    segment_groups: &IdVec<SegmentId, IdVec<GroupId, bool>>,
    segment: SegmentId,
    step: Step,
    group: GroupId,
) -> bool {
    step.takes(groups[group].kind) && (step != Step::Lanes || segment_groups[segment][group])
}

/// Per segment (in [`crate::sim::segments::Segments`] order), the lane groups its customers
/// may use at the tills and self-checkouts.
fn segment_groups(
    scenario: &crate::scenario::Scenario,
    groups: &IdVec<GroupId, GroupInfo>,
) -> IdVec<SegmentId, IdVec<GroupId, bool>> {
    let all = || groups.iter().map(|_| true).collect();
    match &scenario.segments {
        None => std::iter::once(all()).collect(),
        Some(map) => map
            .values()
            .map(|s| {
                if s.lanes.is_empty() {
                    all()
                } else {
                    groups.iter().map(|g| s.lanes.contains(&g.id)).collect()
                }
            })
            .collect(),
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
        reneged: 0,
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
    agenda: AgendaMut<'w>,
    inventory: ResMut<'w, Inventory>,
    attendance: ResMut<'w, Attendance>,
    log: Option<ResMut<'w, EventLog>>,
}

pub(crate) fn on_reach_checkout(In(ev): In<ReachCheckout>, mut t: Tills) {
    let now = t.agenda.now();
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
    let first_time = c.queue_joined.is_none() && c.temper.is_none() && c.step == Step::Lanes;
    if let Some(b) = &t.checkout.behaviour
        && first_time
    {
        let patience = t.checkout.segment_patience[c.segment].as_ref();
        let temper = draw_temper(t.checkout.seed, c.id, b, patience);
        c.temper = Some(temper);
        let waiting = t
            .queues
            .get(t.checkout.queues[q])
            .expect("queue")
            .waiting
            .len();
        let p = balking_probability(&b.balking, waiting);
        if c.arrived >= t.checkout.measure_from {
            t.checkout.gave_up.reached += 1;
        }
        if temper.balk < p {
            if let Some(log) = t.log.as_mut() {
                log.what(|| {
                    format!(
                        "sees {waiting} waiting at queue {} and leaves (balks)",
                        t.checkout.queue_names[q]
                    )
                });
            }
            t.give_up(ev.customer, GaveUp::Balked);
            return;
        }
    }
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
        queue.incoming_items += c.work();
        queue.incoming_work += service::mean_service_time(&group.service, group.kind, c.work());
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
    let items = t.customers.get(ev.customer).map_or(0, |(c, _)| c.work());
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
    let now = t.agenda.now();
    let Ok((mut c, mut motion)) = t.customers.get_mut(customer) else {
        return;
    };
    if c.renege_at.is_some_and(|at| at <= now) {
        // Its patience ran out on the way to this queue.
        if let Some(log) = t.log.as_mut() {
            log.what(|| "has waited too long and leaves (reneges)".into());
        }
        t.give_up(customer, GaveUp::Reneged);
        // A till opened on demand that waited for this customer may stand idle now.
        let lanes = t
            .queues
            .get(t.checkout.queues[q])
            .expect("queue")
            .lanes
            .clone();
        for lane in lanes {
            t.check_idle(lane);
        }
        return;
    }
    let mut queue = t.queues.get_mut(t.checkout.queues[q]).expect("queue");
    t.moves.stand(Walker::Customer, &mut motion, c.at, now);
    c.phase = Phase::Queueing { queue: q };
    // A customer sent to choose again keeps its first joining time: its wait runs on.
    if c.queue_joined.is_none() {
        c.queue_joined = Some(now);
        if let Some(patience) = c.temper.and_then(|tp| tp.patience) {
            c.renege_at = Some(now + patience);
            t.agenda.schedule(now + patience, PatienceOut { customer });
        }
    }
    let group = &t.checkout.groups[queue.group];
    let expected = service::mean_service_time(&group.service, group.kind, c.work());
    queue.touch(now);
    queue.waiting.push_back(customer);
    queue.counted += u32::from(c.arrived >= t.checkout.measure_from);
    queue.items_waiting += c.work();
    queue.expected_work += expected;
    queue.max_len = queue.max_len.max(queue.waiting.len() as u32);
    if let Some(log) = t.log.as_mut() {
        let name = &t.checkout.queue_names[q];
        log.what(|| format!("joins queue {name} as number {}", queue.waiting.len()));
        if let Some(row) = log.current() {
            row.queue = Some(q);
        }
    }
    let watched = t.checkout.policy.is_some_and(|(g, _)| g == queue.group);
    t.start_services(q);
    if watched {
        t.agenda.emit(crate::sim::lane_policy::PolicyCheck);
    }
}

/// Which customer moves to a shorter queue.
#[derive(Clone, Copy, Debug)]
enum Move {
    /// Jockeying: the last customer of a queue with at least this many more customers ahead
    /// of it than stand in line at the shorter queue; the largest difference first.
    Jockey(usize),
    /// Called over by staff to a till just opened: the last customer of a queue with more
    /// than this many waiting, while the new till has at most this many in line; the longest
    /// queue first.
    CallOver(usize),
}

impl Move {
    /// The score of moving the last of `waiting` customers of a queue fed by `open_there`
    /// open lanes to a queue with `in_line` customers and `open_here` open lanes (none: it
    /// does not move). Counts are per open lane: the fifth in a shared queue of six lanes is
    /// almost at a lane.
    fn score(
        self,
        waiting: usize,
        open_there: usize,
        in_line: usize,
        open_here: usize,
    ) -> Option<usize> {
        let (there, here) = (open_there.max(1), open_here.max(1));
        match self {
            Move::Jockey(k) => {
                let ahead = (waiting - 1) / there;
                let line = in_line / here;
                (ahead >= line + k).then(|| ahead - line)
            }
            Move::CallOver(k) => {
                let limit = k * there;
                (waiting > limit && in_line <= k * here).then(|| waiting - limit)
            }
        }
    }
}

/// A customer's [`Temper`], from its own stream: the balking uniform first, then whether its
/// patience is limited, then the patience (from its segment's distribution, if it has one),
/// whatever the scenario uses of them.
fn draw_temper(
    seed: u64,
    id: u32,
    b: &QueueBehaviour,
    segment_patience: Option<&crate::scenario::Distribution>,
) -> Temper {
    let mut rng = random::customer_stream(seed, id, Attr::Patience);
    let balk = random::open_unit(&mut rng);
    let limited = random::open_unit(&mut rng);
    let patience = b.reneging.as_ref().and_then(|r| {
        let p = random::draw(segment_patience.unwrap_or(&r.patience), &mut rng);
        (limited < r.share).then_some(p)
    });
    Temper { balk, patience }
}

/// The balking table's probability for `waiting` customers: the last entry whose length is
/// at most `waiting` (0 below the first).
pub fn balking_probability(table: &[(u32, f64)], waiting: usize) -> f64 {
    table
        .iter()
        .take_while(|&&(len, _)| len as usize <= waiting)
        .last()
        .map_or(0.0, |&(_, p)| p)
}

/// Takes waiting customer `customer` out of `queue`'s line (reneging, jockeying) and keeps
/// the queue's sums.
fn leave_line(
    queue: &mut CheckoutQueue,
    customer: Entity,
    c: &Customer,
    group: &GroupInfo,
    now: f64,
    measured: bool,
) {
    queue.touch(now);
    if let Some(pos) = queue.waiting.iter().position(|&e| e == customer) {
        queue.waiting.remove(pos);
    }
    queue.counted -= u32::from(measured);
    queue.items_waiting -= c.work();
    queue.expected_work -= service::mean_service_time(&group.service, group.kind, c.work());
    if queue.waiting.is_empty() {
        // No drift from adding and subtracting floats.
        queue.expected_work = 0.0;
    }
}

pub(crate) fn on_patience_out(In(ev): In<PatienceOut>, mut t: Tills) {
    let now = t.agenda.now();
    let Ok((c, _)) = t.customers.get_mut(ev.customer) else {
        return;
    };
    // Served meanwhile, or walking to another queue (it leaves on joining it).
    let Phase::Queueing { queue: q } = c.phase else {
        return;
    };
    if c.renege_at != Some(now) {
        return;
    }
    let mut queue = t.queues.get_mut(t.checkout.queues[q]).expect("queue");
    let group = &t.checkout.groups[queue.group];
    let measured = c.arrived >= t.checkout.measure_from;
    leave_line(&mut queue, ev.customer, &c, group, now, measured);
    queue.reneged += u32::from(measured);
    if let Some(log) = t.log.as_mut() {
        let name = &t.checkout.queue_names[q];
        log.what(|| format!("leaves queue {name} and the store (reneges)"));
    }
    t.give_up(ev.customer, GaveUp::Reneged);
    t.jockey_to(q);
}

/// The checkout steps customer `c` has yet to take: its step now and the ones after (a scan &
/// go customer is audited after paying); none once it gave up or walks out.
fn steps_to_come(c: &Customer) -> impl Iterator<Item = Step> + '_ {
    let active = c.gave_up.is_none() && !matches!(c.phase, Phase::Leaving);
    std::iter::successors(active.then_some(c.step), |&s| Some(c.method.after(s)))
        .take_while(|&s| s != Step::Done)
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
        draining: bool,
        fits: bool,
        takes: bool,
        customers: f64,
        items: f64,
        wait: f64,
    }
    let mut options = Vec::with_capacity(checkout.queues.len());
    for &qe in &checkout.queues {
        let q = queues.get(qe).expect("queue");
        let group = &checkout.groups[q.group];
        let mut open_lanes = 0;
        let mut draining = false;
        let mut busy = 0.0;
        let mut items = f64::from(q.items_waiting + q.incoming_items);
        let mut remaining = 0.0;
        for &l in &q.lanes {
            let lane = lanes.get(checkout.lanes[l]).expect("lane");
            if lane.open {
                open_lanes += 1;
            }
            draining |= lane.draining;
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
            draining,
            fits: group.item_limit.is_none_or(|limit| c.items <= limit),
            takes: checkout.takes(c, q.group),
            customers: (q.waiting.len() as f64 + f64::from(q.incoming) + busy) / per_lane,
            items: items / per_lane,
            wait: (q.expected_work + q.incoming_work + remaining) / per_lane,
        });
    }
    // Only queues of lanes for its checkout step; validation makes sure there is one. Of
    // those, the first of these choices any queue meets: open and allowed for its items; open;
    // not serving out its queue before closing (none open: wait at a closed lane); any.
    options.retain(|o| o.takes);
    let choices: [fn(&Option_) -> bool; 3] = [
        |o| o.open_lanes > 0 && o.fits,
        |o| o.open_lanes > 0,
        |o| !o.draining,
    ];
    if let Some(keep) = choices.into_iter().find(|keep| options.iter().any(keep)) {
        options.retain(keep);
    }
    let allowed = &options;
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
        QueueStrategy::Random => {
            let rng = c.choice_rng.get_or_insert_with(|| {
                Box::new(random::customer_stream(checkout.seed, c.id, Attr::Choice))
            });
            allowed[rng.random_range(0..allowed.len())].index
        }
        QueueStrategy::FewestCustomers => by(|o| o.customers),
        QueueStrategy::FewestItems => by(|o| o.items),
        QueueStrategy::LeastExpectedWait => by(|o| o.wait),
    }
}

impl Tills<'_, '_> {
    /// Customer `customer` leaves the checkout without paying: its basket stays at the lane
    /// where it stands (back to the ledger's returns, and work for a restocker) and it walks
    /// out.
    fn give_up(&mut self, customer: Entity, how: GaveUp) {
        let now = self.agenda.now();
        let Ok((mut c, mut motion)) = self.customers.get_mut(customer) else {
            return;
        };
        let lane = self.checkout.lane_at(c.at);
        if c.arrived >= self.checkout.measure_from {
            let counts = &mut self.checkout.gave_up;
            match how {
                GaveUp::Balked => counts.balked += 1,
                GaveUp::Reneged => counts.reneged += 1,
            }
            counts.abandoned_items += u64::from(c.items);
            counts.abandoned_value += c.value;
        }
        if !c.basket.is_empty() {
            for (p, units) in c.basket.drain(..) {
                self.inventory.abandon(p, units);
                self.checkout.left_goods[lane].push((p, units));
            }
            self.agenda.emit(BasketLeft { lane });
        }
        c.items = 0;
        c.value = 0.0;
        c.gave_up = Some(how);
        c.renege_at = None;
        walk_to_exit(
            customer,
            &mut c,
            &mut motion,
            &mut self.moves,
            now,
            &mut self.agenda,
        );
    }

    /// Lets every idle open lane of queue `q` take the next customer; then customers of
    /// longer queues may jockey to it.
    fn start_services(&mut self, q: QueueId) {
        let now = self.agenda.now();
        let mut queue = self.queues.get_mut(self.checkout.queues[q]).expect("queue");
        let group = &self.checkout.groups[queue.group];
        let before = queue.waiting.len();
        // A draining lane serves the queue only while no open lane does.
        let fed = queue.lanes.iter().any(|&l| self.checkout.lane_open[l]);
        for i in 0..queue.lanes.len() {
            if queue.waiting.is_empty() {
                break;
            }
            let l = queue.lanes[i];
            let mut lane = self.lanes.get_mut(self.checkout.lanes[l]).expect("lane");
            if !(lane.open || (lane.draining && !fed)) || lane.serving.is_some() {
                continue;
            }
            queue.touch(now);
            let customer = queue.waiting.pop_front().expect("non-empty");
            let Ok((mut c, mut motion)) = self.customers.get_mut(customer) else {
                continue;
            };
            if c.arrived >= self.checkout.measure_from {
                queue.counted -= 1;
                queue.served_counted += 1;
                queue.wait_sum += now - c.queue_joined.unwrap_or(now);
            }
            queue.items_waiting -= c.work();
            queue.expected_work -= service::mean_service_time(&group.service, group.kind, c.work());
            if queue.waiting.is_empty() {
                // Avoid drift from repeated float subtraction.
                queue.expected_work = 0.0;
            }
            let duration = match (lane.kind, c.digital.as_ref()) {
                // An entrance gate takes the customer's own check-in time.
                (LaneKind::EntryGate, Some(d)) => d.check_in_s,
                _ => service::service_time(&group.service, lane.kind, c.work(), c.draws),
            };
            lane.serving = Some(customer);
            lane.serving_items = c.work();
            lane.busy_since = now;
            lane.busy_until = now + duration;
            c.phase = Phase::InService { lane: l };
            // The record names the first lane of its way out.
            if c.step != Step::CheckIn {
                c.lane.get_or_insert(l);
            }
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
            let measured = c.arrived >= self.checkout.measure_from;
            lane.stop = self.attendance.plan_stop(
                self.checkout.seed,
                c.id,
                l,
                duration,
                c.age_check,
                measured,
            );
            lane.stop_counted = measured;
            match lane.stop {
                Some(stop) => self
                    .agenda
                    .schedule(now + stop.after, TerminalStops { lane: l }),
                None => self
                    .agenda
                    .schedule(now + duration, ServiceDone { lane: l }),
            };
        }
        if queue.waiting.len() < before {
            self.jockey_to(q);
        }
    }

    /// Jockeying to queue `q`, which just shortened or opened: while some queue's last
    /// customer has at least `min_difference` more customers ahead of it than stand in line
    /// at `q` (walking there included), and its basket fits `q`'s item limit, it walks
    /// over. The largest difference moves first, then the queue listed first.
    fn jockey_to(&mut self, q: QueueId) {
        let Some(k) = self
            .checkout
            .behaviour
            .as_ref()
            .and_then(|b| b.jockeying.as_ref())
            .map(|j| j.min_difference as usize)
        else {
            return;
        };
        self.move_to_shorter(q, Move::Jockey(k));
    }

    /// Open lanes among `lanes`.
    fn open_lanes(&self, lanes: &[LaneId]) -> usize {
        lanes
            .iter()
            .filter(|&&l| self.checkout.lane_open[l])
            .count()
    }

    /// Moves the last customers of other queues to queue `q` by rule `rule`, the best
    /// candidate first, then the queue listed first.
    fn move_to_shorter(&mut self, q: QueueId, rule: Move) {
        let now = self.agenda.now();
        let voluntary = matches!(rule, Move::Jockey(_));
        loop {
            let target = self.queues.get(self.checkout.queues[q]).expect("queue");
            if !target.lanes.iter().any(|&l| self.checkout.lane_open[l]) {
                return;
            }
            let in_line = target.waiting.len() + target.incoming as usize;
            let target_group = target.group;
            let group = self.checkout.groups[target_group].clone();
            let point = self.checkout.lane_points[target.lanes[0]];
            let mut best: Option<(usize, QueueId, Entity)> = None;
            let open_here = self.open_lanes(&target.lanes);
            for (oi, &oe) in self.checkout.queues.iter_enumerated() {
                let o = self.queues.get(oe).expect("queue");
                let Some(&last) = o.waiting.back() else {
                    continue;
                };
                // Staff call over only from the tills of the till's own group.
                if oi == q || (!voluntary && o.group != target.group) {
                    continue;
                }
                let open_there = self.open_lanes(&o.lanes);
                let Some(score) = rule.score(o.waiting.len(), open_there, in_line, open_here)
                else {
                    continue;
                };
                let Ok((lc, _)) = self.customers.get(last) else {
                    continue;
                };
                if group.item_limit.is_some_and(|limit| lc.items > limit)
                    || !self.checkout.takes(lc, target_group)
                {
                    continue;
                }
                if best.is_none_or(|(d, _, _)| score > d) {
                    best = Some((score, oi, last));
                }
            }
            let Some((_, from, customer)) = best else {
                return;
            };
            let Ok((mut c, mut motion)) = self.customers.get_mut(customer) else {
                return;
            };
            let measured = c.arrived >= self.checkout.measure_from;
            let mut o = self
                .queues
                .get_mut(self.checkout.queues[from])
                .expect("queue");
            let from_group = o.group;
            leave_line(
                &mut o,
                customer,
                &c,
                &self.checkout.groups[from_group],
                now,
                measured,
            );
            if voluntary {
                self.checkout.gave_up.jockeyed += u64::from(measured);
            }
            if let Some(log) = self.log.as_mut() {
                let mut row = LogRow::new(now, if voluntary { "Jockey" } else { "CalledOver" });
                row.who = customer_name(c.id);
                row.customer = Some(c.id);
                row.queue = Some(q);
                row.place = format!("queue {}", self.checkout.queue_names[from]);
                row.what = format!(
                    "{} from queue {} to the shorter queue {}",
                    if voluntary { "moves" } else { "is called over" },
                    self.checkout.queue_names[from],
                    self.checkout.queue_names[q]
                );
                log.fact(row);
            }
            let mut target = self.queues.get_mut(self.checkout.queues[q]).expect("queue");
            target.incoming += 1;
            target.incoming_items += c.work();
            target.incoming_work +=
                service::mean_service_time(&group.service, group.kind, c.work());
            let walk = self
                .moves
                .walk(Walker::Customer, &mut motion, point, c.speed, now);
            c.distance += walk.metres;
            c.at = point;
            c.phase = Phase::Shopping;
            self.agenda
                .schedule(walk.arrive, JoinQueue { customer, queue: q });
        }
    }
}

pub(crate) fn on_service_done(In(ev): In<ServiceDone>, mut t: Tills) {
    let now = t.agenda.now();
    let mut lane = t.lanes.get_mut(t.checkout.lanes[ev.lane]).expect("lane");
    let Some(customer) = lane.serving.take() else {
        return;
    };
    lane.busy_time += lane.in_window(lane.busy_since, now);
    if lane.closing && !lane.draining {
        lane.closing = false;
        lane.open_time += lane.in_window(lane.open_since, now);
    }
    lane.served += 1;
    let q = lane.queue;
    t.finish_step(customer);
    t.start_services(q);
    t.finish_drain(ev.lane);
    t.check_idle(ev.lane);
}

/// Emitted for a scan & go or cashierless customer through a checkout step: what the step
/// found ([`crate::sim::segments::on_digital_step`]) is settled before it goes on
/// ([`StepDone`]).
#[derive(Debug, Clone, Copy)]
pub struct DigitalStep {
    pub customer: Entity,
}

/// Emitted when a digital customer's step is settled: on to the next step, or out.
#[derive(Debug, Clone, Copy)]
pub struct StepDone {
    pub customer: Entity,
}

impl Describe for DigitalStep {
    fn describe(&self, world: &World, row: &mut LogRow) {
        row.about_customer(world, self.customer);
        row.what = "is through a step of its digital checkout".into();
    }
}

impl Describe for StepDone {
    fn describe(&self, world: &World, row: &mut LogRow) {
        row.about_customer(world, self.customer);
        row.what = "goes on".into();
    }
}

pub(crate) fn on_step_done(In(ev): In<StepDone>, mut t: Tills) {
    t.next_step(ev.customer);
}

impl Tills<'_, '_> {
    /// Customer `customer` is through a checkout step. A digital customer's step is settled
    /// first ([`DigitalStep`]); the others go on at once.
    fn finish_step(&mut self, customer: Entity) {
        match self.customers.get(customer) {
            Ok((c, _)) if c.digital.is_some() => {
                self.agenda.emit(DigitalStep { customer });
            }
            Ok(_) => self.next_step(customer),
            Err(_) => {}
        }
    }

    /// On to the customer's next step, or it pays what it owes and walks out.
    fn next_step(&mut self, customer: Entity) {
        let now = self.agenda.now();
        let Ok((mut c, mut motion)) = self.customers.get_mut(customer) else {
            return;
        };
        let c = &mut *c;
        let next = c.method.after(c.step);
        if next != Step::Done {
            let (joined, started) = (c.queue_joined.take(), c.service_start.take());
            let e = &mut c.earlier;
            if let (Some(j), Some(s)) = (joined, started) {
                // The check-in's wait and time count, but the record's queue and service
                // times are those of its way out.
                if c.step != Step::CheckIn {
                    e.joined.get_or_insert(j);
                    e.started.get_or_insert(s);
                }
                e.waited += s - j;
                e.served += now - s;
            }
            if c.step == Step::CheckIn {
                c.step = next;
                c.phase = Phase::Shopping;
                self.agenda
                    .emit(crate::sim::shopping::CheckedIn { customer });
                return;
            }
            c.step = next;
            let plan = self.moves.plan();
            // Validation makes sure every checkout step in use has a lane.
            let to = self
                .checkout
                .nearest_approach(plan, c.at, c)
                .expect("validated: every checkout step has a lane");
            let walk = self
                .moves
                .walk(Walker::Customer, &mut motion, to, c.speed, now);
            c.distance += walk.metres;
            c.at = to;
            c.phase = Phase::Shopping;
            self.agenda
                .schedule(walk.arrive, ReachCheckout { customer });
            return;
        }
        c.service_end = Some(now);
        self.agenda.emit(CustomerPaid {
            customer: c.id,
            items: c.items,
            value: c.value,
        });
        walk_to_exit(
            customer,
            c,
            &mut motion,
            &mut self.moves,
            now,
            &mut self.agenda,
        );
    }
}

pub(crate) fn on_set_lane_open(In(ev): In<SetLaneOpen>, mut t: Tills) {
    if t.checkout.lanes.get(ev.lane).is_none() {
        return;
    }
    if t.checkout
        .rota_groups
        .contains(&t.checkout.lane_group[ev.lane])
    {
        // Its cashiers' shifts open and close it.
        if let Some(log) = t.log.as_mut() {
            log.what(|| "no change: the rota staffs this till".into());
        }
        return;
    }
    t.set_lane_open(ev.lane, ev.open);
}

impl<'w> Tills<'w, '_> {
    pub(crate) fn now(&self) -> f64 {
        self.agenda.now()
    }

    /// The walking service and the agenda, for a handler that sends staff off.
    pub(crate) fn moves_and_agenda(&mut self) -> (&mut Movement<'w>, &mut Agenda) {
        (&mut self.moves, &mut self.agenda)
    }

    pub(crate) fn lane_is_open(&self, lane: LaneId) -> bool {
        self.checkout.lane_open[lane]
    }

    /// Whether closing `lane` now would leave a customer inside who has yet to pay with no
    /// other open lane it may use (the last cashier of a group then stays on, [`crate::sim::rota`]).
    pub(crate) fn strands_someone(&self, lane: LaneId) -> bool {
        let c = &*self.checkout;
        let group = c.lane_group[lane];
        self.customers.iter().any(|(cu, _)| {
            steps_to_come(cu).any(|step| {
                c.takes_at(cu, step, group)
                    && !c.lane_open.iter_enumerated().any(|(l, &open)| {
                        open && l != lane && c.takes_at(cu, step, c.lane_group[l])
                    })
            })
        })
    }

    /// Whether a customer inside may still use a lane of `group` (a self-checkout group's
    /// last attendant stays while one may).
    pub(crate) fn group_in_use(&self, group: GroupId) -> bool {
        let c = &*self.checkout;
        self.customers
            .iter()
            .any(|(cu, _)| steps_to_come(cu).any(|step| c.takes_at(cu, step, group)))
    }

    /// The checkout's tables.
    pub(crate) fn checkout(&self) -> &Checkout {
        &self.checkout
    }

    /// The lanes of group `group`, in lane order.
    pub(crate) fn lanes_of(&self, group: GroupId) -> Vec<LaneId> {
        self.checkout
            .lane_group
            .iter_enumerated()
            .filter(|&(_, &g)| g == group)
            .map(|(l, _)| l)
            .collect()
    }

    /// Customers stranded in queues no lane serves (they chose a closed lane because none
    /// of theirs was open) who may use lane `opened` choose again now that it is open.
    fn rechoose_stranded(&mut self, opened: LaneId) {
        let now = self.agenda.now();
        let group = self.checkout.lane_group[opened];
        let mut moving: Vec<(QueueId, Entity)> = Vec::new();
        for (qi, &qe) in self.checkout.queues.iter_enumerated() {
            let Ok(q) = self.queues.get(qe) else {
                continue;
            };
            if q.waiting.is_empty() {
                continue;
            }
            let served = q.lanes.iter().any(|&l| {
                self.checkout.lane_open[l]
                    || self
                        .lanes
                        .get(self.checkout.lanes[l])
                        .is_ok_and(|lane| lane.draining || lane.serving.is_some())
            });
            if served {
                continue;
            }
            for &e in &q.waiting {
                if self
                    .customers
                    .get(e)
                    .is_ok_and(|(c, _)| self.checkout.takes(c, group))
                {
                    moving.push((qi, e));
                }
            }
        }
        for (qi, e) in moving {
            let Ok((c, _)) = self.customers.get(e) else {
                continue;
            };
            let measured = c.arrived >= self.checkout.measure_from;
            let mut q = self
                .queues
                .get_mut(self.checkout.queues[qi])
                .expect("queue");
            let g = q.group;
            leave_line(&mut q, e, c, &self.checkout.groups[g], now, measured);
            self.agenda.emit(ReachCheckout { customer: e });
        }
    }

    /// Closes lane `lane` to newcomers; it serves its queue (if no other open lane does)
    /// and then closes, emitting [`crate::sim::rota::TillDrained`].
    pub(crate) fn drain_lane(&mut self, lane: LaneId) {
        let mut l = self.lanes.get_mut(self.checkout.lanes[lane]).expect("lane");
        if !l.open {
            return;
        }
        l.open = false;
        l.draining = true;
        // Staffed until drained: the open time runs on.
        l.closing = true;
        self.checkout.lane_open[lane] = false;
        if let Some(log) = self.log.as_mut() {
            log.what(|| {
                format!(
                    "{} closes to newcomers and serves its queue",
                    self.checkout.lane_names[lane]
                )
            });
        }
        self.finish_drain(lane);
    }

    /// A draining lane with nobody left to serve closes.
    fn finish_drain(&mut self, lane: LaneId) {
        let now = self.agenda.now();
        let mut l = self.lanes.get_mut(self.checkout.lanes[lane]).expect("lane");
        if !l.draining || l.serving.is_some() {
            return;
        }
        let q = self
            .queues
            .get(self.checkout.queues[l.queue])
            .expect("queue");
        let fed = q.lanes.iter().any(|&o| self.checkout.lane_open[o]);
        if !q.waiting.is_empty() && !fed {
            return;
        }
        l.draining = false;
        l.closing = false;
        l.open_time += l.in_window(l.open_since, now);
        self.agenda.emit(crate::sim::rota::TillDrained { lane });
    }

    /// Whether lane `lane` belongs to group `group`.
    pub(crate) fn in_group(&self, lane: LaneId, group: Option<GroupId>) -> bool {
        Some(
            self.lanes
                .get(self.checkout.lanes[lane])
                .expect("lane")
                .group,
        ) == group
    }

    /// Marks till `lane` as opened by the lane policy and staffed by `staff` (none: no
    /// longer).
    pub(crate) fn set_on_demand(&mut self, lane: LaneId, staff: Option<Entity>) {
        self.checkout.on_demand[lane] = staff;
    }

    /// Who staffs till `lane`, if the lane policy opened it.
    pub(crate) fn on_demand(&self, lane: LaneId) -> Option<Entity> {
        self.checkout.on_demand[lane]
    }

    /// For a till opened by the lane policy that stands idle with an empty queue: checks
    /// again after the policy's idle time whether to close it.
    pub(crate) fn check_idle(&mut self, lane: LaneId) {
        let Some((_, idle)) = self.checkout.policy else {
            return;
        };
        if self.checkout.on_demand[lane].is_none() || !self.idle_since(lane, self.agenda.now()) {
            return;
        }
        let now = self.agenda.now();
        self.agenda.schedule(
            now + idle,
            crate::sim::lane_policy::TillIdle { lane, since: now },
        );
    }

    /// Whether till `lane` is open, serves nobody, has nobody waiting and has started no
    /// service since `since`.
    pub(crate) fn idle_since(&self, lane: LaneId, since: f64) -> bool {
        let l = self.lanes.get(self.checkout.lanes[lane]).expect("lane");
        let q = self
            .queues
            .get(self.checkout.queues[l.queue])
            .expect("queue");
        l.open
            && l.serving.is_none()
            && l.busy_until <= since
            && q.waiting.is_empty()
            && q.incoming == 0
    }

    /// Customers at the back of queues with more than `k` waiting are called over to till
    /// `lane` (just opened) until it has `k + 1` in line (one to serve, `k` waiting).
    pub(crate) fn call_over(&mut self, lane: LaneId, k: usize) {
        let q = self
            .lanes
            .get(self.checkout.lanes[lane])
            .expect("lane")
            .queue;
        self.move_to_shorter(q, Move::CallOver(k));
    }

    /// Opens or closes lane `lane` now. A closing lane finishes its customer; if no open lane
    /// feeds its queue any more, the customers waiting there choose again.
    pub(crate) fn set_lane_open(&mut self, lane_id: LaneId, open: bool) {
        let now = self.agenda.now();
        let t = self;
        let ev = SetLaneOpen {
            lane: lane_id,
            open,
        };
        let entity = t.checkout.lanes[ev.lane];
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
            lane.draining = false;
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
            t.jockey_to(q);
            t.rechoose_stranded(lane_id);
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
}
// The checkout's part of the report: its lanes and queues over the KPI window, and the
// gauges of the time series. Metrics composes these; it reads no lane or queue itself.

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
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

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct QueueSummary {
    pub id: String,
    /// Time-average number of measured customers waiting, over the KPI window.
    pub mean_length: f64,
    /// Most customers waiting at once (anyone, also during the warm-up).
    pub max_length: u32,
    /// Measured customers who went from this queue into service, and their mean wait
    /// (seconds): `mean_length = customers / duration_s × mean_wait_s` (Little's law, when
    /// nobody reneges or jockeys).
    pub customers: u32,
    pub mean_wait_s: f64,
    /// Measured customers who left this queue's line when their patience ran out (their
    /// waits are in `mean_length` but not in `mean_wait_s`); absent when none did.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub reneged: u32,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
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
                reneged: q.reneged,
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
