//! One module per plot kind, each turning the request into layers of a [`Scene`]
//! (line and scatter share [`xy`]), and the [`Cleaner`] the point-based kinds share.
//!
//! [`Scene`]: crate::render::Scene

mod bar;
mod function;
mod heatmap;
pub(crate) mod histogram;
mod xy;

pub(crate) use bar::bar_layers;
pub(crate) use function::function_layers;
pub(crate) use heatmap::heatmap_layers;
pub(crate) use histogram::histogram_layers;
pub(crate) use xy::xy_layers;

/// Keep finite points that fit the axes; split lines at dropped points.
struct Cleaner<'a> {
    log_x: bool,
    log_y: bool,
    warnings: &'a mut Vec<String>,
}

impl Cleaner<'_> {
    fn segments(&mut self, pts: &[(f64, f64)], pointer: &str) -> Vec<Vec<(f64, f64)>> {
        let (mut nan, mut nonpos) = (0usize, 0usize);
        let mut segs = vec![Vec::new()];
        for &(x, y) in pts {
            let ok = if !x.is_finite() || !y.is_finite() {
                nan += 1;
                false
            } else if (self.log_x && x <= 0.0) || (self.log_y && y <= 0.0) {
                nonpos += 1;
                false
            } else {
                true
            };
            if ok {
                segs.last_mut().expect("never empty").push((x, y));
            } else if !segs.last().expect("never empty").is_empty() {
                segs.push(Vec::new());
            }
        }
        segs.retain(|s| !s.is_empty());
        if nan > 0 {
            self.warnings.push(format!(
                "{pointer}: skipped {nan} point(s) with NaN or infinite values"
            ));
        }
        if nonpos > 0 {
            self.warnings.push(format!(
                "{pointer}: skipped {nonpos} point(s) ≤ 0 on a log axis"
            ));
        }
        segs
    }
}
