//! `checkouts.groups.*.schedule`: lanes open by time of day. Times strictly ascending, each
//! before closing (a time before opening applies at opening); each count at least 1 (a group
//! kept closed all day has `open: 0` instead) and at most the lanes drawn. A group whose lanes
//! the rota's cashiers or the lane policy open and close cannot also follow a schedule.

use super::{Checks, Known};
use crate::scenario::{LanePolicy, Scenario};

pub(super) fn check(s: &Scenario, k: &Known, c: &mut Checks) {
    for (id, g) in &s.checkouts.groups {
        if g.schedule.is_empty() {
            continue;
        }
        let path = format!("checkouts.groups[\"{id}\"].schedule");
        let drawn = k
            .plan
            .as_ref()
            .map(|p| p.lanes.iter().filter(|l| &l.group == id).count() as u32);
        let mut last: Option<f64> = None;
        for (i, (t, lanes)) in g.schedule.iter().enumerate() {
            let at = format!("{path}[{i}]");
            if t.seconds() >= k.close {
                c.err(
                    format!("{at}.0"),
                    format!(
                        "{t} is not before closing ({}): it would never apply",
                        crate::scenario::ClockTime(k.close)
                    ),
                );
            }
            if let Some(prev) = last
                && t.seconds() <= prev
            {
                c.err(
                    format!("{at}.0"),
                    format!(
                        "{t} is not after the entry before it ({}): list the times in order",
                        crate::scenario::ClockTime(prev)
                    ),
                );
            }
            last = Some(t.seconds());
            if *lanes == 0 {
                c.err(
                    format!("{at}.1"),
                    "0 lanes: a scheduled group keeps at least one lane open (`open: 0` keeps a group closed all day)",
                );
            } else if let Some(n) = drawn
                && *lanes > n
            {
                c.err(
                    format!("{at}.1"),
                    format!("{lanes} lanes open but only {n} drawn"),
                );
            }
        }
        if s.rota.as_ref().is_some_and(|r| {
            r.shifts
                .iter()
                .any(|sh| sh.group.as_ref() == Some(id) && sh.role.at_lanes())
        }) {
            c.err(
                path.clone(),
                format!(
                    "the rota's shifts open the lanes of \"{id}\": a schedule cannot open them too"
                ),
            );
        }
        if let Some(LanePolicy::OneInFront { group, .. }) = &s.lane_policy
            && group == id
        {
            c.err(
                path,
                format!(
                    "the lane policy opens the tills of \"{id}\": a schedule cannot open them too"
                ),
            );
        }
    }
}
