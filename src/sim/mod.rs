//! The simulation core: one store day in a bevy `World` without any rendering.
//!
//! [`engine`] owns simulated time and the order of events; [`events`] lists every event and
//! the handlers that react to it, in order; one module per retail concept holds its data and
//! its handlers ([`arrivals`], [`segments`] (scan & go, cashierless), [`shopping`],
//! [`checkout`], [`staff`], [`rota`], [`attendance`], [`lane_policy`], [`replenishment`],
//! [`counting`], [`receiving`], [`journey`], [`metrics`]); [`movement`] is the one walking
//! service all of them use, [`inventory`] the one ledger of stock, [`calendar`] the days.
//! [`Simulation`] wraps the world, so the same code runs in tests, in the CLI and under a view.

pub mod arrivals;
pub mod attendance;
pub mod calendar;
pub mod catalog;
pub mod checkout;
pub mod counting;
pub mod customer;
pub mod engine;
pub mod event_log;
pub mod events;
pub mod inventory;
pub mod journey;
pub mod lane_policy;
pub mod lane_schedule;
pub mod metrics;
pub mod movement;
pub mod random;
pub mod receiving;
pub mod replenishment;
pub mod rota;
pub mod segments;
pub mod service;
pub mod shopping;
pub mod staff;

use std::sync::Arc;

use bevy::prelude::*;

use crate::scenario::Scenario;
use crate::scenario::floor_plan::FloorPlan;
use crate::scenario::validate::ValidScenario;
use crate::sim::engine::Clock;
use crate::sim::events::Agenda;
use crate::sim::events::SimEvent;

/// Customers still inside this long after closing are cut off (the run stops), seconds.
pub const MAX_DRAIN: f64 = 4.0 * 3600.0;

/// The scenario and seed of the run, shared read-only by all plugins.
#[derive(Resource, Clone, Debug)]
pub struct RunConfig {
    pub scenario: Arc<Scenario>,
    pub seed: u64,
}

/// All simulation plugins of one store, in dependency order.
pub struct StorePlugin {
    pub config: RunConfig,
    pub plan: FloorPlan,
}

impl Plugin for StorePlugin {
    fn build(&self, app: &mut App) {
        // Registered up front, so a query for them works even on a day on which nobody came
        // (handlers are registered when they first run).
        let world = app.world_mut();
        world.register_component::<customer::Customer>();
        world.register_component::<movement::Motion>();
        world.register_component::<staff::StaffMember>();
        world.register_component::<shopping::Shelf>();
        world.register_component::<checkout::Lane>();
        world.register_component::<checkout::CheckoutQueue>();
        let (open, close) = self.config.scenario.hours.span();
        app.insert_resource(self.config.clone())
            .insert_resource(Clock {
                open,
                close,
                measure_from: open + self.config.scenario.metrics.warmup,
                hard_stop: close + MAX_DRAIN,
            })
            .insert_resource(Agenda::starting_at(open))
            .add_plugins(movement::NavigationPlugin {
                plan: self.plan.clone(),
            })
            .add_plugins(inventory::InventoryPlugin)
            .add_plugins(segments::SegmentsPlugin)
            .add_plugins(shopping::ShoppingPlugin)
            .add_plugins(checkout::CheckoutPlugin)
            .add_plugins(staff::StaffPlugin)
            .add_plugins(attendance::AttendancePlugin)
            .add_plugins(lane_policy::LanePolicyPlugin)
            .add_plugins(lane_schedule::LaneSchedulePlugin)
            .add_plugins(replenishment::ReplenishmentPlugin)
            .add_plugins(counting::CountingPlugin)
            .add_plugins(metrics::MetricsPlugin)
            .add_plugins(arrivals::ArrivalsPlugin);
    }
}

/// One simulated store: the `World` that a bevy app with the store plugins built, advanced
/// event by event. Holding the world (not the app) keeps it `Send + Sync`, so a view can own
/// several stores side by side.
pub struct Simulation {
    world: World,
    handlers: events::Handlers,
}

impl Simulation {
    /// Builds the store of a validated scenario. `seed` replaces the scenario's seed. With a
    /// calendar it is the first day (the live view shows one day).
    pub fn new(scenario: &ValidScenario, seed: u64) -> Self {
        if let Some(cal) = &scenario.calendar {
            let config = calendar::day_scenario(scenario.shared(), cal, cal.first_weekday);
            let inventory = inventory::Inventory::of_scenario(scenario, seed);
            return Simulation::for_day(scenario, config, seed, 0, inventory);
        }
        let mut app = App::new();
        app.add_plugins(StorePlugin {
            config: RunConfig {
                scenario: scenario.shared().clone(),
                seed,
            },
            // Cheap: the distance tables are shared, not copied.
            plan: scenario.plan().clone(),
        });
        let mut world = std::mem::take(app.world_mut());
        let handlers = events::Handlers::new(&mut world);
        world.flush();
        Simulation { world, handlers }
    }

    /// Builds day `day` of a multi-day run: the store of `scenario` with that day's scenario
    /// (`config`: its demand factor) and seed, carrying over the inventory of the day before.
    pub fn for_day(
        scenario: &ValidScenario,
        config: Arc<Scenario>,
        seed: u64,
        day: u32,
        mut inventory: inventory::Inventory,
    ) -> Self {
        let mut app = App::new();
        app.add_plugins(StorePlugin {
            config: RunConfig {
                scenario: config,
                seed,
            },
            plan: scenario.plan().clone(),
        });
        let mut world = std::mem::take(app.world_mut());
        let open = world.resource::<Clock>().open;
        inventory.start_day(day, open, seed);
        let readers = scenario
            .counting
            .as_ref()
            .is_some_and(|c| matches!(c.method, crate::scenario::CountMethod::RfidReaders { .. }));
        let count_today = !readers
            && scenario
                .counting
                .as_ref()
                .is_some_and(|c| inventory.take_count_day(c.every_days));
        let checks_today = !readers
            && scenario.counting.as_ref().is_some_and(|c| {
                c.when_idle_days
                    .is_some_and(|d| !inventory.idle_with_stock(d).is_empty())
            });
        world.insert_resource(inventory);
        if let Some(o) = &scenario.ordering {
            world
                .resource_mut::<Agenda>()
                .schedule(o.delivery_time.seconds().max(open), events::DeliveriesDue);
        }
        if let Some(c) = &scenario.counting
            && (count_today || checks_today)
        {
            world.resource_mut::<Agenda>().schedule(
                c.start.seconds().max(open),
                events::CountsDue {
                    scheduled: count_today,
                },
            );
        }
        if readers {
            world
                .resource_mut::<Agenda>()
                .schedule(open, events::ReadersDue);
        }
        let handlers = events::Handlers::new(&mut world);
        world.flush();
        Simulation { world, handlers }
    }

    /// Simulates every event up to simulated time `t` (seconds since 00:00).
    pub fn run_until(&mut self, t: f64) -> u64 {
        engine::advance::<SimEvent>(&mut self.world, &mut self.handlers, t)
    }

    /// Simulates until nothing is left to do (or the drain limit after closing).
    pub fn run_to_end(&mut self) -> u64 {
        engine::advance::<SimEvent>(&mut self.world, &mut self.handlers, f64::INFINITY)
    }

    /// Handles `event` now (a command from a view or a replay), and what it causes now.
    pub fn apply(&mut self, event: impl Into<SimEvent>) {
        engine::handle(&mut self.world, &mut self.handlers, event.into());
    }

    /// Starts recording every event from now on ([`event_log::EventLog`]); the results are
    /// the same with or without it.
    pub fn enable_event_log(&mut self) {
        self.world.insert_resource(event_log::EventLog::default());
        self.handlers.logging = true;
    }

    /// Books no customer time on the heatmap from now on (called before the run, its cells
    /// stay at zero): for runs whose heatmap nobody shows. Every other result is the same.
    pub fn without_heatmap(&mut self) {
        self.world
            .resource_mut::<movement::Navigation>()
            .heat
            .stop_booking();
    }

    /// The event log, if enabled.
    pub fn event_log(&self) -> Option<&event_log::EventLog> {
        self.world.get_resource::<event_log::EventLog>()
    }

    pub fn now(&self) -> f64 {
        self.world.resource::<Agenda>().now()
    }

    pub fn finished(&self) -> bool {
        engine::finished::<SimEvent>(&self.world)
    }

    /// The engine fault that stopped this store, if any (see [`engine::Fault`]).
    pub fn fault(&self) -> Option<&engine::Fault> {
        self.world.resource::<Agenda>().fault()
    }

    pub fn world(&self) -> &World {
        &self.world
    }

    pub fn world_mut(&mut self) -> &mut World {
        &mut self.world
    }

    /// The KPIs at the current simulated time.
    pub fn summary(&mut self) -> metrics::Summary {
        metrics::summarize(self.world_mut())
    }

    /// Every customer journey so far (finished ones first, in exit order).
    pub fn records(&mut self) -> Vec<customer::CustomerRecord> {
        metrics::all_records(self.world_mut())
    }
}

/// Everything a finished run produced.
#[derive(Clone, Debug)]
pub struct RunOutput {
    pub summary: metrics::Summary,
    pub records: Vec<customer::CustomerRecord>,
    pub samples: Vec<metrics::Sample>,
    pub queue_names: Vec<String>,
    /// Customer-seconds per floor cell.
    pub heat: Vec<f64>,
    /// Waits of the measured customers who were served (after the warm-up), in classes.
    pub wait_classes: metrics::WaitClasses,
    /// Runs over several days: one row per day, one per product (empty for one day).
    pub days: Vec<calendar::DayRow>,
    pub products: Vec<calendar::ProductRow>,
    /// With a lane policy (one-day runs): the hourly staffing table of its tills.
    pub staffing: Vec<lane_policy::StaffingRow>,
}

/// What a finished run keeps beyond its KPIs (each costs time or memory).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Keep {
    /// Runs over days: every customer's record and every time-series sample (for
    /// `customers.csv` and `timeseries.csv`); without them memory stays flat in the number of
    /// days. A one-day run always keeps them (its KPIs come from the records).
    pub records: bool,
    /// The heatmap of customer time per floor cell (reports and the view show it).
    pub heat: bool,
}

impl Keep {
    pub const ALL: Keep = Keep {
        records: true,
        heat: true,
    };
}

/// Runs a validated scenario to the end with the given seed. An engine fault (an event
/// scheduled at an impossible time) ends the run with an error instead of a wrong result.
pub fn run(scenario: &ValidScenario, seed: u64) -> Result<RunOutput, engine::Fault> {
    run_keeping(scenario, seed, Keep::ALL)
}

/// [`run`] for replications: a run over days keeps no customer records or time series (its
/// memory stays flat in the number of days); a one-day run is the same as [`run`].
pub fn run_summary(scenario: &ValidScenario, seed: u64) -> Result<RunOutput, engine::Fault> {
    run_keeping(
        scenario,
        seed,
        Keep {
            records: false,
            heat: true,
        },
    )
}

/// [`run`], keeping only what `keep` asks for; every KPI is the same.
pub fn run_keeping(
    scenario: &ValidScenario,
    seed: u64,
    keep: Keep,
) -> Result<RunOutput, engine::Fault> {
    if scenario.calendar.is_some() {
        return calendar::run_days(scenario, seed, keep);
    }
    let mut sim = Simulation::new(scenario, seed);
    if !keep.heat {
        sim.without_heatmap();
    }
    sim.run_to_end();
    sim.into_output()
}

impl Simulation {
    /// What the run produced so far (normally called when it is finished).
    pub fn into_output(mut self) -> Result<RunOutput, engine::Fault> {
        if let Some(fault) = self.fault() {
            return Err(fault.clone());
        }
        let records = self.records();
        let summary = metrics::summarize_records(self.world(), &records);
        let world = self.world();
        let warm = world.resource::<Clock>().measure_from;
        let wait_classes = metrics::WaitClasses::of(
            records
                .iter()
                .filter(|r| r.arrival >= warm && r.service_end.is_some())
                .filter_map(|r| r.wait),
        );
        let clock = world.resource::<Clock>();
        let now = world.resource::<Agenda>().now();
        let mut staffing = lane_policy::staffing_table(
            world.resource::<lane_policy::LanePolicyState>(),
            clock.open,
            now,
        );
        let rota = world.resource::<rota::RotaState>();
        let checkout = world.resource::<checkout::Checkout>();
        let staffed = |l: crate::ids::LaneId| {
            checkout.groups[checkout.lane_group[l]].kind == crate::scenario::LaneKind::Staffed
        };
        // The tills the rota's cashiers open (not audit or payment points).
        if staffing.is_empty()
            && checkout
                .rota_groups
                .iter()
                .any(|&g| checkout.groups[g].kind == crate::scenario::LaneKind::Staffed)
        {
            let changes: Vec<_> = rota
                .changes
                .iter()
                .copied()
                .filter(|&(_, l, _)| staffed(l))
                .collect();
            staffing = lane_policy::hourly_tills(&changes, clock.open, now);
        }
        Ok(RunOutput {
            summary,
            records,
            wait_classes,
            days: Vec::new(),
            products: Vec::new(),
            staffing,
            samples: world.resource::<metrics::Metrics>().samples.clone(),
            queue_names: world
                .resource::<checkout::Checkout>()
                .queue_names
                .as_slice()
                .to_vec(),
            heat: world
                .resource::<movement::Navigation>()
                .heat
                .seconds
                .clone(),
        })
    }
}
