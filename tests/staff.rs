//! Staff in a whole run: names numbered within each role, and the refill tasks on the staff
//! task queue (once per product until done, first posted first taken).

mod common;

use std::collections::BTreeSet;

use common::*;
use storelab::Simulation;
use storelab::sim::replenishment::Refills;
use storelab::sim::staff::staff_name;
use storelab::sim::staff::{RoleKind, Staff, StaffMember, Task, TaskKind, TaskQueue};

#[test]
fn staff_are_numbered_within_their_role_in_the_log() {
    let mut sim = Simulation::new(&load("supermarket.ron"), 3);
    sim.enable_event_log();
    let world = sim.world();
    let staff = world.resource::<Staff>();
    let (cashiers, restockers) = (staff.cashiers.clone(), staff.restockers.clone());
    assert_eq!((cashiers.len(), restockers.len()), (6, 3));
    for (role, members) in [("cashier", &cashiers), ("restocker", &restockers)] {
        for (k, &e) in members.iter().enumerate() {
            let m = world.get::<StaffMember>(e).unwrap();
            assert_eq!(staff_name(m), format!("{role} {}", k + 1));
        }
    }
    sim.run_to_end();
    // Restockers come after the cashiers in the global ids, yet are called 1..3.
    let who: BTreeSet<&str> = sim
        .event_log()
        .unwrap()
        .rows
        .iter()
        .filter(|r| r.staff.is_some())
        .map(|r| r.who.as_str())
        .collect();
    assert_eq!(
        who,
        BTreeSet::from(["restocker 1", "restocker 2", "restocker 3"])
    );
}

#[test]
fn refills_wait_once_per_product_and_first_posted_first() {
    let mut sim = Simulation::new(&load("supermarket.ron"), 3);
    let mut longest = 0;
    let mut t = sim.now();
    while !sim.finished() {
        t += 30.0;
        sim.run_until(t);
        let world = sim.world();
        let queue = world.resource::<TaskQueue>();
        let refills = world.resource::<Refills>();
        let mut waiting = BTreeSet::new();
        let mut last_posted = f64::NEG_INFINITY;
        for task in queue.iter() {
            assert_eq!(task.role, RoleKind::Restocker);
            assert!(task.posted <= t && task.posted >= last_posted, "FIFO");
            last_posted = task.posted;
            let TaskKind::Refill { product } = task.kind else {
                panic!("only refills in a day without counts: {task:?}");
            };
            assert!(waiting.insert(product), "{product:?} queued twice");
            assert!(refills.pending(product));
        }
        let staff = world.resource::<Staff>();
        for &e in &staff.restockers {
            match world.get::<StaffMember>(e).unwrap().task {
                Task::ToShelf { product, .. } | Task::Refilling { product, .. } => {
                    assert!(
                        !waiting.contains(&product),
                        "{product:?} queued while under way"
                    );
                    assert!(refills.pending(product));
                }
                Task::Idle => assert!(queue.is_empty(), "an idle restocker and a task waiting"),
                _ => {}
            }
        }
        longest = longest.max(queue.len());
    }
    assert!(longest > 1, "the queue never held more than {longest} task");
    assert!(sim.world().resource::<Refills>().done > 0);
}
