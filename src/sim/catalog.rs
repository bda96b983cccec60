//! The catalogue: the assortment on sale and where each product sits.
//!
//! Models what can be bought: each product's name, price, shelf, slot and shelf capacity (with
//! its refill threshold and whether it is age-restricted), the
//! shelf entities by index, and the popularity weights from which baskets are drawn (Walker's
//! alias method, O(1) per draw). Shared by arrivals (drawing baskets), shopping, replenishment
//! and the view; built by the shopping plugin with the shelves.
//!
//! Units: currency units (price), units of stock (capacity).

use bevy::prelude::*;
use rand::Rng;
use rand_distr::Distribution as _;
use rand_distr::weighted::WeightedAliasIndex;

use crate::ids::{Id, IdVec, ProductId, ShelfId};

/// A product as sold: where it sits and what it costs.
#[derive(Clone, Debug)]
pub struct ProductInfo {
    pub id: String,
    pub name: String,
    pub price: f64,
    /// Its shelf, and its slot on that shelf (index into [`Shelf::slots`]).
    pub shelf: ShelfId,
    pub slot: u16,
    pub capacity: u32,
    /// Shelf stock below which a refill is asked for (`replenishment.threshold` × capacity).
    pub refill_below: f64,
    /// Age-restricted (`attendants.age_restricted`): an attended self-checkout stops for it.
    pub age_restricted: bool,
}

/// The assortment and the shelf entities, by index (never by query order).
#[derive(Resource, Debug)]
pub struct Catalog {
    pub products: IdVec<ProductId, ProductInfo>,
    pub shelves: IdVec<ShelfId, Entity>,
    /// Customers keep what they take item by item, because it may go back to the shelves
    /// (an abandoned basket) or past a gate's sensors; else counts suffice. Set for stores with
    /// `queue_behaviour`; digital customers keep theirs anyway.
    pub itemised_baskets: bool,
    alias: WeightedAliasIndex<f64>,
}

impl Catalog {
    pub fn new(
        products: IdVec<ProductId, ProductInfo>,
        shelves: IdVec<ShelfId, Entity>,
        itemised_baskets: bool,
        alias: WeightedAliasIndex<f64>,
    ) -> Self {
        Catalog {
            products,
            shelves,
            itemised_baskets,
            alias,
        }
    }
}

impl Catalog {
    /// A product drawn by popularity.
    pub fn sample(&self, rng: &mut impl Rng) -> ProductId {
        ProductId::from_index(self.alias.sample(rng))
    }
}
