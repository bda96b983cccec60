//! `segments`, `scan_and_go`, `cashierless`: who checks out how.
//!
//! Shares lie in 0..1 and add up to 1 (one segment may leave its share out and take the
//! rest). A segment's `lanes` must name staffed-till or self-checkout groups, and only with
//! `checkout: Lanes`; its own walking speed, basket, pick time and patience are checked as the
//! customers' are (a patience needs `queue_behaviour.reneging`). Every checkout method in use
//! needs its lanes drawn and some open: tills or self-checkouts for `Lanes`, payment points
//! for scan & go paying at a point, exit gates for scan & go paying by app and for
//! cashierless, audit points when audits pick anyone; and every payment point, audit point
//! and gate must serve some segment. `scan_and_go` and `cashierless` need a segment that uses
//! them, and such a segment needs its section. Probabilities lie in 0..1, times in seconds
//! from 0 to an hour.

use std::collections::BTreeMap;

use super::{Checks, Known};
use crate::scenario::{CheckoutMethod, LaneKind, Rescan, ScanGoPayment, Scenario};

/// Longest segment id (it is a column of `customers.csv` and a KPI name).
const MAX_NAME: usize = 40;

pub(super) fn check(s: &Scenario, k: &Known, c: &mut Checks) {
    // Lane groups by kind with (drawn, open) counts, when the plan is known.
    let lanes: BTreeMap<&str, (LaneKind, u32, u32)> = match &k.plan {
        Some(plan) => s
            .checkouts
            .groups
            .iter()
            .map(|(id, g)| {
                let drawn = plan.lanes.iter().filter(|l| &l.group == id).count() as u32;
                // A schedule opens lanes later in the day: the most that will be open.
                let open = g
                    .schedule
                    .iter()
                    .map(|&(_, n)| n.min(drawn))
                    .fold(g.open.unwrap_or(drawn).min(drawn), u32::max);
                (id.as_str(), (g.kind, drawn, open))
            })
            .collect(),
        None => BTreeMap::new(),
    };
    let have = |kind: LaneKind| {
        k.plan.is_none() || lanes.values().any(|&(kd, _, open)| kd == kind && open > 0)
    };
    let uses = |method: CheckoutMethod| match &s.segments {
        None => method == CheckoutMethod::Lanes,
        Some(m) => m.values().any(|seg| seg.checkout == method),
    };
    let (lanes_used, scan_go_used, cashierless_used) = (
        uses(CheckoutMethod::Lanes),
        uses(CheckoutMethod::ScanAndGo),
        uses(CheckoutMethod::Cashierless),
    );
    if let Some(map) = &s.segments {
        segments(s, map, &lanes, &have, c);
    } else if k.plan.is_some() && !have(LaneKind::Staffed) && !have(LaneKind::SelfCheckout) {
        c.err(
            "checkouts.groups",
            "no staffed till or self-checkout is open: without segments every customer pays there",
        );
    }
    let sg = s.scan_and_go.as_ref();
    let app = sg.is_some_and(|x| x.payment == ScanGoPayment::App);
    let audits = sg.is_some_and(|x| x.audit.as_ref().is_some_and(|a| a.share > 0.0));
    // Which kinds some customer uses, for lane groups nobody would serve.
    let used = |kind: LaneKind| match kind {
        LaneKind::Staffed | LaneKind::SelfCheckout => lanes_used,
        LaneKind::PaymentPoint => scan_go_used && !app,
        LaneKind::Audit => scan_go_used && audits,
        LaneKind::Gate => cashierless_used || (scan_go_used && app),
        LaneKind::EntryGate => cashierless_used,
    };
    for (id, g) in &s.checkouts.groups {
        let path = format!("checkouts.groups[\"{id}\"]");
        if !g.kind.is_checkout() {
            if !used(g.kind) {
                c.err(
                    format!("{path}.kind"),
                    format!(
                        "{} serves no segment: add a segment with {}",
                        g.kind.name(),
                        match g.kind {
                            LaneKind::Audit => "checkout: ScanAndGo and scan_and_go.audit",
                            LaneKind::Gate => "checkout: Cashierless (or scan & go paying by App)",
                            LaneKind::EntryGate => "checkout: Cashierless",
                            _ => "checkout: ScanAndGo (paying at a Point)",
                        }
                    ),
                );
            }
            if g.item_limit.is_some() {
                c.err(
                    format!("{path}.item_limit"),
                    format!(
                        "an item limit applies to tills and self-checkouts, not to a {}",
                        g.kind.name()
                    ),
                );
            }
        }
    }
    match (sg, scan_go_used) {
        (Some(_), false) => c.err(
            "scan_and_go",
            "no segment uses scan & go: add one with checkout: ScanAndGo, or leave this section out",
        ),
        (Some(x), true) => {
            c.distribution("scan_and_go.scan_time", &x.scan_time, 0.0, 3600.0, "s");
            c.range(
                "scan_and_go.unscanned_per_item",
                x.unscanned_per_item,
                0.0,
                1.0,
                "",
            );
            if let Some(a) = &x.audit {
                c.range("scan_and_go.audit.share", a.share, 0.0, 1.0, "");
                if a.rescan == Rescan::Partial(0) {
                    c.err(
                        "scan_and_go.audit.rescan",
                        "Partial(0) rescans nothing; rescan at least 1 item, or Full",
                    );
                }
            }
            let (kind, what) = if app {
                (LaneKind::Gate, "scan & go customers paying by App leave through an exit gate, but no lane group of kind Gate is open (add one to checkouts.groups and draw its lanes)")
            } else {
                (LaneKind::PaymentPoint, "scan & go customers pay at a payment point, but no lane group of kind PaymentPoint is open (add one to checkouts.groups and draw its lanes)")
            };
            if !have(kind) {
                c.err("scan_and_go.payment", what);
            }
            if audits && !have(LaneKind::Audit) {
                c.err(
                    "scan_and_go.audit",
                    "audits need an audit point, but no lane group of kind Audit is open (add one to checkouts.groups and draw its lanes)",
                );
            }
        }
        (None, _) => {}
    }
    match (&s.cashierless, cashierless_used) {
        (Some(_), false) => c.err(
            "cashierless",
            "no segment checks out cashierless: add one with checkout: Cashierless, or leave this section out",
        ),
        (Some(x), true) => {
            c.distribution("cashierless.check_in", &x.check_in, 0.0, 3600.0, "s");
            c.range(
                "cashierless.missed_per_item",
                x.missed_per_item,
                0.0,
                1.0,
                "",
            );
            c.range(
                "cashierless.wrong_charge_per_item",
                x.wrong_charge_per_item,
                0.0,
                1.0,
                "",
            );
            if !have(LaneKind::Gate) {
                c.err(
                    "cashierless",
                    "cashierless customers leave through exit gates, but no lane group of kind Gate is open (add one to checkouts.groups and draw its lanes)",
                );
            }
            // With entrance gates they check in there, so one must be open.
            let entry = s
                .checkouts
                .groups
                .values()
                .any(|g| g.kind == LaneKind::EntryGate);
            if entry && !have(LaneKind::EntryGate) {
                c.err(
                    "checkouts.groups",
                    "cashierless customers check in at entrance gates, but no lane group of kind EntryGate is open (draw its lanes, or leave the group out to check in on walking in)",
                );
            }
        }
        (None, _) => {}
    }
}

/// The segments themselves: names, shares, lanes, their own distributions and sections.
fn segments(
    s: &Scenario,
    map: &BTreeMap<String, crate::scenario::Segment>,
    lanes: &BTreeMap<&str, (LaneKind, u32, u32)>,
    have: &dyn Fn(LaneKind) -> bool,
    c: &mut Checks,
) {
    if map.is_empty() {
        c.err(
            "segments",
            "no segment; leave the section out to have one segment of every customer",
        );
        return;
    }
    let mut stated = 0.0;
    let mut rest: Vec<&str> = Vec::new();
    for (name, seg) in map {
        let path = format!("segments[\"{name}\"]");
        if name.trim().is_empty() || name.chars().count() > MAX_NAME {
            c.err(
                &path,
                format!("a segment id has 1 to {MAX_NAME} characters, not blank"),
            );
        }
        match seg.share {
            Some(v) => {
                c.range(&format!("{path}.share"), v, 0.0, 1.0, "");
                stated += v;
            }
            None => rest.push(name),
        }
        if !seg.lanes.is_empty() && seg.checkout != CheckoutMethod::Lanes {
            c.err(
                format!("{path}.lanes"),
                "lanes are chosen by segments that check out at Lanes only",
            );
        }
        let mut open_here = false;
        for (i, g) in seg.lanes.iter().enumerate() {
            let lp = format!("{path}.lanes[{i}]");
            match s.checkouts.groups.get(g) {
                None => c.err(&lp, super::unknown_group(s, g)),
                Some(group) if !group.kind.is_checkout() => c.err(
                    &lp,
                    format!(
                        "lane group \"{g}\" is {}: segments choose among staffed tills and self-checkouts",
                        group.kind.name()
                    ),
                ),
                Some(_) => open_here |= lanes.get(g.as_str()).is_none_or(|l| l.2 > 0),
            }
        }
        if seg.checkout == CheckoutMethod::Lanes {
            let any = if seg.lanes.is_empty() {
                have(LaneKind::Staffed) || have(LaneKind::SelfCheckout)
            } else {
                open_here
            };
            if !any {
                c.err(
                    format!("{path}.checkout"),
                    "its customers pay at tills or self-checkouts, but none of theirs is open",
                );
            }
        }
        if seg.checkout == CheckoutMethod::ScanAndGo && s.scan_and_go.is_none() {
            c.err(
                format!("{path}.checkout"),
                "ScanAndGo needs a scan_and_go section (write `scan_and_go: ()` for the defaults)",
            );
        }
        if seg.checkout == CheckoutMethod::Cashierless && s.cashierless.is_none() {
            c.err(
                format!("{path}.checkout"),
                "Cashierless needs a cashierless section (write `cashierless: ()` for the defaults)",
            );
        }
        if let Some(b) = &seg.basket {
            super::shopping::basket(b, &format!("{path}.basket"), c);
        }
        if let Some(w) = &seg.walking_speed {
            super::shopping::walking_speed(w, &format!("{path}.walking_speed"), c);
        }
        if let Some(p) = &seg.pick_time {
            c.distribution(&format!("{path}.pick_time"), p, 0.0, 3600.0, "s");
        }
        if let Some(p) = &seg.patience {
            c.distribution(&format!("{path}.patience"), p, 0.0, super::MAX_SECONDS, "s");
            if s.queue_behaviour
                .as_ref()
                .is_none_or(|q| q.reneging.is_none())
            {
                c.err(
                    format!("{path}.patience"),
                    "a patience needs queue_behaviour.reneging (who reneges, and everyone else's patience)",
                );
            }
        }
    }
    if rest.len() > 1 {
        c.err(
            "segments",
            format!(
                "{} segments leave their share out ({}); only one may take the rest",
                rest.len(),
                rest.iter()
                    .map(|r| format!("\"{r}\""))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        );
    }
    let tolerance = 1e-6;
    if stated > 1.0 + tolerance {
        c.err(
            "segments",
            format!("shares add up to {stated:.4}, more than 1"),
        );
    } else if rest.is_empty() && (stated - 1.0).abs() > tolerance {
        c.err(
            "segments",
            format!(
                "shares add up to {stated:.4}, expected 1 (or leave one segment's share out: it takes the rest)"
            ),
        );
    }
}
