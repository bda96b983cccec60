//! placeholder
use crate::sim::events::SimEvent;
use bevy::prelude::*;
pub fn record_before(_world: &mut World, _ev: &SimEvent) {}
