//! storelab: a digital-retail simulation engine.
//!
//! The crate is layered; each layer uses only the ones above it:
//!
//! - [`ids`]: typed indices shared by all layers;
//! - [`scenario`]: the RON format, `extends`, validation into a [`scenario::validate::ValidScenario`]
//!   and the floor plan derived from the layout;
//! - [`sim`]: the store day in a bevy ECS without rendering, one module per retail concept;
//! - [`experiment`]: replications, statistics, output folders and the HTML report;
//! - [`view`]: the view model, commands and session log, and (feature `gui`) the window;
//! - [`cli`]: the `storelab` command.

// Bevy systems and observers receive their data as parameters; long lists are normal there.
#![allow(clippy::too_many_arguments)]

pub mod cli;
pub mod console;
pub mod error;
pub mod experiment;
pub mod ids;
pub mod interrupt;
pub mod scenario;
pub mod sim;
pub mod view;

pub use sim::{MAX_DRAIN, RunConfig, RunOutput, Simulation, StorePlugin, run};
