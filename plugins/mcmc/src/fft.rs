//! Autocovariances by FFT: O(n log n) for every lag at once.

/// The twiddle factors e^(-2 pi i k / n), k < n/2, of a forward FFT of
/// length `n`; an inverse one uses their conjugates.
fn twiddles(n: usize) -> Vec<(f64, f64)> {
    (0..n / 2)
        .map(|k| libm::sincos(-2.0 * std::f64::consts::PI * k as f64 / n as f64))
        .collect()
}

/// In-place iterative radix-2 FFT of `re + i im`, whose length must be a
/// power of two, with the `table` of `twiddles(n)`; `inverse` omits the
/// 1/n factor.
fn fft_with(re: &mut [f64], im: &mut [f64], inverse: bool, table: &[(f64, f64)]) {
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
    let sign = if inverse { -1.0 } else { 1.0 };
    let mut len = 2;
    while len <= n {
        let half = len / 2;
        let stride = n / len;
        for start in (0..n).step_by(len) {
            for k in 0..half {
                let (s, c) = table[k * stride];
                let s = sign * s;
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
/// for every lag `t < n` of several chains of equal length, averaged over
/// the chains. Two real chains share one complex transform, their
/// power spectra are added up, and one inverse transform gives every lag:
/// about a quarter of the transforms of doing each chain alone, which
/// matters for ensembles of many short, slowly mixing walkers.
pub fn mean_autocovariance(chains: &[&[f64]]) -> Vec<f64> {
    let n = chains.first().map_or(0, |c| c.len());
    if n == 0 || chains.iter().any(|c| c.len() != n) {
        return vec![0.0; n];
    }
    let size = (2 * n).next_power_of_two();
    let table = twiddles(size);
    let centred = |c: &[f64], out: &mut [f64]| {
        let mean = c.iter().sum::<f64>() / n as f64;
        for (o, v) in out.iter_mut().zip(c) {
            *o = v - mean;
        }
    };
    let mut power = vec![0.0; size];
    let (mut re, mut im) = (vec![0.0; size], vec![0.0; size]);
    for pair in chains.chunks(2) {
        re.fill(0.0);
        im.fill(0.0);
        centred(pair[0], &mut re);
        if let Some(b) = pair.get(1) {
            centred(b, &mut im);
        }
        fft_with(&mut re, &mut im, false, &table);
        // With z = a + i b for real a and b, |A(k)|^2 + |B(k)|^2 is
        // (|Z(k)|^2 + |Z(-k)|^2) / 2.
        for (k, p) in power.iter_mut().enumerate() {
            let j = (size - k) % size;
            let here = re[k] * re[k] + im[k] * im[k];
            let mirror = re[j] * re[j] + im[j] * im[j];
            *p += 0.5 * (here + mirror);
        }
    }
    im.fill(0.0);
    fft_with(&mut power, &mut im, true, &table);
    power.truncate(n);
    let scale = 1.0 / (size as f64 * n as f64 * chains.len() as f64);
    for p in &mut power {
        *p *= scale;
    }
    power
}

#[cfg(test)]
mod tests {
    use super::*;

    fn autocovariance(x: &[f64]) -> Vec<f64> {
        mean_autocovariance(&[x])
    }

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

    #[test]
    fn pooled_transforms_give_the_mean_of_each_chains_autocovariance() {
        let chains: Vec<Vec<f64>> = (0..5)
            .map(|c| {
                (0..29)
                    .map(|i| libm::sin(i as f64 * (0.3 + c as f64 * 0.2)) + (i % 3) as f64)
                    .collect()
            })
            .collect();
        let refs: Vec<&[f64]> = chains.iter().map(Vec::as_slice).collect();
        let pooled = mean_autocovariance(&refs);
        for (t, got) in pooled.iter().enumerate() {
            let want = chains.iter().map(|c| autocovariance(c)[t]).sum::<f64>() / 5.0;
            assert!((got - want).abs() < 1e-12, "lag {t}");
        }
    }
}
