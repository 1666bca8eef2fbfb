//! Autocovariances by FFT: O(n log n) for every lag at once.

/// In-place iterative radix-2 FFT of `re + i im`, whose length must be a
/// power of two; `inverse` omits the 1/n factor.
fn fft(re: &mut [f64], im: &mut [f64], inverse: bool) {
    let n = re.len();
    let mut j = 0;
    for i in 1..n {
        let mut bit = n >> 1;
        while j & bit != 0 {
            j ^= bit;
            bit >>= 1;
        }
        j |= bit;
        if i < j {
            re.swap(i, j);
            im.swap(i, j);
        }
    }
    // Twiddles from libm rather than recurrences: exact to the ulp and the
    // same on every platform; one table serves every stage.
    let sign = if inverse { 1.0 } else { -1.0 };
    let table: Vec<(f64, f64)> = (0..n / 2)
        .map(|k| libm::sincos(sign * 2.0 * std::f64::consts::PI * k as f64 / n as f64))
        .collect();
    let mut len = 2;
    while len <= n {
        let half = len / 2;
        let stride = n / len;
        for start in (0..n).step_by(len) {
            for k in 0..half {
                let (s, c) = table[k * stride];
                let (a, b) = (start + k, start + k + half);
                let tr = re[b] * c - im[b] * s;
                let ti = re[b] * s + im[b] * c;
                re[b] = re[a] - tr;
                im[b] = im[a] - ti;
                re[a] += tr;
                im[a] += ti;
            }
        }
        len <<= 1;
    }
}

/// The biased autocovariances `acov[t] = sum_i (x_i - m)(x_{i+t} - m) / n`
/// for every lag `t < n`.
pub fn autocovariance(x: &[f64]) -> Vec<f64> {
    let n = x.len();
    if n == 0 {
        return Vec::new();
    }
    let mean = x.iter().sum::<f64>() / n as f64;
    // Zero-padding to at least 2n keeps the circular correlation from
    // wrapping around.
    let size = (2 * n).next_power_of_two();
    let mut re = vec![0.0; size];
    let mut im = vec![0.0; size];
    for (r, v) in re.iter_mut().zip(x) {
        *r = v - mean;
    }
    fft(&mut re, &mut im, false);
    for (r, i) in re.iter_mut().zip(im.iter_mut()) {
        *r = *r * *r + *i * *i;
        *i = 0.0;
    }
    fft(&mut re, &mut im, true);
    re.truncate(n);
    let scale = 1.0 / (size as f64 * n as f64);
    for r in &mut re {
        *r *= scale;
    }
    re
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_direct_sum_at_every_lag() {
        let x: Vec<f64> = (0..37)
            .map(|i| libm::sin(i as f64 * 0.7) + (i % 5) as f64)
            .collect();
        let n = x.len();
        let mean = x.iter().sum::<f64>() / n as f64;
        let acov = autocovariance(&x);
        for (t, got) in acov.iter().enumerate() {
            let want: f64 = (0..n - t)
                .map(|i| (x[i] - mean) * (x[i + t] - mean))
                .sum::<f64>()
                / n as f64;
            assert!((got - want).abs() < 1e-12, "lag {t}: {got} vs {want}");
        }
    }
}
