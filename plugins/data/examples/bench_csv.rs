//! Writes the benchmark CSV (1,000,000 rows, 10 mixed columns) for timing
//! `describe` in the sandbox:
//!
//! `cargo run --release -p tool-data --example bench_csv -- /tmp/databench/bench.csv`

#[path = "../tests/common/bench_csv.rs"]
mod bench_csv;

fn main() -> std::io::Result<()> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "/tmp/databench/bench.csv".to_owned());
    let path = std::path::Path::new(&path);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    bench_csv::write(path, bench_csv::ROWS)?;
    let size = std::fs::metadata(path)?.len();
    println!("{}: {} rows, {size} bytes", path.display(), bench_csv::ROWS);
    Ok(())
}
