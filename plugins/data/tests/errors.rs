//! Bad input: every error names the field at fault, and faults in the data
//! their line (or record) and column.

mod common;

use common::{fail, run};
use toolhost_sdk::json;

#[test]
fn a_ragged_row_names_its_line_and_the_missing_columns() {
    let e = fail(json!({ "text": "a,b,c\n1,2,3\n4,5\n6,7,8\n" }));
    assert_eq!(e.code, "invalid_input");
    assert_eq!(
        e.message,
        "line 3: the row has 2 fields but the header has 3 columns: no value for 'c'"
    );
    assert_eq!(e.details.as_ref().unwrap()["line"], 3);
    let e = fail(json!({ "text": "a,b\n1,2\n\n3,4,5\n" }));
    assert_eq!(
        e.message,
        "line 4: the row has 3 fields but the header has 2 columns: more fields than columns (an unquoted delimiter inside a value?)"
    );
}

#[test]
fn line_numbers_count_lines_inside_quoted_fields() {
    let e = fail(json!({ "text": "id,note\n1,\"two\nlines\"\n2\n" }));
    assert!(
        e.message.starts_with("line 4: the row has 1 fields"),
        "{}",
        e.message
    );
}

#[test]
fn a_bad_number_in_a_numeric_column_names_line_and_column() {
    let e = fail(json!({
        "text": "id,price\n1,2.5\n2,3,1\n",
        "types": { "price": "number" }
    }));
    assert!(
        e.message.starts_with("line 3: the row has 3 fields"),
        "{}",
        e.message
    );
    let e = fail(json!({
        "text": "id,price\n1,2.5\n2,abc\n3,4\n",
        "types": { "price": "number" }
    }));
    assert_eq!(
        e.message,
        "line 3, column 'price': \"abc\" is not a number, but the column is declared `number` (pass \"bad_numbers\": \"missing\" to count such cells as missing instead)"
    );
    assert_eq!(e.details.as_ref().unwrap()["column"], "price");
    assert_eq!(e.details.as_ref().unwrap()["line"], 3);
}

#[test]
fn bad_numbers_can_be_counted_as_missing_and_are_reported() {
    let (out, text) = run(json!({
        "text": "id,price\n1,2.5\n2,abc\n3,4\n4,n/a?\n",
        "types": { "price": "number" },
        "bad_numbers": "missing"
    }));
    let price = common::described(&out, "price");
    assert_eq!(
        (price["count"].as_u64(), price["missing"].as_u64()),
        (Some(2), Some(2))
    );
    let note = "column 'price': 2 cells that were not numbers were counted as missing (the first at line 3: \"abc\")";
    assert_eq!(out["notes"], json!([note]));
    assert!(text.contains(note), "{text}");
}

#[test]
fn numbers_on_an_inferred_text_column_say_which_cell_made_it_text() {
    let text = "id,price\n1,2.5\n2,3\n3,oops\n";
    let (out, _) = run(json!({ "text": text }));
    assert_eq!(common::described(&out, "price")["type"], "text");
    assert_eq!(
        out["notes"][0],
        "column 'price' is read as text: line 4 has \"oops\" after 2 rows of numbers (declare it in \"types\" as \"number\" to read the numbers)"
    );
    let e = fail(json!({
        "text": text,
        "ops": [{ "op": "group_by", "by": ["id"], "aggs": ["mean(price)"] }]
    }));
    assert_eq!(
        e.message,
        "mean needs numbers, but column 'price' is text: line 4 has \"oops\", which is not a number, after 2 rows of numbers or missing values. To read it as numbers, pass \"types\": {\"price\": \"number\"} with \"bad_numbers\": \"missing\""
    );
    assert_eq!(e.details.as_ref().unwrap()["pointer"], "/ops/0/aggs/0");
}

#[test]
fn unknown_columns_suggest_the_closest_name() {
    let text = "city,price,qty\nParis,1,2\n";
    let e =
        fail(json!({ "text": text, "ops": [{ "op": "select", "columns": ["city", "prise"] }] }));
    assert_eq!(
        e.message,
        "unknown column 'prise' (did you mean 'price'?); the columns are 'city', 'price', 'qty'"
    );
    assert_eq!(e.details.as_ref().unwrap()["pointer"], "/ops/0/columns/1");
    let e = fail(json!({ "text": text, "ops": [{ "op": "sort", "by": [{ "column": "qtty" }] }] }));
    assert!(e.message.contains("did you mean 'qty'"), "{}", e.message);
    assert_eq!(e.details.as_ref().unwrap()["pointer"], "/ops/0/by/0");
    let e = fail(json!({ "text": text, "types": { "Price": "number" } }));
    assert_eq!(e.details.as_ref().unwrap()["pointer"], "/types/Price");
    let e = fail(
        json!({ "text": text, "ops": [{ "op": "group_by", "by": ["city"], "aggs": ["avg(price)"] }] }),
    );
    assert_eq!(
        e.message,
        "unknown aggregate 'avg' (did you mean 'mean'?): use count, or fn(column) with fn one of count, sum, mean, min, max, sd, median, n_unique"
    );
}

#[test]
fn filter_errors_point_into_the_expression() {
    let text = "city,price\nParis,1\n";
    let e = fail(json!({ "text": text, "ops": [{ "op": "filter", "expr": "prise > 3" }] }));
    assert_eq!(
        e.message,
        "/ops/0/expr: line 1, column 1: unknown variable 'prise' (did you mean 'price'?)"
    );
    let details = e.details.unwrap();
    assert_eq!(
        (details["line"].as_u64(), details["column"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(
        details["snippet"],
        "line 1, column 1: unknown variable 'prise' (did you mean 'price'?)\n  prise > 3\n  ^^^^^"
    );
    let e = fail(json!({ "text": text, "ops": [{ "op": "filter", "expr": "city > 3" }] }));
    assert!(
        e.message.contains("'>' compares text with a number"),
        "{}",
        e.message
    );
    let e = fail(
        json!({ "text": "unit price\n1\n", "ops": [{ "op": "filter", "expr": "unit price > 3" }] }),
    );
    assert!(
        e.message.ends_with("(column names that are not identifiers are written with '_': 'unit price' is unit_price)"),
        "{}",
        e.message
    );
}

#[test]
fn empty_input_is_an_error() {
    let e = fail(json!({ "text": "" }));
    assert_eq!(
        e.message,
        "line 1: the data is empty: no header and no rows"
    );
    let e = fail(json!({ "text": "[]", "format": "json" }));
    assert_eq!(e.message, "line 1: the data is empty: no records");
    // A header alone is a table without rows.
    let (out, _) = run(json!({ "text": "a,b\n" }));
    assert_eq!(out["describe"][0]["count"], 0);
    assert_eq!(out["describe"][0]["type"], "empty");
}

#[test]
fn malformed_quotes_name_their_line_and_column() {
    let e = fail(json!({ "text": "a,b\n1,\"never closed\n2,3\n" }));
    assert_eq!(
        e.message,
        "line 2, column 'b': a quoted field is never closed: its opening quote has no closing quote"
    );
    let e = fail(json!({ "text": "a,b\n1,\"x\"y\n" }));
    assert!(
        e.message
            .starts_with("line 2, column 'b': text follows the closing quote"),
        "{}",
        e.message
    );
}

#[test]
fn json_records_must_be_flat() {
    let e = fail(json!({ "text": "[{\"a\": 1}, {\"a\": [1, 2]}]" }));
    assert_eq!(
        e.message,
        "record 2, column 'a': nested arrays and objects are not supported: give flat records of numbers, text, booleans and nulls"
    );
    let e = fail(json!({ "text": "{\"a\": 1}\n{\"a\": 2,}\n", "format": "jsonl" }));
    assert!(
        e.message.starts_with("line 2: not a JSON record"),
        "{}",
        e.message
    );
    let e = fail(json!({ "text": "{\"rows\": []}", "format": "json" }));
    assert!(
        e.message.contains("expected an array of records"),
        "{}",
        e.message
    );
}

#[test]
fn options_are_checked_with_their_pointer() {
    let text = "a\n1\n";
    let pointer = |v| {
        fail(v).details.unwrap()["pointer"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(pointer(json!({})), "/path");
    assert_eq!(
        pointer(json!({ "text": text, "path": "/data/x.csv" })),
        "/text"
    );
    assert_eq!(
        pointer(json!({ "text": text, "delimiter": ";;" })),
        "/delimiter"
    );
    assert_eq!(
        pointer(json!({ "text": text, "max_rows": 1_000_000 })),
        "/max_rows"
    );
    assert_eq!(
        pointer(json!({ "text": text, "ops": [{ "op": "describe" }, { "op": "head" }] })),
        "/ops/0"
    );
    assert_eq!(
        pointer(json!({ "text": text, "ops": [{ "op": "sort", "by": [] }] })),
        "/ops/0/by"
    );
    let e = fail(json!({ "path": "/nowhere/x.csv" }));
    assert!(
        e.message
            .starts_with("cannot read '/nowhere/x.csv': no such file"),
        "{}",
        e.message
    );
    let e = fail(json!({ "text": text, "ops": [{ "op": "pivot" }] }));
    assert!(
        e.message.contains("unknown variant `pivot`"),
        "{}",
        e.message
    );
}
