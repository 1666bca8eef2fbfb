//! Each operation on a small table, with exact expected results.

mod common;

use common::{described, run, table};
use toolhost_sdk::{Value, json};

const SALES: &str = "\
city,price,qty,day
Paris,12.5,3,2024-01-05
Lyon,8,1,2024-02-10
Paris,20,2,2024-01-20
Nice,,5,2024-03-01
Lyon,15,2,
Paris,7.5,NA,2024-02-29
";

fn ops(ops: Value) -> Value {
    run(json!({ "text": SALES, "ops": ops })).0
}

fn rows(out: &Value) -> Vec<Vec<Value>> {
    table(out).1
}

fn close(a: &Value, b: f64) -> bool {
    a.as_f64()
        .is_some_and(|a| (a - b).abs() <= 1e-12 * b.abs().max(1.0))
}

#[test]
fn describe_summarises_numbers_text_and_dates() {
    let (out, text) = run(json!({ "text": SALES }));
    assert_eq!(out["result"], "describe");
    assert_eq!(out["source"]["rows"], 6);
    assert_eq!(
        out["source"]["columns"],
        json!(["city", "price", "qty", "day"])
    );

    let price = described(&out, "price");
    assert_eq!(price["type"], "number");
    assert_eq!(
        (price["count"].as_u64(), price["missing"].as_u64()),
        (Some(5), Some(1))
    );
    assert!(close(&price["mean"], 12.6));
    assert!(close(&price["sd"], (107.7f64 / 4.0).sqrt()));
    for (k, v) in [
        ("min", 7.5),
        ("q25", 8.0),
        ("median", 12.5),
        ("q75", 15.0),
        ("max", 20.0),
    ] {
        assert_eq!(price[k], json!(v), "{k}");
    }

    let qty = described(&out, "qty");
    assert_eq!(qty["type"], "integer");
    assert_eq!(
        (qty["count"].as_u64(), qty["missing"].as_u64()),
        (Some(5), Some(1))
    );
    assert!(close(&qty["mean"], 2.6));
    assert!(close(&qty["sd"], 2.3f64.sqrt()));
    assert_eq!(
        [&qty["q25"], &qty["median"], &qty["q75"]],
        [&json!(2.0), &json!(2.0), &json!(3.0)]
    );

    let city = described(&out, "city");
    assert_eq!(city["type"], "text");
    assert_eq!(city["unique"], 3);
    assert_eq!(
        city["top"],
        json!([
            { "value": "Paris", "count": 3 },
            { "value": "Lyon", "count": 2 },
            { "value": "Nice", "count": 1 }
        ])
    );

    let day = described(&out, "day");
    assert_eq!(day["type"], "date");
    assert_eq!(
        (day["count"].as_u64(), day["missing"].as_u64()),
        (Some(5), Some(1))
    );
    assert_eq!(
        (&day["min"], &day["max"]),
        (&json!("2024-01-05"), &json!("2024-03-01"))
    );

    // The text form lines the same numbers up under a header.
    let header = text.lines().find(|l| l.starts_with("column")).unwrap();
    assert!(header.contains("mean") && header.contains("25%") && header.contains("max"));
    let price_line = text.lines().find(|l| l.starts_with("price")).unwrap();
    let cells: Vec<&str> = price_line.split_whitespace().collect();
    assert_eq!(
        cells,
        [
            "price", "number", "5", "1", "12.6", "5.18893", "7.5", "8", "12.5", "15", "20"
        ]
    );
    assert!(text.contains("city: 3 distinct; most frequent: \"Paris\" 3, \"Lyon\" 2, \"Nice\" 1"));
}

#[test]
fn describe_takes_chosen_columns_and_top() {
    let out = ops(json!([{ "op": "describe", "columns": ["city"], "top": 1 }]));
    let all = out["describe"].as_array().unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0]["top"], json!([{ "value": "Paris", "count": 3 }]));
}

#[test]
fn filter_keeps_rows_where_the_expression_holds() {
    let out = ops(json!([{ "op": "filter", "expr": "price > 10 && qty >= 2" }]));
    assert_eq!(
        rows(&out),
        vec![
            vec![json!("Paris"), json!(12.5), json!(3.0), json!("2024-01-05")],
            vec![json!("Paris"), json!(20.0), json!(2.0), json!("2024-01-20")],
            vec![json!("Lyon"), json!(15.0), json!(2.0), Value::Null],
        ]
    );
    assert_eq!(
        out["steps"],
        json!([{ "op": "filter", "rows_in": 6, "rows_out": 3 }])
    );
}

#[test]
fn filter_compares_text_and_dates_as_text() {
    let cities = |expr: &str| -> Vec<Value> {
        rows(&ops(json!([{ "op": "filter", "expr": expr }])))
            .into_iter()
            .map(|r| r[0].clone())
            .collect()
    };
    let prices = |expr: &str| -> Vec<Value> {
        rows(&ops(json!([{ "op": "filter", "expr": expr }])))
            .into_iter()
            .map(|r| r[1].clone())
            .collect()
    };
    assert_eq!(
        prices("city == \"Paris\" && day >= '2024-01-15'"),
        [json!(20.0), json!(7.5)]
    );
    assert_eq!(
        cities("city != 'Paris'"),
        [json!("Lyon"), json!("Nice"), json!("Lyon")]
    );
    // Text order is byte order: "Lyon" < "Nice" < "Paris".
    assert_eq!(cities("city < 'Nice'"), [json!("Lyon"), json!("Lyon")]);
    // A value absent from the data matches nothing, and is still ordered.
    assert_eq!(cities("city == 'Rome'"), Vec::<Value>::new());
    assert_eq!(cities("city > 'Oslo'").len(), 3);
    // A missing number makes a comparison false, so its negation true.
    assert_eq!(
        prices("!(price > 10)"),
        [json!(8.0), Value::Null, json!(7.5)]
    );
    // Missing text is unequal to everything.
    assert_eq!(
        prices("day == '2024-01-05' || day != day"),
        [json!(12.5), json!(15.0)]
    );
}

#[test]
fn filter_reaches_columns_whose_names_are_not_identifiers() {
    let out = run(json!({
        "text": "unit price,2020\n3,1\n12,2\n",
        "ops": [{ "op": "filter", "expr": "unit_price > 5 && _2020 == 2" }]
    }))
    .0;
    assert_eq!(rows(&out), vec![vec![json!(12.0), json!(2.0)]]);
}

#[test]
fn sort_is_stable_with_missing_last_both_ways() {
    let prices = |by: Value| -> Vec<Value> {
        rows(&ops(json!([{ "op": "sort", "by": by }])))
            .into_iter()
            .map(|r| r[1].clone())
            .collect()
    };
    assert_eq!(
        prices(json!([{ "column": "price", "desc": true }])),
        [
            json!(20.0),
            json!(15.0),
            json!(12.5),
            json!(8.0),
            json!(7.5),
            Value::Null
        ]
    );
    assert_eq!(
        prices(json!(["price"])),
        [
            json!(7.5),
            json!(8.0),
            json!(12.5),
            json!(15.0),
            json!(20.0),
            Value::Null
        ]
    );
    // Ties keep their input order.
    assert_eq!(
        prices(json!(["city"])),
        [
            json!(8.0),
            json!(15.0),
            Value::Null,
            json!(12.5),
            json!(20.0),
            json!(7.5)
        ]
    );
    // Several keys: city ascending, then qty descending with missing last.
    let out = ops(json!([{ "op": "sort", "by": ["city", { "column": "qty", "desc": true }] }]));
    let got: Vec<(Value, Value)> = rows(&out)
        .into_iter()
        .map(|r| (r[0].clone(), r[2].clone()))
        .collect();
    assert_eq!(
        got,
        [
            (json!("Lyon"), json!(2.0)),
            (json!("Lyon"), json!(1.0)),
            (json!("Nice"), json!(5.0)),
            (json!("Paris"), json!(3.0)),
            (json!("Paris"), json!(2.0)),
            (json!("Paris"), Value::Null),
        ]
    );
}

#[test]
fn head_tail_and_select() {
    let out = ops(json!([{ "op": "head", "n": 2 }]));
    assert_eq!(rows(&out).len(), 2);
    assert_eq!(rows(&out)[1][0], "Lyon");
    let out =
        ops(json!([{ "op": "tail", "n": 2 }, { "op": "select", "columns": ["qty", "city"] }]));
    let (names, data) = table(&out);
    assert_eq!(names, ["qty", "city"]);
    assert_eq!(
        data,
        vec![
            vec![json!(2.0), json!("Lyon")],
            vec![Value::Null, json!("Paris")]
        ]
    );
    // head with more rows than there are keeps them all.
    assert_eq!(rows(&ops(json!([{ "op": "head", "n": 100 }]))).len(), 6);
}

#[test]
fn a_pipeline_runs_in_order() {
    let out = ops(json!([
        { "op": "filter", "expr": "qty >= 2" },
        { "op": "sort", "by": [{ "column": "price", "desc": true }] },
        { "op": "select", "columns": ["city", "price"] },
        { "op": "head", "n": 2 }
    ]));
    assert_eq!(
        rows(&out),
        vec![
            vec![json!("Paris"), json!(20.0)],
            vec![json!("Lyon"), json!(15.0)]
        ]
    );
    let steps: Vec<(String, u64)> = out["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["op"].as_str().unwrap().to_owned(),
                s["rows_out"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        steps,
        [
            ("filter".into(), 4),
            ("sort".into(), 4),
            ("select".into(), 4),
            ("head".into(), 2)
        ]
    );
}

#[test]
fn group_by_aggregates_each_group_in_key_order() {
    let out = ops(json!([{
        "op": "group_by",
        "by": ["city"],
        "aggs": ["count", "mean(price)", "sum(qty)", "median(price)", "min(day)", "max(price)", "sd(price)", "count(price)"]
    }]));
    let (names, data) = table(&out);
    assert_eq!(
        names,
        [
            "city",
            "count",
            "mean(price)",
            "sum(qty)",
            "median(price)",
            "min(day)",
            "max(price)",
            "sd(price)",
            "count(price)"
        ]
    );
    let lyon = &data[0];
    assert_eq!(lyon[0], "Lyon");
    assert_eq!(lyon[1], json!(2.0));
    assert_eq!(lyon[2], json!(11.5));
    assert_eq!(lyon[3], json!(3.0));
    assert_eq!(lyon[4], json!(11.5));
    assert_eq!(lyon[5], "2024-02-10");
    assert_eq!(lyon[6], json!(15.0));
    assert!(close(&lyon[7], 24.5f64.sqrt()));
    assert_eq!(lyon[8], json!(2.0));
    // Nice has no price: its price aggregates are missing, its count is 0.
    let nice = &data[1];
    assert_eq!(nice[0], "Nice");
    assert_eq!([&nice[2], &nice[4], &nice[6], &nice[7]], [&Value::Null; 4]);
    assert_eq!((&nice[3], &nice[8]), (&json!(5.0), &json!(0.0)));
    let paris = &data[2];
    assert_eq!(paris[0], "Paris");
    assert!(close(&paris[2], 40.0 / 3.0));
    assert_eq!(paris[3], json!(5.0));
    assert_eq!(paris[4], json!(12.5));
    assert_eq!(paris[5], "2024-01-05");
    let mean = 40.0 / 3.0;
    let m2: f64 = [12.5f64, 20.0, 7.5]
        .iter()
        .map(|x| (x - mean) * (x - mean))
        .sum();
    assert!(close(&paris[7], (m2 / 2.0).sqrt()));
}

#[test]
fn group_by_numbers_and_several_keys_keeps_missing_as_a_group() {
    let out = ops(json!([{ "op": "group_by", "by": ["qty"] }]));
    let got: Vec<(Value, Value)> = rows(&out)
        .into_iter()
        .map(|r| (r[0].clone(), r[1].clone()))
        .collect();
    assert_eq!(
        got,
        [
            (json!(1.0), json!(1.0)),
            (json!(2.0), json!(2.0)),
            (json!(3.0), json!(1.0)),
            (json!(5.0), json!(1.0)),
            (Value::Null, json!(1.0)),
        ]
    );
    let out = ops(json!([{ "op": "group_by", "by": ["city", "qty"], "aggs": ["sum(price)"] }]));
    let got: Vec<Vec<Value>> = rows(&out);
    assert_eq!(got.len(), 6);
    assert_eq!(got[0], vec![json!("Lyon"), json!(1.0), json!(8.0)]);
    assert_eq!(got[5], vec![json!("Paris"), Value::Null, json!(7.5)]);
}

#[test]
fn value_counts_most_frequent_first_with_shares() {
    let out = ops(json!([{ "op": "value_counts", "column": "city" }]));
    let (names, data) = table(&out);
    assert_eq!(names, ["city", "count", "share"]);
    assert_eq!(data[0], vec![json!("Paris"), json!(3.0), json!(0.5)]);
    assert_eq!(data[1][0..2], [json!("Lyon"), json!(2.0)]);
    assert!(close(&data[1][2], 2.0 / 6.0));
    assert_eq!(data[2][0..2], [json!("Nice"), json!(1.0)]);
    // Ties in value order, missing last.
    let out = ops(json!([{ "op": "value_counts", "column": "qty" }]));
    let values: Vec<Value> = rows(&out).into_iter().map(|r| r[0].clone()).collect();
    assert_eq!(
        values,
        [json!(2.0), json!(1.0), json!(3.0), json!(5.0), Value::Null]
    );
}

#[test]
fn correlation_uses_pairwise_complete_rows() {
    let out = ops(json!([{ "op": "correlation" }]));
    assert_eq!(out["result"], "correlation");
    let c = &out["correlation"];
    assert_eq!(c["columns"], json!(["price", "qty"]));
    assert_eq!(c["n"], json!([[5, 4], [4, 5]]));
    // Rows with both: (12.5, 3), (8, 1), (20, 2), (15, 2).
    let expected = 4.5 / (75.1875f64 * 2.0).sqrt();
    assert!(close(&c["r"][0][1], expected), "{}", c["r"]);
    assert!(close(&c["r"][1][0], expected));
    assert_eq!(c["r"][0][0], json!(1.0));
}

#[test]
fn text_output_is_an_aligned_table_with_a_row_count() {
    let (_, text) = run(json!({ "text": SALES, "ops": [{ "op": "head", "n": 3 }] }));
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "text: 6 rows × 4 columns (csv, delimiter ',')");
    assert_eq!(lines[1], "ops: head (6 → 3 rows)");
    assert_eq!(lines[3], "city   price  qty  day");
    assert_eq!(lines[4], "-----  -----  ---  ----------");
    assert_eq!(lines[5], "Paris   12.5    3  2024-01-05");
    assert_eq!(lines[6], "Lyon       8    1  2024-02-10");
    assert_eq!(lines[8], "(3 rows)");
}

#[test]
fn long_results_are_cut_to_max_rows_and_say_so() {
    let (out, text) =
        run(json!({ "text": SALES, "ops": [{ "op": "sort", "by": ["price"] }], "max_rows": 2 }));
    assert_eq!(out["table"]["rows"], 6);
    assert_eq!(out["table"]["shown"], 2);
    assert_eq!(rows(&out).len(), 2);
    assert!(
        text.contains("(showing 2 of 6 rows; add a head op or raise max_rows)"),
        "{text}"
    );
}

#[test]
fn comparison_filters_keep_the_rows_the_interpreter_keeps() {
    // Missing values (NaN) fail every comparison but `!=`; the scan must agree.
    let mut csv = String::from("x,y\n");
    for i in 0..400 {
        let x = if i % 7 == 0 {
            String::new()
        } else {
            format!("{}", (i % 9) as f64 * 0.25 - 1.0)
        };
        csv.push_str(&format!("{x},{}\n", (i * 37 % 100) as f64 / 100.0));
    }
    for (scanned, interpreted) in [
        ("y > 0.5", "(y) > 0.5"),
        ("x != -0.25", "(x) != -0.25"),
        (
            "0.5 <= y && x == -1 && x < 1e0",
            "(0.5 <= y) && (x == -1) && (x < 1)",
        ),
        ("x >= -1 && y < .3", "(x >= -1) && (y < 0.3)"),
    ] {
        let rows = |expr: &str| {
            let out = run(
                json!({ "text": csv, "max_rows": 400, "ops": [{ "op": "filter", "expr": expr }] }),
            )
            .0;
            table(&out).1
        };
        let kept = rows(scanned);
        assert!(
            !kept.is_empty() && kept.len() < 400,
            "{scanned}: {}",
            kept.len()
        );
        assert_eq!(kept, rows(interpreted), "{scanned}");
    }
}
