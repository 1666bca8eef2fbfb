//! Reading a call's input in one pass over its numbers. serde's internally tagged and
//! untagged enums first copy the whole input into a tree of `Content` values, then read
//! that: for a 500×500 matrix, 250,000 values built, walked and dropped. Here the matrix
//! fields (`a`, `b`) are read straight into vectors as they come, whichever operation
//! they belong to, and every other field is kept as raw JSON text (a borrowed slice)
//! until `op` is known; then the operation's input type is read from those fields, the
//! matrices replayed from memory (one copy of the numbers, no parsing). A vector-or-matrix
//! is told apart by its first entry. The raw fields borrow from the input, so `Input` is
//! read from JSON text (`serde_json::from_str`, as the SDK does), not from a `Value`.

use std::fmt;

use serde::de::value::{MapDeserializer, SeqDeserializer};
use serde::de::{self, Deserialize, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

use crate::Input;
use crate::matrix::{Rows, VectorOrRows};

/// The `op` names, as serde would list them for an unknown one.
const OPS: &[&str] = &[
    "solve", "eig", "eigh", "svd", "qr", "cholesky", "lu", "det", "inv", "pinv", "rank", "cond",
    "norm", "expm", "matmul",
];

impl<'de> Deserialize<'de> for Input {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(InputVisitor)
    }
}

struct InputVisitor;

impl<'de> Visitor<'de> for InputVisitor {
    type Value = Input;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object with an `op` field")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Input, A::Error> {
        let mut op: Option<String> = None;
        let mut fields: Vec<(String, Field<'de>)> = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "op" if op.is_some() => return Err(de::Error::duplicate_field("op")),
                "op" => op = Some(map.next_value()?),
                // Every operation's matrices: `a` (rows, or a vector for norm) and `b`.
                "a" | "b" => {
                    let numbers = map.next_value()?;
                    fields.push((key, Field::Numbers(numbers)));
                }
                _ => {
                    let raw = map.next_value()?;
                    fields.push((key, Field::Raw(raw)));
                }
            }
        }
        let op = op.ok_or_else(|| de::Error::missing_field("op"))?;
        operation(&op, fields).map_err(de::Error::custom)
    }
}

/// The input of operation `op` from its other fields.
fn operation(op: &str, fields: Vec<(String, Field<'_>)>) -> Result<Input, serde_json::Error> {
    fn parse<'de, T: Deserialize<'de>>(
        fields: Vec<(String, Field<'de>)>,
    ) -> Result<T, serde_json::Error> {
        T::deserialize(MapDeserializer::new(fields.into_iter()))
    }
    Ok(match op {
        "solve" => Input::Solve(parse(fields)?),
        "eig" => Input::Eig(parse(fields)?),
        "eigh" => Input::Eigh(parse(fields)?),
        "svd" => Input::Svd(parse(fields)?),
        "qr" => Input::Qr(parse(fields)?),
        "cholesky" => Input::Cholesky(parse(fields)?),
        "lu" => Input::Lu(parse(fields)?),
        "det" => Input::Det(parse(fields)?),
        "inv" => Input::Inv(parse(fields)?),
        "pinv" => Input::Pinv(parse(fields)?),
        "rank" => Input::Rank(parse(fields)?),
        "cond" => Input::Cond(parse(fields)?),
        "norm" => Input::Norm(parse(fields)?),
        "expm" => Input::Expm(parse(fields)?),
        "matmul" => Input::Matmul(parse(fields)?),
        other => return Err(de::Error::unknown_variant(other, OPS)),
    })
}

impl<'de> Deserialize<'de> for Rows {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match VectorOrRows::deserialize(deserializer)? {
            VectorOrRows::Rows(rows) => Ok(Rows(rows)),
            // `[]`: no rows, which the matrix check reports as such.
            VectorOrRows::Vector(v) if v.is_empty() => Ok(Rows(Vec::new())),
            VectorOrRows::Vector(_) => Err(de::Error::invalid_type(
                de::Unexpected::Other("a list of numbers"),
                &"a matrix: a list of rows, each a list of numbers",
            )),
        }
    }
}

impl<'de> Deserialize<'de> for VectorOrRows {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_seq(VectorOrRowsVisitor)
    }
}

/// One field of the input: a matrix or vector already read, or any other value as raw
/// JSON text.
enum Field<'de> {
    Numbers(VectorOrRows),
    Raw(&'de RawValue),
}

impl<'de> de::IntoDeserializer<'de, serde_json::Error> for Field<'de> {
    type Deserializer = Self;

    fn into_deserializer(self) -> Self {
        self
    }
}

impl Field<'_> {
    /// The numbers again, as the sequence they were read from.
    fn replay<'de, V: Visitor<'de>>(
        numbers: VectorOrRows,
        visitor: V,
    ) -> Result<V::Value, serde_json::Error> {
        match numbers {
            VectorOrRows::Vector(v) => visitor.visit_seq(SeqDeserializer::new(v.into_iter())),
            VectorOrRows::Rows(r) => visitor.visit_seq(SeqDeserializer::new(r.into_iter())),
        }
    }
}

/// Methods that read a raw field as serde_json would, and hand a matrix over as a sequence.
macro_rules! forward {
    ($($method:ident($($arg:ident: $ty:ty),*)),* $(,)?) => {$(
        fn $method<V: Visitor<'de>>(self, $($arg: $ty,)* visitor: V) -> Result<V::Value, serde_json::Error> {
            match self {
                Field::Raw(raw) => raw.$method($($arg,)* visitor),
                Field::Numbers(numbers) => Field::replay(numbers, visitor),
            }
        }
    )*};
}

impl<'de> Deserializer<'de> for Field<'de> {
    type Error = serde_json::Error;

    forward! {
        deserialize_any(), deserialize_bool(), deserialize_i8(), deserialize_i16(),
        deserialize_i32(), deserialize_i64(), deserialize_i128(), deserialize_u8(),
        deserialize_u16(), deserialize_u32(), deserialize_u64(), deserialize_u128(),
        deserialize_f32(), deserialize_f64(), deserialize_char(), deserialize_str(),
        deserialize_string(), deserialize_bytes(), deserialize_byte_buf(),
        deserialize_option(), deserialize_unit(), deserialize_unit_struct(name: &'static str),
        deserialize_newtype_struct(name: &'static str), deserialize_seq(),
        deserialize_tuple(len: usize),
        deserialize_tuple_struct(name: &'static str, len: usize), deserialize_map(),
        deserialize_struct(name: &'static str, fields: &'static [&'static str]),
        deserialize_enum(name: &'static str, variants: &'static [&'static str]),
        deserialize_identifier(), deserialize_ignored_any(),
    }
}

struct VectorOrRowsVisitor;

impl<'de> Visitor<'de> for VectorOrRowsVisitor {
    type Value = VectorOrRows;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of numbers (a vector) or a list of lists of numbers (a matrix)")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<VectorOrRows, A::Error> {
        let capacity = seq.size_hint().unwrap_or(0).min(4096);
        match seq.next_element_seed(FirstEntry)? {
            None => Ok(VectorOrRows::Vector(Vec::new())),
            Some(Entry::Number(x)) => {
                let mut v = Vec::with_capacity(capacity);
                v.push(x);
                while let Some(x) = seq.next_element::<f64>()? {
                    v.push(x);
                }
                Ok(VectorOrRows::Vector(v))
            }
            Some(Entry::Row(row)) => {
                let mut rows = Vec::with_capacity(capacity);
                rows.push(row);
                while let Some(row) = seq.next_element::<Vec<f64>>()? {
                    rows.push(row);
                }
                Ok(VectorOrRows::Rows(rows))
            }
        }
    }
}

/// The first entry of a vector-or-matrix: it decides which of the two the rest must be.
enum Entry {
    Number(f64),
    Row(Vec<f64>),
}

struct FirstEntry;

impl<'de> DeserializeSeed<'de> for FirstEntry {
    type Value = Entry;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Entry, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for FirstEntry {
    type Value = Entry;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a number or a list of numbers")
    }

    fn visit_f64<E: de::Error>(self, x: f64) -> Result<Entry, E> {
        Ok(Entry::Number(x))
    }

    fn visit_i64<E: de::Error>(self, x: i64) -> Result<Entry, E> {
        Ok(Entry::Number(x as f64))
    }

    fn visit_u64<E: de::Error>(self, x: u64) -> Result<Entry, E> {
        Ok(Entry::Number(x as f64))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Entry, A::Error> {
        let mut row = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        while let Some(x) = seq.next_element::<f64>()? {
            row.push(x);
        }
        Ok(Entry::Row(row))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Input, serde_json::Error> {
        serde_json::from_str(text)
    }

    #[test]
    fn op_may_come_anywhere_and_picks_the_operation() {
        for text in [
            r#"{"op": "solve", "a": [[2, 0], [0, 4]], "b": [1, 2]}"#,
            r#"{"a": [[2, 0], [0, 4]], "b": [1, 2], "op": "solve"}"#,
        ] {
            let Input::Solve(s) = parse(text).unwrap() else {
                panic!("not a solve: {text}");
            };
            assert_eq!(s.a.0, vec![vec![2.0, 0.0], vec![0.0, 4.0]]);
            assert_eq!(s.b, VectorOrRows::Vector(vec![1.0, 2.0]));
        }
    }

    #[test]
    fn a_vector_and_a_matrix_operand_are_told_apart() {
        let Input::Matmul(m) = parse(r#"{"op": "matmul", "a": [[1]], "b": [[1, 2.5]]}"#).unwrap()
        else {
            panic!("not a matmul");
        };
        assert_eq!(m.b, VectorOrRows::Rows(vec![vec![1.0, 2.5]]));
        let e = parse(r#"{"op": "matmul", "a": [[1]], "b": [1, [2]]}"#).unwrap_err();
        assert!(e.to_string().contains("expected f64"), "{e}");
        let e = parse(r#"{"op": "matmul", "a": [[1]], "b": [[1], 2]}"#).unwrap_err();
        assert!(e.to_string().contains("expected a sequence"), "{e}");
    }

    #[test]
    fn numbers_keep_every_bit() {
        let Input::Det(d) =
            parse(r#"{"op": "det", "a": [[0.1, 2.2250738585072014e-308, -1e300, 17]]}"#).unwrap()
        else {
            panic!("not a det");
        };
        assert_eq!(
            d.a.0,
            vec![vec![0.1, 2.2250738585072014e-308, -1e300, 17.0]]
        );
    }

    #[test]
    fn every_json_number_form_and_white_space_is_read() {
        let text = r#"{"b": [1], "op": "solve", "assume": "pos", "a": [ [ -0 , 1E2,2.5e-3 ],
            [1e+2, -0.0, 123456789012345678901234567890] , [ ] ] }"#;
        let Input::Solve(s) = parse(text).unwrap() else {
            panic!("not a solve");
        };
        assert_eq!(
            s.a.0,
            vec![
                vec![-0.0, 100.0, 0.0025],
                vec![100.0, -0.0, 1.2345678901234568e29],
                vec![],
            ]
        );
        assert_eq!(s.assume, crate::solve::Assume::Pos);
        let Input::Norm(n) = parse(r#"{"op": "norm", "a": [5e-324, 2], "ord": "inf"}"#).unwrap()
        else {
            panic!("not a norm");
        };
        assert_eq!(n.a, VectorOrRows::Vector(vec![5e-324, 2.0]));
        let Input::Det(d) = parse(r#"{"op": "det", "a": []}"#).unwrap() else {
            panic!("not a det");
        };
        assert!(d.a.0.is_empty());
    }

    #[test]
    fn a_ragged_matrix_is_read_so_the_tool_can_name_the_row() {
        let Input::Det(d) = parse(r#"{"op": "det", "a": [[1, 2], [3]]}"#).unwrap() else {
            panic!("not a det");
        };
        assert_eq!(d.a.0, vec![vec![1.0, 2.0], vec![3.0]]);
    }

    #[test]
    fn a_bad_entry_gets_serde_jsons_error() {
        let e = parse(r#"{"op": "det", "a": [[1, 2], [3, "4"]]}"#).unwrap_err();
        assert!(
            e.to_string()
                .contains("invalid type: string \"4\", expected f64"),
            "{e}"
        );
        let e = parse(r#"{"op": "solve", "a": [[1]], "b": [true]}"#).unwrap_err();
        assert!(
            e.to_string().contains("a number or a list of numbers"),
            "{e}"
        );
        let e = parse(r#"{"op": "det", "a": [1, 2]}"#).unwrap_err();
        assert!(
            e.to_string().contains("expected a matrix: a list of rows"),
            "{e}"
        );
        let e = parse(r#"{"op": "det", "a": [[1e400]]}"#).unwrap_err();
        assert!(e.to_string().contains("number out of range"), "{e}");
    }

    #[test]
    fn a_missing_unknown_or_repeated_op_and_an_unknown_field_are_named() {
        let e = parse(r#"{"a": [[1]]}"#).unwrap_err();
        assert!(e.to_string().contains("missing field `op`"), "{e}");
        let e = parse(r#"{"op": "lstsq", "a": [[1]]}"#).unwrap_err();
        assert!(
            e.to_string()
                .contains("unknown variant `lstsq`, expected one of"),
            "{e}"
        );
        let e = parse(r#"{"op": "det", "op": "inv", "a": [[1]]}"#).unwrap_err();
        assert!(e.to_string().contains("duplicate field `op`"), "{e}");
        let e = parse(r#"{"op": "det", "a": [[1]], "b": [1]}"#).unwrap_err();
        assert!(e.to_string().contains("unknown field `b`"), "{e}");
        let e = parse(r#"{"op": "det"}"#).unwrap_err();
        assert!(e.to_string().contains("missing field `a`"), "{e}");
    }
}
