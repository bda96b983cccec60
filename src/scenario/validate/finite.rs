//! Every number of the scenario, whatever its section: finite (not NaN or ±∞). Checked first,
//! by a serde walk over the whole scenario, because every other check and the engine assume
//! finite numbers. Paths are written as in other messages: `products[1].popularity`,
//! `checkouts.groups["till"].service`.

use serde::Serialize;
use serde::ser;

/// Field paths of every number in `value` that is not finite (NaN or ±∞), found by walking its
/// serde serialization, so a field added later is covered without another check.
pub fn non_finite_paths<T: Serialize>(value: &T) -> Vec<String> {
    let mut scan = Scan::default();
    // The scan itself never fails; an error could only come from a type's own Serialize.
    let _ = value.serialize(&mut scan);
    scan.found
}

#[derive(Default)]
struct Scan {
    path: Vec<String>,
    found: Vec<String>,
}

impl Scan {
    fn here(&self) -> String {
        let mut s = String::new();
        for p in &self.path {
            if !p.starts_with('[') && !s.is_empty() {
                s.push('.');
            }
            s.push_str(p);
        }
        s
    }

    fn float(&mut self, v: f64) {
        if !v.is_finite() {
            let here = self.here();
            self.found.push(here);
        }
    }

    fn nested<T: Serialize + ?Sized>(&mut self, part: String, value: &T) -> Result<(), ScanError> {
        self.path.push(part);
        let r = value.serialize(&mut *self);
        self.path.pop();
        r
    }
}

#[derive(Debug)]
struct ScanError(String);

impl std::fmt::Display for ScanError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ScanError {}

impl ser::Error for ScanError {
    fn custom<T: std::fmt::Display>(msg: T) -> Self {
        ScanError(msg.to_string())
    }
}

/// Sequences, tuples, maps and structs: each element gets its index, key or field name.
struct Compound<'a> {
    scan: &'a mut Scan,
    index: usize,
    key: String,
}

impl Compound<'_> {
    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), ScanError> {
        let part = format!("[{}]", self.index);
        self.index += 1;
        self.scan.nested(part, value)
    }
}

macro_rules! elements {
    ($($trait:ident :: $method:ident),*) => {$(
        impl ser::$trait for Compound<'_> {
            type Ok = ();
            type Error = ScanError;
            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), ScanError> {
                self.element(value)
            }
            fn end(self) -> Result<(), ScanError> {
                Ok(())
            }
        }
    )*};
}
elements!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field
);

macro_rules! fields {
    ($($trait:ident),*) => {$(
        impl ser::$trait for Compound<'_> {
            type Ok = ();
            type Error = ScanError;
            fn serialize_field<T: Serialize + ?Sized>(
                &mut self,
                key: &'static str,
                value: &T,
            ) -> Result<(), ScanError> {
                self.scan.nested(key.to_string(), value)
            }
            fn end(self) -> Result<(), ScanError> {
                Ok(())
            }
        }
    )*};
}
fields!(SerializeStruct, SerializeStructVariant);

impl ser::SerializeMap for Compound<'_> {
    type Ok = ();
    type Error = ScanError;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), ScanError> {
        // Keys as the scenario file writes them: `["till"]`, `["07:00"]`.
        self.key = serde_json::to_string(key).unwrap_or_else(|_| "?".to_string());
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), ScanError> {
        let part = format!("[{}]", self.key);
        self.scan.nested(part, value)
    }
    fn end(self) -> Result<(), ScanError> {
        Ok(())
    }
}

impl<'a> ser::Serializer for &'a mut Scan {
    type Ok = ();
    type Error = ScanError;
    type SerializeSeq = Compound<'a>;
    type SerializeTuple = Compound<'a>;
    type SerializeTupleStruct = Compound<'a>;
    type SerializeTupleVariant = Compound<'a>;
    type SerializeMap = Compound<'a>;
    type SerializeStruct = Compound<'a>;
    type SerializeStructVariant = Compound<'a>;

    fn serialize_f64(self, v: f64) -> Result<(), ScanError> {
        self.float(v);
        Ok(())
    }
    fn serialize_f32(self, v: f32) -> Result<(), ScanError> {
        self.float(f64::from(v));
        Ok(())
    }
    fn serialize_bool(self, _: bool) -> Result<(), ScanError> {
        Ok(())
    }
    fn serialize_i8(self, _: i8) -> Result<(), ScanError> {
        Ok(())
    }
    fn serialize_i16(self, _: i16) -> Result<(), ScanError> {
        Ok(())
    }
    fn serialize_i32(self, _: i32) -> Result<(), ScanError> {
        Ok(())
    }
    fn serialize_i64(self, _: i64) -> Result<(), ScanError> {
        Ok(())
    }
    fn serialize_u8(self, _: u8) -> Result<(), ScanError> {
        Ok(())
    }
    fn serialize_u16(self, _: u16) -> Result<(), ScanError> {
        Ok(())
    }
    fn serialize_u32(self, _: u32) -> Result<(), ScanError> {
        Ok(())
    }
    fn serialize_u64(self, _: u64) -> Result<(), ScanError> {
        Ok(())
    }
    fn serialize_char(self, _: char) -> Result<(), ScanError> {
        Ok(())
    }
    fn serialize_str(self, _: &str) -> Result<(), ScanError> {
        Ok(())
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<(), ScanError> {
        Ok(())
    }
    fn serialize_none(self) -> Result<(), ScanError> {
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), ScanError> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), ScanError> {
        Ok(())
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<(), ScanError> {
        Ok(())
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
    ) -> Result<(), ScanError> {
        Ok(())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), ScanError> {
        value.serialize(self)
    }
    // Variants do not add to the path, as in the other messages (`customers.basket.mean`).
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        value: &T,
    ) -> Result<(), ScanError> {
        value.serialize(self)
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Compound<'a>, ScanError> {
        Ok(self.compound())
    }
    fn serialize_tuple(self, _: usize) -> Result<Compound<'a>, ScanError> {
        Ok(self.compound())
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Compound<'a>, ScanError> {
        Ok(self.compound())
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Compound<'a>, ScanError> {
        Ok(self.compound())
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Compound<'a>, ScanError> {
        Ok(self.compound())
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Compound<'a>, ScanError> {
        Ok(self.compound())
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Compound<'a>, ScanError> {
        Ok(self.compound())
    }
}

impl Scan {
    fn compound(&mut self) -> Compound<'_> {
        Compound {
            scan: self,
            index: 0,
            key: String::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::non_finite_paths;
    use crate::scenario::validate::{check, validate};
    use crate::scenario::{Arrivals, Basket, ClockTimeKey, Distribution, Scenario, ServiceModel};

    fn minimal() -> Scenario {
        let text = include_str!("../../../scenarios/minimal.ron");
        crate::scenario::parse_str(text, "minimal.ron").expect("minimal.ron parses")
    }

    #[test]
    fn the_finite_walk_names_every_non_finite_number_by_its_path() {
        let mut s = minimal();
        assert!(non_finite_paths(&s).is_empty());
        s.layout.cell_size = f64::NAN;
        s.products[1].popularity = f64::INFINITY;
        s.customers.basket = Basket::Empirical(vec![(1, 0.5), (2, f64::NAN)]);
        s.customers.pick_time = Distribution::Constant(f64::NEG_INFINITY);
        s.customers.arrivals = Arrivals::Hourly {
            per_hour: [
                (ClockTimeKey(8 * 3600), 10.0),
                (ClockTimeKey(9 * 3600), f64::NAN),
            ]
            .into_iter()
            .collect(),
        };
        s.checkouts.groups.get_mut("till").unwrap().service = ServiceModel::Constant(f64::NAN);
        s.metrics.long_wait = f64::INFINITY;
        assert_eq!(
            non_finite_paths(&s),
            [
                "layout.cell_size",
                "products[1].popularity",
                "customers.arrivals.per_hour[\"09:00\"]",
                "customers.basket[1][1]",
                "customers.pick_time",
                "checkouts.groups[\"till\"].service",
                "metrics.long_wait",
            ]
        );
        // Reported before anything else looks at them, and nothing panics.
        let problems = validate(&s);
        assert_eq!(problems.len(), 7, "{problems:?}");
        assert!(check(s).is_err());
    }
}
