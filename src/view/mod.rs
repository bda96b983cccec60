//! What users see and steer: plain draw data ([`model`]), commands and their log
//! ([`control`]), the session state of a view ([`lab`]) and, with the `gui` feature, the
//! window ([`gui`]). Nothing here holds simulation logic.

pub mod control;
#[cfg(feature = "gui")]
pub mod gui;
pub mod lab;
pub mod model;
