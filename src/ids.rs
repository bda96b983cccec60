//! Typed indices: one newtype per index space, so that a lane number can never be used where
//! a queue, shelf, product, point or cell number is meant (mixing them does not compile).
//!
//! [`IdVec`] is a vector indexed only by its own id type. Ids are dense indices from 0 in the
//! order the owning table was built (documented at each table), never bevy entity order.

use std::fmt;
use std::marker::PhantomData;
use std::ops::{Index, IndexMut};

use serde::{Deserialize, Serialize};

/// An index newtype usable with [`IdVec`].
pub trait Id: Copy + Eq + Ord + fmt::Debug {
    fn from_index(i: usize) -> Self;
    fn index(self) -> usize;
}

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident($raw:ty)) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub $raw);

        impl Id for $name {
            fn from_index(i: usize) -> Self {
                // Tables are bounded by validation (floor_plan::MAX_POIS, MAX_CELLS, ...), far
                // below the raw type's range.
                $name(<$raw>::try_from(i).expect(concat!(stringify!($name), " out of range")))
            }
            fn index(self) -> usize {
                self.0 as usize
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0)
            }
        }
    };
}

id_type!(
    /// A checkout lane: index into the floor plan's and the checkout's lane tables (lane groups
    /// in id order, within a group in reading order of the layout).
    LaneId(u16)
);
id_type!(
    /// A checkout queue (one per lane, or one shared by a lane group).
    QueueId(u16)
);
id_type!(
    /// A lane group of `checkouts.groups`, in id order.
    GroupId(u16)
);
id_type!(
    /// A customer segment of `segments`, in id order (one segment, 0, without them).
    SegmentId(u16)
);
id_type!(
    /// A shelf, in order of first appearance in the layout.
    ShelfId(u16)
);
id_type!(
    /// A product, in the order of the scenario's `products` list.
    ProductId(u32)
);
id_type!(
    /// A point of interest of the floor plan (door, shelf access, lane service point).
    PoiId(u16)
);
id_type!(
    /// A cell of the floor plan: `y * width + x`.
    CellId(u32)
);

/// A vector indexed by one id type only. Indexing with another id type is a compile error:
///
/// ```compile_fail
/// use storelab::ids::{IdVec, LaneId, QueueId};
/// let mut lanes: IdVec<LaneId, u32> = IdVec::new();
/// lanes.push(1);
/// let _ = lanes[QueueId(0)];
/// ```
#[derive(Clone, PartialEq)]
pub struct IdVec<I, T> {
    items: Vec<T>,
    _id: PhantomData<fn(I) -> I>,
}

impl<I: Id, T> IdVec<I, T> {
    pub fn new() -> Self {
        IdVec {
            items: Vec::new(),
            _id: PhantomData,
        }
    }

    /// Appends `value` and returns its id.
    pub fn push(&mut self, value: T) -> I {
        self.items.push(value);
        I::from_index(self.items.len() - 1)
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn get(&self, id: I) -> Option<&T> {
        self.items.get(id.index())
    }

    pub fn get_mut(&mut self, id: I) -> Option<&mut T> {
        self.items.get_mut(id.index())
    }

    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        self.items.iter()
    }

    pub fn iter_mut(&mut self) -> std::slice::IterMut<'_, T> {
        self.items.iter_mut()
    }

    /// (id, value) pairs in id order.
    pub fn iter_enumerated(&self) -> impl DoubleEndedIterator<Item = (I, &T)> + '_ {
        self.items
            .iter()
            .enumerate()
            .map(|(i, v)| (I::from_index(i), v))
    }

    /// Every id, in order.
    pub fn ids(&self) -> impl DoubleEndedIterator<Item = I> + use<I, T> {
        (0..self.items.len()).map(I::from_index)
    }

    /// The values as a plain slice, for output in id order.
    pub fn as_slice(&self) -> &[T] {
        &self.items
    }
}

impl<I: Id, T> Default for IdVec<I, T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<I, T: fmt::Debug> fmt::Debug for IdVec<I, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.items.fmt(f)
    }
}

impl<I: Id, T> From<Vec<T>> for IdVec<I, T> {
    fn from(items: Vec<T>) -> Self {
        IdVec {
            items,
            _id: PhantomData,
        }
    }
}

impl<I: Id, T> FromIterator<T> for IdVec<I, T> {
    fn from_iter<It: IntoIterator<Item = T>>(iter: It) -> Self {
        Vec::from_iter(iter).into()
    }
}

impl<I: Id, T> Index<I> for IdVec<I, T> {
    type Output = T;
    fn index(&self, id: I) -> &T {
        &self.items[id.index()]
    }
}

impl<I: Id, T> IndexMut<I> for IdVec<I, T> {
    fn index_mut(&mut self, id: I) -> &mut T {
        &mut self.items[id.index()]
    }
}

impl<I: Id, T> IntoIterator for IdVec<I, T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

impl<'a, I: Id, T> IntoIterator for &'a IdVec<I, T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.iter()
    }
}

/// A name that many records repeat (a lane's, a segment's): a clone copies a pointer, not the
/// text, so a customer's journey record costs no allocation for it. Reads, compares, prints
/// and serialises as the text.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Name(std::sync::Arc<str>);

impl std::ops::Deref for Name {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl From<&str> for Name {
    fn from(s: &str) -> Self {
        Name(s.into())
    }
}

impl From<String> for Name {
    fn from(s: String) -> Self {
        Name(s.into())
    }
}

impl PartialEq<str> for Name {
    fn eq(&self, other: &str) -> bool {
        *self.0 == *other
    }
}

impl PartialEq<&str> for Name {
    fn eq(&self, other: &&str) -> bool {
        *self.0 == **other
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for Name {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_index_only_their_own_tables() {
        let mut lanes: IdVec<LaneId, &str> = IdVec::new();
        let a = lanes.push("till-1");
        let b = lanes.push("till-2");
        assert_eq!((a, b), (LaneId(0), LaneId(1)));
        assert_eq!(lanes[b], "till-2");
        let pairs: Vec<(LaneId, &&str)> = lanes.iter_enumerated().collect();
        assert_eq!(pairs, vec![(LaneId(0), &"till-1"), (LaneId(1), &"till-2")]);
        assert_eq!(lanes.get(LaneId(2)), None);
        // `lanes[QueueId(0)]` does not compile: see the compile_fail example on `IdVec`.
    }

    #[test]
    fn a_shared_name_reads_compares_and_serialises_as_its_text() {
        let name = Name::from("till-3");
        let copy = name.clone();
        assert!(
            std::sync::Arc::ptr_eq(&name.0, &copy.0),
            "a clone shares the text"
        );
        assert!(name == "till-3" && *"till-3" == *name && name.starts_with("till"));
        assert_eq!(name.to_string(), "till-3");
        assert_eq!(serde_json::to_string(&name).unwrap(), "\"till-3\"");
        assert_eq!(Name::default(), "");
    }
}
