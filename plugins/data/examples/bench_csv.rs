//! Writes the benchmark CSVs (1,000,000 rows, 10 mixed columns: `bench.csv`,
//! 44.5 MB, and `compact.csv`, 29 MB) into a directory, for timing `describe`
//! by hand or with other tools:
//!
//! `cargo run --release -p tool-data --example bench_csv -- /tmp/databench`

#[path = "../tests/common/bench_csv.rs"]
mod bench_csv;

fn main() -> std::io::Result<()> {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "/tmp/databench".to_owned());
    let dir = std::path::Path::new(&dir);
    std::fs::create_dir_all(dir)?;
    let sales = dir.join("bench.csv");
    bench_csv::write(&sales, bench_csv::ROWS)?;
    let compact = dir.join("compact.csv");
    bench_csv::write_compact(&compact, bench_csv::ROWS)?;
    for path in [sales, compact] {
        let size = std::fs::metadata(&path)?.len();
        println!("{}: {} rows, {size} bytes", path.display(), bench_csv::ROWS);
    }
    Ok(())
}
