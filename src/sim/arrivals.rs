//! Arrivals and departures: the store's doors.
//!
//! Models customers entering as a Poisson process, homogeneous (`Poisson`) or with a rate that
//! changes every clock hour (`Hourly`, a non-homogeneous Poisson process generated exactly by
//! inverting the cumulative rate), only while the doors are open. On entering, a customer draws
//! from its own random stream (common random numbers): walking speed, service-time uniforms,
//! basket size, and which products (by popularity, with replacement). Leaving is
//! [`crate::sim::journey`]'s.
//!
//! Units: seconds since 00:00, customers per hour in the scenario, m/s.

use bevy::prelude::*;
use rand::RngExt;
use rand_distr::{Distribution as _, Exp1};

use crate::RunConfig;
use crate::ids::PoiId;
use crate::ids::{ProductId, ShelfId};
use crate::scenario::floor_plan::FloorPlan;
use crate::scenario::{Arrivals, Scenario};
use crate::sim::catalog::Catalog;
use crate::sim::customer::{Customer, EarlierSteps, Method, Phase, Step, Stop};
use crate::sim::engine::{Clock, EventId};
use crate::sim::event_log::{Describe, LogRow, customer_name};
use crate::sim::events::{Agenda, AgendaMut};
use crate::sim::movement::Motion;
use crate::sim::random::{self, Attr, BasketSampler, SimRng};
use crate::sim::segments::{SegmentInfo, Segments};
use crate::sim::service::ServiceDraws;

/// The arrival process and its state.
#[derive(Resource, Debug)]
pub struct ArrivalProcess {
    /// Pieces of constant rate: (from, to, customers per second), in time order.
    segments: Vec<(f64, f64, f64)>,
    /// Scales every rate; may be changed while running (e.g. from the view).
    pub multiplier: f64,
    rng: SimRng,
    seed: u64,
    pub next_id: u32,
    basket: BasketSampler,
    /// The scheduled next arrival, redrawn when the rate changes.
    pending: Option<EventId>,
}

impl ArrivalProcess {
    pub fn new(scenario: &Scenario, seed: u64) -> Self {
        let (open, close) = scenario.hours.span();
        let segments = match &scenario.customers.arrivals {
            Arrivals::Poisson { per_hour } => vec![(open, close, per_hour / 3600.0)],
            Arrivals::Hourly { per_hour } => per_hour
                .iter()
                .map(|(start, rate)| {
                    let a = f64::from(start.0);
                    (a.max(open), (a + 3600.0).min(close), rate / 3600.0)
                })
                .filter(|(a, b, _)| b > a)
                .collect(),
        };
        ArrivalProcess {
            segments,
            multiplier: scenario.customers.arrival_multiplier,
            rng: random::stream(seed, random::ARRIVALS),
            seed,
            next_id: 0,
            basket: BasketSampler::new(&scenario.customers.basket),
            pending: None,
        }
    }

    /// Expected number of arrivals over the whole day.
    pub fn expected_total(&self) -> f64 {
        self.segments
            .iter()
            .map(|(a, b, r)| (b - a) * r)
            .sum::<f64>()
            * self.multiplier
    }

    /// The next arrival after `t`: the time where the cumulative rate has grown by an Exp(1)
    /// draw (inversion; exact for piecewise-constant rates). None after the last segment.
    pub fn next_after(&mut self, t: f64) -> Option<f64> {
        let mut need: f64 = Exp1.sample(&mut self.rng);
        for &(a, b, rate) in &self.segments {
            if b <= t {
                continue;
            }
            let start = t.max(a);
            let r = rate * self.multiplier;
            if r <= 0.0 {
                continue;
            }
            let capacity = (b - start) * r;
            if need <= capacity {
                return Some(start + need / r);
            }
            need -= capacity;
        }
        None
    }

    pub fn basket(&self) -> &BasketSampler {
        &self.basket
    }
}

/// Scheduled: the next customer walks in.
#[derive(Debug, Clone, Copy)]
pub struct ArrivalDue;

/// A command: scale the arrival rate from now on (1.0 = as in the scenario). The pending
/// arrival is drawn anew at the new rate (Poisson arrivals are memoryless, so this is exact),
/// so the change acts at once, also after a rate of 0.
#[derive(Debug, Clone, Copy)]
pub struct SetArrivalMultiplier {
    pub multiplier: f64,
}

/// Triggered once a new customer entity exists, at its entrance.
#[derive(Debug, Clone, Copy)]
pub struct CustomerEntered {
    pub customer: Entity,
}

impl Describe for ArrivalDue {
    fn describe(&self, world: &World, row: &mut LogRow) {
        let id = world.resource::<ArrivalProcess>().next_id;
        row.who = customer_name(id);
        row.customer = Some(id);
        row.what = "walks in".into();
    }
}

impl Describe for SetArrivalMultiplier {
    fn describe(&self, _: &World, row: &mut LogRow) {
        row.what = format!("arrival rate x {} (command)", self.multiplier);
    }
}

impl Describe for CustomerEntered {
    fn describe(&self, world: &World, row: &mut LogRow) {
        row.about_customer(world, self.customer);
        if let Some(c) = world.get::<Customer>(self.customer) {
            row.what = format!(
                "plans {} items from {} shelves",
                c.items_planned,
                c.route.len()
            );
        }
    }
}

pub struct ArrivalsPlugin;

impl Plugin for ArrivalsPlugin {
    fn build(&self, app: &mut App) {
        let config = app.world().resource::<RunConfig>().clone();
        let mut process = ArrivalProcess::new(&config.scenario, config.seed);
        let open = app.world().resource::<Clock>().open;
        if let Some(first) = process.next_after(open) {
            process.pending = Some(
                app.world_mut()
                    .resource_mut::<Agenda>()
                    .schedule(first, ArrivalDue),
            );
        }
        app.insert_resource(process);
    }
}

/// What [`on_arrival`] reads and writes.
type ArrivalParams = (
    ResMut<'static, ArrivalProcess>,
    AgendaMut<'static>,
    Res<'static, Catalog>,
    Res<'static, FloorPlan>,
    Res<'static, Segments>,
);

/// Spawns the customer straight into the world (an exclusive handler): through `Commands`
/// every arrival would pay for a command queue, which cost more than drawing the customer.
pub(crate) fn on_arrival(
    _: In<ArrivalDue>,
    world: &mut World,
    state: &mut bevy::ecs::system::SystemState<ArrivalParams>,
) {
    // The id first, from the same allocator `Commands` uses, so ids follow the same order.
    let customer = world.entity_allocator().alloc();
    let (mut process, mut agenda, catalog, plan, segments) = state
        .get_mut(world)
        .expect("the store's resources, inserted when it was built");
    let now = agenda.now();
    let id = process.next_id;
    process.next_id += 1;
    let segment = segments.draw(id);
    let (speed, draws, entrance, n, wanted) = draw_customer(
        process.seed,
        id,
        &segments.list[segment],
        &catalog,
        &plan.entrances,
    );
    let (method, digital) = segments.method(id, segment);
    // At most one stop per product wanted: no regrowing.
    let mut route: Vec<Stop> = Vec::with_capacity(wanted.len());
    let mut picks = Vec::with_capacity(wanted.len());
    for (shelf, product, qty) in wanted {
        let k = picks.len() as u32;
        picks.push((product, qty));
        match route.last_mut() {
            Some(stop) if stop.shelf == shelf => stop.end = k + 1,
            _ => route.push(Stop {
                shelf,
                first: k,
                end: k + 1,
            }),
        }
    }
    let bundle = (
        Customer {
            id,
            arrived: now,
            speed,
            items_planned: n,
            route,
            picks,
            next_stop: 0,
            items: 0,
            value: 0.0,
            items_lost: 0,
            value_lost: 0.0,
            distance: 0.0,
            at: entrance,
            phase: Phase::Shopping,
            draws,
            pick_rng: random::customer_stream(process.seed, id, Attr::PickTime),
            choice_rng: None,
            queue_joined: None,
            lane: None,
            service_start: None,
            service_end: None,
            basket: Vec::new(),
            temper: None,
            renege_at: None,
            gave_up: None,
            age_check: false,
            segment,
            method,
            step: if method == Method::Cashierless && segments.entry_gates {
                Step::CheckIn
            } else {
                method.first_step()
            },
            earlier: EarlierSteps::default(),
            digital,
        },
        Motion::still(entrance, now),
    );
    agenda.emit(CustomerEntered { customer });
    process.pending = process
        .next_after(now)
        .map(|next| agenda.schedule(next, ArrivalDue));
    // The lent agenda goes back before the world is used again.
    drop(agenda);
    world
        .spawn_at(customer, bundle)
        .expect("a freshly allocated entity");
}

pub(crate) fn on_set_multiplier(
    In(ev): In<SetArrivalMultiplier>,
    mut process: ResMut<ArrivalProcess>,
    mut agenda: AgendaMut,
) {
    process.multiplier = ev.multiplier.clamp(0.0, 100.0);
    if let Some(id) = process.pending.take() {
        agenda.cancel(id);
    }
    process.pending = process
        .next_after(agenda.now())
        .map(|next| agenda.schedule(next, ArrivalDue));
}

/// Units wanted, by shelf and product, sorted.
pub type Wanted = Vec<(ShelfId, ProductId, u32)>;

/// What customer `id` of `segment` brings, each from its own stream (so changing one
/// attribute's distribution leaves the others alone): walking speed (m/s), service-time
/// uniforms, entrance, basket size and the wanted units by (shelf, product).
pub fn draw_customer(
    seed: u64,
    id: u32,
    segment: &SegmentInfo,
    catalog: &Catalog,
    entrances: &[PoiId],
) -> (f64, ServiceDraws, PoiId, u32, Wanted) {
    let basket = &segment.basket;
    let speed = random::draw(
        &segment.walking_speed,
        &mut random::customer_stream(seed, id, Attr::WalkingSpeed),
    );
    let draws = ServiceDraws::draw(&mut random::customer_stream(seed, id, Attr::Service));
    // With one entrance there is nothing to draw (its stream is used for nothing else).
    let entrance = match entrances {
        [only] => *only,
        _ => {
            entrances
                [random::customer_stream(seed, id, Attr::Entrance).random_range(0..entrances.len())]
        }
    };
    let mut rng = random::customer_stream(seed, id, Attr::Basket);
    let n = basket.sample(&mut rng);
    // One unit per draw, sorted by (shelf, product), then equal ones merged and counted. The
    // pair is sorted as one u64 (shelf above product, the same order), in a buffer kept
    // between customers.
    thread_local! {
        static KEYS: std::cell::RefCell<Vec<u64>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    let wanted = KEYS.with_borrow_mut(|keys| {
        keys.clear();
        keys.extend((0..n).map(|_| {
            let p = catalog.sample(&mut rng);
            u64::from(catalog.products[p].shelf.0) << 32 | u64::from(p.0)
        }));
        keys.sort_unstable();
        let mut wanted = Wanted::with_capacity(keys.len());
        for &key in keys.iter() {
            let (shelf, p) = (ShelfId((key >> 32) as u16), ProductId(key as u32));
            match wanted.last_mut() {
                Some(last) if (last.0, last.1) == (shelf, p) => last.2 += 1,
                _ => wanted.push((shelf, p, 1)),
            }
        }
        wanted
    });
    (speed, draws, entrance, n, wanted)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::ClockTimeKey;
    use statrs::distribution::{ChiSquared, ContinuousCDF};

    fn with_arrivals(arrivals: Arrivals, multiplier: f64) -> Scenario {
        let mut s = crate::scenario::parse_str(
            &std::fs::read_to_string(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/scenarios/minimal.ron"
            ))
            .unwrap(),
            "minimal.ron",
        )
        .unwrap();
        s.customers.arrivals = arrivals;
        s.customers.arrival_multiplier = multiplier;
        s
    }

    /// Counts per clock hour over many days follow the hourly rates: a chi-square
    /// goodness-of-fit test at the 1 % level (the counts of a Poisson process in disjoint hours
    /// are independent Poisson variables, so Σ (O - E)² / E is χ² with one degree of freedom
    /// per hour).
    #[test]
    fn hourly_profile_is_reproduced_hour_by_hour() {
        let rates = [(8, 20.0), (9, 60.0), (10, 5.0), (11, 35.0)];
        let per_hour = rates
            .iter()
            .map(|&(h, r)| (ClockTimeKey(h * 3600), r))
            .collect();
        let s = with_arrivals(Arrivals::Hourly { per_hour }, 1.5);
        let days = 400;
        let mut counts = [0.0f64; 4];
        for day in 0..days {
            let mut p = ArrivalProcess::new(&s, day);
            let mut t = 8.0 * 3600.0;
            while let Some(next) = p.next_after(t) {
                assert!(next > t && next < 12.0 * 3600.0);
                counts[(next / 3600.0) as usize - 8] += 1.0;
                t = next;
            }
        }
        let mut chi2 = 0.0;
        for (i, &(_, rate)) in rates.iter().enumerate() {
            let expected = rate * 1.5 * days as f64;
            chi2 += (counts[i] - expected).powi(2) / expected;
        }
        let critical = ChiSquared::new(rates.len() as f64)
            .unwrap()
            .inverse_cdf(0.99);
        assert!(
            chi2 < critical,
            "χ² = {chi2:.2} ≥ {critical:.2}: counts {counts:?}"
        );
        let total = ArrivalProcess::new(&s, 0).expected_total();
        assert!((total - 120.0 * 1.5).abs() < 1e-9);
    }

    #[test]
    fn no_one_arrives_outside_the_opening_hours() {
        // Rates listed before opening (08:00) and after closing (12:00) are ignored.
        let per_hour = [(6, 100.0), (7, 100.0), (11, 10.0), (12, 100.0)]
            .iter()
            .map(|&(h, r)| (ClockTimeKey(h * 3600), r))
            .collect();
        let s = with_arrivals(Arrivals::Hourly { per_hour }, 1.0);
        let mut p = ArrivalProcess::new(&s, 3);
        let mut t = 0.0;
        let mut n = 0;
        while let Some(next) = p.next_after(t) {
            assert!(
                (11.0 * 3600.0..12.0 * 3600.0).contains(&next),
                "arrival at {next}"
            );
            t = next;
            n += 1;
        }
        assert!(n > 0);
    }
}
