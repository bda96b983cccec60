//! `hours`: when the doors are open. Either `Daily` opening and closing clock times
//! (`"HH:MM"`, close after open) or a `Duration` in hours; at most [`MAX_HOURS`] either way.
//! Units: clock times and hours as written; internally seconds since 00:00.

use super::Checks;
use crate::scenario::{Hours, Scenario};

/// Longest accepted opening (a year and a day), also the longest warm-up.
pub const MAX_HOURS: f64 = 24.0 * 366.0;

pub(super) fn check(s: &Scenario, c: &mut Checks) {
    let (open, close) = s.hours.span();
    match &s.hours {
        Hours::Daily { .. } => {
            if close <= open {
                c.err("hours", "close must be after open");
            } else if close - open > MAX_HOURS * 3600.0 {
                c.err("hours", format!("more than {MAX_HOURS} hours"));
            }
        }
        Hours::Duration { hours } => {
            c.positive("hours.hours", *hours, MAX_HOURS, "h");
        }
    }
}
