//! Reading a JSON array of records, or JSON Lines, into columns.
//!
//! Columns appear in the order their keys are first seen. A column is
//! numeric when every value present is a JSON number; null and absent keys
//! are missing; `true`/`false` are text.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use serde::de::{Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use toolhost_sdk::Deserialize;

use crate::builder::{NumberBuilder, TextBuilder};
use crate::column::{CellRef, Column, Place};
use crate::error::DataError;
use crate::input::{BadNumbers, ColumnType};
use crate::number::{self, Cell};
use crate::table::Table;

pub struct JsonOptions<'a> {
    pub types: &'a BTreeMap<String, ColumnType>,
    pub bad_numbers: BadNumbers,
}

/// A JSON object with its keys in written order (serde_json's map sorts them).
struct Record(Vec<(String, Value)>);

impl<'de> Deserialize<'de> for Record {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct RecordVisitor;
        impl<'de> Visitor<'de> for RecordVisitor {
            type Value = Record;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a record (a JSON object of column names to values)")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Record, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry::<String, Value>()? {
                    entries.push(entry);
                }
                Ok(Record(entries))
            }
        }
        d.deserialize_map(RecordVisitor)
    }
}

/// The records of a JSON array.
struct Records(Vec<Record>);

impl<'de> Deserialize<'de> for Records {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct RecordsVisitor;
        impl<'de> Visitor<'de> for RecordsVisitor {
            type Value = Records;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an array of records (JSON objects)")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Records, A::Error> {
                let mut records = Vec::with_capacity(seq.size_hint().unwrap_or(0));
                while let Some(r) = seq.next_element::<Record>()? {
                    records.push(r);
                }
                Ok(Records(records))
            }
        }
        d.deserialize_seq(RecordsVisitor)
    }
}

/// A JSON array of records; rows are numbered by record.
pub fn load_array(bytes: &[u8], options: &JsonOptions) -> Result<Table, DataError> {
    let records: Records = serde_json::from_slice(bytes).map_err(|e| DataError::Malformed {
        at: Place::Line(e.line().max(1)),
        column: None,
        message: format!("not a JSON array of records: {e}"),
    })?;
    let places = (1..=records.0.len()).map(Place::Record).collect();
    build(records.0, places, options)
}

/// JSON Lines: one record per non-blank line; rows are numbered by line.
pub fn load_lines(bytes: &[u8], options: &JsonOptions) -> Result<Table, DataError> {
    let mut records = Vec::new();
    let mut places = Vec::new();
    for (i, line) in bytes.split(|&b| b == b'\n').enumerate() {
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let record: Record = serde_json::from_slice(line).map_err(|e| DataError::Malformed {
            at: Place::Line(i + 1),
            column: None,
            message: format!("not a JSON record (JSON Lines holds one object per line): {e}"),
        })?;
        records.push(record);
        places.push(Place::Line(i + 1));
    }
    build(records, places, options)
}

fn build(
    records: Vec<Record>,
    places: Vec<Place>,
    options: &JsonOptions,
) -> Result<Table, DataError> {
    if records.is_empty() {
        return Err(DataError::Malformed {
            at: Place::Line(1),
            column: None,
            message: "the data is empty: no records".into(),
        });
    }
    let mut names: Vec<String> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    // cells[column][row]
    let mut cells: Vec<Vec<Option<Value>>> = Vec::new();
    for (row, (record, &at)) in records.into_iter().zip(&places).enumerate() {
        for (key, value) in record.0 {
            if matches!(value, Value::Array(_) | Value::Object(_)) {
                return Err(DataError::Malformed {
                    at,
                    column: Some(key),
                    message: "nested arrays and objects are not supported: give flat records of numbers, text, booleans and nulls".into(),
                });
            }
            let j = *index.entry(key.clone()).or_insert_with(|| {
                names.push(key);
                cells.push(Vec::new());
                names.len() - 1
            });
            let column = &mut cells[j];
            if column.len() > row {
                return Err(DataError::Malformed {
                    at,
                    column: Some(names[j].clone()),
                    message: "the key appears twice in the record".into(),
                });
            }
            column.resize(row, None);
            column.push(Some(value));
        }
    }
    for name in options.types.keys() {
        if !index.contains_key(name) {
            return Err(crate::table::unknown_column(
                &format!("/types/{}", crate::load_csv::escape_pointer(name)),
                name,
                &names,
            ));
        }
    }
    let rows = places.len();
    let columns = cells
        .into_iter()
        .zip(names)
        .map(|(mut values, name)| {
            values.resize(rows, None);
            column(name, &values, &places, options)
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Table::new(columns, Vec::new()))
}

fn column(
    name: String,
    values: &[Option<Value>],
    places: &[Place],
    options: &JsonOptions,
) -> Result<Column, DataError> {
    let present = |v: &Option<Value>| !matches!(v, None | Some(Value::Null));
    let declared = options.types.get(&name).copied();
    let first_non_number = values
        .iter()
        .zip(places)
        .enumerate()
        .find(|(_, (v, _))| present(v) && !matches!(v, Some(Value::Number(_))));
    match (declared, first_non_number) {
        (Some(ColumnType::Text), _) | (None, Some(_)) => {
            let mut b = TextBuilder::with_capacity(values.len());
            for v in values {
                match v {
                    None | Some(Value::Null) => b.push_missing(),
                    Some(Value::String(s)) => b.push(s.as_bytes()),
                    Some(other) => b.push(other.to_string().as_bytes()),
                }
            }
            if declared.is_none()
                && let Some((row, (v, &at))) = first_non_number
            {
                let cell = CellRef {
                    at,
                    text: text_of(v),
                };
                b.set_first_non_number(cell, row);
            }
            Ok(b.finish(name))
        }
        _ => {
            let mut b = NumberBuilder::with_capacity(values.len());
            for (v, &at) in values.iter().zip(places) {
                match v {
                    None | Some(Value::Null) => b.push_missing(),
                    Some(Value::Number(n)) => {
                        b.push_value(n.as_f64().unwrap_or(f64::NAN), n.is_i64() || n.is_u64())
                    }
                    // Declared numeric: text may still spell a number.
                    Some(_) => match number::classify(text_of(v).as_bytes()) {
                        Cell::Number(x, integer) => b.push_value(x, integer),
                        Cell::Missing => b.push_missing(),
                        Cell::NotNumber => {
                            let cell = CellRef {
                                at,
                                text: text_of(v),
                            };
                            if options.bad_numbers == BadNumbers::Missing {
                                b.push_invalid(cell);
                            } else {
                                return Err(DataError::Malformed {
                                    at,
                                    column: Some(name),
                                    message: format!(
                                        "{:?} is not a number, but the column is declared `number` (pass \"bad_numbers\": \"missing\" to count such cells as missing instead)",
                                        cell.text
                                    ),
                                });
                            }
                        }
                    },
                }
            }
            Ok(b.finish(name))
        }
    }
}

fn text_of(v: &Option<Value>) -> String {
    match v {
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
        None => String::new(),
    }
}
