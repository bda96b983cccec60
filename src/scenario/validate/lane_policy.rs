//! `lane_policy`: when tills open and close. "One in front" needs a staffed lane group with
//! a till that is closed at opening (one to open) and restockers with a backroom to call from
//! (a cashier to call); `max_waiting` 0 to 1,000 customers; `close_after_idle` and `handover`
//! in seconds, 0 to a day.

use super::{Checks, Known, MAX_SECONDS};
use crate::scenario::{LaneKind, LanePolicy, Scenario, ShiftRole};

pub(super) fn check(s: &Scenario, k: &Known, c: &mut Checks) {
    let Some(LanePolicy::OneInFront {
        group,
        max_waiting,
        close_after_idle,
        handover,
    }) = &s.lane_policy
    else {
        return;
    };
    let path = "lane_policy.OneInFront.group";
    match s.checkouts.groups.get(group) {
        None => c.err(path, super::unknown_group(s, group)),
        Some(g) if g.kind != LaneKind::Staffed => c.err(
            path,
            format!(
                "lane group \"{group}\" is {}: only staffed tills are opened by calling a cashier",
                g.kind.name()
            ),
        ),
        Some(g) => {
            if let Some(plan) = &k.plan {
                let drawn = plan.lanes.iter().filter(|l| &l.group == group).count() as u32;
                if g.open.unwrap_or(drawn) >= drawn {
                    c.err(
                        path,
                        format!(
                            "all {drawn} tills of \"{group}\" are open at opening: none is left to open (set checkouts.groups[\"{group}\"].open lower)"
                        ),
                    );
                }
            }
        }
    }
    let rota_restockers = s.rota.as_ref().map(|r| {
        r.shifts
            .iter()
            .filter(|sh| sh.role == ShiftRole::Restocker)
            .map(|sh| sh.staff)
            .sum::<u32>()
    });
    match rota_restockers {
        Some(0) | None if s.replenishment.restockers == 0 => c.err(
            "lane_policy",
            "no cashier to call: the policy calls restockers to the tills, and replenishment.restockers is 0",
        ),
        _ => {}
    }
    if s.rota
        .iter()
        .flat_map(|r| &r.shifts)
        .any(|sh| sh.role.at_lanes() && sh.group.as_ref() == Some(group))
    {
        c.err(
            "lane_policy.OneInFront.group",
            format!(
                "the rota's cashiers open the tills of \"{group}\": a policy cannot open them too"
            ),
        );
    }
    if *max_waiting > 1000 {
        c.err(
            "lane_policy.OneInFront.max_waiting",
            format!("{max_waiting} customers; at most 1000"),
        );
    }
    c.range(
        "lane_policy.OneInFront.close_after_idle",
        *close_after_idle,
        0.0,
        MAX_SECONDS,
        "s",
    );
    c.range(
        "lane_policy.OneInFront.handover",
        *handover,
        0.0,
        MAX_SECONDS,
        "s",
    );
}
