//! `describe`: per column its type, how many values are present and missing,
//! and either numeric summaries or the most frequent text values.

use serde_json::{Value, json};

use crate::column::{Column, ColumnData, Kind, MISSING, is_iso_date};
use crate::error::DataError;
use crate::render::{self, Align, json_number};
use crate::summary;
use crate::table::Table;

/// Most frequent values listed per text column unless asked otherwise.
pub const DEFAULT_TOP: usize = 5;

pub struct Summary {
    pub name: String,
    pub kind: Option<Kind>,
    pub count: usize,
    pub missing: usize,
    pub detail: Detail,
}

pub enum Detail {
    Numeric {
        mean: Option<f64>,
        sd: Option<f64>,
        min: f64,
        q25: f64,
        median: f64,
        q75: f64,
        max: f64,
    },
    Text {
        unique: usize,
        /// Value and count, most frequent first (ties in text order).
        top: Vec<(String, usize)>,
        /// First and last value in text order (for dates, chronological).
        range: Option<(String, String)>,
    },
}

/// Describes `columns` (default all) of `table`, which it consumes.
pub fn describe(
    mut table: Table,
    columns: Option<&[String]>,
    top: usize,
    pointer: &str,
) -> Result<Vec<Summary>, DataError> {
    let chosen: Vec<usize> = match columns {
        None => (0..table.columns.len()).collect(),
        Some(names) => names
            .iter()
            .enumerate()
            .map(|(i, n)| table.find(n, &format!("{pointer}/columns/{i}")))
            .collect::<Result<_, _>>()?,
    };
    let mut taken: Vec<Option<Column>> = table.columns.drain(..).map(Some).collect();
    let mut out = Vec::with_capacity(chosen.len());
    for (i, &j) in chosen.iter().enumerate() {
        let Some(column) = taken[j].take() else {
            return Err(DataError::option(
                format!("{pointer}/columns/{i}"),
                format!("column '{}' is listed twice", names_of(&out, &chosen, j)),
            ));
        };
        out.push(summarise(column, top));
    }
    Ok(out)
}

fn names_of(done: &[Summary], chosen: &[usize], j: usize) -> String {
    let first = chosen.iter().position(|&c| c == j).unwrap_or(0);
    done.get(first).map(|s| s.name.clone()).unwrap_or_default()
}

fn summarise(column: Column, top: usize) -> Summary {
    let name = column.name;
    match column.data {
        ColumnData::Number { values, integer } => {
            let s = summary::summarise(&values);
            Summary {
                name,
                kind: (s.count > 0).then_some(if integer { Kind::Integer } else { Kind::Number }),
                count: s.count,
                missing: values.len() - s.count,
                detail: Detail::Numeric {
                    mean: s.mean,
                    sd: s.sd,
                    min: s.min,
                    q25: s.quartiles[0],
                    median: s.quartiles[1],
                    q75: s.quartiles[2],
                    max: s.max,
                },
            }
        }
        ColumnData::Text { codes, dict } => {
            let (counts, missing) = count_codes(&codes, dict.values.len());
            let used: Vec<u32> = (0..counts.len() as u32)
                .filter(|&c| counts[c as usize] > 0)
                .collect();
            let text = |c: u32| &*dict.values[c as usize];
            let mut ranked = used.clone();
            let by_frequency = |a: &u32, b: &u32| {
                counts[*b as usize]
                    .cmp(&counts[*a as usize])
                    .then_with(|| text(*a).cmp(text(*b)))
            };
            if ranked.len() > top && top > 0 {
                ranked.select_nth_unstable_by(top - 1, by_frequency);
            }
            ranked.truncate(top);
            ranked.sort_unstable_by(by_frequency);
            let first = used.iter().copied().min_by(|&a, &b| text(a).cmp(text(b)));
            let last = used.iter().copied().max_by(|&a, &b| text(a).cmp(text(b)));
            let is_date = !used.is_empty() && used.iter().all(|&c| is_iso_date(text(c)));
            Summary {
                name,
                kind: (!used.is_empty()).then_some(if is_date { Kind::Date } else { Kind::Text }),
                count: codes.len() - missing,
                missing,
                detail: Detail::Text {
                    unique: used.len(),
                    top: ranked
                        .iter()
                        .map(|&c| (text(c).to_owned(), counts[c as usize]))
                        .collect(),
                    range: first
                        .zip(last)
                        .map(|(a, b)| (text(a).to_owned(), text(b).to_owned())),
                },
            }
        }
    }
}

/// How many cells hold each of `n` codes, and how many are missing. Four
/// tallies, summed at the end: a column of few values would otherwise add
/// to one counter over and over, each addition waiting for the last.
fn count_codes(codes: &[u32], n: usize) -> (Vec<usize>, usize) {
    // Missing cells (`MISSING`, above every code) are counted in the extra
    // slot `n`.
    debug_assert!(n < MISSING as usize);
    let slot = |c: u32| (c as usize).min(n);
    let mut tallies = [
        vec![0u32; n + 1],
        vec![0u32; n + 1],
        vec![0u32; n + 1],
        vec![0u32; n + 1],
    ];
    let (quads, rest) = codes.as_chunks::<4>();
    for q in quads {
        tallies[0][slot(q[0])] += 1;
        tallies[1][slot(q[1])] += 1;
        tallies[2][slot(q[2])] += 1;
        tallies[3][slot(q[3])] += 1;
    }
    for &c in rest {
        tallies[0][slot(c)] += 1;
    }
    let mut counts: Vec<usize> = (0..=n)
        .map(|i| tallies.iter().map(|t| t[i] as usize).sum())
        .collect();
    let missing = counts.pop().unwrap_or(0);
    (counts, missing)
}

fn opt(v: Option<f64>) -> Value {
    v.map_or(Value::Null, json_number)
}

pub fn to_json(summaries: &[Summary]) -> Value {
    let columns: Vec<Value> = summaries
        .iter()
        .map(|s| {
            let mut v = json!({
                "column": s.name,
                "type": s.kind.map_or("empty", Kind::name),
                "count": s.count,
                "missing": s.missing,
            });
            match &s.detail {
                Detail::Numeric {
                    mean,
                    sd,
                    min,
                    q25,
                    median,
                    q75,
                    max,
                } => {
                    v["mean"] = opt(*mean);
                    v["sd"] = opt(*sd);
                    v["min"] = json_number(*min);
                    v["q25"] = json_number(*q25);
                    v["median"] = json_number(*median);
                    v["q75"] = json_number(*q75);
                    v["max"] = json_number(*max);
                }
                Detail::Text { unique, top, range } => {
                    v["unique"] = json!(unique);
                    v["top"] = top
                        .iter()
                        .map(|(value, count)| json!({ "value": value, "count": count }))
                        .collect();
                    if let Some((first, last)) = range {
                        v["min"] = json!(first);
                        v["max"] = json!(last);
                    }
                }
            }
            v
        })
        .collect();
    Value::Array(columns)
}

pub fn to_text(summaries: &[Summary]) -> String {
    let header: Vec<String> = [
        "column", "type", "count", "missing", "mean", "sd", "min", "25%", "50%", "75%", "max",
    ]
    .map(String::from)
    .to_vec();
    let mut align = vec![Align::Left, Align::Left];
    align.extend([Align::Right; 9]);
    let n = |v: f64| render::number(v);
    let rows: Vec<Vec<String>> = summaries
        .iter()
        .map(|s| {
            let mut row = vec![
                s.name.clone(),
                s.kind.map_or("empty", Kind::name).to_owned(),
                s.count.to_string(),
                s.missing.to_string(),
            ];
            match &s.detail {
                Detail::Numeric {
                    mean,
                    sd,
                    min,
                    q25,
                    median,
                    q75,
                    max,
                } => row.extend([
                    mean.map_or(String::new(), n),
                    sd.map_or(String::new(), n),
                    n(*min),
                    n(*q25),
                    n(*median),
                    n(*q75),
                    n(*max),
                ]),
                Detail::Text { range, .. } => {
                    let (lo, hi) = range.clone().unwrap_or_default();
                    row.extend([String::new(), String::new(), lo, String::new()]);
                    row.extend([String::new(), String::new(), hi]);
                }
            }
            row
        })
        .collect();
    let mut out = render::table(&header, &align, &rows);
    for s in summaries {
        if let Detail::Text { unique, top, .. } = &s.detail {
            let shown: Vec<String> = top.iter().map(|(v, c)| format!("{v:?} {c}")).collect();
            out.push_str(&format!(
                "{}: {unique} distinct; most frequent: {}\n",
                s.name,
                if shown.is_empty() {
                    "none".to_owned()
                } else {
                    shown.join(", ")
                }
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_counted_with_missing_cells_apart() {
        let m = MISSING;
        for len in 0..13 {
            let codes: Vec<u32> = [2, m, 0, 2, 2, 1, m, 0, 2, 1, 2, m, 0][..len].to_vec();
            let mut expected = vec![0usize; 3];
            for &c in &codes {
                if c != m {
                    expected[c as usize] += 1;
                }
            }
            let missing = codes.iter().filter(|&&c| c == m).count();
            assert_eq!(count_codes(&codes, 3), (expected, missing), "{len} codes");
        }
    }
}
