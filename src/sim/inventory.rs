//! Inventory: the one ledger of stock. Every change of a product's stock goes through it — a
//! customer taking units, a restocker carrying units from the backroom and putting them on the
//! shelf — so physical stock and the stock the store's system believes it has (the *record*)
//! are kept apart in one place and every flow is counted once.
//!
//! Models, per product: units on the shelf (with the shelf's capacity), in the backroom, carried
//! by staff between the two, and misplaced (neither shoppers nor restockers find them); and the
//! record, which scanned sales lower. Customers and restockers change stock only through
//! [`Inventory`]'s methods, which keep the books: sold, lost sales (wanted but the shelf was
//! empty), refilled, times the shelf ran empty and for how long. The record moves only with
//! sales today; deliveries, shrinkage, counts and the other causes of record errors will
//! change it here too.
//!
//! Units: units of stock, seconds (empty-shelf time), currency.

use bevy::prelude::*;

use crate::RunConfig;
use crate::ids::{IdVec, ProductId};
use crate::sim::catalog::Catalog;
use crate::sim::engine::Clock;

/// Where a product's units are, and what the system records.
#[derive(Clone, Debug, PartialEq)]
pub struct Stock {
    /// On the shelf, where customers find them.
    pub shelf: u32,
    /// Most units the shelf holds.
    pub capacity: u32,
    /// In the backroom, where restockers find them.
    pub backroom: u32,
    /// Carried by staff from the backroom to the shelf.
    pub carried: u32,
    /// In the store but found by nobody.
    pub misplaced: u32,
    /// What the store's system believes it holds (shelf, backroom and carried together). It
    /// can fall below zero, as real records do when more is scanned than was booked.
    pub record: i64,
}

impl Stock {
    /// Every unit physically in the store.
    pub fn physical(&self) -> u64 {
        u64::from(self.shelf)
            + u64::from(self.backroom)
            + u64::from(self.carried)
            + u64::from(self.misplaced)
    }
}

/// A product's flows since the start of the run.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Flows {
    pub initial_shelf: u64,
    pub initial_backroom: u64,
    /// Units customers took from the shelf.
    pub sold: u64,
    /// Units customers wanted but found no more on the shelf: lost sales.
    pub lost: u64,
    /// Units put on the shelf from the backroom.
    pub refilled: u64,
    /// Times the shelf ran empty.
    pub stockouts: u64,
    /// Seconds the shelf was empty, closed intervals only (see [`Inventory::empty_seconds_at`]).
    pub empty_seconds: f64,
    /// Since when the shelf is empty, if it is.
    pub empty_since: Option<f64>,
}

/// What a customer got at a shelf.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Taken {
    pub taken: u32,
    pub lost: u32,
    /// Units left on the shelf.
    pub left: u32,
}

/// The stock ledger of the store.
#[derive(Resource, Clone, Debug)]
pub struct Inventory {
    stock: IdVec<ProductId, Stock>,
    flows: IdVec<ProductId, Flows>,
    /// Sum of `lost` and number of empty shelves, kept as they change so that a time-series
    /// sample does not walk every product.
    lost_total: u64,
    empty_now: u64,
}

impl Inventory {
    /// The stock at opening: shelves and backroom as the scenario says, the record equal to it.
    pub fn new(stock: IdVec<ProductId, Stock>, open: f64) -> Self {
        let flows: IdVec<ProductId, Flows> = stock
            .iter()
            .map(|s| Flows {
                initial_shelf: u64::from(s.shelf),
                initial_backroom: u64::from(s.backroom),
                empty_since: (s.shelf == 0).then_some(open),
                ..Flows::default()
            })
            .collect();
        let empty_now = flows.iter().filter(|f| f.empty_since.is_some()).count() as u64;
        Inventory {
            stock,
            flows,
            lost_total: 0,
            empty_now,
        }
    }

    pub fn stock(&self, p: ProductId) -> &Stock {
        &self.stock[p]
    }

    pub fn flows(&self, p: ProductId) -> &Flows {
        &self.flows[p]
    }

    /// Every product's stock, in catalogue order.
    pub fn all_stock(&self) -> impl Iterator<Item = &Stock> {
        self.stock.iter()
    }

    /// Every product's flows, in catalogue order.
    pub fn all_flows(&self) -> impl Iterator<Item = &Flows> {
        self.flows.iter()
    }

    /// Lost sales so far, all products.
    pub fn lost_total(&self) -> u64 {
        self.lost_total
    }

    /// Products whose shelf is empty now.
    pub fn empty_now(&self) -> u64 {
        self.empty_now
    }

    /// A customer wants `wanted` units at `now`: takes what the shelf holds, the rest is lost.
    /// Units taken are scanned later at the till; the record falls now (a basket is never
    /// abandoned today).
    pub fn take(&mut self, p: ProductId, wanted: u32, now: f64) -> Taken {
        let s = &mut self.stock[p];
        let f = &mut self.flows[p];
        let taken = wanted.min(s.shelf);
        let lost = wanted - taken;
        s.shelf -= taken;
        s.record -= i64::from(taken);
        f.sold += u64::from(taken);
        f.lost += u64::from(lost);
        self.lost_total += u64::from(lost);
        if taken > 0 && s.shelf == 0 {
            f.stockouts += 1;
            if f.empty_since.replace(now).is_none() {
                self.empty_now += 1;
            }
        }
        Taken {
            taken,
            lost,
            left: s.shelf,
        }
    }

    /// A restocker takes from the backroom what fills the shelf's gap, as far as the
    /// backroom holds it; returns the units it carries.
    pub fn pick_for_refill(&mut self, p: ProductId) -> u32 {
        let s = &mut self.stock[p];
        // Units already carried to this shelf fill part of its gap.
        let gap = s.capacity.saturating_sub(s.shelf + s.carried);
        let units = gap.min(s.backroom);
        s.backroom -= units;
        s.carried += units;
        units
    }

    /// A restocker puts `units` it carried on the shelf at `now`.
    pub fn put_on_shelf(&mut self, p: ProductId, units: u32, now: f64) {
        let s = &mut self.stock[p];
        let f = &mut self.flows[p];
        debug_assert!(units <= s.carried, "puts more than it carried");
        s.carried -= units;
        // Customers only took stock since the units were picked, so they always fit.
        s.shelf += units;
        debug_assert!(s.shelf <= s.capacity);
        f.refilled += u64::from(units);
        if units > 0
            && let Some(since) = f.empty_since.take()
        {
            f.empty_seconds += now - since;
            self.empty_now -= 1;
        }
    }

    /// Seconds each product's shelf was empty up to `now` (open intervals end at `now`).
    pub fn empty_seconds_at(&self, now: f64) -> IdVec<ProductId, f64> {
        self.flows
            .iter()
            .map(|f| f.empty_seconds + f.empty_since.map_or(0.0, |t| (now - t).max(0.0)))
            .collect()
    }

    /// Lost sales up to `now`.
    pub fn lost_sales(&self, catalog: &Catalog, now: f64) -> LostSales {
        LostSales {
            items: self.lost_total,
            value: self
                .flows
                .iter()
                .zip(&catalog.products)
                .map(|(f, p)| f.lost as f64 * p.price)
                .sum(),
            stockouts: self.flows.iter().map(|f| f.stockouts).sum(),
            empty_seconds: self.empty_seconds_at(now).iter().sum(),
        }
    }

    /// Checks the books of product `p`: what came in equals what went out plus what is
    /// there, and the record equals the units the system saw come and go. `Err` names the
    /// first difference (a bug, never input).
    pub fn check(&self, p: ProductId) -> Result<(), String> {
        let (s, f) = (&self.stock[p], &self.flows[p]);
        let came = f.initial_shelf + f.initial_backroom;
        let went = f.sold + s.physical();
        if came != went {
            return Err(format!(
                "product {p:?}: initial {came} units but sold + on hand = {went}"
            ));
        }
        let booked = came as i64 - f.sold as i64;
        if s.record != booked {
            return Err(format!(
                "product {p:?}: record {} but bookings say {booked}",
                s.record
            ));
        }
        Ok(())
    }
}

/// Sales lost to empty shelves, up to a time.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LostSales {
    /// Items wanted but found on an empty shelf, and their value.
    pub items: u64,
    pub value: f64,
    /// Times a product's shelf ran empty.
    pub stockouts: u64,
    /// Product-seconds with an empty shelf.
    pub empty_seconds: f64,
}

pub struct InventoryPlugin;

impl Plugin for InventoryPlugin {
    fn build(&self, app: &mut App) {
        let config = app.world().resource::<RunConfig>().clone();
        let open = app.world().resource::<Clock>().open;
        let stock = config
            .scenario
            .products
            .iter()
            .map(|p| {
                let shelf = p.shelf_stock.unwrap_or(p.capacity);
                Stock {
                    shelf,
                    capacity: p.capacity,
                    backroom: p.backroom_stock,
                    carried: 0,
                    misplaced: 0,
                    record: i64::from(shelf) + i64::from(p.backroom_stock),
                }
            })
            .collect();
        app.insert_resource(Inventory::new(stock, open));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::Id;

    #[allow(non_snake_case)]
    fn P() -> ProductId {
        ProductId::from_index(0)
    }

    fn one(shelf: u32, capacity: u32, backroom: u32) -> Inventory {
        let stock = vec![Stock {
            shelf,
            capacity,
            backroom,
            carried: 0,
            misplaced: 0,
            record: i64::from(shelf + backroom),
        }];
        Inventory::new(stock.into(), 0.0)
    }

    #[test]
    fn taking_more_than_the_shelf_holds_loses_the_rest_and_opens_an_empty_spell() {
        let mut inv = one(3, 10, 20);
        assert_eq!(
            inv.take(P(), 2, 10.0),
            Taken {
                taken: 2,
                lost: 0,
                left: 1
            }
        );
        assert_eq!(
            inv.take(P(), 4, 20.0),
            Taken {
                taken: 1,
                lost: 3,
                left: 0
            }
        );
        assert_eq!(inv.flows(P()).stockouts, 1);
        assert_eq!(inv.empty_now(), 1);
        assert_eq!(inv.lost_total(), 3);
        // Missing at an empty shelf is no new stock-out.
        inv.take(P(), 1, 25.0);
        assert_eq!(inv.flows(P()).stockouts, 1);
        assert_eq!(inv.empty_seconds_at(50.0)[P()], 30.0);
        assert_eq!(
            inv.stock(P()).record,
            20,
            "the record falls by units sold only"
        );
        inv.check(P()).unwrap();
    }

    #[test]
    fn a_refill_fills_the_gap_from_the_backroom_and_closes_the_empty_spell() {
        let mut inv = one(1, 10, 4);
        inv.take(P(), 1, 5.0);
        let units = inv.pick_for_refill(P());
        assert_eq!(units, 4, "the backroom limits it");
        assert_eq!(inv.stock(P()).carried, 4);
        // A second picker finds nothing left to fill (and no backroom).
        assert_eq!(inv.pick_for_refill(P()), 0);
        inv.check(P()).unwrap();
        inv.put_on_shelf(P(), units, 65.0);
        assert_eq!(inv.stock(P()).shelf, 4);
        assert_eq!(inv.flows(P()).empty_seconds, 60.0);
        assert_eq!(inv.empty_now(), 0);
        assert_eq!(inv.flows(P()).refilled, 4);
        inv.check(P()).unwrap();
    }

    #[test]
    fn the_check_finds_a_unit_that_vanished_or_a_record_that_moved() {
        let mut inv = one(5, 10, 5);
        inv.stock[P()].shelf -= 1;
        assert!(inv.check(P()).unwrap_err().contains("sold + on hand"));
        let mut inv = one(5, 10, 5);
        inv.stock[P()].record += 1;
        assert!(inv.check(P()).unwrap_err().contains("record"));
    }
}
