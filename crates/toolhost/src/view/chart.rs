//! Small inline SVG charts of a run's running totals against its budgets, drawn in Rust
//! so the page needs no charting script. Only numbers and fixed labels go into the SVG.

use std::fmt::Write;

use super::model::RunView;

const WIDTH: f64 = 300.0;
const HEIGHT: f64 = 110.0;
const PAD_LEFT: f64 = 8.0;
const PAD_TOP: f64 = 18.0;
const PAD_BOTTOM: f64 = 16.0;

/// One series: the running total after each step, the step's own share, and the budget.
pub struct Series {
    pub title: &'static str,
    pub per_step: Vec<f64>,
    pub cumulative: Vec<f64>,
    pub budget: Option<f64>,
    pub format: fn(f64) -> String,
}

/// The charts for a run: tokens and wall time always, cost when the run had prices.
pub fn charts(run: &RunView) -> Vec<String> {
    let totals: Vec<_> = run.steps.iter().filter_map(|s| s.cumulative).collect();
    let budget = run.budget.as_ref();
    let mut series = vec![Series {
        title: "tokens",
        per_step: run
            .steps
            .iter()
            .map(|s| s.usage.total_tokens as f64)
            .collect(),
        cumulative: totals.iter().map(|t| t.tokens as f64).collect(),
        budget: budget.and_then(|b| b.max_total_tokens).map(|t| t as f64),
        format: tokens,
    }];
    if totals.iter().any(|t| t.cost.is_some()) {
        series.push(Series {
            title: "cost",
            per_step: run.steps.iter().map(|s| s.cost.unwrap_or(0.0)).collect(),
            cumulative: totals.iter().map(|t| t.cost.unwrap_or(0.0)).collect(),
            budget: budget.and_then(|b| b.max_cost),
            format: dollars,
        });
    }
    series.push(Series {
        title: "wall time",
        per_step: run.steps.iter().map(|s| s.duration_ms).collect(),
        cumulative: totals.iter().map(|t| t.elapsed_ms).collect(),
        budget: budget.and_then(|b| b.wall_time_ms),
        format: seconds,
    });
    series.iter().map(svg).collect()
}

pub fn svg(s: &Series) -> String {
    let n = s.cumulative.len().max(1) as f64;
    let last = s.cumulative.last().copied().unwrap_or(0.0);
    let top = last.max(s.budget.unwrap_or(0.0)).max(f64::MIN_POSITIVE) * 1.08;
    let plot_h = HEIGHT - PAD_TOP - PAD_BOTTOM;
    let plot_w = WIDTH - 2.0 * PAD_LEFT;
    let x = |i: f64| PAD_LEFT + plot_w * i / n;
    let y = |v: f64| PAD_TOP + plot_h * (1.0 - v / top);
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" role="img" aria-label="{title}">"#,
        title = s.title
    );
    let _ = write!(
        out,
        r#"<text x="{PAD_LEFT}" y="12" class="chart-title">{} · {}</text>"#,
        s.title,
        (s.format)(last)
    );
    // The step's own share as bars, the running total as a line.
    let bar_w = (plot_w / n * 0.7).max(0.5);
    for (i, v) in s.per_step.iter().enumerate() {
        let (x0, y0) = (x(i as f64) + (plot_w / n - bar_w) / 2.0, y(*v));
        let _ = write!(
            out,
            r#"<rect class="bar" x="{x0:.1}" y="{y0:.1}" width="{bar_w:.1}" height="{:.1}"/>"#,
            (PAD_TOP + plot_h - y0).max(0.0)
        );
    }
    let points: Vec<String> = std::iter::once((0.0, 0.0))
        .chain(
            s.cumulative
                .iter()
                .enumerate()
                .map(|(i, v)| (i as f64 + 1.0, *v)),
        )
        .map(|(i, v)| format!("{:.1},{:.1}", x(i), y(v)))
        .collect();
    let _ = write!(
        out,
        r#"<polyline class="total" points="{}"/>"#,
        points.join(" ")
    );
    if let Some(b) = s.budget {
        let yb = y(b);
        let _ = write!(
            out,
            r#"<line class="budget" x1="{PAD_LEFT}" x2="{:.1}" y1="{yb:.1}" y2="{yb:.1}"/><text class="budget-label" x="{:.1}" y="{:.1}" text-anchor="end">budget {}</text>"#,
            WIDTH - PAD_LEFT,
            WIDTH - PAD_LEFT,
            yb - 3.0,
            (s.format)(b)
        );
    }
    let _ = write!(
        out,
        r#"<line class="axis" x1="{PAD_LEFT}" x2="{:.1}" y1="{base:.1}" y2="{base:.1}"/><text class="axis-label" x="{PAD_LEFT}" y="{:.1}">step 1</text><text class="axis-label" x="{:.1}" y="{:.1}" text-anchor="end">{}</text></svg>"#,
        WIDTH - PAD_LEFT,
        HEIGHT - 3.0,
        WIDTH - PAD_LEFT,
        HEIGHT - 3.0,
        s.cumulative.len(),
        base = PAD_TOP + plot_h,
    );
    out
}

pub fn tokens(v: f64) -> String {
    match v {
        v if v >= 1e6 => format!("{:.2}M", v / 1e6),
        v if v >= 1e4 => format!("{:.1}k", v / 1e3),
        v => format!("{v:.0}"),
    }
}

pub fn dollars(v: f64) -> String {
    if v >= 1.0 {
        format!("${v:.2}")
    } else {
        format!("${v:.4}")
    }
}

pub fn seconds(ms: f64) -> String {
    if ms >= 60_000.0 {
        format!(
            "{:.0}m{:02.0}s",
            (ms / 60_000.0).floor(),
            (ms % 60_000.0) / 1e3
        )
    } else if ms >= 1000.0 {
        format!("{:.1} s", ms / 1e3)
    } else {
        format!("{ms:.0} ms")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_budget_line_is_drawn_above_a_total_under_it() {
        let s = Series {
            title: "tokens",
            per_step: vec![100.0, 300.0],
            cumulative: vec![100.0, 400.0],
            budget: Some(1000.0),
            format: tokens,
        };
        let svg = svg(&s);
        assert!(
            svg.contains(r#"class="budget""#) && svg.contains("budget 1000"),
            "{svg}"
        );
        assert_eq!(svg.matches("<rect").count(), 2);
        // The budget line sits higher (smaller y) than the last point of the total.
        let budget_y: f64 = svg
            .split(r#"y1=""#)
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let last_point = svg
            .split(r#"points=""#)
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        let last_y: f64 = last_point.rsplit(',').next().unwrap().parse().unwrap();
        assert!(budget_y < last_y, "{budget_y} vs {last_y}");
    }
}
