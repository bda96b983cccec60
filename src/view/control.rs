//! Control: commands from outside the simulation (a view, a replay), recorded with their
//! simulated time so that what was shown can be replayed exactly.
//!
//! Models nothing retail itself. A command takes effect at the simulated time it is applied;
//! replaying a log runs the scenario to each command's time and applies it there, which
//! reproduces the recorded run event for event (the simulation is deterministic).
//!
//! Units: seconds since 00:00.

use serde::{Deserialize, Serialize};
use std::path::Path;

use crate::ids::LaneId;
use crate::scenario::validate::ValidScenario;
use crate::sim::arrivals::SetArrivalMultiplier;
use crate::sim::checkout::SetLaneOpen;
use crate::sim::lane_policy::SetMaxWaiting;
use crate::view::lab::StoreRun;

/// Something a user changes in a running store.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Command {
    /// Open or close lane number `lane` (index in the summary's lane list).
    SetLaneOpen { lane: LaneId, open: bool },
    /// Scale the arrival rate from now on (1.0 = as in the scenario).
    SetArrivalMultiplier(f64),
    /// "One in front": call a till when more than this many wait at one, from now on.
    SetMaxWaiting(u32),
}

impl Command {
    /// Applies the command to a store at its current simulated time.
    pub fn apply(&self, sim: &mut StoreRun) {
        match *self {
            Command::SetLaneOpen { lane, open } => sim.apply(SetLaneOpen { lane, open }),
            Command::SetArrivalMultiplier(multiplier) => {
                sim.apply(SetArrivalMultiplier { multiplier })
            }
            Command::SetMaxWaiting(max_waiting) => sim.apply(SetMaxWaiting { max_waiting }),
        }
    }
}

/// A recorded session: scenario file, seed and the commands with their times.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SessionLog {
    pub scenario: String,
    pub seed: u64,
    /// (simulated time in seconds, command), in the order applied.
    pub commands: Vec<(f64, Command)>,
}

impl SessionLog {
    /// Reads a log written by [`SessionLog::save`].
    pub fn load(path: &Path) -> Result<SessionLog, String> {
        let text =
            crate::scenario::read_input(path).map_err(|e| format!("{}: {e}", path.display()))?;
        ron::from_str(&text).map_err(|e| format!("{}:{}: {}", path.display(), e.span.start, e.code))
    }

    /// Writes the log as RON (atomically).
    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        let text = ron::ser::to_string_pretty(self, ron::ser::PrettyConfig::default())
            .map_err(std::io::Error::other)?;
        crate::experiment::report::write(path, &text)
    }

    /// Runs `scenario` from the start applying the logged commands at their times (since
    /// 00:00 of the first day), up to `until` (∞: to the end).
    pub fn replay(&self, scenario: &ValidScenario, until: f64) -> StoreRun {
        let mut sim = StoreRun::new(scenario, self.seed);
        for (t, cmd) in &self.commands {
            if *t > until {
                break;
            }
            sim.run_until(*t);
            cmd.apply(&mut sim);
        }
        sim.run_until(until);
        sim
    }
}
