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
