//! `checkouts.groups`: the lane groups. Each group must be named by the legend and drawn in
//! `layout.rows`; its `open` count (lanes) may not exceed the lanes drawn; every lane must be
//! reachable from every entrance and lead to an exit; `item_limit` in items; the service model
//! in seconds per customer. Queues (shared or per lane) need no check of their own. At least
//! one lane must be open, and some open lane must take the largest basket.

use super::layout::cut_off;
use super::{Checks, Known, MAX_BASKET, MAX_SECONDS, list_or_none};
use crate::scenario::{Basket, Scenario, ServiceModel};

pub(super) fn check(s: &Scenario, k: &Known, c: &mut Checks) {
    let co = &s.checkouts;
    if co.groups.is_empty() {
        c.err("checkouts.groups", "no lane groups");
    }
    for g in &k.legend_groups {
        if !co.groups.contains_key(*g) {
            c.err(
                "layout.legend",
                format!("checkout group \"{g}\" is drawn but not defined in checkouts.groups"),
            );
        }
    }
    let mut any_open = false;
    // Open tills and self-checkouts: (group, item limit).
    let mut open_limits: Vec<(&str, Option<u32>)> = Vec::new();
    for (id, g) in &co.groups {
        let path = format!("checkouts.groups[\"{id}\"]");
        let drawn = k
            .plan
            .as_ref()
            .map(|p| p.lanes.iter().filter(|l| &l.group == id).count() as u32);
        if k.legend_groups.contains(id.as_str()) && drawn == Some(0) {
            c.err(
                &path,
                format!(
                    "no lane of this group is drawn: the legend names Checkout(\"{id}\") but no cell of layout.rows uses its character"
                ),
            );
        } else if !k.legend_groups.contains(id.as_str()) {
            c.err(
                &path,
                format!(
                    "unknown lane group: no legend character stands for Checkout(\"{id}\"); the legend has {}",
                    list_or_none(&k.legend_groups)
                ),
            );
        } else if let Some(n) = drawn {
            let open_n = g.open.unwrap_or(n);
            if open_n > n {
                c.err(
                    format!("{path}.open"),
                    format!("{open_n} lanes open but only {n} drawn"),
                );
            }
            // A schedule keeps at least one lane open once it starts.
            if open_n.min(n) > 0 || !g.schedule.is_empty() {
                any_open = true;
                if g.kind.is_checkout() {
                    open_limits.push((id.as_str(), g.item_limit));
                }
            }
            if let Some(plan) = &k.plan {
                // Closed lanes too: the view can open any lane during the day.
                for lane in plan.lanes.iter().filter(|l| &l.group == id) {
                    if let Some(from) = cut_off(plan, lane.service_point) {
                        c.err(
                            &path,
                            format!(
                                "lane {}-{} cannot be reached from {from}; every entrance must reach every lane",
                                id, lane.number
                            ),
                        );
                    } else if plan
                        .exits
                        .iter()
                        .all(|&e| !plan.distance(lane.service_point, e).is_finite())
                    {
                        c.err(
                            &path,
                            format!("no exit can be reached from lane {}-{}", id, lane.number),
                        );
                    }
                }
            }
        }
        if let Some(limit) = g.item_limit
            && (limit == 0 || limit > MAX_BASKET)
        {
            c.err(
                format!("{path}.item_limit"),
                format!("{limit} items; expected 1 to {MAX_BASKET}"),
            );
        }
        match g.service {
            ServiceModel::PosRegression => {}
            ServiceModel::Exponential { mean } => {
                c.positive(&format!("{path}.service.mean"), mean, MAX_SECONDS, "s");
            }
            ServiceModel::Constant(v) => {
                c.positive(&format!("{path}.service"), v, MAX_SECONDS, "s");
            }
        }
    }
    if k.plan.is_some() && !co.groups.is_empty() && !any_open {
        c.err(
            "checkouts.groups",
            "no lane is open: customers could never pay",
        );
    }
    // Customers who check out at tills and self-checkouts (each segment of them, with its
    // own basket and lanes) need an open lane that takes their largest basket.
    for (name, basket, lanes) in super::lane_users(s) {
        let limits: Vec<Option<u32>> = open_limits
            .iter()
            .filter(|(g, _)| lanes.is_empty() || lanes.contains(g))
            .map(|&(_, l)| l)
            .collect();
        if limits.is_empty() || !limits.iter().all(Option::is_some) {
            continue;
        }
        let biggest = limits.iter().flatten().max().copied().unwrap_or(0);
        let basket_max = match basket {
            Basket::Constant(n) => Some(*n),
            Basket::Poisson { .. } => None,
            Basket::Empirical(table) => table.iter().map(|&(n, _)| n).max(),
        };
        if basket_max.is_none_or(|m| m > biggest) {
            let whose = if name.is_empty() {
                "baskets".to_string()
            } else {
                format!("baskets of segment \"{name}\"")
            };
            c.err(
                "checkouts.groups",
                format!(
                    "every open lane {} can use has an item limit (at most {biggest}) but {whose} can be larger; open a lane without item_limit",
                    if name.is_empty() { "a customer" } else { "the segment" }
                ),
            );
        }
    }
}
