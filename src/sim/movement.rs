//! Movement: every walk in the store, by customers and staff alike.
//!
//! Models a walk as one timed move between two points of interest on the shortest path of the
//! [`FloorPlan`]: it starts where the walker stands (the end of its last [`Motion`]) and takes
//! distance / walking speed. [`walk`] (or [`Movement::walk`] in a handler) is the one place
//! that does this for customers, restockers and any staff to come; the caller schedules its
//! own arrival event. The simulation schedules only a walk's end; a view places the walker
//! along [`FloorPlan::path`] by the share of time elapsed ([`Motion::position_at`]). Also books
//! customer-seconds per floor cell ([`Heatmap`]): customers' walks and standing only, since the
//! heatmap shows where shoppers spend their time.
//!
//! Units: metres, seconds, m/s.

use bevy::ecs::system::SystemParam;
use bevy::prelude::*;

use std::ops::Range;

use bevy::platform::collections::HashMap;

use crate::ids::{CellId, Id, PoiId};
use crate::scenario::floor_plan::FloorPlan;

/// A timed straight move between two points of interest: the simulation schedules only its
/// end; a view places the walker along [`FloorPlan::path`] by the share of time elapsed.
#[derive(Component, Clone, Copy, Debug, PartialEq)]
pub struct Motion {
    pub from: PoiId,
    pub to: PoiId,
    /// Simulated seconds.
    pub depart: f64,
    pub arrive: f64,
}

impl Motion {
    /// Where the walker is at time `t`, in metres from the top-left corner: at `from` until
    /// `depart`, along the shortest path at constant speed, at `to` from `arrive` on.
    pub fn position_at(&self, plan: &FloorPlan, t: f64) -> (f64, f64) {
        let share = if self.arrive > self.depart {
            (t - self.depart) / (self.arrive - self.depart)
        } else if t <= self.depart {
            0.0
        } else {
            1.0
        };
        plan.point_along(self.from, self.to, share)
    }

    pub fn still(at: PoiId, now: f64) -> Self {
        Motion {
            from: at,
            to: at,
            depart: now,
            arrive: now,
        }
    }
}

/// Who walks: only customers' time is booked on the [`Heatmap`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Walker {
    Customer,
    Staff,
}

/// A walk just started: how long it is and when it ends.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Walk {
    /// Metres on the shortest path (customers add them to their distance walked).
    pub metres: f64,
    /// Simulated seconds since 00:00: when the walker reaches its destination.
    pub arrive: f64,
}

/// Sends a walker from where it stands (`motion.to`) to `to` at `speed` m/s, leaving at
/// `depart`: replaces its motion and, for a customer, first books the old one on `heat` up to
/// `depart`. Returns the walk's length and arrival time (`depart + metres / speed`); an
/// unreachable `to` gives an infinite arrival, which the engine rejects as a fault.
pub fn walk(
    plan: &FloorPlan,
    heat: &mut Heatmap,
    who: Walker,
    motion: &mut Motion,
    to: PoiId,
    speed: f64,
    depart: f64,
) -> Walk {
    let metres = plan.distance(motion.to, to);
    let arrive = depart + metres / speed;
    let next = Motion {
        from: motion.to,
        to,
        depart,
        arrive,
    };
    replace(plan, heat, who, motion, next);
    Walk { metres, arrive }
}

/// Puts a walker at `at` from `now` on, standing (after a walk, or moved along a queue in no
/// time); a customer's old motion is booked up to `now`.
pub fn stand(
    plan: &FloorPlan,
    heat: &mut Heatmap,
    who: Walker,
    motion: &mut Motion,
    at: PoiId,
    now: f64,
) {
    replace(plan, heat, who, motion, Motion::still(at, now));
}

fn replace(plan: &FloorPlan, heat: &mut Heatmap, who: Walker, motion: &mut Motion, next: Motion) {
    match who {
        Walker::Customer => heat.replace(plan, motion, next),
        Walker::Staff => *motion = next,
    }
}

/// The movement service's state, one resource so that a handler fetches it once (each
/// resource fetched costs a handler run about 90 instructions): the floor plan walks follow
/// (a clone of the [`FloorPlan`] resource, whose tables it shares) and the heatmap they are
/// booked on.
#[derive(Resource, Clone, Debug)]
pub struct Navigation {
    pub plan: FloorPlan,
    pub heat: Heatmap,
}

impl Navigation {
    /// Walks on `plan`, nothing booked yet.
    pub fn new(plan: FloorPlan) -> Self {
        let heat = Heatmap::new(plan.cells.len());
        Navigation { plan, heat }
    }
}

/// The movement service for event handlers: the floor plan and the heatmap, with [`walk`],
/// [`stand`] and the booking of a customer's last motion when it leaves.
#[derive(SystemParam)]
pub struct Movement<'w> {
    nav: ResMut<'w, Navigation>,
}

impl Movement<'_> {
    pub fn plan(&self) -> &FloorPlan {
        &self.nav.plan
    }

    /// See [`walk`].
    pub fn walk(
        &mut self,
        who: Walker,
        motion: &mut Motion,
        to: PoiId,
        speed: f64,
        depart: f64,
    ) -> Walk {
        let Navigation { plan, heat } = &mut *self.nav;
        walk(plan, heat, who, motion, to, speed, depart)
    }

    /// See [`stand`].
    pub fn stand(&mut self, who: Walker, motion: &mut Motion, at: PoiId, now: f64) {
        let Navigation { plan, heat } = &mut *self.nav;
        stand(plan, heat, who, motion, at, now);
    }

    /// The walker leaves the floor at `now`: a customer's last motion is booked up to then.
    pub fn leave(&mut self, who: Walker, motion: &Motion, now: f64) {
        if who == Walker::Customer {
            let Navigation { plan, heat } = &mut *self.nav;
            heat.record(plan, motion, now);
        }
    }
}

/// Customer-seconds spent on each cell: walking time is shared evenly among the cells of the
/// path, standing time (picking, queueing, being served) goes to the cell stood on.
#[derive(Clone, Debug, Default)]
pub struct Heatmap {
    pub seconds: Vec<f64>,
    /// Whether walks are booked: only reports and the view show the heatmap, and booking
    /// costs a plain `run` about 4 % of its instructions ([`Heatmap::stop_booking`]).
    off: bool,
    /// The cells of every walk booked so far, by (from, to): following the plan's `toward`
    /// tables jumps through memory, and a day repeats the same few thousand walks.
    paths: HashMap<(PoiId, PoiId), Range<u32>>,
    path_cells: Vec<CellId>,
}

impl Heatmap {
    /// No time booked on any of `cells` cells.
    pub fn new(cells: usize) -> Self {
        Heatmap {
            seconds: vec![0.0; cells],
            ..Default::default()
        }
    }

    /// Replaces a customer's motion, first booking the time of the old one up to the start of
    /// the new one.
    pub fn replace(&mut self, plan: &FloorPlan, motion: &mut Motion, next: Motion) {
        self.record(plan, motion, next.depart);
        *motion = next;
    }

    /// Books nothing from now on: `seconds` stays as it is (all zero when called before the
    /// first walk). Nothing else in a run depends on it.
    pub fn stop_booking(&mut self) {
        self.off = true;
    }

    /// Books `m` (its walk, then standing at its end until `until`).
    pub fn record(&mut self, plan: &FloorPlan, m: &Motion, until: f64) {
        if self.off {
            return;
        }
        if m.arrive > m.depart && m.from != m.to {
            let cells = self.paths.entry((m.from, m.to)).or_insert_with(|| {
                let start = self.path_cells.len() as u32;
                plan.walk(m.from, m.to, |c| self.path_cells.push(c));
                start..self.path_cells.len() as u32
            });
            let cells = &self.path_cells[cells.start as usize..cells.end as usize];
            let share = (m.arrive - m.depart) / cells.len() as f64;
            for c in cells {
                self.seconds[c.index()] += share;
            }
        }
        let stand = until - m.arrive.max(m.depart);
        if stand > 0.0 {
            self.seconds[plan.pois[m.to].index()] += stand;
        }
    }
}

/// Puts the floor plan and an empty heatmap into the world.
pub struct NavigationPlugin {
    pub plan: FloorPlan,
}

impl Plugin for NavigationPlugin {
    fn build(&self, app: &mut App) {
        app.insert_resource(Navigation::new(self.plan.clone()))
            .insert_resource(self.plan.clone());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{Layout, LegendEntry};

    /// A corridor of 0.5 m cells: entrance, five floor cells, exit (3 m apart), and a till.
    fn corridor() -> FloorPlan {
        FloorPlan::build(&Layout {
            cell_size: 0.5,
            rows: ["########", "E......X", "#c######"]
                .iter()
                .map(|r| r.to_string())
                .collect(),
            legend: [('c', LegendEntry::Checkout("till".into()))].into(),
        })
        .unwrap()
    }

    fn empty_heat(plan: &FloorPlan) -> Heatmap {
        Heatmap::new(plan.cells.len())
    }

    fn total(heat: &Heatmap) -> f64 {
        heat.seconds.iter().sum()
    }

    #[test]
    fn arrival_is_distance_over_speed_from_where_the_walker_stands() {
        let plan = corridor();
        let (e, x) = (plan.entrances[0], plan.exits[0]);
        let mut heat = empty_heat(&plan);
        let mut m = Motion::still(e, 10.0);
        let w = walk(&plan, &mut heat, Walker::Staff, &mut m, x, 1.5, 12.0);
        assert!((w.metres - 3.5).abs() < 1e-9, "{w:?}");
        assert_eq!(w.metres, plan.distance(e, x));
        assert_eq!(w.arrive, 12.0 + w.metres / 1.5);
        assert_eq!(
            m,
            Motion {
                from: e,
                to: x,
                depart: 12.0,
                arrive: w.arrive
            }
        );
        // The next walk starts where this one ends.
        let back = walk(&plan, &mut heat, Walker::Staff, &mut m, e, 0.7, w.arrive);
        assert_eq!((m.from, m.to), (x, e));
        assert_eq!(back.arrive, w.arrive + back.metres / 0.7);
    }

    #[test]
    fn a_zero_length_walk_arrives_when_it_departs() {
        let plan = corridor();
        let e = plan.entrances[0];
        let mut heat = empty_heat(&plan);
        let mut m = Motion::still(e, 0.0);
        let w = walk(&plan, &mut heat, Walker::Customer, &mut m, e, 1.2, 5.0);
        assert_eq!(
            w,
            Walk {
                metres: 0.0,
                arrive: 5.0
            }
        );
        assert_eq!(m, Motion::still(e, 5.0));
        // The 5 s stood at the entrance before it are booked there, nothing else.
        assert_eq!(heat.seconds[plan.pois[e].index()], 5.0);
        assert_eq!(total(&heat), 5.0);
    }

    #[test]
    fn only_customers_walks_are_booked_on_the_heatmap() {
        use bevy::ecs::system::RunSystemOnce;
        let plan = corridor();
        let (e, x) = (plan.entrances[0], plan.exits[0]);
        for who in [Walker::Customer, Walker::Staff] {
            let mut world = World::new();
            world.insert_resource(Navigation::new(plan.clone()));
            // Stands 2 s, walks 3.5 m at 1 m/s, stands 1.5 s, leaves.
            let m = world
                .run_system_once(move |mut moves: Movement| {
                    let mut m = Motion::still(e, 0.0);
                    let w = moves.walk(who, &mut m, x, 1.0, 2.0);
                    moves.stand(who, &mut m, x, w.arrive + 1.0);
                    moves.leave(who, &m, w.arrive + 1.5);
                    m
                })
                .unwrap();
            assert_eq!(m, Motion::still(x, 6.5));
            let heat = &world.resource::<Navigation>().heat;
            match who {
                Walker::Customer => {
                    assert!((total(heat) - 7.0).abs() < 1e-9, "{}", total(heat));
                    // The walk is spread over its 8 cells; standing goes to the cell stood on.
                    let at = |p: PoiId| heat.seconds[plan.pois[p].index()];
                    assert!((at(e) - (2.0 + 3.5 / 8.0)).abs() < 1e-9);
                    assert!((at(x) - (1.5 + 3.5 / 8.0)).abs() < 1e-9);
                }
                Walker::Staff => assert_eq!(total(heat), 0.0),
            }
        }
    }
}
