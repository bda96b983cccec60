//! `rota`: shifts and breaks. At least one shift; each starts at or after opening and before
//! closing, ends after it starts and at most 4 hours after closing (when the run may stop);
//! 1 to 1,000 staff, at most as many names as staff, none blank. Cashier shifts name a
//! staffed lane group with tills drawn, whose `open` count is then left out (the rota opens
//! its tills); restocker shifts name no group. Breaks fall due after 0 to 24 hours and last
//! 0 to 240 minutes, and a break must end before the shift it falls in. The staff start and
//! end their shifts at the backroom door: the layout needs a backroom.

use super::{Checks, Known};
use crate::scenario::{LaneKind, Scenario, ShiftRole};
use crate::sim::MAX_DRAIN;

pub(super) fn check(s: &Scenario, k: &Known, c: &mut Checks) {
    let Some(rota) = &s.rota else {
        return;
    };
    if rota.shifts.is_empty() {
        c.err("rota.shifts", "no shift: leave the rota out, or add shifts");
    }
    if let Some(plan) = &k.plan
        && plan.backroom_door.is_none()
    {
        c.err(
            "rota",
            "the staff start and end their shifts in the backroom, but the layout has none (draw `R` cells)",
        );
    }
    let b = &rota.breaks;
    let after_ok = c.range("rota.breaks.after_hours", b.after_hours, 0.0, 24.0, "h");
    let minutes_ok = c.range("rota.breaks.minutes", b.minutes, 0.0, 240.0, "min");
    for (i, sh) in rota.shifts.iter().enumerate() {
        let path = format!("rota.shifts[{i}]");
        let (from, to) = (sh.from.seconds(), sh.to.seconds());
        if from < k.open || from >= k.close {
            c.err(
                format!("{path}.from"),
                format!(
                    "{} lies outside the opening hours ({} to {}): a shift starts while the store is open",
                    sh.from,
                    crate::scenario::ClockTime(k.open),
                    crate::scenario::ClockTime(k.close)
                ),
            );
        }
        if to <= from {
            c.err(
                format!("{path}.to"),
                format!("{} is not after the shift's start {}", sh.to, sh.from),
            );
        } else if to > k.close + MAX_DRAIN {
            c.err(
                format!("{path}.to"),
                format!(
                    "{} is more than {} hours after closing: the run stops by then",
                    sh.to,
                    MAX_DRAIN / 3600.0
                ),
            );
        }
        if after_ok && minutes_ok && to > from {
            let after = b.after_hours * 3600.0;
            if to - from > after && from + after + b.minutes * 60.0 > to {
                c.err(
                    format!("{path}.to"),
                    format!(
                        "its break ({} min after {} h) would end after the shift: shorten the break or lengthen the shift",
                        b.minutes, b.after_hours
                    ),
                );
            }
        }
        if sh.staff == 0 || sh.staff > 1000 {
            c.err(
                format!("{path}.staff"),
                format!("{} staff; expected 1 to 1000", sh.staff),
            );
        }
        if sh.names.len() > sh.staff as usize {
            c.err(
                format!("{path}.names"),
                format!("{} names for {} staff", sh.names.len(), sh.staff),
            );
        }
        for (j, n) in sh.names.iter().enumerate() {
            if n.trim().is_empty() || n.chars().count() > 40 {
                c.err(
                    format!("{path}.names[{j}]"),
                    "a name has 1 to 40 characters, not blank",
                );
            }
        }
        match (sh.role, &sh.group) {
            (ShiftRole::Cashier, None) => c.err(
                format!("{path}.group"),
                "cashiers need the staffed lane group whose tills they open",
            ),
            (ShiftRole::Cashier, Some(g)) => match s.checkouts.groups.get(g) {
                None => c.err(format!("{path}.group"), super::unknown_group(s, g)),
                Some(group) if group.kind != LaneKind::Staffed => c.err(
                    format!("{path}.group"),
                    format!(
                        "lane group \"{g}\" is {}: cashiers open staffed tills",
                        group.kind.name()
                    ),
                ),
                Some(group) => {
                    if group.open.is_some() {
                        c.err(
                            format!("checkouts.groups[\"{g}\"].open"),
                            "the rota's cashiers open this group's tills: leave `open` out",
                        );
                    }
                    if let Some(plan) = &k.plan
                        && !plan.lanes.iter().any(|l| &l.group == g)
                    {
                        c.err(
                            format!("{path}.group"),
                            format!("lane group \"{g}\" has no till drawn"),
                        );
                    }
                }
            },
            (ShiftRole::Restocker, Some(_)) => c.err(
                format!("{path}.group"),
                "restockers work anywhere: a group is for cashiers",
            ),
            (ShiftRole::Restocker, None) => {}
        }
    }
}
