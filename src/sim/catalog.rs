//! The catalogue: the assortment on sale and where each product sits.
//!
//! Models what can be bought: each product's name, price, shelf, slot and shelf capacity, the
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
}

/// The assortment and the shelf entities, by index (never by query order).
#[derive(Resource, Debug)]
pub struct Catalog {
    pub products: IdVec<ProductId, ProductInfo>,
    pub shelves: IdVec<ShelfId, Entity>,
    alias: WeightedAliasIndex<f64>,
}

impl Catalog {
    pub fn new(
        products: IdVec<ProductId, ProductInfo>,
        shelves: IdVec<ShelfId, Entity>,
        alias: WeightedAliasIndex<f64>,
    ) -> Self {
        Catalog {
            products,
            shelves,
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
