//! The egui panels, driven like a user would (egui_kittest), without a window.
#![cfg(feature = "gui")]

mod common;

use common::*;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use storelab::Simulation;
use storelab::ids::LaneId;
use storelab::view::gui::panels::{self, Action, ControlState, LiveKpis};
use storelab::view::lab::Speed;
use storelab::view::model::{DrawData, Selection, hit_test};

fn controls() -> ControlState {
    ControlState {
        playing: false,
        speed: Speed::Times(60.0),
        times: 60.0,
        seed: 5,
        heatmap: false,
        multiplier: 1.0,
        clock: "08:00:00".into(),
        finished: false,
    }
}

type State = (ControlState, Vec<Action>);

fn harness() -> Harness<'static, State> {
    Harness::new_ui_state(
        |ui, s: &mut State| {
            let a = panels::controls_ui(ui, &mut s.0);
            s.1.extend(a);
        },
        (controls(), Vec::new()),
    )
}

#[test]
fn play_pause_step_speed_and_restart_become_actions() {
    let mut h = harness();
    h.get_by_label("▶ Play").click();
    h.run();
    assert!(h.state().0.playing);
    assert_eq!(h.state().1, vec![Action::Play]);
    h.get_by_label("⏸ Pause").click();
    h.run();
    assert!(!h.state().0.playing);
    h.get_by_label("⏭ Step").click();
    h.run();
    h.get_by_label("as fast as possible").click();
    h.run();
    h.get_by_label("⟲ Restart").click();
    h.run();
    h.get_by_label("Heatmap").click();
    h.run();
    assert_eq!(
        h.state().1,
        vec![
            Action::Play,
            Action::Pause,
            Action::Step,
            Action::SetSpeed(Speed::Max),
            Action::Restart { seed: 5 },
            Action::ToggleHeatmap
        ]
    );
    assert!(h.state().0.heatmap);
}

#[test]
fn a_finished_day_cannot_be_played_further() {
    let mut state = controls();
    state.finished = true;
    let mut h = Harness::new_ui_state(
        |ui, s: &mut State| {
            let a = panels::controls_ui(ui, &mut s.0);
            s.1.extend(a);
        },
        (state, Vec::new()),
    );
    h.get_by_label("▶ Play").click();
    h.run();
    assert!(
        h.state().1.is_empty(),
        "disabled buttons do nothing: {:?}",
        h.state().1
    );
}

fn world_at_noon() -> Simulation {
    let mut sim = Simulation::new(&load("supermarket.ron"), 3);
    sim.run_until(12.0 * 3600.0);
    sim
}

#[test]
fn lane_switches_steer_the_store() {
    let sim = world_at_noon();
    let switches = panels::lane_switches(sim.world());
    assert_eq!(switches.len(), 20);
    let till1 = switches
        .iter()
        .find(|l| l.name == "till-1")
        .unwrap()
        .clone();
    assert!(till1.open);
    let mut h = Harness::new_ui_state(
        move |ui, s: &mut (f64, Vec<Action>)| {
            let a = panels::steering_ui(
                ui,
                &mut s.0,
                &[("Supermarket".into(), switches.clone(), None)],
            );
            s.1.extend(a);
        },
        (1.0, Vec::new()),
    );
    h.get_by_label("till-1").click();
    h.run();
    assert_eq!(
        h.state().1,
        vec![Action::SetLaneOpen {
            store: 0,
            lane: till1.lane,
            open: false
        }]
    );
}

/// A rota till's switch is off limits: clicking it changes nothing (its cashiers' shifts
/// open and close it); a self-checkout's switch still works.
#[test]
fn rota_tills_cannot_be_switched_by_hand() {
    let mut sim = Simulation::new(&load("checkout/rota.ron"), 3);
    sim.run_until(11.0 * 3600.0);
    let switches = panels::lane_switches(sim.world());
    let till = switches
        .iter()
        .find(|l| l.name == "till-1")
        .unwrap()
        .clone();
    let selfs = switches
        .iter()
        .find(|l| l.name == "self-1")
        .unwrap()
        .clone();
    assert!(till.rota && !selfs.rota);
    let mut h = Harness::new_ui_state(
        move |ui, s: &mut (f64, Vec<Action>)| {
            let a = panels::steering_ui(ui, &mut s.0, &[("Rota".into(), switches.clone(), None)]);
            s.1.extend(a);
        },
        (1.0, Vec::new()),
    );
    h.get_by_label("till-1").click();
    h.run();
    assert!(h.state().1.is_empty(), "{:?}", h.state().1);
    h.get_by_label("self-1").click();
    h.run();
    assert_eq!(
        h.state().1,
        vec![Action::SetLaneOpen {
            store: 0,
            lane: selfs.lane,
            open: false
        }]
    );
}

/// A store with "one in front" shows its threshold among the steering controls; one without
/// does not.
#[test]
fn the_one_in_front_threshold_is_a_steering_control() {
    let mut sim = Simulation::new(&load("checkout/one-in-front.ron"), 3);
    sim.run_until(11.0 * 3600.0);
    let k = panels::policy_threshold(sim.world());
    assert_eq!(k, Some(1));
    assert_eq!(panels::policy_threshold(world_at_noon().world()), None);
    let switches = panels::lane_switches(sim.world());
    let h = Harness::new_ui_state(
        move |ui, s: &mut (f64, Vec<Action>)| {
            let a = panels::steering_ui(ui, &mut s.0, &[("OIF".into(), switches.clone(), k)]);
            s.1.extend(a);
        },
        (1.0, Vec::new()),
    );
    h.get_by_label("One in front (OIF): call a till above");
}

#[test]
fn kpis_show_both_stores_and_their_difference() {
    let a = LiveKpis::of(world_at_noon().world());
    let mut b = a.clone();
    b.queueing += 3.0;
    let h = Harness::new_ui(move |ui| {
        panels::kpis_ui(
            ui,
            &["A store".into(), "B store".into()],
            &[a.clone(), b.clone()],
        );
    });
    h.get_by_label("B − A");
    h.get_by_label("Waiting at checkout");
    h.get_by_label("+3");
}

#[test]
fn inspector_describes_what_was_clicked() {
    let sim = world_at_noon();
    let world = sim.world();
    let plan = world.resource::<storelab::scenario::floor_plan::FloorPlan>();
    let dairy = plan.shelf_index("dairy").unwrap();
    let h = Harness::new_ui(|ui| {
        panels::inspector_ui(ui, world, Selection::Shelf(dairy), 12.0 * 3600.0)
    });
    h.get_by_label("Shelf dairy");
    h.get_by_label("milk");
    let h = Harness::new_ui(|ui| {
        panels::inspector_ui(ui, world, Selection::Lane(LaneId(12)), 12.0 * 3600.0)
    });
    h.get_by_label("Lane till-1");
    // Every drawn lane: the inspector of the lane a click selects names the lane drawn there.
    let draw = DrawData::of(world, 12.0 * 3600.0);
    for lane in draw.lanes.iter() {
        let (x, y) = plan.xy(lane.cell);
        let centre = (
            (f64::from(x) + 0.5) * plan.cell_size,
            (f64::from(y) + 0.5) * plan.cell_size,
        );
        let (dx, dy) = plan.lanes[lane.id].queue_direction;
        let click = (
            centre.0 + f64::from(dx) * 0.4 * plan.cell_size,
            centre.1 + f64::from(dy) * 0.4 * plan.cell_size,
        );
        let selected = hit_test(plan, &draw, click).expect("a lane");
        let h = Harness::new_ui(|ui| panels::inspector_ui(ui, world, selected, 12.0 * 3600.0));
        h.get_by_label(&format!("Lane {}", lane.name));
    }
    // Every person on the floor can be picked, and picking finds that person.
    assert!(draw.people.len() > 20, "customers and staff at noon");
    let customer = draw
        .people
        .iter()
        .find(|m| matches!(m.who, Selection::Customer(_)))
        .unwrap();
    assert_eq!(hit_test(plan, &draw, customer.pos), Some(customer.who));
    if let Selection::Customer(id) = customer.who {
        let h = Harness::new_ui(|ui| panels::inspector_ui(ui, world, customer.who, 12.0 * 3600.0));
        h.get_by_label(&format!("Customer {id}"));
    }
}

#[test]
fn inspector_shows_the_selections_timeline_from_the_event_log() {
    let mut sim = Simulation::new(&load("supermarket.ron"), 3);
    sim.enable_event_log();
    sim.run_until(12.0 * 3600.0);
    let world = sim.world();
    let draw = DrawData::of(world, 12.0 * 3600.0);
    let customer = draw
        .people
        .iter()
        .find(|m| matches!(m.who, Selection::Customer(_)))
        .unwrap()
        .who;
    let rows = storelab::view::model::timeline(world, customer);
    assert_eq!(
        rows[0].event, "ArrivalDue",
        "a customer's timeline starts with it"
    );
    let h = Harness::new_ui(|ui| panels::inspector_ui(ui, world, customer, 12.0 * 3600.0));
    h.get_by_label(&format!("Timeline ({} events)", rows.len()));
    h.get_by_label("walks in");
    // A lane's timeline shows the services it started.
    let lane = Selection::Lane(LaneId(12));
    let rows = storelab::view::model::timeline(world, lane);
    assert!(rows.iter().any(|r| r.event == "ServiceStart"));
    let h = Harness::new_ui(|ui| panels::inspector_ui(ui, world, lane, 12.0 * 3600.0));
    h.get_by_label(&format!("Timeline ({} events)", rows.len()));
    // Without the event log there is no timeline (and no empty header).
    let plain = world_at_noon();
    let h = Harness::new_ui(|ui| panels::inspector_ui(ui, plain.world(), lane, 12.0 * 3600.0));
    assert!(h.query_by_label_contains("Timeline").is_none());
}

/// A scenario's arrival multiplier above the slider's range (the stress test runs at 10) is
/// shown and kept as it is, not clamped to the range.
#[test]
fn a_multiplier_above_the_slider_range_is_kept() {
    let mut h = Harness::new_ui_state(
        move |ui, s: &mut (f64, Vec<Action>)| {
            let a = panels::steering_ui(ui, &mut s.0, &[]);
            s.1.extend(a);
        },
        (10.0, Vec::new()),
    );
    h.run();
    assert_eq!(h.state().0, 10.0);
    assert!(h.state().1.is_empty(), "{:?}", h.state().1);
}
