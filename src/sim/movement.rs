//! Movement: every walk in the store, by customers and staff alike.
//!
//! Models a walk as one timed move between two points of interest on the shortest path of the
//! [`FloorPlan`] (distance / walking speed); the simulation schedules only its end, and a view
//! places the walker along [`FloorPlan::path`] by the share of time elapsed. Also books
//! customer-seconds per floor cell ([`Heatmap`]).
//!
//! Units: metres, seconds, m/s.

use bevy::prelude::*;

use crate::ids::{Id, PoiId};
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

/// Customer-seconds spent on each cell: walking time is shared evenly among the cells of the
/// path, standing time (picking, queueing, being served) goes to the cell stood on.
#[derive(Resource, Clone, Debug, Default)]
pub struct Heatmap {
    pub seconds: Vec<f64>,
}

impl Heatmap {
    /// Replaces a customer's motion, first booking the time of the old one up to the start of
    /// the new one.
    pub fn replace(&mut self, plan: &FloorPlan, motion: &mut Motion, next: Motion) {
        self.record(plan, motion, next.depart);
        *motion = next;
    }

    /// Books `m` (its walk, then standing at its end until `until`).
    pub fn record(&mut self, plan: &FloorPlan, m: &Motion, until: f64) {
        if m.arrive > m.depart && m.from != m.to {
            let cells = plan.walk(m.from, m.to, |_| {});
            let share = (m.arrive - m.depart) / cells as f64;
            plan.walk(m.from, m.to, |c| self.seconds[c.index()] += share);
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
        app.insert_resource(Heatmap {
            seconds: vec![0.0; self.plan.cells.len()],
        })
        .insert_resource(self.plan.clone());
    }
}
