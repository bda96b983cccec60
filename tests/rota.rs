//! The rota: staff on shifts with breaks. At every moment each member is on duty (with one
//! task), on a break or off shift, as its shift says; a till of a rota group is open exactly
//! while one cashier sits at it; tills close only with their queue served; and every
//! member's hours add up to its shift.

mod common;

use common::*;
use storelab::Simulation;
use storelab::ids::{Id, LaneId};
use storelab::sim::checkout::{Checkout, CheckoutQueue, Lane};
use storelab::sim::rota::{Rostered, RotaState};
use storelab::sim::staff::{Duty, Role, StaffMember, Task};

#[test]
fn staff_are_in_one_state_at_a_time_and_hours_add_up_to_the_rota() {
    let s = load("checkout/rota.ron");
    let mut sim = Simulation::new(&s, 9);
    let members = sim.world().resource::<RotaState>().members.clone();
    assert_eq!(members.len(), 17, "11 cashiers and 6 restockers");
    let tills: Vec<LaneId> = {
        let checkout = sim.world().resource::<Checkout>();
        (0..checkout.lanes.len())
            .map(LaneId::from_index)
            .filter(|&l| checkout.lane_name(l).starts_with("till-"))
            .collect()
    };
    let mut t = sim.now();
    let (mut checked, mut on_break_seen) = (0, false);
    while !sim.finished() {
        t += 30.0;
        sim.run_until(t);
        let world = sim.world();
        let now = sim.now();
        for &e in &members {
            let m = world.get::<StaffMember>(e).unwrap();
            let r = world.get::<Rostered>(e).unwrap();
            // Off before its shift, and after it once it has left; never working without one.
            if now < r.from {
                assert_eq!(m.duty, Duty::Off, "{} before its shift", m.id);
            }
            if r.left.is_some() {
                assert_eq!(m.duty, Duty::Off);
            }
            if m.duty != Duty::On {
                assert!(
                    matches!(m.task, Task::Idle),
                    "{} off duty with a task {:?}",
                    m.id,
                    m.task
                );
            }
            on_break_seen |= m.duty == Duty::Break;
        }
        let checkout = world.resource::<Checkout>();
        for &l in &tills {
            let lane = world.get::<Lane>(checkout.lanes[l]).unwrap();
            let at: Vec<&StaffMember> = members
                .iter()
                .map(|&e| world.get::<StaffMember>(e).unwrap())
                .filter(|m| {
                    m.duty == Duty::On
                        && m.task == Task::AtLane
                        && m.role == Role::Cashier { lane: l }
                })
                .collect();
            // Open (or serving its queue before closing) exactly while one cashier sits there.
            assert_eq!(
                usize::from(lane.open || lane.draining),
                at.len(),
                "{} at {now}: open {} draining {}, {} cashiers",
                checkout.lane_name(l),
                lane.open,
                lane.draining,
                at.len()
            );
            if !lane.open && !lane.draining {
                let q = world
                    .get::<CheckoutQueue>(checkout.queues[lane.queue])
                    .unwrap();
                assert!(q.waiting.is_empty(), "a closed till left its queue");
            }
        }
        checked += 1;
    }
    assert!(checked > 500 && on_break_seen);
    let summary = sim.summary();
    let world = sim.world();
    let mut till_s = 0.0;
    for &e in &members {
        let m = world.get::<StaffMember>(e).unwrap();
        let r = world.get::<Rostered>(e).unwrap();
        let left = r.left.expect("everyone went home");
        assert!(left >= r.to, "{} left before its shift ended", m.id);
        assert!(
            left - r.to < 1800.0,
            "{} ran over by {} s",
            m.id,
            left - r.to
        );
        // Every second from the start of its shift to leaving is on duty or on a break.
        let (on, brk) = r.hours_at(m.duty, sim.now());
        assert!(
            (on + brk - (left - r.from)).abs() < 1e-6,
            "{}: {on} + {brk} against {}",
            m.id,
            left - r.from
        );
        let expected_break = if r.to - r.from > 6.0 * 3600.0 {
            1200.0
        } else {
            0.0
        };
        assert!((brk - expected_break).abs() < 1e-6, "{}: break {brk}", m.id);
        till_s += r.till_at(sim.now());
    }
    // The tills' staffed time is exactly the cashiers' time at them.
    let open_s: f64 = summary
        .lanes
        .iter()
        .filter(|l| l.id.starts_with("till-"))
        .map(|l| l.open_s)
        .sum();
    assert!(
        (open_s - till_s).abs() < 1e-6 * open_s,
        "tills open {open_s} s, cashiers at them {till_s} s"
    );
    let rota = summary.rota.unwrap();
    assert_eq!(rota.members.len(), 17);
    assert!((rota.break_hours - 15.0 * 1200.0 / 3600.0).abs() < 1e-9);
}

#[test]
fn bad_rotas_are_rejected_with_field_paths() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.ron");
    let text = format!(
        "(extends: {:?}, name: \"bad\", \
         lane_policy: OneInFront(group: \"till\", max_waiting: 1), \
         rota: (breaks: (after_hours: 6.0, minutes: 200.0), shifts: [\
           (role: Cashier, group: \"till\", from: \"05:00\", to: \"09:00\"), \
           (role: Cashier, from: \"08:00\", to: \"07:00\"), \
           (role: Cashier, group: \"self\", from: \"08:00\", to: \"16:00\"), \
           (role: Restocker, group: \"till\", from: \"10:00\", to: \"17:00\", staff: 1, names: [\"A\", \"B\"]), \
           (role: Restocker, from: \"10:00\", to: \"23:59\"), \
         ]))",
        scenario_path("supermarket.ron")
    );
    std::fs::write(&file, text).unwrap();
    assert_rejected(
        &file,
        &[
            ("rota.shifts[0].from", "outside the opening hours"),
            ("checkouts.groups[\"till\"].open", "leave `open` out"),
            ("rota.shifts[1].group", "cashiers need"),
            ("rota.shifts[1].to", "not after"),
            ("rota.shifts[2].group", "cashiers open staffed tills"),
            ("rota.shifts[2].to", "would end after the shift"),
            ("rota.shifts[3].group", "a group is for cashiers"),
            ("rota.shifts[3].names", "2 names for 1 staff"),
            (
                "lane_policy.OneInFront.group",
                "a policy cannot open them too",
            ),
        ],
    );
}

/// Customers who can pay only at rota tills need a cashier on duty all day.
#[test]
fn a_rota_with_a_gap_where_customers_can_pay_nowhere_else_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("gap.ron");
    let text = format!(
        "(extends: {:?}, name: \"gap\", \
         checkouts: (groups: {{ \"till\": (kind: Staffed, queue_side: Up), \
           \"self\": (kind: SelfCheckout, open: 0, queue_side: Up) }}), \
         rota: (shifts: [\
           (role: Cashier, group: \"till\", from: \"06:00\", to: \"12:00\", staff: 3), \
           (role: Cashier, group: \"till\", from: \"13:00\", to: \"22:00\", staff: 3), \
         ]))",
        scenario_path("checkout/rota.ron")
    );
    std::fs::write(&file, text).unwrap();
    assert_rejected(
        &file,
        &[(
            "rota.shifts",
            "from 12:00:00 to 13:00:00 no cashier of \"till\"",
        )],
    );
}

/// With a calendar, shifts must fit every open weekday's own hours: a Saturday that closes at
/// 14:00 has no shift starting at 14:00 or later, nor one ending more than 4 h after, and a
/// Friday open until 23:30 needs cashiers until then when customers can pay nowhere else. A
/// closed Sunday with odd hours is ignored, and so is a weekday the run never reaches.
#[test]
fn rota_shifts_must_fit_each_weekdays_hours() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, calendar: &str| {
        let file = dir.path().join(name);
        let text = format!(
            "(extends: {:?}, name: \"week\", \
             checkouts: (groups: {{ \"till\": (kind: Staffed, queue_side: Up), \
               \"self\": (kind: SelfCheckout, open: 0, queue_side: Up) }}), \
             calendar: {calendar})",
            scenario_path("checkout/rota.ron")
        );
        std::fs::write(&file, text).unwrap();
        file
    };
    let week = write(
        "week.ron",
        "(days: 7, closed: [Sun], hours: { \
           Sat: Daily(open: \"06:00\", close: \"14:00\"), \
           Fri: Daily(open: \"06:00\", close: \"23:30\"), \
           Sun: Daily(open: \"12:00\", close: \"13:00\") })",
    );
    assert_rejected(
        &week,
        &[
            // The late shift (14:00 to 22:00) starts when Saturday's doors close.
            (
                "rota.shifts[2].from",
                "14:00:00 lies outside the opening hours on Sat (06:00:00 to 14:00:00)",
            ),
            (
                "rota.shifts[2].to",
                "22:00:00 is more than 4 hours after closing on Sat (14:00:00)",
            ),
            (
                "rota.shifts[3].from",
                "17:00:00 lies outside the opening hours on Sat",
            ),
            (
                "rota.shifts",
                "from 22:00:00 to 23:30:00 on Fri, no cashier of \"till\"",
            ),
        ],
    );
    // The same store and rota pass when every day the run reaches keeps the rota's hours:
    // a weekday listed with the default hours, a closed Sunday with odd ones, and a short
    // Saturday after the last day (5 days from Monday). So nothing above comes from the rota
    // alone, and the coverage check (customers who can pay only at rota tills) ran here too.
    let fits = write(
        "fits.ron",
        "(days: 5, closed: [Sun], hours: { \
           Mon: Daily(open: \"06:00\", close: \"22:00\"), \
           Sat: Daily(open: \"06:00\", close: \"14:00\"), \
           Sun: Daily(open: \"12:00\", close: \"13:00\") })",
    );
    let o = std::process::Command::new(bin())
        .args(["validate", fits.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // One day more reaches that Saturday.
    let longer = write(
        "longer.ron",
        "(days: 6, closed: [Sun], hours: { Sat: Daily(open: \"06:00\", close: \"14:00\") })",
    );
    assert_rejected(
        &longer,
        &[(
            "rota.shifts[2].from",
            "lies outside the opening hours on Sat",
        )],
    );
}

/// One cashier, no self-checkouts: customers who come to the checkout during its break wait
/// at closed tills, and when it is back (at whichever till) they go there; nobody is left.
#[test]
fn customers_stranded_by_a_break_are_served_when_the_cashier_is_back() {
    let mut s = (*load("checkout/rota.ron")).clone();
    s.customers.arrival_multiplier = 0.08;
    s.checkouts.groups.get_mut("self").unwrap().open = Some(0);
    let rota = s.rota.as_mut().unwrap();
    rota.shifts
        .retain(|sh| sh.role == storelab::scenario::ShiftRole::Restocker);
    rota.shifts.push(storelab::scenario::Shift {
        role: storelab::scenario::ShiftRole::Cashier,
        group: Some("till".into()),
        from: storelab::scenario::ClockTime::parse("06:00").unwrap(),
        to: storelab::scenario::ClockTime::parse("23:00").unwrap(),
        staff: 1,
        names: vec!["Solo".into()],
    });
    let s = valid(s);
    let out = run(&s, 2);
    let c = &out.summary.customers;
    assert_eq!(c.inside_at_end, 0, "{c:?}");
    assert_eq!(c.served + c.left_without_buying, c.arrived);
    // Some waited through the break (20 min).
    let waited_break = out
        .records
        .iter()
        .filter(|r| r.wait.is_some_and(|w| w > 600.0))
        .count();
    assert!(waited_break > 0, "nobody came during the break");
}

/// The tills' shifts end at closing and no self-checkout is open: customers still inside
/// can pay nowhere but at a till, so the last cashier stays on (overtime) until they have
/// paid, and nobody is left in the store. Without it they waited at closed tills until the
/// cut-off.
#[test]
fn the_last_cashier_stays_until_customers_who_can_pay_nowhere_else_have_paid() {
    let mut s = (*load("checkout/rota.ron")).clone();
    s.customers.arrival_multiplier = 0.3;
    s.checkouts.groups.get_mut("self").unwrap().open = Some(0);
    let close = 22.0 * 3600.0;
    let s = valid(s);
    let out = run(&s, 4);
    let c = &out.summary.customers;
    assert_eq!(c.inside_at_end, 0, "{c:?}");
    assert_eq!(c.served + c.left_without_buying, c.arrived);
    let late = out
        .records
        .iter()
        .filter(|r| r.service_end.is_some_and(|t| t > close))
        .count();
    assert!(
        late > 0,
        "nobody paid after closing: the test shows nothing"
    );
    let rota = out.summary.rota.as_ref().unwrap();
    let stayed: Vec<_> = rota
        .members
        .iter()
        .filter(|m| m.role == "cashier" && m.to == "22:00:00" && m.overtime_h > 0.0)
        .collect();
    assert!(!stayed.is_empty(), "no closing cashier worked past 22:00");
    // Only as long as needed: the last of them leaves within a walk of the last customer.
    let last_out = out
        .records
        .iter()
        .filter_map(|r| r.exit)
        .fold(close, f64::max);
    let longest = stayed.iter().map(|m| m.overtime_h).fold(0.0, f64::max);
    assert!(
        close + longest * 3600.0 <= last_out + 120.0,
        "overtime {longest} h runs past the last customer's exit at {last_out}"
    );
}

/// The last cashier's break ends exactly when its shift does (15:40-22:00, break 21:40-22:00):
/// it comes back to close rather than going home, so the customers who queued at closed
/// tills during the break are served and nobody is left in the store.
#[test]
fn a_last_cashier_whose_break_ends_with_its_shift_comes_back_to_close() {
    use storelab::scenario::{ClockTime, Shift, ShiftRole};
    let mut s = (*load("checkout/rota.ron")).clone();
    s.customers.arrival_multiplier = 0.08;
    s.checkouts.groups.get_mut("self").unwrap().open = Some(0);
    let rota = s.rota.as_mut().unwrap();
    rota.shifts.retain(|sh| sh.role == ShiftRole::Restocker);
    for (from, to, name) in [("06:00", "15:40", "Early"), ("15:40", "22:00", "Late")] {
        rota.shifts.push(Shift {
            role: ShiftRole::Cashier,
            group: Some("till".into()),
            from: ClockTime::parse(from).unwrap(),
            to: ClockTime::parse(to).unwrap(),
            staff: 1,
            names: vec![name.into()],
        });
    }
    let out = run(&valid(s), 3);
    let c = &out.summary.customers;
    assert_eq!(c.inside_at_end, 0, "{c:?}");
    let late = out.summary.rota.as_ref().unwrap();
    let late = late
        .members
        .iter()
        .find(|m| m.name == "cashier Late")
        .unwrap();
    assert!(late.overtime_h > 0.0, "{late:?}");
    assert!((late.break_h - 1.0 / 3.0).abs() < 1e-9, "{late:?}");
}

/// Rota auditors open scan & go's audit point: it is open exactly while one sits there (its
/// open time equals their time at it), their hours are an auditor's, not a cashier's, the
/// early auditor hands over to the late one, and the late one stays until the audited
/// customers still inside are through.
#[test]
fn rota_auditors_open_the_audit_point_and_hand_over() {
    let s = load("checkout/scan-and-go-audited.ron");
    let out = run(&s, 3);
    let rota = out.summary.rota.as_ref().unwrap();
    assert!(rota.members.iter().all(|m| m.role == "auditor"), "{rota:?}");
    assert_eq!(rota.cashier_hours, 0.0);
    let on: f64 = rota.members.iter().map(|m| m.on_duty_h).sum();
    assert!(
        (rota.auditor_hours - on).abs() < 1e-9 && on > 15.0,
        "{rota:?}"
    );
    let audit = out
        .summary
        .lanes
        .iter()
        .find(|l| l.group == "audit")
        .unwrap();
    let at_till: f64 = rota.members.iter().map(|m| m.till_h * 3600.0).sum();
    assert!(
        (audit.open_s - at_till).abs() < 1e-6 * at_till,
        "audit point open {} s, auditors at it {at_till} s",
        audit.open_s
    );
    // Breaks close it: open less than the 16 opening hours minus two 20-minute breaks.
    assert!(audit.open_s < 16.0 * 3600.0 - 2.0 * 1200.0 + 120.0);
    assert!(audit.served > 50, "{audit:?}");
    // The early auditor hands over at 14:00 (a queue to serve at most), not later.
    assert!(rota.members[0].overtime_h < 0.1, "{rota:?}");
    assert_eq!(out.summary.customers.inside_at_end, 0);
}

#[test]
fn bad_auditor_shifts_are_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("auditors.ron");
    let text = format!(
        "(extends: {:?}, name: \"bad auditors\", \
         rota: (shifts: [\
           (role: Auditor, group: \"till\", from: \"06:00\", to: \"14:00\"), \
           (role: Auditor, from: \"06:00\", to: \"14:00\"), \
           (role: Auditor, group: \"audit\", from: \"06:00\", to: \"14:00\"), \
         ]))",
        scenario_path("checkout/scan-and-go.ron")
    );
    std::fs::write(&file, text).unwrap();
    assert_rejected(
        &file,
        &[
            ("rota.shifts[0].group", "auditors open audit points"),
            ("rota.shifts[1].group", "auditors need the Audit lane group"),
            (
                "rota.shifts",
                "from 14:00:00 to 22:00:00 no auditor of \"audit\" is on duty",
            ),
        ],
    );
}

/// Self-checkout attendants on the rota: off duty (or on a break) they help nobody, on duty
/// they take the stops of all 12 terminals; every stop is resolved and nobody is left in the
/// store (the last attendant stays until the customers are out); their hours add up to the
/// rota and the attendants' utilisation is per hour on duty. Fewer attendant-hours than two
/// attendants all day leave stopped terminals blocked longer, run by run with the same
/// customers.
#[test]
fn rota_attendants_help_only_on_duty_and_every_stop_is_resolved() {
    let s = load("checkout/sco-attendants-rota.ron");
    let mut sim = Simulation::new(&s, 5);
    let members = sim.world().resource::<RotaState>().members.clone();
    assert_eq!(members.len(), 3);
    let (mut t, mut helped_alone) = (sim.now(), false);
    while !sim.finished() {
        t += 20.0;
        sim.run_until(t);
        let world = sim.world();
        let now = sim.now();
        let holding = &world.resource::<RotaState>().holding;
        for &e in &members {
            let m = world.get::<StaffMember>(e).unwrap();
            let r = world.get::<Rostered>(e).unwrap();
            assert!(matches!(m.role, Role::Attendant { .. }));
            if m.duty != Duty::On {
                assert_eq!(m.task, Task::Idle, "{} off duty with {:?}", m.id, m.task);
                continue;
            }
            helped_alone |= matches!(m.task, Task::Helping { .. });
            // Past its shift only to finish the help in hand and walk back, or as the last.
            if now > r.to {
                assert!(
                    holding.contains(&e)
                        || matches!(
                            m.task,
                            Task::ToTerminal { .. } | Task::Helping { .. } | Task::Returning
                        ),
                    "{} on duty at {now} past its shift, {:?}",
                    m.id,
                    m.task
                );
            }
        }
    }
    assert!(helped_alone);
    let summary = sim.summary();
    let c = &summary.customers;
    assert_eq!(c.inside_at_end, 0, "{c:?}");
    let rota = summary.rota.as_ref().unwrap();
    let on: f64 = rota.members.iter().map(|m| m.on_duty_h).sum();
    assert!((rota.attendant_hours - on).abs() < 1e-9);
    // Each member: on duty + break = shift + overtime (8 h shifts).
    for m in &rota.members {
        assert!(
            (m.on_duty_h + m.break_h - 8.0 - m.overtime_h).abs() < 1e-6,
            "{m:?}"
        );
    }
    let a = summary.attendants.as_ref().unwrap();
    assert_eq!(a.counts.attendants, 3);
    assert!(a.counts.stops > 100, "{a:?}");
    assert!((a.utilisation - a.counts.busy_s / (on * 3600.0)).abs() < 1e-9);

    let fixed = load("checkout/sco-attendants.ron");
    let worse = (1..=5)
        .filter(|&seed| {
            let r = run(&s, seed).summary.attendants.unwrap().mean_blocked_s;
            let f = run(&fixed, seed).summary.attendants.unwrap().mean_blocked_s;
            r > f
        })
        .count();
    assert_eq!(
        worse, 5,
        "23 attendant-hours should block terminals longer than 32"
    );
}

#[test]
fn bad_attendant_shifts_are_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("attendants.ron");
    let text = format!(
        "(extends: {:?}, name: \"bad attendants\", \
         rota: (shifts: [\
           (role: Attendant, from: \"06:00\", to: \"14:00\"), \
           (role: Attendant, group: \"till\", from: \"06:00\", to: \"14:00\"), \
           (role: Attendant, group: \"self\", from: \"06:00\", to: \"14:00\"), \
         ]))",
        scenario_path("checkout/sco-attendants.ron")
    );
    std::fs::write(&file, text).unwrap();
    assert_rejected(
        &file,
        &[
            (
                "rota.shifts[0].group",
                "attendants need the self-checkout group",
            ),
            ("rota.shifts[1].group", "\"till\" is not attended"),
            (
                "rota.shifts",
                "from 14:00:00 to 22:00:00 no attendant of \"self\" is on duty",
            ),
        ],
    );
    let file = dir.path().join("no-section.ron");
    let text = format!(
        "(extends: {:?}, name: \"no section\", \
         rota: (shifts: [(role: Attendant, group: \"self\", from: \"06:00\", to: \"22:00\")]))",
        scenario_path("self-checkout.ron")
    );
    std::fs::write(&file, text).unwrap();
    assert_rejected(
        &file,
        &[(
            "rota.shifts[0].role",
            "attendants need the `attendants` section",
        )],
    );
}

/// A command cannot open or close a rota till: its cashiers' shifts do.
#[test]
fn commands_leave_rota_tills_alone() {
    use storelab::sim::checkout::SetLaneOpen;
    let s = load("checkout/rota.ron");
    let mut sim = Simulation::new(&s, 1);
    sim.run_until(7.0 * 3600.0);
    let (open_before, closed, open_till) = {
        let checkout = sim.world().resource::<Checkout>();
        let tills: Vec<LaneId> = (0..checkout.lanes.len())
            .map(LaneId::from_index)
            .filter(|&l| checkout.lane_name(l).starts_with("till-"))
            .collect();
        let open = |o: bool| *tills.iter().find(|&&l| checkout.lane_open[l] == o).unwrap();
        (
            checkout.lane_open.as_slice().to_vec(),
            open(false),
            open(true),
        )
    };
    sim.apply(SetLaneOpen {
        lane: closed,
        open: true,
    });
    sim.apply(SetLaneOpen {
        lane: open_till,
        open: false,
    });
    let checkout = sim.world().resource::<Checkout>();
    assert_eq!(checkout.lane_open.as_slice(), &open_before[..]);
}
