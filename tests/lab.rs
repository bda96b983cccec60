//! The view's engine room without a window: stepping, steering, replay, lecturer mode and
//! reloading, all on the same simulation plugins as headless runs.

mod common;

use std::path::PathBuf;

use common::*;
use storelab::ids::LaneId;
use storelab::view::control::{Command, SessionLog};
use storelab::view::lab::{Lab, Speed};

fn open(files: &[&str], seed: Option<u64>) -> Lab {
    let paths: Vec<PathBuf> = files.iter().map(|f| scenario_path(f)).collect();
    Lab::open(&paths, seed).unwrap()
}

fn play_to_end(lab: &mut Lab, speed: Speed) -> u32 {
    lab.speed = speed;
    lab.playing = true;
    let mut frames = 0;
    while lab.playing {
        lab.tick(1.0 / 60.0);
        frames += 1;
        assert!(frames < 1_000_000, "the day never ends");
    }
    frames
}

#[test]
fn the_view_reaches_the_same_kpis_as_storelab_run() {
    let s = load("supermarket.ron");
    let headless = run(&s, s.seed).summary;
    // At 1000× a 16-hour day takes about 3,500 frames of 1/60 s.
    let mut lab = open(&["supermarket.ron"], None);
    let frames = play_to_end(&mut lab, Speed::Times(1000.0));
    assert!(frames > 3000, "{frames} frames");
    assert_eq!(lab.stores[0].sim.summary(), headless);
    // As fast as possible: other frame boundaries, the same day.
    let mut lab = open(&["supermarket.ron"], None);
    play_to_end(&mut lab, Speed::Max);
    assert_eq!(lab.stores[0].sim.summary(), headless);
}

#[test]
fn single_steps_follow_the_events() {
    // Each step moves the clock exactly to the next scheduled event and fires every event
    // due then, no more: the step after it starts at a later event.
    let mut lab = open(&["minimal.ron"], None);
    let agenda = |lab: &Lab| {
        let a = lab.stores[0]
            .sim
            .world()
            .resource::<storelab::sim::events::Agenda>();
        (a.next_time(), a.fired())
    };
    let mut times = Vec::new();
    for _ in 0..20 {
        let (next, fired_before) = agenda(&lab);
        let next = next.expect("events pending during the day");
        lab.step();
        let (after, fired_after) = agenda(&lab);
        assert_eq!(lab.clock, next, "the step stops at the next event");
        assert_eq!(lab.stores[0].sim.now(), next);
        assert!(fired_after > fired_before, "a step fires the event");
        assert!(
            after.is_none_or(|t| t > next),
            "events due at {next} are left after the step"
        );
        times.push(next);
    }
    assert!(
        times.windows(2).all(|w| w[0] < w[1]),
        "steps move forward: {times:?}"
    );
    // Stepping and running the same span by time reach the same state.
    let mut by_time = open(&["minimal.ron"], None);
    by_time.advance_to(*times.last().unwrap());
    assert_eq!(by_time.stores[0].sim.summary(), lab.stores[0].sim.summary());
}

#[test]
fn steering_is_recorded_and_a_replay_reproduces_the_session() {
    let s = load("supermarket.ron");
    let mut lab = open(&["supermarket.ron"], None);
    lab.advance_to(10.0 * 3600.0);
    lab.command(
        0,
        Command::SetLaneOpen {
            lane: LaneId(12),
            open: false,
        },
    ); // till-1
    lab.advance_to(12.0 * 3600.0);
    lab.command_all(Command::SetArrivalMultiplier(1.4));
    lab.command(
        0,
        Command::SetLaneOpen {
            lane: LaneId(18),
            open: true,
        },
    ); // till-7 was closed
    play_to_end(&mut lab, Speed::Max);
    let steered = lab.stores[0].sim.summary();
    assert_ne!(
        steered,
        run(&s, s.seed).summary,
        "the commands changed the day"
    );
    let till1 = steered.lanes.iter().find(|l| l.id == "till-1").unwrap();
    assert!(
        till1.open_s < 4.5 * 3600.0,
        "till-1 closed at 10:00: open {} s",
        till1.open_s
    );

    // Save, load and replay the log: the same day, to the byte.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("session.ron");
    lab.stores[0].log.save(&file).unwrap();
    let log = SessionLog::load(&file).unwrap();
    assert_eq!(log, lab.stores[0].log);
    assert_eq!(log.commands.len(), 3);
    let mut replayed = log.replay(&s, f64::INFINITY);
    assert_eq!(replayed.summary(), steered);
}

#[test]
fn lecturer_mode_drives_both_stores_with_the_same_random_numbers_and_clock() {
    let mut lab = open(&["supermarket.ron", "self-checkout.ron"], Some(77));
    assert_eq!(lab.stores[0].seed(), 77);
    assert_eq!(lab.stores[1].seed(), 77);
    lab.advance_to(15.0 * 3600.0);
    let a = lab.stores[0].sim.summary();
    let b = lab.stores[1].sim.summary();
    assert_eq!(lab.stores[0].sim.now(), lab.stores[1].sim.now());
    // Same customers so far; the checkout change shows in the waits.
    assert_eq!(a.customers.arrived, b.customers.arrived);
    assert_ne!(a.waiting.stats.mean, b.waiting.stats.mean);
    // Different seeds in the files are overridden by the first store's.
    let lab = open(
        &["validation/mm1-rho050.ron", "validation/mm3-rho050.ron"],
        None,
    );
    assert_eq!(lab.stores[0].seed(), lab.stores[1].seed());
}

#[test]
fn an_edit_on_disk_reloads_and_a_broken_edit_keeps_the_last_good_run() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("shop.ron");
    let text = read(&scenario_path("minimal.ron"));
    std::fs::write(&file, &text).unwrap();
    let mut lab = Lab::open(std::slice::from_ref(&file), None).unwrap();
    lab.advance_to(10.0 * 3600.0);
    let before = lab.stores[0].sim.summary();

    let touch = |content: &str, secs: u64| {
        std::fs::write(&file, content).unwrap();
        let f = std::fs::File::options().write(true).open(&file).unwrap();
        f.set_modified(std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(secs))
            .unwrap();
    };
    touch(&text.replace("seed: 7,", "seed: 7"), 1_000_000);
    lab.reload_changed_now();
    let err = lab.stores[0]
        .error
        .clone()
        .expect("the broken file is reported");
    assert!(err.contains("shop.ron:"), "{err}");
    assert_eq!(
        lab.stores[0].sim.summary(),
        before,
        "the last good run stays"
    );

    touch(
        &text.replace("Poisson(per_hour: 40.0)", "Poisson(per_hour: 80.0)"),
        2_000_000,
    );
    lab.reload_changed_now();
    assert!(lab.stores[0].error.is_none());
    assert_eq!(
        lab.stores[0].sim.now(),
        10.0 * 3600.0,
        "the reloaded store catches up with the clock"
    );
    assert!(lab.stores[0].sim.summary().customers.arrived > before.customers.arrived);
}

/// Customers arrived so far in store 0.
fn arrived(lab: &Lab) -> u64 {
    lab.stores[0]
        .sim
        .world()
        .resource::<storelab::sim::metrics::Metrics>()
        .arrived
}

#[test]
fn the_arrival_rate_slider_acts_at_once_and_recovers_from_zero() {
    let mut lab = open(&["supermarket.ron"], None);
    lab.advance_to(10.0 * 3600.0);
    // At 0 nobody comes, however long we wait.
    lab.command_all(Command::SetArrivalMultiplier(0.0));
    let before = arrived(&lab);
    lab.advance_to(12.0 * 3600.0);
    assert_eq!(arrived(&lab), before, "arrivals at multiplier 0");
    // Back to 1 at noon (about 390 customers an hour): customers come within minutes, not
    // never (the old arrival was not redrawn, and at 0 none was pending).
    lab.command_all(Command::SetArrivalMultiplier(1.0));
    lab.advance_to(12.0 * 3600.0 + 300.0);
    let resumed = arrived(&lab) - before;
    assert!(
        resumed >= 10,
        "{resumed} arrivals in the 5 minutes after resuming"
    );

    // A tiny rate pushes the next arrival hours away; raising it again acts at once instead
    // of waiting for that far-away arrival.
    lab.command_all(Command::SetArrivalMultiplier(0.0001));
    let slow = arrived(&lab);
    lab.advance_to(12.0 * 3600.0 + 600.0);
    assert!(arrived(&lab) - slow <= 1, "the slow rate took effect");
    let fast = arrived(&lab);
    lab.command_all(Command::SetArrivalMultiplier(2.0));
    lab.advance_to(12.0 * 3600.0 + 900.0);
    let n = arrived(&lab) - fast;
    // 5 minutes at 2 × ~390/h: about 65 expected; Poisson, so well above 30.
    assert!(n >= 30, "{n} arrivals in 5 minutes at twice the rate");
}

/// A run over days plays through every day: at the end of a day the clock jumps over the
/// night to the next opening, and the days shown are the days `storelab run` reports.
#[test]
fn the_view_plays_a_run_over_days_skipping_the_nights() {
    let s = load("inventory/corner-shop.ron");
    let batch = run(&s, s.seed);
    let cal = s.calendar.clone().unwrap();
    let mut lab = open(&["inventory/corner-shop.ron"], None);
    // Day 1 to its end, then one step: the next event is the next day's, at its opening.
    while !lab.stores[0].sim.day_finished() {
        lab.step();
    }
    assert_eq!(lab.stores[0].sim.day(), 0);
    let opening = lab.stores[0].sim.next_opening().expect("a second day");
    lab.step();
    assert_eq!(lab.stores[0].sim.day(), 1, "the step went over the night");
    assert_eq!(lab.clock, opening);
    let rows = lab.stores[0].sim.days().unwrap().rows();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0], batch.days[0]);
    // At full speed to the end: every day, the same figures as the batch run.
    play_to_end(&mut lab, Speed::Times(1000.0));
    let days = lab.stores[0].sim.days().unwrap();
    assert_eq!(days.day() + 1, cal.days - 1, "the last open day is on show");
    assert_eq!(days.rows(), &batch.days[..], "every day, the last ones too");
}

/// `--day N` must name a day of every store on show.
#[test]
fn a_day_outside_the_calendar_is_refused() {
    let one_day = open(&["minimal.ron"], None);
    assert!(one_day.check_day(1).is_ok());
    let e = one_day.check_day(2).unwrap_err();
    assert!(e.contains("runs 1 day"), "{e}");
    // The corner shop runs 14 days from a Monday, closed on Sundays.
    let days = open(&["inventory/corner-shop.ron"], None);
    assert!(days.check_day(13).is_ok());
    let e = days.check_day(14).unwrap_err();
    assert!(e.contains("closed day"), "{e}");
    assert!(days.check_day(15).is_err());
    assert!(days.check_day(0).is_err());
}
