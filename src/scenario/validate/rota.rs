//! `rota`: shifts and breaks. At least one shift; each starts at or after opening and before
//! closing, ends after it starts and at most 4 hours after closing (when the run may stop);
//! 1 to 1,000 staff, at most as many names as staff, none blank. Cashier shifts name a
//! staffed lane group or a scan & go payment point group, auditor shifts an audit group, with
//! lanes drawn, whose `open` count is then left out (the rota opens its lanes); attendant
//! shifts name a group of `attendants.groups` (and need that section); restocker shifts name
//! no group. Breaks fall due after 0 to 24 hours and last
//! 0 to 240 minutes, and a break must end before the shift it falls in. The staff start and
//! end their shifts at the backroom door: the layout needs a backroom. Customers who can pay
//! only at rota tills (no other till or self-checkout of theirs is open) need a cashier on
//! duty from opening to closing: the shifts of those groups must cover the opening hours. So
//! must the shifts of payment or audit points when scan & go customers have no others, and
//! the attendant shifts of each attended group. With a `calendar`, these rules about opening
//! hours hold on every open weekday, with that weekday's hours.

use super::{Checks, Known};
use crate::scenario::{LaneKind, Scenario, ShiftRole, Weekday, format_clock};
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
    let spans = opening_spans(s, k);
    let b = &rota.breaks;
    let after_ok = c.range("rota.breaks.after_hours", b.after_hours, 0.0, 24.0, "h");
    let minutes_ok = c.range("rota.breaks.minutes", b.minutes, 0.0, 240.0, "min");
    for (i, sh) in rota.shifts.iter().enumerate() {
        let path = format!("rota.shifts[{i}]");
        let (from, to) = (sh.from.seconds(), sh.to.seconds());
        // Against each distinct opening span (one message per field: the first span broken).
        if let Some(span) = spans.iter().find(|sp| from < sp.open || from >= sp.close) {
            c.err(
                format!("{path}.from"),
                format!(
                    "{} lies outside the opening hours{} ({} to {}): a shift starts while the store is open",
                    sh.from,
                    span.days,
                    crate::scenario::ClockTime(span.open),
                    crate::scenario::ClockTime(span.close)
                ),
            );
        }
        if to <= from {
            c.err(
                format!("{path}.to"),
                format!("{} is not after the shift's start {}", sh.to, sh.from),
            );
        } else if let Some(span) = spans.iter().find(|sp| to > sp.close + MAX_DRAIN) {
            c.err(
                format!("{path}.to"),
                format!(
                    "{} is more than {} hours after closing{} ({}): the run stops by then",
                    sh.to,
                    MAX_DRAIN / 3600.0,
                    span.days,
                    crate::scenario::ClockTime(span.close)
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
        // The lane kinds each role opens.
        let (kinds, what): (&[LaneKind], &str) = match sh.role {
            ShiftRole::Auditor => (&[LaneKind::Audit], "auditors open audit points"),
            _ => (
                &[LaneKind::Staffed, LaneKind::PaymentPoint],
                "cashiers open staffed tills or payment points",
            ),
        };
        match (sh.role, &sh.group) {
            (ShiftRole::Cashier, None) => c.err(
                format!("{path}.group"),
                "cashiers need the staffed lane group whose tills they open",
            ),
            (ShiftRole::Auditor, None) => c.err(
                format!("{path}.group"),
                "auditors need the Audit lane group whose audit points they open",
            ),
            (ShiftRole::Cashier | ShiftRole::Auditor, Some(g)) => match s.checkouts.groups.get(g) {
                None => c.err(format!("{path}.group"), super::unknown_group(s, g)),
                Some(group) if !kinds.contains(&group.kind) => c.err(
                    format!("{path}.group"),
                    format!("lane group \"{g}\" is {}: {what}", group.kind.name()),
                ),
                Some(group) => {
                    if group.open.is_some() {
                        c.err(
                            format!("checkouts.groups[\"{g}\"].open"),
                            "the rota's staff open this group's lanes: leave `open` out",
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
                "restockers work anywhere: a group is for cashiers and auditors",
            ),
            (ShiftRole::Restocker, None) => {}
            (ShiftRole::Attendant, None) => c.err(
                format!("{path}.group"),
                "attendants need the self-checkout group they help at",
            ),
            (ShiftRole::Attendant, Some(g)) => match &s.attendants {
                None => c.err(
                    format!("{path}.role"),
                    "attendants need the `attendants` section (how often terminals stop, how long help takes)",
                ),
                Some(a) if !a.groups.contains(g) => c.err(
                    format!("{path}.group"),
                    format!(
                        "lane group \"{g}\" is not attended: list it in attendants.groups"
                    ),
                ),
                Some(_) => {}
            },
        }
    }
    for span in &spans {
        coverage(s, span, c);
    }
}

/// Opening hours a rota must fit: from `open` to `close` (seconds since 00:00) on `days`.
struct Span {
    open: f64,
    close: f64,
    /// The weekdays with these hours, as words to follow "opening hours" or "closing" in a
    /// message (" on Sat, Sun"); empty when every day has them.
    days: String,
}

impl Span {
    /// The weekdays as a clause after a time span ("from 20:00 to 22:00 on Sat, no …").
    fn clause(&self) -> String {
        if self.days.is_empty() {
            String::new()
        } else {
            format!("{},", self.days)
        }
    }
}

/// The distinct opening hours of the open weekdays the run reaches: the scenario's `hours`
/// alone without a calendar, or when every such weekday has them. With a calendar, weekday
/// hours that are not a span (close not after open) are reported by `calendar` and left out
/// here.
fn opening_spans(s: &Scenario, k: &Known) -> Vec<Span> {
    let whole = || Span {
        open: k.open,
        close: k.close,
        days: String::new(),
    };
    let Some(cal) = &s.calendar else {
        return vec![whole()];
    };
    let mut spans: Vec<(f64, f64, Vec<Weekday>)> = Vec::new();
    // The weekdays the run reaches (a short run may never see a weekday's odd hours).
    let mut days: Vec<Weekday> = (0..cal.days.min(7))
        .map(|d| cal.first_weekday.plus(d))
        .filter(|day| !cal.closed.contains(day))
        .collect();
    days.sort();
    for day in days {
        let (open, close) = cal.hours_of(day, &s.hours).span();
        if close <= open {
            continue;
        }
        match spans.iter_mut().find(|(o, c, _)| (*o, *c) == (open, close)) {
            Some((_, _, days)) => days.push(day),
            None => spans.push((open, close, vec![day])),
        }
    }
    if spans.len() == 1 && spans[0].0 == k.open && spans[0].1 == k.close {
        return vec![whole()];
    }
    spans
        .into_iter()
        .map(|(open, close, days)| Span {
            open,
            close,
            days: format!(
                " on {}",
                days.iter()
                    .map(|d| format!("{d:?}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        })
        .collect()
}

/// Segments (or, without segments, every customer) that can pay only at rota tills need a
/// cashier of those groups on duty from opening to closing.
fn coverage(s: &Scenario, k: &Span, c: &mut Checks) {
    let Some(rota) = &s.rota else {
        return;
    };
    let rota_group = |g: &str| {
        rota.shifts
            .iter()
            .any(|sh| sh.role.at_lanes() && sh.group.as_deref() == Some(g))
    };
    // Attended self-checkouts whose attendants all come from the rota: a stop with nobody on
    // duty would block its terminal.
    let mut attended: Vec<&str> = rota
        .shifts
        .iter()
        .filter(|sh| sh.role == ShiftRole::Attendant)
        .filter_map(|sh| sh.group.as_deref())
        .collect();
    attended.sort_unstable();
    attended.dedup();
    for g in attended {
        if let Some((a, b)) = gap(rota, &[g], k) {
            c.err(
                "rota.shifts",
                format!(
                    "from {} to {}{} no attendant of \"{g}\" is on duty: stopped self-checkouts would wait for nobody",
                    format_clock(a),
                    format_clock(b),
                    k.clause(),
                ),
            );
        }
    }
    for (name, _, lanes) in super::lane_users(s) {
        let usable: Vec<(&str, &crate::scenario::LaneGroup)> = s
            .checkouts
            .groups
            .iter()
            .filter(|(id, g)| {
                g.kind.is_checkout() && (lanes.is_empty() || lanes.contains(&id.as_str()))
            })
            .map(|(id, g)| (id.as_str(), g))
            .collect();
        let elsewhere = usable
            .iter()
            .any(|(id, g)| !rota_group(id) && g.open != Some(0));
        let mine: Vec<&str> = usable
            .iter()
            .filter(|(id, _)| rota_group(id))
            .map(|(id, _)| *id)
            .collect();
        if elsewhere || mine.is_empty() {
            continue;
        }
        if let Some((a, b)) = gap(rota, &mine, k) {
            let who = if name.is_empty() {
                "every customer pays at these tills".to_string()
            } else {
                format!("segment \"{name}\" pays only at these tills")
            };
            c.err(
                "rota.shifts",
                format!(
                    "from {} to {}{} no cashier of {} is on duty, and {who}: customers would wait at closed tills",
                    format_clock(a),
                    format_clock(b),
                    k.clause(),
                    quoted(&mine)
                ),
            );
        }
    }
    // Scan & go's payment and audit points, when the rota staffs all of them.
    let Some(sg) = &s.scan_and_go else {
        return;
    };
    let steps = [
        (
            LaneKind::PaymentPoint,
            sg.payment == crate::scenario::ScanGoPayment::Point,
            "cashier",
            "scan & go customers pay",
        ),
        (
            LaneKind::Audit,
            sg.audit.as_ref().is_some_and(|a| a.share > 0.0),
            "auditor",
            "scan & go customers are audited",
        ),
    ];
    for (kind, used, role, who) in steps {
        let groups: Vec<&str> = s
            .checkouts
            .groups
            .iter()
            .filter(|(_, g)| g.kind == kind && g.open != Some(0))
            .map(|(id, _)| id.as_str())
            .collect();
        if !used || groups.is_empty() || groups.iter().any(|g| !rota_group(g)) {
            continue;
        }
        if let Some((a, b)) = gap(rota, &groups, k) {
            c.err(
                "rota.shifts",
                format!(
                    "from {} to {}{} no {role} of {} is on duty, and {who} only there: customers would wait at closed lanes",
                    format_clock(a),
                    format_clock(b),
                    k.clause(),
                    quoted(&groups)
                ),
            );
        }
    }
}

/// The first time between opening and closing when no shift of `groups` is on.
fn gap(rota: &crate::scenario::Rota, groups: &[&str], k: &Span) -> Option<(f64, f64)> {
    let mut spans: Vec<(f64, f64)> = rota
        .shifts
        .iter()
        .filter(|sh| sh.group.as_deref().is_some_and(|g| groups.contains(&g)))
        .map(|sh| (sh.from.seconds(), sh.to.seconds()))
        .collect();
    spans.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut covered = k.open;
    for (from, to) in spans {
        if from > covered {
            return Some((covered, from));
        }
        covered = covered.max(to);
    }
    (covered < k.close).then_some((covered, k.close))
}

fn quoted(ids: &[&str]) -> String {
    ids.iter()
        .map(|g| format!("\"{g}\""))
        .collect::<Vec<_>>()
        .join(", ")
}
