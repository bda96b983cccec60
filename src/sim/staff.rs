//! Staff: cashiers at staffed lanes and restockers who refill shelves.
//!
//! Models who works where, for the view and the inspector: one cashier stands at every open
//! staffed lane (a staffed lane's service already includes the cashier's work) and the
//! restockers start idle at the backroom door; the replenishment plugin gives them tasks.
//!
//! Units: seconds, m/s.

use bevy::prelude::*;

use crate::RunConfig;
use crate::ids::{LaneId, ProductId};
use crate::scenario::LaneKind;
use crate::scenario::floor_plan::FloorPlan;
use crate::sim::checkout::{Checkout, Lane};
use crate::sim::engine::Clock;
use crate::sim::movement::Motion;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Cashier { lane: LaneId },
    Restocker,
}

impl Role {
    /// The role's name in logs and the view.
    pub fn name(&self) -> &'static str {
        match self {
            Role::Cashier { .. } => "cashier",
            Role::Restocker => "restocker",
        }
    }
}

/// What a staff member is doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Task {
    Idle,
    /// Serving at a lane (cashiers).
    AtLane,
    /// Carrying `units` of product `product` to its shelf.
    ToShelf {
        product: ProductId,
        units: u32,
    },
    /// Putting `units` of `product` on the shelf.
    Refilling {
        product: ProductId,
        units: u32,
    },
    /// Walking back to the backroom.
    Returning,
}

#[derive(Component, Clone, Debug)]
pub struct StaffMember {
    pub id: u32,
    pub role: Role,
    pub task: Task,
    /// Walking speed, m/s.
    pub speed: f64,
}

/// Staff entities by role, in a fixed order.
#[derive(Resource, Debug, Default)]
pub struct Staff {
    pub cashiers: Vec<Entity>,
    pub restockers: Vec<Entity>,
}

pub struct StaffPlugin;

impl Plugin for StaffPlugin {
    fn build(&self, app: &mut App) {
        let config = app.world().resource::<RunConfig>().clone();
        let plan = app.world().resource::<FloorPlan>().clone();
        let now = app.world().resource::<Clock>().open;
        let lanes = app.world().resource::<Checkout>().lanes.clone();
        let mut staff = Staff::default();
        let mut id = 0;
        for lane_entity in lanes {
            let lane = app.world().get::<Lane>(lane_entity).expect("lane").clone();
            if lane.kind == LaneKind::Staffed && lane.open {
                let e = app
                    .world_mut()
                    .spawn((
                        StaffMember {
                            id,
                            role: Role::Cashier { lane: lane.index },
                            task: Task::AtLane,
                            speed: config.scenario.replenishment.walking_speed,
                        },
                        Motion::still(lane.service_point, now),
                    ))
                    .id();
                staff.cashiers.push(e);
                id += 1;
            }
        }
        if let Some(door) = plan.backroom_door {
            for _ in 0..config.scenario.replenishment.restockers {
                let e = app
                    .world_mut()
                    .spawn((
                        StaffMember {
                            id,
                            role: Role::Restocker,
                            task: Task::Idle,
                            speed: config.scenario.replenishment.walking_speed,
                        },
                        Motion::still(door, now),
                    ))
                    .id();
                staff.restockers.push(e);
                id += 1;
            }
        }
        app.insert_resource(staff);
    }
}
