//! Staff in a whole run: the refill tasks on the staff task queue (once per product until
//! done, first posted first taken).

mod common;

use std::collections::BTreeSet;

use common::*;
use storelab::Simulation;
use storelab::sim::replenishment::Refills;
use storelab::sim::staff::{RoleKind, Staff, StaffMember, Task, TaskKind, TaskQueue};

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
            let TaskKind::Refill { product } = task.kind;
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
