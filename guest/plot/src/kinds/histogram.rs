//! Histograms: each series' `values` binned into equal-width bins, a given count or
//! chosen by the Freedman–Diaconis rule.

use crate::colour::series_color;
use crate::input::{BinRule, Bins, Input, MAX_BINS, bad, need_series};
use crate::render::{Layer, Scene};
use crate::scene::{Extent, axis_range};
use toolhost_sdk::ToolError;

/// Opacity of each series' bars when several share the axes.
pub(crate) const OVERLAP_ALPHA: f64 = 0.5;

/// Freedman–Diaconis bin count for sorted finite `v`; Sturges when the IQR is zero.
pub(crate) fn auto_bins(sorted: &[f64]) -> usize {
    let n = sorted.len();
    let q = |p: f64| {
        let h = p * (n - 1) as f64;
        let (lo, frac) = (h.floor() as usize, h - h.floor());
        sorted[lo] + frac * (sorted[(lo + 1).min(n - 1)] - sorted[lo])
    };
    let iqr = q(0.75) - q(0.25);
    let range = sorted[n - 1] - sorted[0];
    let sturges = ((n as f64).log2().ceil() as usize + 1).max(1);
    if iqr <= 0.0 || range <= 0.0 {
        return sturges;
    }
    let width = 2.0 * iqr / (n as f64).cbrt();
    ((range / width).ceil() as usize).clamp(1, MAX_BINS)
}

pub(crate) fn histogram_layers(
    input: &Input,
    scene: &mut Scene,
    warnings: &mut Vec<String>,
) -> Result<String, ToolError> {
    need_series(input, "`values`")?;
    if input.log_x {
        return Err(bad(
            "log_x is not supported for histograms; bin the logarithms instead",
            "/log_x",
        ));
    }
    let mut cleaned = Vec::new();
    let mut all = Extent::new();
    for (i, s) in input.series.iter().enumerate() {
        let p = format!("/series/{i}/values");
        let v = s
            .values
            .as_ref()
            .ok_or_else(|| bad(format!("series {i} has no `values` to bin"), &p))?;
        let mut finite: Vec<f64> = v.iter().copied().filter(|x| x.is_finite()).collect();
        if finite.len() < v.len() {
            warnings.push(format!(
                "{p}: skipped {} NaN or infinite value(s)",
                v.len() - finite.len()
            ));
        }
        if let Some([a, b]) = input.x_range {
            finite.retain(|&x| x >= a && x <= b);
        }
        if finite.is_empty() {
            return Err(bad(format!("series {i} has no finite value to bin"), &p));
        }
        finite.sort_by(f64::total_cmp);
        all.add(finite[0]);
        all.add(finite[finite.len() - 1]);
        cleaned.push(finite);
    }
    let (lo, hi) = match input.x_range {
        Some(r) => axis_range(Some(r), all, false, "/x_range", false)?,
        None => axis_range(None, all, false, "/x_range", false)?,
    };
    let bins = match &input.bins {
        Some(Bins::Count(0)) => return Err(bad("`bins` must be at least 1", "/bins")),
        Some(Bins::Count(c)) if *c as usize > MAX_BINS => {
            return Err(bad(format!("`bins` must be at most {MAX_BINS}"), "/bins"));
        }
        Some(Bins::Count(c)) => *c as usize,
        Some(Bins::Rule(BinRule::Auto)) | None => {
            cleaned.iter().map(|v| auto_bins(v)).max().unwrap_or(10)
        }
    };
    let w = (hi - lo) / bins as f64;
    let mut ye = Extent::new();
    ye.add(if input.log_y { 0.5 } else { 0.0 });
    // Overlaid series are see-through, as matplotlib's are drawn with alpha, so that every
    // series shows where they overlap.
    let nser = cleaned.len();
    let alpha = if nser > 1 { OVERLAP_ALPHA } else { 1.0 };
    for (i, v) in cleaned.iter().enumerate() {
        let mut counts = vec![0usize; bins];
        for &x in v {
            let k = (((x - lo) / w) as usize).min(bins - 1);
            counts[k] += 1;
        }
        let s = &input.series[i];
        let color = series_color(&s.color, i, &format!("/series/{i}/color"))?;
        let base = if input.log_y { 0.5 } else { 0.0 };
        let rects = counts
            .iter()
            .enumerate()
            .filter(|&(_, &c)| c > 0)
            .map(|(k, &c)| {
                ye.add(c as f64);
                let x0 = lo + k as f64 * w;
                (x0, base, x0 + w, c as f64, color)
            })
            .collect();
        scene.layers.push(Layer::Rects {
            rects,
            color,
            alpha,
            label: s.label.clone(),
        });
    }
    scene.x_range = (lo, hi);
    scene.y_range = axis_range(input.y_range, ye, input.log_y, "/y_range", true)?;
    if !input.log_y && input.y_range.is_none() {
        scene.y_range.0 = 0.0;
    }
    Ok(format!(
        "histogram of {} series, {bins} bins of width {w:.4}",
        cleaned.len()
    ))
}
