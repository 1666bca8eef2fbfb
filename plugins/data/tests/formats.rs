//! Reading CSV variants, JSON and JSON Lines, inline and from files.

mod common;

use common::{described, run, table};
use toolhost_sdk::{Value, json};

fn rows(out: &Value) -> Vec<Vec<Value>> {
    table(out).1
}

#[test]
fn quoted_fields_keep_commas_line_breaks_and_quotes() {
    let text = "id,note,n\n1,\"a, b\",2\n2,\"two\nlines\",3\n3,\"say \"\"hi\"\"\",4\n4,\"\",5\n";
    let out = run(json!({ "text": text, "ops": [{ "op": "head" }] })).0;
    let notes: Vec<Value> = rows(&out).into_iter().map(|r| r[1].clone()).collect();
    assert_eq!(
        notes,
        [
            json!("a, b"),
            json!("two\nlines"),
            json!("say \"hi\""),
            Value::Null
        ]
    );
    assert_eq!(rows(&out)[3][2], json!(5.0));
    // Quoted numbers are numbers.
    let out = run(json!({ "text": "x\n\"1.5\"\n\"2\"\n" })).0;
    assert_eq!(described(&out, "x")["type"], "number");
}

#[test]
fn missing_values_are_counted_in_every_spelling() {
    let text = "x,y\n1,a\n,b\nNA,\n4,N/A\nnull,c\n6,NaN\n";
    let out = run(json!({ "text": text })).0;
    let x = described(&out, "x");
    assert_eq!(
        (x["count"].as_u64(), x["missing"].as_u64()),
        (Some(3), Some(3))
    );
    assert_eq!(x["type"], "integer");
    let y = described(&out, "y");
    assert_eq!(
        (y["count"].as_u64(), y["missing"].as_u64()),
        (Some(3), Some(3))
    );
}

#[test]
fn delimiters_are_sniffed_or_given() {
    let out = run(json!({ "text": "a;b\n1,5;2\n3,5;4\n" })).0;
    assert_eq!(out["source"]["delimiter"], ";");
    assert_eq!(out["source"]["columns"], json!(["a", "b"]));
    assert_eq!(described(&out, "a")["type"], "text");
    let out = run(json!({ "text": "a\tb\n1\t2\n" })).0;
    assert_eq!(out["source"]["delimiter"], "\t");
    let out = run(json!({ "text": "a|b\n1|2\n", "delimiter": "|" })).0;
    assert_eq!(described(&out, "b")["mean"], json!(2.0));
    let out = run(json!({ "text": "a,b\n1,2\n", "format": "tsv" })).0;
    assert_eq!(out["source"]["columns"], json!(["a,b"]));
}

#[test]
fn without_a_header_columns_are_numbered() {
    let out = run(json!({ "text": "1,x\n2,y\n", "header": false, "ops": [{ "op": "head" }] })).0;
    let (names, data) = table(&out);
    assert_eq!(names, ["column1", "column2"]);
    assert_eq!(data[0], vec![json!(1.0), json!("x")]);
    assert_eq!(data.len(), 2);
}

#[test]
fn a_late_non_number_makes_the_column_text_keeping_every_spelling() {
    let mut text = String::from("code\n");
    for i in 0..2000 {
        text.push_str(&format!("{i:04}\n"));
    }
    text.push_str("A17\n1.50\n");
    let out = run(json!({ "text": text, "ops": [{ "op": "tail", "n": 3 }] })).0;
    assert_eq!(
        rows(&out),
        vec![vec![json!("1999")], vec![json!("A17")], vec![json!("1.50")]]
    );
    let out = run(json!({ "text": text, "ops": [{ "op": "head", "n": 1 }] })).0;
    assert_eq!(rows(&out), vec![vec![json!("0000")]]);
    assert_eq!(
        out["notes"][0],
        "column 'code' is read as text: line 2002 has \"A17\" after 2000 rows of numbers (declare it in \"types\" as \"number\" to read the numbers)"
    );
}

#[test]
fn declared_types_override_inference() {
    let text = "zip,n\n01234,1\n98765,2\n";
    let out = run(json!({ "text": text, "types": { "zip": "text" }, "ops": [{ "op": "head" }] })).0;
    assert_eq!(rows(&out)[0][0], "01234");
}

#[test]
fn blank_and_repeated_header_names_are_renamed() {
    let out = run(json!({ "text": "a,,a\n1,2,3\n" })).0;
    assert_eq!(out["source"]["columns"], json!(["a", "column2", "a_2"]));
    assert_eq!(out["notes"].as_array().unwrap().len(), 2);
}

#[test]
fn json_arrays_keep_key_order_and_types() {
    let text = r#"[
        {"name": "a", "price": 1.5, "qty": 2, "ok": true},
        {"price": 3, "name": "b", "extra": null},
        {"name": "c", "qty": "many", "price": null}
    ]"#;
    let out = run(json!({ "text": text, "ops": [{ "op": "head" }] })).0;
    let (names, data) = table(&out);
    assert_eq!(names, ["name", "price", "qty", "ok", "extra"]);
    assert_eq!(out["source"]["format"], "json");
    assert_eq!(
        data,
        vec![
            vec![
                json!("a"),
                json!(1.5),
                json!("2"),
                json!("true"),
                Value::Null
            ],
            vec![
                json!("b"),
                json!(3.0),
                Value::Null,
                Value::Null,
                Value::Null
            ],
            vec![
                json!("c"),
                Value::Null,
                json!("many"),
                Value::Null,
                Value::Null
            ],
        ]
    );
    let out = run(json!({ "text": text })).0;
    assert_eq!(described(&out, "price")["type"], "number");
    assert_eq!(described(&out, "price")["missing"], 1);
    assert_eq!(described(&out, "extra")["type"], "empty");
    assert_eq!(
        out["notes"][0],
        "column 'qty' is read as text: record 3 has \"many\" after 2 rows of numbers (declare it in \"types\" as \"number\" to read the numbers)"
    );
}

#[test]
fn json_lines_skip_blank_lines_and_number_rows_by_line() {
    let text =
        "{\"x\": 1, \"y\": \"a\"}\n\n{\"x\": 2.5, \"y\": \"b\"}\n{\"x\": \"bad\", \"y\": \"c\"}\n";
    let e = common::fail(json!({ "text": text, "types": { "x": "number" } }));
    assert!(
        e.message
            .starts_with("line 4, column 'x': \"bad\" is not a number"),
        "{}",
        e.message
    );
    let out = run(json!({ "text": text, "types": { "x": "number" }, "bad_numbers": "missing" })).0;
    assert_eq!(out["source"]["format"], "jsonl");
    let x = described(&out, "x");
    assert_eq!(
        (x["count"].as_u64(), x["missing"].as_u64()),
        (Some(2), Some(1))
    );
    assert_eq!(x["mean"], json!(1.75));
}

#[test]
fn files_are_read_from_a_path_with_the_format_from_the_extension() {
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("data-formats");
    std::fs::create_dir_all(&dir).unwrap();
    let csv = dir.join("prices.tsv");
    std::fs::write(&csv, "\u{feff}item\tprice\nx\t1\ny\t3\n").unwrap();
    let out = run(json!({ "path": csv.to_str().unwrap() })).0;
    assert_eq!(out["source"]["format"], "tsv");
    assert_eq!(out["source"]["columns"], json!(["item", "price"]));
    assert_eq!(described(&out, "price")["mean"], json!(2.0));
    let jsonl = dir.join("rows.ndjson");
    std::fs::write(&jsonl, "{\"v\": 1}\n{\"v\": 2}\n").unwrap();
    let out = run(json!({ "path": jsonl.to_str().unwrap() })).0;
    assert_eq!(out["source"]["rows"], 2);
}

/// A file over twice the reading window (4 MiB): records cross window
/// boundaries, quoted cells with line breaks among them, and a column that is
/// numeric for most of the file turns text near its end, so the loader must
/// read the file again from the start for that column. The file must give
/// exactly what the same text gives inline.
#[test]
fn a_file_larger_than_the_window_reads_like_the_same_text_inline() {
    let rows = 330_000;
    let mut text = String::from("id,label,code,value\n");
    for i in 0..rows {
        let label = match i % 7 {
            0 => "\"with, comma\"".to_owned(),
            1 => format!("\"two\nlines {i}\""),
            _ => format!("label{}", i % 1000),
        };
        // Numbers until ten rows from the end, then a word: the column is text.
        let code = if i == rows - 10 {
            "late".to_owned()
        } else {
            format!("{:03}", i % 500)
        };
        let end = if i % 3 == 0 { "\r\n" } else { "\n" };
        text.push_str(&format!("{i},{label},{code},{}.{}{end}", i % 97, i % 10));
    }
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("data-large");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("large.csv");
    std::fs::write(&path, &text).unwrap();
    assert!(text.len() > 2 * (4 << 20), "{} bytes", text.len());

    let ops = json!([{ "op": "tail", "n": 20 }]);
    let (from_file, _) = run(json!({ "path": path.to_str().unwrap(), "ops": ops, "max_rows": 50 }));
    let (inline, _) = run(json!({ "text": text, "ops": ops, "max_rows": 50 }));
    assert_eq!(table(&from_file), table(&inline));
    let (_, last) = table(&from_file);
    assert_eq!(last.len(), 20);
    assert_eq!(last[19][0], json!((rows - 1) as f64));
    // The code column kept its spelling from the first row on, read again.
    assert_eq!(last[10][2], json!("late"));
    assert_eq!(last[19][2], json!(format!("{:03}", (rows - 1) % 500)));
    let (head, _) =
        run(json!({ "path": path.to_str().unwrap(), "ops": [{ "op": "head", "n": 2 }] }));
    assert_eq!(table(&head).1[0][2], json!("000"));
    assert_eq!(table(&head).1[1][1], json!("two\nlines 1"));
    let (summary, _) = run(json!({ "path": path.to_str().unwrap() }));
    assert_eq!(described(&summary, "id")["count"], json!(rows));
}
