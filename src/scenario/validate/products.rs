//! `products`: the assortment. Each product's id (unique), price (currency units), shelf (a
//! shelf of the legend, drawn in `layout.rows` and reachable from every entrance), shelf
//! capacity and starting stock (units), backroom stock (units) and popularity (a relative
//! weight; the weights must add up to a positive sum).

use std::collections::BTreeMap;

use super::layout::cut_off;
use super::{Checks, Known, list_or_none};
use crate::scenario::Scenario;

/// Products a scenario may list.
pub const MAX_PRODUCTS: usize = 20_000;
/// Popularities are relative weights; this range keeps the sampling table exact.
pub const MIN_POPULARITY: f64 = 1e-6;
pub const MAX_POPULARITY: f64 = 1e9;
/// Units a shelf space or the backroom may hold of one product.
pub const MAX_STOCK: u32 = 10_000_000;

pub(super) fn check(s: &Scenario, k: &Known, c: &mut Checks) {
    if s.products.is_empty() {
        c.err("products", "no products: a store needs at least one");
    }
    if s.products.len() > MAX_PRODUCTS {
        c.err(
            "products",
            format!(
                "{} products; at most {MAX_PRODUCTS} are supported",
                s.products.len()
            ),
        );
    }
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, p) in s.products.iter().enumerate() {
        let path = format!("products[{i}]");
        if p.id.trim().is_empty() {
            c.err(format!("{path}.id"), "must not be empty");
        }
        if let Some(first) = seen.insert(p.id.as_str(), i) {
            c.err(
                format!("{path}.id"),
                format!("duplicate product id \"{}\" (also products[{first}])", p.id),
            );
        }
        c.range(
            &format!("{path}.price"),
            p.price,
            0.0,
            1e7,
            "currency units",
        );
        if !k.legend_shelves.contains(p.shelf.as_str()) {
            c.err(
                format!("{path}.shelf"),
                format!(
                    "unknown shelf \"{}\"; the layout legend has {}",
                    p.shelf,
                    list_or_none(&k.legend_shelves)
                ),
            );
        } else if let Some(plan) = &k.plan
            && let Some(si) = plan.shelf_index(&p.shelf)
            && let Some(from) = cut_off(plan, plan.shelves[si].access)
        {
            c.err(
                format!("{path}.shelf"),
                format!(
                    "shelf \"{}\" cannot be reached from {from} (walled in?); every entrance must reach every shelf",
                    p.shelf
                ),
            );
        } else if let Some(plan) = &k.plan
            && plan.shelf_index(&p.shelf).is_none()
        {
            c.err(
                format!("{path}.shelf"),
                format!(
                    "shelf \"{}\" is in the legend but not drawn in layout.rows",
                    p.shelf
                ),
            );
        }
        if p.capacity == 0 || p.capacity > MAX_STOCK {
            c.err(
                format!("{path}.capacity"),
                format!("{} units; expected 1 to {MAX_STOCK}", p.capacity),
            );
        }
        if let Some(stock) = p.shelf_stock
            && stock > p.capacity
        {
            c.err(
                format!("{path}.shelf_stock"),
                format!(
                    "{stock} units do not fit on a shelf space of capacity {}",
                    p.capacity
                ),
            );
        }
        if p.backroom_stock > MAX_STOCK {
            c.err(
                format!("{path}.backroom_stock"),
                format!("more than {MAX_STOCK} units"),
            );
        }
        c.range(
            &format!("{path}.popularity"),
            p.popularity,
            MIN_POPULARITY,
            MAX_POPULARITY,
            "",
        );
    }
    let total_popularity: f64 = s.products.iter().map(|p| p.popularity).sum();
    let sane_total = total_popularity.is_finite() && total_popularity > 0.0;
    if !s.products.is_empty() && !sane_total {
        c.err(
            "products",
            format!("popularities add up to {total_popularity}; expected a positive finite sum"),
        );
    }
}
