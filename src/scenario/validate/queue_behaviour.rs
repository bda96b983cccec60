//! `queue_behaviour`: balking, reneging and jockeying at the checkout. The balking table's
//! queue lengths (customers) strictly ascending, at most [`MAX_QUEUE_LENGTH`], each
//! probability in [0, 1]; the reneging share in [0, 1] and the patience in seconds (0 to a
//! day); jockeying's minimum difference 1 to [`MAX_QUEUE_LENGTH`] customers, and at least two
//! queues to move between.

use super::{Checks, Known, MAX_SECONDS};
use crate::scenario::{QueueDiscipline, Scenario};

/// Longest queue length a balking table or a jockeying rule may name (customers).
pub const MAX_QUEUE_LENGTH: u32 = 100_000;

pub(super) fn check(s: &Scenario, k: &Known, c: &mut Checks) {
    let Some(b) = &s.queue_behaviour else {
        return;
    };
    let mut previous: Option<u32> = None;
    for (i, &(length, p)) in b.balking.iter().enumerate() {
        let path = format!("queue_behaviour.balking[{i}]");
        if length > MAX_QUEUE_LENGTH {
            c.err(
                &path,
                format!("queue length {length} customers; at most {MAX_QUEUE_LENGTH}"),
            );
        }
        if let Some(prev) = previous
            && length <= prev
        {
            c.err(
                &path,
                format!("queue lengths must rise from entry to entry: {length} follows {prev}"),
            );
        }
        previous = Some(length);
        if !(0.0..=1.0).contains(&p) {
            c.err(
                &path,
                format!("balking probability {p} is out of range; expected 0 to 1"),
            );
        }
    }
    if let Some(r) = &b.reneging {
        c.range("queue_behaviour.reneging.share", r.share, 0.0, 1.0, "");
        c.distribution(
            "queue_behaviour.reneging.patience",
            &r.patience,
            0.0,
            MAX_SECONDS,
            "s",
        );
    }
    if let Some(j) = &b.jockeying {
        let path = "queue_behaviour.jockeying.min_difference";
        if j.min_difference == 0 || j.min_difference > MAX_QUEUE_LENGTH {
            c.err(
                path,
                format!(
                    "{} customers; expected 1 to {MAX_QUEUE_LENGTH} (0 would send customers back and forth)",
                    j.min_difference
                ),
            );
        }
        // Counted on the floor plan (when the layout could be built; `layout` says why not).
        let queues = k.plan.as_ref().map(|plan| {
            s.checkouts
                .groups
                .iter()
                .map(|(id, g)| {
                    let lanes = plan.lanes.iter().filter(|l| &l.group == id).count();
                    match g.queue {
                        QueueDiscipline::Shared => usize::from(lanes > 0),
                        QueueDiscipline::PerLane => lanes,
                    }
                })
                .sum::<usize>()
        });
        if let Some(queues) = queues
            && queues < 2
        {
            c.err(
                "queue_behaviour.jockeying",
                format!(
                    "the checkout has {queues} queue{}: jockeying needs at least two to move between",
                    if queues == 1 { "" } else { "s" }
                ),
            );
        }
    }
}
