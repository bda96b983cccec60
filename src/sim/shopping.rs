//! Shopping: shelves, their stock, and customers walking the floor to pick their list.
//!
//! Models: a customer visits the shelves holding its list in a short order (nearest neighbour
//! from the entrance, improved by 2-opt, ending at the checkout zone), walks each leg on the
//! shortest path at its own speed, and takes one unit at a time (a pick-time draw per unit).
//! A unit is taken from the shelf the moment the customer arrives there; if the shelf is empty
//! the unit is skipped and counted as a lost sale. When stock falls below the replenishment
//! threshold the shelf asks for a refill ([`StockLow`]).
//!
//! Units: seconds, metres, m/s, units of stock, currency.

use bevy::prelude::*;
use rand_distr::weighted::WeightedAliasIndex;

use crate::RunConfig;
use crate::ids::{Id, IdVec, PoiId, ProductId, ShelfId};
use crate::scenario::floor_plan::FloorPlan;
use crate::sim::arrivals::CustomerEntered;
use crate::sim::checkout::{Checkout, ReachCheckout};
use crate::sim::customer::{Customer, Method, Step};
use crate::sim::event_log::{Describe, EventLog, LogRow};
use crate::sim::events::{Agenda, AgendaMut};
use crate::sim::inventory::{Inventory, Taken};
use crate::sim::journey::walk_to_exit;
use crate::sim::movement::{Motion, Movement, Walker};
use crate::sim::random;
use crate::sim::segments::Segments;

pub use crate::sim::catalog::{Catalog, ProductInfo};

/// One product's place on a shelf (its stock is in the [`Inventory`]).
#[derive(Clone, Debug, PartialEq)]
pub struct Slot {
    pub product: ProductId,
    pub capacity: u32,
}

#[derive(Component, Clone, Debug)]
pub struct Shelf {
    pub index: ShelfId,
    pub id: String,
    pub access: PoiId,
    pub slots: Vec<Slot>,
}

/// Triggered when a product's shelf stock falls below the refill threshold.
#[derive(Debug, Clone, Copy)]
pub struct StockLow {
    pub product: ProductId,
}

/// Scheduled: a customer reaches the shelf of its next stop.
#[derive(Debug, Clone, Copy)]
pub struct ReachShelf {
    pub customer: Entity,
}

impl Describe for StockLow {
    fn describe(&self, world: &World, row: &mut LogRow) {
        let info = row.at_shelf_of(world, self.product);
        row.who = format!("product {}", info.id);
        row.what = format!("{} below the refill threshold", info.name);
    }
}

impl Describe for ReachShelf {
    fn describe(&self, world: &World, row: &mut LogRow) {
        row.about_customer(world, self.customer);
        // The shelf it came for (another shelf or a door may share its access point).
        let stop = world
            .get::<Customer>(self.customer)
            .and_then(|c| c.route.get(c.next_stop));
        if let Some(stop) = stop {
            row.shelf = Some(stop.shelf);
            row.place = format!(
                "shelf {}",
                world.resource::<FloorPlan>().shelves[stop.shelf].id
            );
        }
    }
}

pub struct ShoppingPlugin;

impl Plugin for ShoppingPlugin {
    fn build(&self, app: &mut App) {
        let config = app.world().resource::<RunConfig>().clone();
        let plan = app.world().resource::<FloorPlan>().clone();
        let scenario = &config.scenario;
        let mut slots: IdVec<ShelfId, Vec<Slot>> = vec![Vec::new(); plan.shelves.len()].into();
        let mut products: IdVec<ProductId, ProductInfo> = IdVec::new();
        for (i, p) in scenario.products.iter().enumerate() {
            let shelf = plan.shelf_index(&p.shelf).expect("validated shelf");
            slots[shelf].push(Slot {
                product: ProductId::from_index(i),
                capacity: p.capacity,
            });
            products.push(ProductInfo {
                id: p.id.clone(),
                name: p.name.clone(),
                price: p.price,
                shelf,
                slot: (slots[shelf].len() - 1) as u16,
                capacity: p.capacity,
                refill_below: scenario.replenishment.threshold * f64::from(p.capacity),
                age_restricted: scenario
                    .attendants
                    .as_ref()
                    .is_some_and(|a| a.age_restricted.contains(&p.id)),
            });
        }
        let shelves = plan
            .shelves
            .iter_enumerated()
            .zip(slots.iter())
            .map(|((i, geom), slots)| {
                app.world_mut()
                    .spawn(Shelf {
                        index: i,
                        id: geom.id.clone(),
                        access: geom.access,
                        slots: slots.clone(),
                    })
                    .id()
            })
            .collect();
        let alias =
            WeightedAliasIndex::new(scenario.products.iter().map(|p| p.popularity).collect())
                .expect("validated popularity");
        let itemised = scenario.queue_behaviour.is_some();
        app.insert_resource(Catalog::new(products, shelves, itemised, alias));
    }
}

/// Buffers of [`plan_route`], kept between customers (one set per thread): planning a route
/// then allocates nothing.
#[derive(Default)]
struct RouteScratch {
    points: Vec<PoiId>,
    d: Vec<f64>,
    legs: Vec<f64>,
    seq: Vec<usize>,
    used: Vec<bool>,
    sorted: Vec<crate::sim::customer::Stop>,
}

thread_local! {
    static ROUTE_SCRATCH: std::cell::RefCell<RouteScratch> = Default::default();
}

/// Orders the stops: nearest neighbour from `start`, then 2-opt on the open path that ends at
/// `end` (the checkout zone).
fn plan_route(
    plan: &FloorPlan,
    start: PoiId,
    end: Option<PoiId>,
    stops: &mut [crate::sim::customer::Stop],
    access: impl Fn(ShelfId) -> PoiId,
) {
    let k = stops.len();
    if k < 2 {
        return;
    }
    ROUTE_SCRATCH.with_borrow_mut(|scratch| {
        let RouteScratch {
            points,
            d,
            legs,
            seq,
            used,
            sorted,
        } = scratch;
        // Points 0..k are the stops, k the start, k + 1 the end; one look-up per pair, up
        // front. Without an end the walk stops at the last shelf: the end is then a point at
        // distance 0 from everything, so it never changes which order is shorter.
        points.clear();
        points.extend(stops.iter().map(|s| access(s.shelf)));
        points.push(start);
        points.extend(end);
        let m = k + 2;
        distance_table(plan, points, m, d);
        nearest_neighbour_walk(d, k, seq, used);
        // legs[p]: the walk's p-th leg, from seq[p] to seq[p + 1].
        legs.clear();
        legs.extend(seq.windows(2).map(|w| d[w[0] * m + w[1]]));
        // 2-opt: reverse a segment when that shortens the walk; a few passes suffice.
        for _ in 0..4 {
            let mut improved = false;
            for i in 0..k - 1 {
                // Legs a→b (positions i, i + 1) and c→e (j + 1, j + 2) become a→c and b→e
                // by reversing positions i + 1..=j + 1; after a reversal the scan goes on
                // with the next j and the new b.
                let row_a = &d[seq[i] * m..(seq[i] + 1) * m];
                let mut j = i + 1;
                while j < k {
                    let b = seq[i + 1];
                    let (row_b, a_to_b) = (&d[b * m..(b + 1) * m], legs[i]);
                    let Some(x) =
                        seq[j + 1..]
                            .windows(2)
                            .zip(&legs[j + 1..])
                            .position(|(ce, &c_to_e)| {
                                row_a[ce[0]] + row_b[ce[1]] + 1e-9 < a_to_b + c_to_e
                            })
                    else {
                        break;
                    };
                    let hi = j + x + 1;
                    seq[i + 1..=hi].reverse();
                    for p in i..=hi {
                        legs[p] = d[seq[p] * m + seq[p + 1]];
                    }
                    improved = true;
                    j = hi;
                }
            }
            if !improved {
                break;
            }
        }
        sorted.clear();
        sorted.extend(seq[1..=k].iter().map(|&i| stops[i]));
        stops.copy_from_slice(sorted);
    });
}

/// `d[a · m + b]`: the walking distance between points a and b of `points` (m × m; rows and
/// columns past the points stay 0).
fn distance_table(plan: &FloorPlan, points: &[PoiId], m: usize, d: &mut Vec<f64>) {
    d.clear();
    d.resize(m * m, 0.0);
    for (row, &a) in d.chunks_exact_mut(m).zip(points.iter()) {
        let from = plan.distances_from(a);
        for (cell, &b) in row.iter_mut().zip(points.iter()) {
            *cell = from.to(b);
        }
    }
}

/// The walk by nearest neighbour over the table `d` of [`plan_route`]'s points: `seq[0]` is
/// the start (point k), `seq[1..=k]` the stops in visiting order, `seq[k + 1]` the end.
fn nearest_neighbour_walk(d: &[f64], k: usize, seq: &mut Vec<usize>, used: &mut Vec<bool>) {
    let m = k + 2;
    seq.clear();
    seq.push(k);
    used.clear();
    used.resize(k, false);
    let mut here = k;
    for _ in 0..k {
        // The nearest unvisited stop; ties go to the first listed.
        let row = &d[here * m..here * m + k];
        let mut next = usize::MAX;
        let mut best = f64::INFINITY;
        for (i, (&dist, &done)) in row.iter().zip(used.iter()).enumerate() {
            if !done && (next == usize::MAX || dist < best) {
                next = i;
                best = dist;
            }
        }
        used[next] = true;
        here = next;
        seq.push(next);
    }
    seq.push(k + 1);
}

pub(crate) fn on_customer_entered(
    In(ev): In<CustomerEntered>,
    mut customers: Query<(&mut Customer, &mut Motion)>,
    mut moves: Movement,
    checkout: Res<Checkout>,
    segments: Res<Segments>,
    mut agenda: AgendaMut,
) {
    let Ok((mut c, mut motion)) = customers.get_mut(ev.customer) else {
        return;
    };
    let c = &mut *c;
    // Cashierless customers check in with the app at the entrance first: as they walk in,
    // or at an entrance gate, in its queue.
    let check_in = match (c.method, c.digital.as_mut()) {
        (Method::Cashierless, Some(d)) => segments.check_in(d),
        _ => 0.0,
    };
    if c.step == Step::CheckIn {
        if let Some(d) = c.digital.as_mut() {
            d.check_in_s = check_in;
        }
        let plan = moves.plan();
        let gate = checkout
            .nearest_approach(plan, c.at, c)
            .expect("validated: an entrance gate group has lanes");
        let walk = moves.walk(Walker::Customer, &mut motion, gate, c.speed, agenda.now());
        c.distance += walk.metres;
        c.at = gate;
        agenda.schedule(
            walk.arrive,
            ReachCheckout {
                customer: ev.customer,
            },
        );
        return;
    }
    start_trip(
        ev.customer,
        c,
        &mut motion,
        &mut moves,
        (&checkout, &segments),
        agenda.now() + check_in,
        &mut agenda,
    );
}

/// Emitted by the checkout: a cashierless customer has checked in at an entrance gate and
/// starts shopping from there.
#[derive(Debug, Clone, Copy)]
pub struct CheckedIn {
    pub customer: Entity,
}

impl Describe for CheckedIn {
    fn describe(&self, world: &World, row: &mut LogRow) {
        row.about_customer(world, self.customer);
        row.what = "has checked in and starts shopping".into();
    }
}

pub(crate) fn on_checked_in(
    In(ev): In<CheckedIn>,
    mut customers: Query<(&mut Customer, &mut Motion)>,
    mut moves: Movement,
    checkout: Res<Checkout>,
    segments: Res<Segments>,
    mut agenda: AgendaMut,
) {
    let Ok((mut c, mut motion)) = customers.get_mut(ev.customer) else {
        return;
    };
    start_trip(
        ev.customer,
        &mut c,
        &mut motion,
        &mut moves,
        (&checkout, &segments),
        agenda.now(),
        &mut agenda,
    );
}

/// Plans the customer's route from where it stands to the checkout and sends it off at
/// `depart`.
fn start_trip(
    entity: Entity,
    c: &mut Customer,
    motion: &mut Motion,
    moves: &mut Movement,
    (checkout, segments): (&Checkout, &Segments),
    depart: f64,
    agenda: &mut Agenda,
) {
    let plan = moves.plan();
    let end = checkout.nearest_approach(plan, c.at, c);
    let access = |shelf: ShelfId| plan.shelves[shelf].access;
    plan_route(plan, c.at, end, &mut c.route, access);
    next_leg(
        entity,
        c,
        motion,
        moves,
        (checkout, segments),
        depart,
        agenda,
    );
}

/// Sends the customer to its next shelf, else to the checkout, else (empty basket) out.
fn next_leg(
    entity: Entity,
    c: &mut Customer,
    motion: &mut Motion,
    moves: &mut Movement,
    (checkout, segments): (&Checkout, &Segments),
    depart: f64,
    agenda: &mut Agenda,
) {
    let plan = moves.plan();
    let target = if let Some(stop) = c.route.get(c.next_stop) {
        Some((plan.shelves[stop.shelf].access, true))
    } else if c.items > 0 {
        if let Some(d) = c.digital.as_mut() {
            d.rescan = segments.rescanned(c.items);
        }
        checkout.nearest_approach(plan, c.at, c).map(|p| (p, false))
    } else {
        None
    };
    let Some((to, shelf)) = target else {
        walk_to_exit(entity, c, motion, moves, depart, agenda);
        return;
    };
    debug_assert_eq!(motion.to, c.at, "a customer walks from where it stands");
    let walk = moves.walk(Walker::Customer, motion, to, c.speed, depart);
    c.distance += walk.metres;
    c.at = to;
    if shelf {
        agenda.schedule(walk.arrive, ReachShelf { customer: entity });
    } else {
        agenda.schedule(walk.arrive, ReachCheckout { customer: entity });
    }
}

pub(crate) fn on_reach_shelf(
    In(ev): In<ReachShelf>,
    mut customers: Query<(&mut Customer, &mut Motion)>,
    mut moves: Movement,
    catalog: Res<Catalog>,
    checkout: Res<Checkout>,
    segments: Res<Segments>,
    mut inventory: ResMut<Inventory>,
    mut agenda: AgendaMut,
    mut log: Option<ResMut<EventLog>>,
) {
    let now = agenda.now();
    let Ok((mut c, mut motion)) = customers.get_mut(ev.customer) else {
        return;
    };
    let c = &mut *c;
    let stop = c.route[c.next_stop];
    c.next_stop += 1;
    let mut busy = 0.0;
    for k in stop.first..stop.end {
        let (product, qty) = c.picks[k as usize];
        let info = &catalog.products[product];
        let Taken { taken, lost, left } = inventory.take(product, qty, now);
        let pick_time = &segments.list[c.segment].pick_time;
        for _ in 0..taken {
            busy += random::draw(pick_time, &mut c.pick_rng);
        }
        if let (Method::ScanAndGo { .. }, Some(d)) = (c.method, c.digital.as_mut()) {
            busy += segments.scan(d, product, taken);
        }
        c.items += taken;
        c.value += f64::from(taken) * info.price;
        // Kept for what may go back (an abandoned basket) or past a gate's sensors.
        if taken > 0 && (catalog.itemised_baskets || c.digital.is_some()) {
            c.basket.push((product, taken));
        }
        c.age_check |= taken > 0 && info.age_restricted;
        c.items_lost += lost;
        c.value_lost += f64::from(lost) * info.price;
        if let Some(log) = log.as_mut() {
            log.what(|| match (taken, lost) {
                (_, 0) => format!("takes {taken} x {} ({left} left)", info.name),
                (0, _) => format!("misses {lost} x {} (shelf empty)", info.name),
                _ => format!("takes {taken} x {}, misses {lost} (shelf empty)", info.name),
            });
        }
        // Asked on every visit below the threshold, not only on crossing it: a refill that
        // found the backroom empty must be retried. Replenishment ignores repeated requests.
        if f64::from(left) < info.refill_below {
            agenda.emit(StockLow { product });
        }
    }
    next_leg(
        ev.customer,
        c,
        &mut motion,
        &mut moves,
        (&checkout, &segments),
        now + busy,
        &mut agenda,
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::customer::Stop;
    use rand::RngExt;

    /// The 2-opt as first written, pair by pair through the visiting order, from the same
    /// table and nearest-neighbour walk: [`plan_route`] must make the same moves. Returns how
    /// many reversals it made.
    fn route_reference(
        plan: &FloorPlan,
        start: PoiId,
        end: Option<PoiId>,
        stops: &mut [Stop],
        access: impl Fn(ShelfId) -> PoiId,
    ) -> usize {
        let k = stops.len();
        let mut points: Vec<PoiId> = stops.iter().map(|s| access(s.shelf)).collect();
        points.push(start);
        points.extend(end);
        let m = k + 2;
        let (mut d, mut seq, mut used) = (Vec::new(), Vec::new(), Vec::new());
        distance_table(plan, &points, m, &mut d);
        nearest_neighbour_walk(&d, k, &mut seq, &mut used);
        let mut reversals = 0;
        for _ in 0..4 {
            let mut improved = false;
            for i in 0..k - 1 {
                for j in i + 1..k {
                    let (a, b, c, e) = (seq[i], seq[i + 1], seq[j + 1], seq[j + 2]);
                    if d[a * m + c] + d[b * m + e] + 1e-9 < d[a * m + b] + d[c * m + e] {
                        seq[i + 1..=j + 1].reverse();
                        reversals += 1;
                        improved = true;
                    }
                }
            }
            if !improved {
                break;
            }
        }
        let sorted: Vec<Stop> = seq[1..=k].iter().map(|&i| stops[i]).collect();
        stops.copy_from_slice(&sorted);
        reversals
    }

    /// Random shopping lists in the supermarket and the hypermarket, 2 to 40 shelves, from
    /// random points, with and without an end: the route is the reference's, stop for stop.
    #[test]
    fn route_makes_the_same_moves_as_the_textbook_two_opt() {
        let mut reversals = 0;
        for name in ["supermarket.ron", "hypermarket.ron"] {
            let path = format!("{}/scenarios/{name}", env!("CARGO_MANIFEST_DIR"));
            let text = std::fs::read_to_string(&path).unwrap();
            let scenario = crate::scenario::parse_str(&text, &path).unwrap();
            let plan = FloorPlan::build(&scenario.layout).unwrap();
            let access = |shelf: ShelfId| plan.shelves[shelf].access;
            let mut rng = random::stream(7, 0);
            for _ in 0..1500 {
                let mut shelves: Vec<ShelfId> = plan.shelves.ids().collect();
                let k = rng.random_range(2..=40.min(shelves.len()));
                for x in 0..k {
                    let y = rng.random_range(x..shelves.len());
                    shelves.swap(x, y);
                }
                let stops: Vec<Stop> = shelves[..k]
                    .iter()
                    .enumerate()
                    .map(|(i, &shelf)| Stop {
                        shelf,
                        first: i as u32,
                        end: i as u32 + 1,
                    })
                    .collect();
                let point = |rng: &mut random::SimRng| {
                    PoiId::from_index(rng.random_range(0..plan.pois.len()))
                };
                let start = point(&mut rng);
                let end = rng.random_bool(0.7).then(|| point(&mut rng));
                let (mut ours, mut theirs) = (stops.clone(), stops);
                plan_route(&plan, start, end, &mut ours, access);
                reversals += route_reference(&plan, start, end, &mut theirs, access);
                assert_eq!(ours, theirs, "{name}: from {start:?} to {end:?}");
            }
        }
        assert!(
            reversals > 1000,
            "the lists exercise the 2-opt: {reversals}"
        );
    }
}
