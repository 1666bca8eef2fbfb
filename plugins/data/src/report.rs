//! The output of a call: the result as JSON and as aligned text, with what
//! was read, the steps that ran and anything skipped or changed on the way.

use serde_json::{Value, json};

use crate::column::ColumnData;
use crate::ops::{Outcome, Step, describe};
use crate::render::{self, Align};
use crate::source::Source;
use crate::table::Table;

/// What was read, before any operation.
pub struct Loaded {
    pub origin: String,
    pub format: &'static str,
    pub delimiter: Option<u8>,
    pub rows: usize,
    pub columns: Vec<String>,
    /// Columns not read: no operation uses them.
    pub unread: Vec<String>,
}

impl Loaded {
    pub fn new(source: &Source, table: &Table) -> Self {
        let csv = matches!(
            source.format,
            crate::input::Format::Csv | crate::input::Format::Tsv
        );
        Loaded {
            origin: source.origin.clone(),
            format: source.format.name(),
            delimiter: csv.then_some(source.delimiter),
            rows: table.rows(),
            columns: table.names(),
            unread: table.unread.clone(),
        }
    }
}

/// What loading did that a reader must know: renamed headers, cells counted
/// as missing, columns read as text because of a stray value.
pub fn load_notes(table: &Table) -> Vec<String> {
    let mut notes = table.notes.clone();
    for c in &table.columns {
        let q = &c.quality;
        if q.invalid > 0
            && let Some(first) = &q.first_invalid
        {
            let cells = if q.invalid == 1 {
                "1 cell that was not a number was".to_owned()
            } else {
                format!("{} cells that were not numbers were", q.invalid)
            };
            notes.push(format!(
                "column '{}': {cells} counted as missing (the first at {}: {:?})",
                c.name, first.at, first.text
            ));
        }
        if let Some(cell) = &q.first_non_number
            && q.rows_before_text > 0
        {
            notes.push(format!(
                "column '{}' is read as text: {} has {:?} after {} rows of numbers (declare it in \"types\" as \"number\" to read the numbers)",
                c.name, cell.at, cell.text, q.rows_before_text
            ));
        }
        if q.not_utf8 > 0 {
            notes.push(format!(
                "column '{}': {} distinct value{} not valid UTF-8, shown with U+FFFD",
                c.name,
                q.not_utf8,
                if q.not_utf8 == 1 { " is" } else { "s are" }
            ));
        }
    }
    notes
}

pub fn render(
    loaded: &Loaded,
    steps: &[Step],
    notes: &[String],
    outcome: &Outcome,
    max_rows: usize,
) -> (Value, String) {
    let mut text = summary_line(loaded);
    let flow: Vec<String> = steps
        .iter()
        .map(|s| {
            if s.rows_in == s.rows_out {
                s.op.to_owned()
            } else {
                format!("{} ({} → {} rows)", s.op, s.rows_in, s.rows_out)
            }
        })
        .collect();
    text.push_str(&format!("ops: {}\n\n", flow.join(", ")));
    let mut json = json!({
        "source": {
            "from": loaded.origin,
            "format": loaded.format,
            "rows": loaded.rows,
            "columns": loaded.columns,
        },
        "steps": steps.iter().map(|s| json!({ "op": s.op, "rows_in": s.rows_in, "rows_out": s.rows_out })).collect::<Vec<_>>(),
        "notes": notes,
    });
    if let Some(d) = loaded.delimiter {
        json["source"]["delimiter"] = json!((d as char).to_string());
    }
    if !loaded.unread.is_empty() {
        json["source"]["unread"] = json!(loaded.unread);
    }
    match outcome {
        Outcome::Describe(summaries) => {
            json["result"] = json!("describe");
            json["describe"] = describe::to_json(summaries);
            text.push_str(&describe::to_text(summaries));
        }
        Outcome::Correlation(c) => {
            json["result"] = json!("correlation");
            json["correlation"] = c.to_json();
            text.push_str(&c.to_text());
        }
        Outcome::Table(table) => {
            let (j, t) = table_output(table, max_rows);
            json["result"] = json!("table");
            json["table"] = j;
            text.push_str(&t);
        }
    }
    if !notes.is_empty() {
        text.push_str("\nnotes:\n");
        for n in notes {
            text.push_str(&format!("- {n}\n"));
        }
    }
    (json, text)
}

fn summary_line(loaded: &Loaded) -> String {
    let how = match loaded.delimiter {
        Some(b'\t') => format!("{}, tab-delimited", loaded.format),
        Some(d) => format!("{}, delimiter '{}'", loaded.format, d as char),
        None => loaded.format.to_owned(),
    };
    let unread = if loaded.unread.is_empty() {
        String::new()
    } else {
        let names: Vec<String> = loaded.unread.iter().map(|n| format!("'{n}'")).collect();
        format!(
            "; not read, as no operation uses them: {}",
            names.join(", ")
        )
    };
    format!(
        "{}: {} rows × {} columns ({how}){unread}\n",
        loaded.origin,
        loaded.rows,
        loaded.columns.len() + loaded.unread.len()
    )
}

fn kind_name(table: &Table, j: usize) -> &'static str {
    let c = &table.columns[j];
    if (0..c.len()).all(|r| c.is_missing(r)) {
        return "empty";
    }
    c.kind().name()
}

/// The first `max_rows` rows as JSON rows (arrays, in column order) and as
/// an aligned text table.
fn table_output(table: &Table, max_rows: usize) -> (Value, String) {
    let rows = table.rows();
    let shown = rows.min(max_rows);
    let columns: Vec<Value> = (0..table.columns.len())
        .map(|j| json!({ "name": table.columns[j].name, "type": kind_name(table, j) }))
        .collect();
    let data: Vec<Value> = (0..shown)
        .map(|r| Value::Array(table.columns.iter().map(|c| c.json(r)).collect()))
        .collect();
    let json = json!({ "rows": rows, "shown": shown, "columns": columns, "data": data });

    let header = table.names();
    let align: Vec<Align> = table
        .columns
        .iter()
        .map(|c| {
            if c.is_numeric() {
                Align::Right
            } else {
                Align::Left
            }
        })
        .collect();
    let cells: Vec<Vec<String>> = (0..shown)
        .map(|r| {
            table
                .columns
                .iter()
                .map(|c| match &c.data {
                    ColumnData::Number { values, .. } => render::number(values[r]),
                    ColumnData::Text { .. } => match c.json(r) {
                        Value::String(s) => s,
                        _ => String::new(),
                    },
                })
                .collect()
        })
        .collect();
    let mut text = render::table(&header, &align, &cells);
    if shown < rows {
        text.push_str(&format!(
            "(showing {shown} of {rows} rows; add a head op or raise max_rows)\n"
        ));
    } else {
        text.push_str(&format!(
            "({rows} row{})\n",
            if rows == 1 { "" } else { "s" }
        ));
    }
    (json, text)
}
