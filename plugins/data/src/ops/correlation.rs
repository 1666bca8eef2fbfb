//! `correlation`: Pearson correlation of numeric columns, each pair over the
//! rows where both are present.

use serde_json::{Value, json};

use crate::error::DataError;
use crate::ops::numeric_values;
use crate::render::{self, Align, json_number};
use crate::table::Table;

pub struct Correlation {
    pub names: Vec<String>,
    /// r[i][j]; NaN where undefined (fewer than two pairs, or no spread).
    pub r: Vec<Vec<f64>>,
    /// Rows where both columns are present.
    pub n: Vec<Vec<usize>>,
}

pub fn correlation(
    table: &Table,
    columns: Option<&[String]>,
    pointer: &str,
) -> Result<Correlation, DataError> {
    let chosen: Vec<usize> = match columns {
        Some(names) => names
            .iter()
            .enumerate()
            .map(|(i, n)| table.find(n, &format!("{pointer}/columns/{i}")))
            .collect::<Result<_, _>>()?,
        None => (0..table.columns.len())
            .filter(|&j| table.columns[j].is_numeric())
            .collect(),
    };
    if chosen.len() < 2 {
        return Err(DataError::option(
            format!("{pointer}/columns"),
            format!(
                "correlation needs at least two numeric columns, and there {}",
                match chosen.len() {
                    0 => "are none".to_owned(),
                    _ => format!("is one ('{}')", table.columns[chosen[0]].name),
                }
            ),
        ));
    }
    let values: Vec<&[f64]> = chosen
        .iter()
        .enumerate()
        .map(|(i, &j)| {
            numeric_values(
                &table.columns[j],
                &format!("{pointer}/columns/{i}"),
                "correlation",
            )
            .map(|(v, _)| v)
        })
        .collect::<Result<_, _>>()?;
    let k = chosen.len();
    let mut r = vec![vec![f64::NAN; k]; k];
    let mut n = vec![vec![0usize; k]; k];
    for a in 0..k {
        for b in a..k {
            let (rab, nab) = pearson(values[a], values[b]);
            r[a][b] = rab;
            r[b][a] = rab;
            n[a][b] = nab;
            n[b][a] = nab;
        }
    }
    Ok(Correlation {
        names: chosen
            .iter()
            .map(|&j| table.columns[j].name.clone())
            .collect(),
        r,
        n,
    })
}

/// r over the pairs where both are present, by two passes (means, then
/// centred sums) for accuracy, and the number of such pairs.
fn pearson(x: &[f64], y: &[f64]) -> (f64, usize) {
    let pairs = || x.iter().zip(y).filter(|(a, b)| !a.is_nan() && !b.is_nan());
    let (mut n, mut sx, mut sy) = (0usize, 0.0, 0.0);
    for (a, b) in pairs() {
        n += 1;
        sx += a;
        sy += b;
    }
    if n < 2 {
        return (f64::NAN, n);
    }
    let (mx, my) = (sx / n as f64, sy / n as f64);
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in pairs() {
        let (dx, dy) = (a - mx, b - my);
        sxy += dx * dy;
        sxx += dx * dx;
        syy += dy * dy;
    }
    if sxx == 0.0 || syy == 0.0 {
        return (f64::NAN, n);
    }
    ((sxy / (sxx * syy).sqrt()).clamp(-1.0, 1.0), n)
}

impl Correlation {
    pub fn to_json(&self) -> Value {
        json!({
            "columns": self.names,
            "r": self.r.iter().map(|row| row.iter().map(|&v| json_number(v)).collect::<Vec<_>>()).collect::<Vec<_>>(),
            "n": self.n,
        })
    }

    pub fn to_text(&self) -> String {
        let mut header = vec![String::new()];
        header.extend(self.names.iter().cloned());
        let mut align = vec![Align::Left];
        align.extend(std::iter::repeat_n(Align::Right, self.names.len()));
        let rows: Vec<Vec<String>> = self
            .names
            .iter()
            .zip(&self.r)
            .map(|(name, row)| {
                let mut cells = vec![name.clone()];
                cells.extend(row.iter().map(|&v| {
                    if v.is_nan() {
                        "—".to_owned()
                    } else {
                        format!("{v:.3}")
                    }
                }));
                cells
            })
            .collect();
        let mut out = render::table(&header, &align, &rows);
        let (lo, hi) = self
            .n
            .iter()
            .flatten()
            .fold((usize::MAX, 0), |(lo, hi), &v| (lo.min(v), hi.max(v)));
        out.push_str(&if lo == hi {
            format!("Pearson r over {lo} rows.\n")
        } else {
            format!("Pearson r, each pair over the rows where both are present ({lo} to {hi}).\n")
        });
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pearson_skips_incomplete_pairs() {
        let nan = f64::NAN;
        let (r, n) = pearson(&[1.0, 2.0, 3.0, nan, 5.0], &[2.0, 4.0, 6.0, 1.0, nan]);
        assert_eq!(n, 3);
        assert!((r - 1.0).abs() < 1e-15);
        let (r, _) = pearson(&[1.0, 2.0, 3.0], &[3.0, 1.0, 2.0]);
        assert!((r - -0.5).abs() < 1e-15);
        assert!(pearson(&[1.0, 1.0], &[1.0, 2.0]).0.is_nan());
    }
}
