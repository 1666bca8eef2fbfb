//! `aggregate` (and `n_unique`) against a plain computation on a generated
//! table, its errors, and reading only the columns a pipeline uses.

mod common;

use common::{fail, run, table};
use toolhost_rng::Rng;
use toolhost_sdk::{Value, json};

const CATS: [&str; 7] = ["ant", "bee", "cat", "dog", "eel", "fox", "gnu"];

/// `id,cat,x,y`: x normal with 6 decimals, y uniform, a tenth of x and of
/// cat missing; and the values as read.
fn generated(rows: usize) -> (String, Vec<Option<&'static str>>, Vec<f64>, Vec<f64>) {
    let mut rng = Rng::stream(20, 0);
    let mut csv = String::from("id,cat,x,y\n");
    let (mut cats, mut xs, mut ys) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..rows {
        let cat = (rng.uniform() >= 0.1).then(|| CATS[(rng.next_u64() % 7) as usize]);
        let x: Option<f64> = (rng.uniform() >= 0.1).then(|| rng.normal());
        let y = rng.uniform();
        let xs_text = x.map(|v| format!("{v:.6}")).unwrap_or_default();
        let ys_text = format!("{y:.6}");
        csv.push_str(&format!("{i},{},{xs_text},{ys_text}\n", cat.unwrap_or("")));
        cats.push(cat);
        xs.push(x.map_or(f64::NAN, |_| xs_text.parse().unwrap()));
        ys.push(ys_text.parse().unwrap());
    }
    (csv, cats, xs, ys)
}

fn close(a: &Value, b: f64) -> bool {
    a.as_f64()
        .is_some_and(|a| (a - b).abs() <= 1e-9 * b.abs().max(1.0))
}

/// Count, mean, sample sd, min and max of the numbers that are not NaN,
/// the textbook way.
fn plain(values: &[f64]) -> [f64; 5] {
    let present: Vec<f64> = values.iter().copied().filter(|v| !v.is_nan()).collect();
    let n = present.len() as f64;
    let mean = present.iter().sum::<f64>() / n;
    let var = present.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (n - 1.0);
    let min = present.iter().copied().fold(f64::INFINITY, f64::min);
    let max = present.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    [n, mean, var.sqrt(), min, max]
}

#[test]
fn aggregate_gives_one_row_of_exactly_the_aggregates_asked() {
    let (csv, cats, xs, ys) = generated(5000);
    let aggs = [
        "count",
        "count(x)",
        "mean(x)",
        "sd(x)",
        "min(x)",
        "max(x)",
        "count(y)",
        "mean(y)",
        "sd(y)",
        "min(y)",
        "max(y)",
        "n_unique(cat)",
        "count(cat)",
        "sum(id)",
    ];
    let (out, text) = run(json!({ "text": csv, "ops": [{ "op": "aggregate", "aggs": aggs }] }));
    let (names, rows) = table(&out);
    assert_eq!(names, aggs);
    assert_eq!(rows.len(), 1);
    let row = &rows[0];
    assert_eq!(row[0], json!(5000.0));
    for (k, values) in [(1, &xs), (6, &ys)] {
        let expected = plain(values);
        for (i, e) in expected.iter().enumerate() {
            assert!(
                close(&row[k + i], *e),
                "{} = {} != {e}",
                aggs[k + i],
                row[k + i]
            );
        }
    }
    let mut distinct: Vec<&str> = cats.iter().flatten().copied().collect();
    distinct.sort_unstable();
    distinct.dedup();
    assert_eq!(row[11], json!(distinct.len() as f64));
    assert_eq!(row[12], json!(cats.iter().flatten().count() as f64));
    assert_eq!(row[13], json!((0..5000).sum::<usize>() as f64));
    assert!(text.contains("n_unique(cat)"), "{text}");
}

#[test]
fn aggregate_follows_a_filter_and_leaves_out_missing_values() {
    let csv = "g,v\na,1\nb,\na,3\nb,NA\nc,-0\nc,0\n";
    let (out, _) = run(json!({ "text": csv, "ops": [
        { "op": "filter", "expr": "g != \"a\"" },
        { "op": "aggregate", "aggs": ["count", "count(v)", "mean(v)", "sd(v)", "n_unique(v)", "min(g)", "max(g)"] }
    ] }));
    let (_, rows) = table(&out);
    // Rows b, b, c, c: v present twice (both zeros, one distinct value).
    assert_eq!(
        rows[0],
        [
            json!(4.0),
            json!(2.0),
            json!(0.0),
            json!(0.0),
            json!(1.0),
            json!("b"),
            json!("c")
        ]
    );
    // Nothing left: counts are 0, the rest missing.
    let (out, _) = run(json!({ "text": csv, "ops": [
        { "op": "filter", "expr": "v > 100" },
        { "op": "aggregate", "aggs": ["count", "mean(v)", "sd(v)", "max(g)", "n_unique(g)"] }
    ] }));
    let (_, rows) = table(&out);
    assert_eq!(
        rows[0],
        [
            json!(0.0),
            Value::Null,
            Value::Null,
            Value::Null,
            json!(0.0)
        ]
    );
}

#[test]
fn group_by_counts_distinct_values_per_group() {
    let csv = "g,v,t\na,1,x\na,1,y\na,2,\nb,,x\nb,5,x\n";
    let (out, _) = run(json!({ "text": csv, "ops": [
        { "op": "group_by", "by": ["g"], "aggs": ["n_unique(v)", "n_unique(t)"] }
    ] }));
    let (_, rows) = table(&out);
    assert_eq!(rows[0], [json!("a"), json!(2.0), json!(2.0)]);
    assert_eq!(rows[1], [json!("b"), json!(1.0), json!(1.0)]);
}

#[test]
fn aggregate_errors_name_the_field_and_what_was_expected() {
    let csv = "city,price\nParis,3\n";
    let call =
        |aggs: Value| fail(json!({ "text": csv, "ops": [{ "op": "aggregate", "aggs": aggs }] }));

    let e = call(json!(["count", "mean(prices)"]));
    assert_eq!(e.details.as_ref().unwrap()["pointer"], "/ops/0/aggs/1");
    assert!(
        e.message.contains("unknown column 'prices'"),
        "{}",
        e.message
    );
    assert!(e.message.contains("did you mean 'price'"), "{}", e.message);

    let e = call(json!(["std(price)"]));
    assert_eq!(e.details.as_ref().unwrap()["pointer"], "/ops/0/aggs/0");
    assert!(e.message.contains("did you mean 'sd'"), "{}", e.message);

    let e = call(json!(["mean(city)"]));
    assert_eq!(e.details.as_ref().unwrap()["pointer"], "/ops/0/aggs/0");
    assert_eq!(e.details.as_ref().unwrap()["column"], "city");
    assert!(e.message.contains("mean needs numbers"), "{}", e.message);

    let e = call(json!(["n_unique"]));
    assert!(e.message.contains("needs a column"), "{}", e.message);

    let e = call(json!([]));
    assert_eq!(e.details.as_ref().unwrap()["pointer"], "/ops/0/aggs");
    assert!(
        e.message.contains("at least one aggregate"),
        "{}",
        e.message
    );
}

#[test]
fn only_the_columns_a_pipeline_uses_are_read() {
    let (csv, ..) = generated(300);
    let query = json!([
        { "op": "filter", "expr": "y > 0.5" },
        { "op": "group_by", "by": ["cat"], "aggs": ["count", "mean(x)"] },
        { "op": "sort", "by": [{ "column": "mean(x)", "desc": true }] }
    ]);
    let (out, text) = run(json!({ "text": csv, "ops": query }));
    assert_eq!(out["source"]["unread"], json!(["id"]));
    assert_eq!(out["source"]["columns"], json!(["cat", "x", "y"]));
    assert!(
        text.contains("not read, as no operation uses them: 'id'"),
        "{text}"
    );
    // The same result as with every column read: a select of all of them
    // first makes the pipeline use every column.
    let mut all = vec![json!({ "op": "select", "columns": ["id", "cat", "x", "y"] })];
    all.extend(query.as_array().unwrap().iter().cloned());
    let (every, _) = run(json!({ "text": csv, "ops": all }));
    assert_eq!(every["source"].get("unread"), None);
    assert_eq!(table(&out), table(&every));

    // A table result shows every column, so every column is read.
    let (out, _) = run(json!({ "text": csv, "ops": [{ "op": "filter", "expr": "y > 0.5" }] }));
    assert_eq!(out["source"].get("unread"), None);
}

#[test]
fn unread_columns_still_hold_the_table_to_its_shape_and_declared_types() {
    let aggregate = json!([{ "op": "aggregate", "aggs": ["mean(x)"] }]);
    // A ragged row is an error even where only an unread column is missing.
    let e = fail(json!({ "text": "x,id\n1,1\n2\n", "ops": aggregate }));
    assert_eq!(e.details.as_ref().unwrap()["line"], 3);
    // A column declared a number is read, and checked.
    let e = fail(
        json!({ "text": "x,id\n1,1\n2,two\n", "types": { "id": "number" }, "ops": aggregate }),
    );
    assert_eq!(e.details.as_ref().unwrap()["column"], "id");
    // Undeclared, the stray text in it does not matter.
    let (out, _) = run(json!({ "text": "x,id\n1,1\n2,two\n", "ops": aggregate }));
    assert_eq!(table(&out).1[0], [json!(1.5)]);
}
