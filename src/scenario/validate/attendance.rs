//! `attendants`: staff who help at self-checkouts. Every group named must be a self-checkout
//! group with lanes drawn (attendants for no terminal are an error); 1 to 1,000 terminals per
//! attendant; the intervention probability in [0, 1]; age-restricted products must be known;
//! the resolution time in seconds (0 to a day); the walking speed 0.05 to 5 m/s.

use std::collections::BTreeSet;

use super::{Checks, Known, MAX_SECONDS};
use crate::scenario::{LaneKind, Scenario};

pub(super) fn check(s: &Scenario, k: &Known, c: &mut Checks) {
    let Some(a) = &s.attendants else {
        return;
    };
    if a.groups.is_empty() {
        c.err(
            "attendants.groups",
            "no lane group named: attendants need self-checkouts to oversee",
        );
    }
    let mut seen = BTreeSet::new();
    for (i, g) in a.groups.iter().enumerate() {
        let path = format!("attendants.groups[{i}]");
        if !seen.insert(g.as_str()) {
            c.err(&path, format!("lane group \"{g}\" is named twice"));
            continue;
        }
        match s.checkouts.groups.get(g) {
            None => c.err(&path, super::unknown_group(s, g)),
            Some(group) if group.kind != LaneKind::SelfCheckout => c.err(
                &path,
                format!(
                    "lane group \"{g}\" is {}: attendants oversee self-checkouts only",
                    group.kind.name()
                ),
            ),
            Some(_) => {
                if let Some(plan) = &k.plan
                    && !plan.lanes.iter().any(|l| &l.group == g)
                {
                    c.err(
                        &path,
                        format!("lane group \"{g}\" has no lane drawn: no terminal to attend"),
                    );
                }
            }
        }
    }
    if a.terminals_per_attendant == 0 || a.terminals_per_attendant > 1000 {
        c.err(
            "attendants.terminals_per_attendant",
            format!(
                "{} terminals per attendant; expected 1 to 1000",
                a.terminals_per_attendant
            ),
        );
    }
    c.range("attendants.intervention", a.intervention, 0.0, 1.0, "");
    let products: BTreeSet<&str> = s.products.iter().map(|p| p.id.as_str()).collect();
    for (i, id) in a.age_restricted.iter().enumerate() {
        if !products.contains(id.as_str()) {
            c.err(
                format!("attendants.age_restricted[{i}]"),
                format!("unknown product \"{id}\""),
            );
        }
    }
    c.distribution("attendants.resolve", &a.resolve, 0.0, MAX_SECONDS, "s");
    c.range(
        "attendants.walking_speed",
        a.walking_speed,
        0.05,
        5.0,
        "m/s",
    );
}
