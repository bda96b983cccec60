//! Lanes open by time of day: a lane group's `schedule`.
//!
//! Models: from each listed clock time on, the group's first `k` lanes (in reading order) are
//! open and the others close. A closing lane takes no newcomers and serves its queue first
//! (as when a cashier's shift ends). Before the first time the group's `open` count applies.
//! Staff are not modelled here: a scheduled lane opens the moment it is due. This is the plan
//! a store manager writes, and what `storelab staff-plan` computes. A time before opening
//! applies at opening, and one at or after closing does not apply that day.
//!
//! Units: clock times (seconds since midnight), lanes.

use bevy::prelude::*;

use crate::RunConfig;
use crate::ids::GroupId;
use crate::sim::checkout::{Checkout, Tills};
use crate::sim::engine::Clock;
use crate::sim::event_log::{Describe, LogRow};
use crate::sim::events::Agenda;

/// Scheduled: `lanes` lanes of `group` are open from now on.
#[derive(Debug, Clone, Copy)]
pub struct LanesDue {
    pub group: GroupId,
    pub lanes: u32,
}

impl Describe for LanesDue {
    fn describe(&self, world: &World, row: &mut LogRow) {
        let checkout = world.resource::<Checkout>();
        row.who = format!("group {}", checkout.groups[self.group].id);
        let lanes = if self.lanes == 1 { "lane" } else { "lanes" };
        row.what = format!("{} {lanes} open from now (schedule)", self.lanes);
    }
}

pub struct LaneSchedulePlugin;

impl Plugin for LaneSchedulePlugin {
    fn build(&self, app: &mut App) {
        let config = app.world().resource::<RunConfig>().clone();
        let clock = app.world().resource::<Clock>();
        let (open, close) = (clock.open, clock.close);
        let due: Vec<(f64, LanesDue)> = app
            .world()
            .resource::<Checkout>()
            .groups
            .iter_enumerated()
            .flat_map(|(group, info)| {
                let g = &config.scenario.checkouts.groups[&info.id];
                g.schedule
                    .iter()
                    .filter(|(t, _)| t.0 < close)
                    .map(move |&(t, lanes)| (t.0.max(open), LanesDue { group, lanes }))
            })
            .collect();
        let mut agenda = app.world_mut().resource_mut::<Agenda>();
        for (t, ev) in due {
            agenda.schedule(t, ev);
        }
    }
}

pub(crate) fn on_lanes_due(In(ev): In<LanesDue>, mut t: Tills) {
    let lanes = t.lanes_of(ev.group);
    for (i, lane) in lanes.into_iter().enumerate() {
        let want = i < ev.lanes as usize;
        if want && !t.lane_is_open(lane) {
            t.set_lane_open(lane, true);
        } else if !want && t.lane_is_open(lane) {
            t.drain_lane(lane);
        }
    }
}
