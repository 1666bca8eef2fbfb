//! Rank-normalised split-R-hat: the classic potential scale reduction
//! factor, on the rank-normalised draws and on the draws folded around
//! their median.

use super::draws::{Draws, degenerate, mean, quantile_sorted, variance};
use super::ranks::normal_scores;

/// The classic potential scale reduction factor of the given chains.
pub(super) fn rhat_basic(chains: &[&[f64]]) -> f64 {
    let n = chains.first().map_or(0, |c| c.len());
    if chains.len() < 2 || n < 2 || chains.iter().any(|c| c.iter().any(|x| !x.is_finite())) {
        return f64::NAN;
    }
    let means: Vec<f64> = chains.iter().map(|c| mean(c)).collect();
    let between = n as f64 * variance(&means);
    let within = chains.iter().map(|c| variance(c)).sum::<f64>() / chains.len() as f64;
    ((between / within + n as f64 - 1.0) / n as f64).sqrt()
}

impl Draws {
    pub(super) fn rhat(&self) -> f64 {
        if degenerate(&self.flat) {
            return f64::NAN;
        }
        let bulk = rhat_basic(&self.split(self.scores()));
        // Folding around the median reverses the order below it: merge the
        // two runs outward from the median instead of sorting again.
        let median = quantile_sorted(&self.sorted, 0.5);
        let folded: Vec<f64> = self.flat.iter().map(|x| (x - median).abs()).collect();
        let split_at = self.sorted.partition_point(|&x| x < median);
        let (mut left, mut right) = (split_at, split_at);
        let mut order = Vec::with_capacity(self.order.len());
        while left > 0 || right < self.order.len() {
            let take_left = right == self.order.len()
                || (left > 0
                    && folded[self.order[left - 1] as usize] <= folded[self.order[right] as usize]);
            if take_left {
                left -= 1;
                order.push(self.order[left]);
            } else {
                order.push(self.order[right]);
                right += 1;
            }
        }
        let tail = rhat_basic(&self.split(&normal_scores(&folded, &order)));
        if bulk.is_nan() || tail.is_nan() {
            f64::NAN
        } else {
            bulk.max(tail)
        }
    }
}

/// Rank-normalised split-R-hat: the larger of the bulk version and the one
/// on draws folded around the median, which catches chains that agree in
/// location but not in scale.
pub fn rhat(chains: &[Vec<f64>]) -> f64 {
    Draws::new(chains).rhat()
}
