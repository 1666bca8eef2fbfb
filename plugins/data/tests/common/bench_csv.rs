//! The benchmark tables: deterministic CSVs of mixed columns, like a sales
//! export, in two sizes: 44.5 MB (with a date and longer values) and the
//! issue's 29 MB. Shared by `benches/describe.rs`, `examples/bench_csv.rs` and the
//! host's sandbox bench.

use std::io::{BufWriter, Write};
use std::path::Path;

use toolhost_rng::Rng;

pub const ROWS: usize = 1_000_000;
pub const SEED: u64 = 20_240_601;

/// Writes `rows` rows of 10 columns to `path`: a date as text, two integer
/// columns, three decimal columns (two with a few missing cells), text
/// categories of 2 to 40 values and a yes/no flag.
pub fn write(path: &Path, rows: usize) -> std::io::Result<()> {
    const STORES: usize = 40;
    const CATEGORIES: [&str; 6] = ["food", "toys", "books", "garden", "tools", "music"];
    const REGIONS: [&str; 4] = ["N", "S", "E", "W"];
    let mut rng = Rng::stream(SEED, 0);
    let mut out = BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
    writeln!(
        out,
        "day,store,category,region,qty,units,price,discount,rating,member"
    )?;
    for _ in 0..rows {
        let pick = |rng: &mut Rng, n: usize| (rng.next_u64() % n as u64) as usize;
        // Two years of days, 2023-01-01 on.
        let d = pick(&mut rng, 730);
        let (year, day_of_year) = if d < 365 { (2023, d) } else { (2024, d - 365) };
        let (month, day) = month_day(day_of_year, year == 2024);
        write!(out, "{year}-{month:02}-{day:02},")?;
        write!(out, "S{},", pick(&mut rng, STORES) + 1)?;
        write!(out, "{},", CATEGORIES[pick(&mut rng, CATEGORIES.len())])?;
        write!(out, "{},", REGIONS[pick(&mut rng, REGIONS.len())])?;
        write!(out, "{},", pick(&mut rng, 9) + 1)?;
        write!(out, "{},", pick(&mut rng, 200))?;
        write!(out, "{:.2},", (rng.normal() * 12.0 + 40.0).abs())?;
        if rng.uniform() < 0.05 {
            out.write_all(b",")?;
        } else {
            write!(out, "{:.1},", rng.uniform() * 30.0)?;
        }
        if rng.uniform() < 0.02 {
            out.write_all(b",")?;
        } else {
            write!(out, "{:.1},", 1.0 + rng.uniform() * 4.0)?;
        }
        out.write_all(if rng.uniform() < 0.3 { b"y\n" } else { b"n\n" })?;
    }
    out.flush()
}

/// Writes `rows` rows of the benchmark shape, 10 mixed columns in
/// about 29 bytes a row: integers, one-decimal numbers (two with a few
/// missing cells), short text categories and a yes/no flag.
pub fn write_compact(path: &Path, rows: usize) -> std::io::Result<()> {
    const CATEGORIES: [&str; 6] = ["A", "B", "C", "D", "E", "F"];
    const REGIONS: [&str; 4] = ["N", "S", "E", "W"];
    let mut rng = Rng::stream(SEED, 1);
    let mut out = BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
    writeln!(
        out,
        "store,category,region,hour,qty,units,price,discount,rating,member"
    )?;
    for _ in 0..rows {
        let pick = |rng: &mut Rng, n: usize| (rng.next_u64() % n as u64) as usize;
        write!(out, "S{},", pick(&mut rng, 40) + 1)?;
        write!(out, "{},", CATEGORIES[pick(&mut rng, CATEGORIES.len())])?;
        write!(out, "{},", REGIONS[pick(&mut rng, REGIONS.len())])?;
        write!(out, "{},", pick(&mut rng, 24))?;
        write!(out, "{},", pick(&mut rng, 9) + 1)?;
        write!(out, "{},", pick(&mut rng, 200))?;
        write!(out, "{:.1},", (rng.normal() * 12.0 + 40.0).abs())?;
        if rng.uniform() < 0.05 {
            out.write_all(b",")?;
        } else {
            write!(out, "{},", pick(&mut rng, 31))?;
        }
        if rng.uniform() < 0.02 {
            out.write_all(b",")?;
        } else {
            write!(out, "{:.1},", 1.0 + rng.uniform() * 4.0)?;
        }
        out.write_all(if rng.uniform() < 0.3 { b"y\n" } else { b"n\n" })?;
    }
    out.flush()
}

fn month_day(day_of_year: usize, leap: bool) -> (usize, usize) {
    let lengths = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    let mut d = day_of_year;
    for (m, &len) in lengths.iter().enumerate() {
        if d < len {
            return (m + 1, d + 1);
        }
        d -= len;
    }
    (12, 31)
}
