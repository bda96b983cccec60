//! The view's state: the stores on show, one shared simulated clock, speed, steering.
//!
//! Holds no simulation logic: it advances each store's [`Simulation`] to the clock's time and
//! sends [`Command`]s, recording them in a [`SessionLog`] so a session can be replayed. It has
//! no window either, so it is compiled and tested without the `gui` feature.

use std::path::{Path, PathBuf};
use std::time::{Instant, SystemTime};

use bevy::prelude::World;

use crate::Simulation;
use crate::scenario::validate::ValidScenario;
use crate::scenario::{self, format_clock};
use crate::sim::Keep;
use crate::sim::calendar::{DAY, Days};
use crate::sim::engine::Clock;
use crate::sim::engine::Fault;
use crate::sim::events::Agenda;
use crate::sim::events::SimEvent;
use crate::sim::metrics::Summary;
use crate::view::control::{Command, SessionLog};

/// How fast simulated time runs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Speed {
    /// Simulated seconds per wall-clock second (1 to 1000).
    Times(f64),
    /// As many events as fit in the frame budget.
    Max,
}

/// A store's run as the view drives it: one day, or the days of a calendar one after the
/// other. Times are seconds since 00:00 of the first day; the simulation of the day on show
/// keeps the time of its own day ([`StoreRun::local`]).
pub enum StoreRun {
    Day(Box<Simulation>),
    Days(Box<Days>),
}

impl StoreRun {
    /// The run of `scenario` with an event log (for the inspector's timelines; the results are
    /// the same with or without it).
    pub fn new(scenario: &ValidScenario, seed: u64) -> StoreRun {
        if scenario.calendar.is_some() {
            StoreRun::Days(Box::new(Days::new(
                scenario,
                seed,
                Keep {
                    records: false,
                    heat: true,
                },
                true,
            )))
        } else {
            let mut sim = Simulation::new(scenario, seed);
            sim.enable_event_log();
            StoreRun::Day(Box::new(sim))
        }
    }

    /// The simulation of the day on show.
    pub fn sim(&self) -> &Simulation {
        match self {
            StoreRun::Day(s) => s,
            StoreRun::Days(d) => d.sim(),
        }
    }

    pub fn world(&self) -> &World {
        self.sim().world()
    }

    /// The day on show (0-based).
    pub fn day(&self) -> u32 {
        match self {
            StoreRun::Day(_) => 0,
            StoreRun::Days(d) => d.day(),
        }
    }

    /// Run time `t` as the time of the day on show.
    pub fn local(&self, t: f64) -> f64 {
        t - f64::from(self.day()) * DAY
    }

    pub fn now(&self) -> f64 {
        match self {
            StoreRun::Day(s) => s.now(),
            StoreRun::Days(d) => d.now(),
        }
    }

    /// Simulates up to run time `t` (a fault stops the run; see [`StoreRun::fault`]).
    pub fn run_until(&mut self, t: f64) {
        match self {
            StoreRun::Day(s) => {
                s.run_until(t);
            }
            // A fault stays in the day's simulation (the view shows it).
            StoreRun::Days(d) => {
                if d.run_until(t).is_ok() && d.finished() {
                    // The last day's row, for the panel of the days.
                    let _ = d.close_last_day();
                }
            }
        }
    }

    /// The day on show has nothing left to simulate.
    pub fn day_finished(&self) -> bool {
        self.sim().finished()
    }

    /// Nothing left to simulate on any day.
    pub fn finished(&self) -> bool {
        match self {
            StoreRun::Day(s) => s.finished(),
            StoreRun::Days(d) => d.finished(),
        }
    }

    /// When the next open day opens (run time), for a run over days.
    pub fn next_opening(&self) -> Option<f64> {
        match self {
            StoreRun::Day(_) => None,
            StoreRun::Days(d) => d.next_opening(),
        }
    }

    /// Time of the next event of the day on show (run time); none once the day is over (an
    /// event left after a cut-off never fires).
    pub fn next_event(&self) -> Option<f64> {
        if self.day_finished() {
            return None;
        }
        let next = self.world().resource::<Agenda>().next_time()?;
        Some(next + f64::from(self.day()) * DAY)
    }

    pub fn fault(&self) -> Option<&Fault> {
        self.sim().fault()
    }

    pub fn sim_mut(&mut self) -> &mut Simulation {
        match self {
            StoreRun::Day(s) => s,
            StoreRun::Days(d) => d.sim_mut(),
        }
    }

    /// The day on show's KPIs so far.
    pub fn summary(&mut self) -> Summary {
        self.sim_mut().summary()
    }

    /// Handles an event in the day on show now (a command).
    pub fn apply(&mut self, event: impl Into<SimEvent>) {
        self.sim_mut().apply(event);
    }

    /// A run over days: its calendar and the rows of the days closed so far.
    pub fn days(&self) -> Option<&Days> {
        match self {
            StoreRun::Day(_) => None,
            StoreRun::Days(d) => Some(d),
        }
    }
}

/// One store on show.
pub struct Store {
    pub path: PathBuf,
    pub scenario: ValidScenario,
    /// Its run, day by day.
    pub sim: StoreRun,
    /// Commands applied to this store, with their simulated times.
    pub log: SessionLog,
    /// The last error reading the file (the last good run stays on show).
    pub error: Option<String>,
    modified: Option<SystemTime>,
}

impl Store {
    /// Loads and builds a store; errors are the scenario's messages.
    pub fn open(path: &Path, seed: Option<u64>) -> Result<Store, String> {
        let loaded = scenario::load(path).map_err(|e| e.to_string())?;
        let seed = seed.unwrap_or(loaded.scenario.seed);
        let scenario = loaded.scenario;
        let sim = StoreRun::new(&scenario, seed);
        Ok(Store {
            path: path.to_path_buf(),
            log: SessionLog {
                scenario: path.display().to_string(),
                seed,
                commands: Vec::new(),
            },
            scenario,
            sim,
            error: None,
            modified: modified(path),
        })
    }

    pub fn seed(&self) -> u64 {
        self.log.seed
    }
}

/// A store's opening hours on `day` (1-based): the weekday's own for a run over days.
fn store_hours(s: &ValidScenario, day: u32) -> &scenario::Hours {
    match &s.calendar {
        Some(c) => c.hours_of(c.first_weekday.plus(day.max(1) - 1), &s.hours),
        None => &s.hours,
    }
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// Everything the view shows and controls.
pub struct Lab {
    pub stores: Vec<Store>,
    /// Simulated time shown, seconds since 00:00 of the first day (the same for every store).
    pub clock: f64,
    pub playing: bool,
    pub speed: Speed,
    /// Wall-clock budget per frame for `Speed::Max`, seconds.
    pub frame_budget: f64,
    last_reload_check: Option<Instant>,
}

impl Lab {
    /// Opens one store, or two for the side-by-side lecturer mode (same seed and clock).
    pub fn open(paths: &[PathBuf], seed: Option<u64>) -> Result<Lab, String> {
        let mut stores = Vec::new();
        for p in paths {
            stores.push(Store::open(p, seed)?);
        }
        if stores.len() == 2 && stores[1].seed() != stores[0].seed() {
            // Lecturer mode: the same random numbers drive both stores.
            let s = stores[0].seed();
            stores[1] = Store::open(&stores[1].path.clone(), Some(s))?;
        }
        let clock = stores
            .iter()
            .map(|s| s.sim.now())
            .fold(f64::INFINITY, f64::min);
        Ok(Lab {
            stores,
            clock,
            playing: false,
            speed: Speed::Times(60.0),
            frame_budget: 0.012,
            last_reload_check: None,
        })
    }

    /// True when no store has anything left to simulate.
    pub fn finished(&self) -> bool {
        self.stores.iter().all(|s| s.sim.finished())
    }

    /// Advances every store to `t`.
    pub fn advance_to(&mut self, t: f64) {
        for s in &mut self.stores {
            s.sim.run_until(t);
            // The store stops (it counts as finished); the view shows why.
            if let Some(fault) = s.sim.fault() {
                s.error = Some(format!("internal error: {fault}; the run was stopped"));
            }
        }
        self.clock = t.max(self.clock);
    }

    /// One frame of `dt` wall seconds while playing: moves the clock by `dt × speed`, or as far
    /// as the frame budget allows at maximum speed. Stops playing at the end of the day.
    pub fn tick(&mut self, dt: f64) {
        if !self.playing {
            return;
        }
        match self.speed {
            Speed::Times(x) => {
                let t = self.clock + dt * x;
                self.advance_to(t);
                self.skip_night();
            }
            Speed::Max => {
                let start = Instant::now();
                while start.elapsed().as_secs_f64() < self.frame_budget && !self.finished() {
                    let t = self.clock + 60.0;
                    self.advance_to(t);
                    self.skip_night();
                }
            }
        }
        if self.finished() {
            self.playing = false;
            self.clock = self.end_time();
        }
    }

    /// Runs over days: when every store's day is over (nothing left to happen before the
    /// next opening), the clock jumps to the next opening; the night passes unseen.
    pub fn skip_night(&mut self) {
        let days_over = self.stores.iter().all(|s| s.sim.day_finished());
        let next = self
            .stores
            .iter()
            .filter_map(|s| s.sim.next_opening())
            .fold(f64::INFINITY, f64::min);
        if days_over && next.is_finite() && next > self.clock {
            self.advance_to(next);
        }
    }

    /// Advances to the next event of any store (single step); at the end of a day of a run
    /// over days, to the next opening.
    pub fn step(&mut self) {
        let next = self
            .stores
            .iter()
            .filter_map(|s| s.sim.next_event())
            .fold(f64::INFINITY, f64::min);
        if next.is_finite() {
            self.advance_to(next);
        } else {
            self.skip_night();
        }
    }

    /// When the last store finished (its clock after the final event).
    pub fn end_time(&self) -> f64 {
        self.stores
            .iter()
            .map(|s| s.sim.now())
            .fold(self.clock, f64::max)
    }

    /// Checks that `t` (seconds since 00:00) lies between the earliest opening and the
    /// latest closing of the stores on show, so `--at` cannot ask for a moment outside the day.
    pub fn check_time(&self, day: u32, t: f64) -> Result<(), String> {
        let (open, close) = self
            .stores
            .iter()
            .map(|s| store_hours(&s.scenario, day).span())
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(o, c), (so, sc)| {
                (o.min(so), c.max(sc))
            });
        if t < open || t > close {
            return Err(format!(
                "{} is outside the simulated day: the store is open {} – {}",
                format_clock(t),
                format_clock(open),
                format_clock(close)
            ));
        }
        Ok(())
    }

    /// Checks that every store runs over at least `day` days (1-based) and opens on it, for
    /// `--day`.
    pub fn check_day(&self, day: u32) -> Result<(), String> {
        for s in &self.stores {
            let days = s.scenario.calendar.as_ref().map_or(1, |c| c.days);
            if day < 1 || day > days {
                return Err(format!(
                    "{day} is not a day of {}: it runs {days} day(s)",
                    s.path.display()
                ));
            }
            if let Some(c) = &s.scenario.calendar
                && !c.is_open(day - 1)
            {
                return Err(format!(
                    "day {day} ({:?}) is a closed day of {}",
                    c.first_weekday.plus(day - 1),
                    s.path.display()
                ));
            }
        }
        Ok(())
    }

    /// When the first store opens on `day` (1-based), seconds since that day's 00:00.
    pub fn opening(&self, day: u32) -> f64 {
        store_hours(&self.stores[0].scenario, day).span().0
    }

    /// Doors open and close of the first store on the day on show (run time).
    pub fn hours(&self) -> (f64, f64) {
        let s = &self.stores[0].sim;
        let c = s.world().resource::<Clock>();
        let day = f64::from(s.day()) * DAY;
        (day + c.open, day + c.close)
    }

    /// Applies a command to store `i` now and records it.
    pub fn command(&mut self, i: usize, cmd: Command) {
        let t = self.clock;
        if let Some(s) = self.stores.get_mut(i) {
            cmd.apply(&mut s.sim);
            s.log.commands.push((t, cmd));
        }
    }

    /// Applies a command to every store (lecturer mode keeps them comparable).
    pub fn command_all(&mut self, cmd: Command) {
        for i in 0..self.stores.len() {
            self.command(i, cmd.clone());
        }
    }

    /// Starts every store again from opening with `seed` (the logs start afresh).
    pub fn restart(&mut self, seed: u64) -> Result<(), String> {
        let mut fresh = Vec::new();
        for s in &self.stores {
            fresh.push(Store::open(&s.path, Some(seed))?);
        }
        self.stores = fresh;
        self.clock = self
            .stores
            .iter()
            .map(|s| s.sim.now())
            .fold(f64::INFINITY, f64::min);
        Ok(())
    }

    /// Replaces store `i` with another scenario file (from the picker).
    pub fn switch(&mut self, i: usize, path: &Path) -> Result<(), String> {
        let seed = self.stores.first().map(|s| s.seed());
        let store = Store::open(path, seed)?;
        if let Some(slot) = self.stores.get_mut(i) {
            *slot = store;
        }
        self.clock = self
            .stores
            .iter()
            .map(|s| s.sim.now())
            .fold(f64::INFINITY, f64::min);
        Ok(())
    }

    /// Reloads scenarios whose file changed on disk (checked at most once a second). A broken
    /// file leaves the last good run on show with the error; a good one restarts that store,
    /// replays its commands and catches up with the clock.
    pub fn reload_changed(&mut self) {
        if self
            .last_reload_check
            .is_some_and(|t| t.elapsed().as_secs_f64() < 1.0)
        {
            return;
        }
        self.last_reload_check = Some(Instant::now());
        self.reload_changed_now();
    }

    /// [`Lab::reload_changed`] without the once-a-second limit.
    pub fn reload_changed_now(&mut self) {
        let clock = self.clock;
        for s in &mut self.stores {
            let m = modified(&s.path);
            if m == s.modified {
                continue;
            }
            s.modified = m;
            match scenario::load(&s.path) {
                Err(e) => s.error = Some(e.to_string()),
                Ok(loaded) => {
                    s.sim = s.log.replay(&loaded.scenario, clock);
                    s.scenario = loaded.scenario;
                    s.error = None;
                }
            }
        }
    }
}
