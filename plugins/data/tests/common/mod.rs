#![allow(dead_code)] // each test binary uses a different subset

use tool_data::DataTool;
use toolhost_sdk::{ToolError, Value, testing};

/// Runs the tool as the host would and returns its JSON and text.
#[track_caller]
pub fn run(input: Value) -> (Value, String) {
    match testing::call::<DataTool>(input) {
        Ok(out) => (
            out.first_json().expect("a JSON item").clone(),
            out.first_text().expect("a text item").to_owned(),
        ),
        Err(e) => panic!("call failed: {e} {:?}", e.details),
    }
}

/// Runs the tool expecting an error.
#[track_caller]
pub fn fail(input: Value) -> ToolError {
    match testing::call::<DataTool>(input) {
        Ok(out) => panic!("call should fail, got {:?}", out.first_text()),
        Err(e) => e,
    }
}

/// A table result's column names and rows.
#[track_caller]
pub fn table(out: &Value) -> (Vec<String>, Vec<Vec<Value>>) {
    assert_eq!(out["result"], "table", "{out}");
    let names = out["table"]["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_owned())
        .collect();
    let rows = out["table"]["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_array().unwrap().clone())
        .collect();
    (names, rows)
}

/// The describe entry of one column.
#[track_caller]
pub fn described<'a>(out: &'a Value, column: &str) -> &'a Value {
    out["describe"]
        .as_array()
        .expect("a describe result")
        .iter()
        .find(|c| c["column"] == column)
        .unwrap_or_else(|| panic!("no column {column} in {out}"))
}
