//! The data tool as it runs in the sandbox, reading CSV from a granted directory. The
//! component's CSV reader finds field ends with wasm's 128-bit vectors, a path the
//! plugin's native unit tests cannot reach, so these tests check the component itself.

mod common;

use common::TestRegistry;
use serde_json::{Value, json};

/// A registry granting `dir` read-only at /data to the built-in data tool.
fn data_registry(dir: &std::path::Path) -> TestRegistry {
    TestRegistry::new(&format!(
        "tools:\n  - name: data\n    component: builtin:data\n    limits: {{ timeout_ms: 20000, memory_mb: 256 }}\n    grants: {{ dirs: [ {{ host: '{}', guest: /data, mode: read-only }} ] }}\n",
        dir.display()
    ))
}

/// A deterministic table whose cells cover what the reader must get right at every
/// offset within a 64-byte block: quoted cells holding delimiters, doubled quotes and
/// line breaks; `\r\n` and `\n` line ends; blank lines; cells longer than a block;
/// negative, decimal and missing numbers. Returns the CSV and the rows as JSON.
fn tricky_table(rows: usize) -> (String, Vec<Value>) {
    let mut state = 0x853C_49E6_748F_EA9Bu64;
    let mut next = |n: u64| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state % n
    };
    let mut csv = String::from("id,name,price,note\n");
    let mut expected = Vec::with_capacity(rows);
    for id in 0..rows {
        let (name_cell, name) = match next(6) {
            0 => ("\"Smith, J.\"".to_owned(), "Smith, J.".to_owned()),
            1 => ("\"say \"\"hi\"\"\"".to_owned(), "say \"hi\"".to_owned()),
            2 => ("\"two\nlines\"".to_owned(), "two\nlines".to_owned()),
            _ => {
                let n = format!("n{}", next(1000));
                (n.clone(), n)
            }
        };
        let (price_cell, price) = match next(10) {
            0 => (String::new(), Value::Null),
            1 => ("NA".to_owned(), Value::Null),
            _ => {
                let cents = next(2_000_000) as i64 - 1_000_000;
                let cell = format!(
                    "{}{}.{:02}",
                    if cents < 0 { "-" } else { "" },
                    cents.abs() / 100,
                    cents.abs() % 100
                );
                let value: f64 = cell.parse().unwrap();
                (cell, json!(value))
            }
        };
        let note = "x".repeat(next(3) as usize * (30 + next(70) as usize));
        let end = if next(3) == 0 { "\r\n" } else { "\n" };
        csv.push_str(&format!("{id},{name_cell},{price_cell},{note}{end}"));
        if next(25) == 0 {
            csv.push_str(end);
        }
        let note = if note.is_empty() {
            Value::Null
        } else {
            json!(note)
        };
        expected.push(json!([id as f64, name, price, note]));
    }
    (csv, expected)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_cell_of_a_tricky_csv_file_is_read_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let (csv, expected) = tricky_table(3000);
    std::fs::write(dir.path().join("t.csv"), &csv).unwrap();
    let d = data_registry(dir.path()).dispatcher();
    let out = d
        .call(
            "data",
            json!({ "path": "/data/t.csv", "ops": [{ "op": "head", "n": 3000 }], "max_rows": 3000 }),
        )
        .await
        .unwrap_or_else(|e| panic!("data failed: {e}"));
    let table = &out.first_json().unwrap()["table"];
    let types: Vec<&str> = table["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["type"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["integer", "text", "number", "text"]);
    let got = table["data"].as_array().unwrap();
    assert_eq!(got.len(), expected.len());
    for (i, (got, want)) in got.iter().zip(&expected).enumerate() {
        assert_eq!(got, want, "row {i}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ragged_row_in_a_file_is_named_by_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let (mut csv, _) = tricky_table(500);
    // Line numbers count the line breaks inside quoted cells too.
    let line = csv.matches('\n').count() + 1;
    csv.push_str("1,2,3\n");
    std::fs::write(dir.path().join("t.csv"), &csv).unwrap();
    let d = data_registry(dir.path()).dispatcher();
    let err = d
        .call("data", json!({ "path": "/data/t.csv" }))
        .await
        .unwrap_err();
    let message = err.to_string();
    assert!(message.contains(&format!("line {line}")), "{message}");
    assert!(
        message.contains("3 fields but the header has 4"),
        "{message}"
    );
}

/// A file larger than the window the tool keeps, in a directory below the granted one:
/// it is read ahead piece by piece, the window is released behind the reader, and a
/// column that turns out to be text on the last line is read again from its first row.
/// Every row must count once, with every spelling.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_larger_than_the_window_is_read_whole_and_reread_from_its_start() {
    const ROWS: usize = 500_000;
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    let mut csv = String::from("id,price,code\n");
    for i in 0..ROWS - 1 {
        csv.push_str(&format!("{i},{}.{:02},{:03}\n", i % 1000, i % 97, i % 50));
    }
    csv.push_str(&format!("{},1.00,late!\n", ROWS - 1));
    assert!(
        csv.len() > 8 << 20,
        "the file should be larger than two windows"
    );
    std::fs::write(dir.path().join("sub/big.csv"), &csv).unwrap();
    let d = data_registry(dir.path()).dispatcher();
    let out = d
        .call(
            "data",
            json!({ "path": "/data/sub/big.csv", "ops": [{ "op": "describe", "top": 60 }] }),
        )
        .await
        .unwrap_or_else(|e| panic!("data failed: {e}"));
    let described = &out.first_json().unwrap()["describe"];
    let id = &described[0];
    assert_eq!(id["type"], "integer");
    assert_eq!(id["count"], ROWS);
    assert_eq!(id["mean"], (ROWS - 1) as f64 / 2.0);
    assert_eq!(id["max"], (ROWS - 1) as f64);
    assert_eq!(described[1]["type"], "number");
    assert_eq!(described[1]["count"], ROWS);
    // Read as text from the start, keeping the numbers' spelling ("007").
    let code = &described[2];
    assert_eq!(code["type"], "text");
    assert_eq!(code["unique"], 51);
    let top = code["top"].as_array().unwrap();
    let count = |value: &str| {
        top.iter()
            .find(|t| t["value"] == value)
            .map(|t| t["count"].as_u64().unwrap())
    };
    assert_eq!(count("007"), Some((ROWS / 50) as u64));
    assert_eq!(count("049"), Some((ROWS / 50 - 1) as u64));
    assert_eq!(count("late!"), Some(1));
}

/// `aggregate` in the sandbox on the tricky file: only `name` and `price` are parsed
/// (quoted cells and line breaks in the unread columns must still be stepped over), and
/// the negative decimals take the component's short-number path. The figures must be
/// those of the rows as written.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aggregate_reads_only_its_columns_and_matches_the_rows() {
    let dir = tempfile::tempdir().unwrap();
    let (csv, expected) = tricky_table(3000);
    std::fs::write(dir.path().join("t.csv"), &csv).unwrap();
    let prices: Vec<f64> = expected.iter().filter_map(|r| r[2].as_f64()).collect();
    let mut names: Vec<&str> = expected.iter().map(|r| r[1].as_str().unwrap()).collect();
    names.sort_unstable();
    names.dedup();
    let mean = prices.iter().sum::<f64>() / prices.len() as f64;
    let min = prices.iter().copied().fold(f64::INFINITY, f64::min);
    let max = prices.iter().copied().fold(f64::NEG_INFINITY, f64::max);

    let d = data_registry(dir.path()).dispatcher();
    let aggs = [
        "count",
        "count(price)",
        "mean(price)",
        "min(price)",
        "max(price)",
        "n_unique(name)",
    ];
    let out = d
        .call(
            "data",
            json!({ "path": "/data/t.csv", "ops": [{ "op": "aggregate", "aggs": aggs }] }),
        )
        .await
        .unwrap_or_else(|e| panic!("data failed: {e}"));
    let out = out.first_json().unwrap();
    assert_eq!(out["source"]["unread"], json!(["id", "note"]));
    let row = &out["table"]["data"][0];
    assert_eq!(row[0], json!(expected.len() as f64));
    assert_eq!(row[1], json!(prices.len() as f64));
    let got_mean = row[2].as_f64().unwrap();
    assert!(
        (got_mean - mean).abs() < 1e-9 * mean.abs().max(1.0),
        "{got_mean} vs {mean}"
    );
    assert_eq!((row[3].as_f64(), row[4].as_f64()), (Some(min), Some(max)));
    assert_eq!(row[5], json!(names.len() as f64));
}
