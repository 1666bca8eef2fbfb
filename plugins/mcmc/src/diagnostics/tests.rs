//! The diagnostics' tests, mostly on simulated AR(1) chains whose
//! effective sample size is known.

use super::autocovariance::{DIRECT_LAGS, MeanAutocovariance};
use super::draws::{flatten, variance};
use super::rhat::rhat_basic;
use super::*;
use crate::normal;
use toolhost_rng::Rng;

fn ar1(phi: f64, chains: usize, n: usize, seed: u64) -> Vec<Vec<f64>> {
    (0..chains)
        .map(|c| {
            let mut rng = Rng::stream(seed, c);
            let sd = (1.0 - phi * phi).sqrt();
            let mut x = rng.normal();
            (0..n)
                .map(|_| {
                    x = phi * x + sd * rng.normal();
                    x
                })
                .collect()
        })
        .collect()
}

#[test]
fn independent_draws_have_ess_near_their_count_and_rhat_near_one() {
    let chains = ar1(0.0, 4, 2500, 1);
    let ess = ess_bulk(&chains);
    // The ESS estimate itself varies by a few percent at this size.
    assert!((ess / 10_000.0 - 1.0).abs() < 0.1, "ess {ess}");
    let r = rhat(&chains);
    assert!(r < 1.005 && r > 0.999, "rhat {r}");
    let tail = ess_tail(&chains);
    assert!((tail / 10_000.0 - 1.0).abs() < 0.1, "tail ess {tail}");
}

#[test]
fn autocorrelated_draws_have_the_ar1_ess() {
    // For AR(1), ESS = N (1 - phi) / (1 + phi).
    let phi = 0.8;
    let chains = ar1(phi, 4, 20_000, 2);
    let want = 80_000.0 * (1.0 - phi) / (1.0 + phi);
    for ess in [ess_mean(&chains), ess_bulk(&chains)] {
        assert!((ess / want - 1.0).abs() < 0.1, "ess {ess}, want {want}");
    }
    // An indicator forgets faster than the value it thresholds.
    assert!(ess_tail(&chains) > ess_bulk(&chains));
}

#[test]
fn chains_that_disagree_have_a_large_rhat() {
    let mut chains = ar1(0.5, 4, 1000, 3);
    for x in &mut chains[0] {
        *x += 1.0;
    }
    assert!(rhat(&chains) > 1.1);
    // Same location, different scale: only the folded R-hat sees it.
    let mut chains = ar1(0.5, 4, 1000, 4);
    for x in &mut chains[1] {
        *x *= 3.0;
    }
    assert!(rhat(&chains) > 1.05, "{}", rhat(&chains));
}

#[test]
fn a_drift_within_chains_is_caught_by_splitting() {
    let chains: Vec<Vec<f64>> = ar1(0.0, 4, 1000, 5)
        .into_iter()
        .map(|c| {
            c.iter()
                .enumerate()
                .map(|(i, x)| x + i as f64 / 250.0)
                .collect()
        })
        .collect();
    assert!(rhat(&chains) > 1.1);
}

#[test]
fn mcse_matches_the_sd_over_root_ess_of_iid_draws() {
    let chains = ar1(0.0, 4, 5000, 6);
    let sd = variance(&flatten(&chains)).sqrt();
    let want = sd / 20_000f64.sqrt();
    assert!((mcse_mean(&chains) / want - 1.0).abs() < 0.1);
    // For a normal, sd(sd estimate) = sd / sqrt(2 N).
    let want_sd = sd / (2.0 * 20_000f64).sqrt();
    assert!(
        (mcse_sd(&chains) / want_sd - 1.0).abs() < 0.15,
        "{}",
        mcse_sd(&chains)
    );
}

#[test]
fn degenerate_draws_give_nan() {
    let constant = vec![vec![1.0; 100]; 4];
    assert!(rhat(&constant).is_nan());
    assert!(ess_bulk(&constant).is_nan());
    let mut with_nan = ar1(0.0, 2, 100, 7);
    with_nan[1][3] = f64::NAN;
    assert!(ess_bulk(&with_nan).is_nan());
    assert!(ess_basic(&[vec![1.0, 2.0]]).is_nan());
}

#[test]
fn ranks_are_averaged_over_ties_and_mapped_through_the_normal_quantile() {
    let z = rank_normalize(&[vec![3.0, 1.0], vec![1.0, 2.0]]);
    // Ranks: 3 -> 4, 1 -> 1.5 (tied), 2 -> 3; S = 4.
    let phi = |r: f64| normal::quantile((r - 0.375) / 4.25);
    assert_eq!(z, [vec![phi(4.0), phi(1.5)], vec![phi(1.5), phi(3.0)]]);
}

#[test]
fn quantiles_follow_r_type_7() {
    let s = [1.0, 2.0, 3.0, 4.0, 10.0];
    let q = |p: f64| quantile_sorted(&s, p);
    assert_eq!(q(0.5), 3.0);
    assert!((q(0.05) - 1.2).abs() < 1e-12);
    assert!((q(0.95) - 8.8).abs() < 1e-12);
    assert_eq!(q(1.0), 10.0);
    assert_eq!(q(0.0), 1.0);
}

#[test]
fn direct_and_fft_autocovariances_agree() {
    let chains = ar1(0.9, 3, 500, 10);
    let slices: Vec<&[f64]> = chains.iter().map(Vec::as_slice).collect();
    let mut lazy = MeanAutocovariance::new(&slices);
    let direct: Vec<f64> = (0..DIRECT_LAGS).map(|t| lazy.at(t)).collect();
    let mut all = MeanAutocovariance::new(&slices);
    all.compute_all();
    for (t, d) in direct.iter().enumerate() {
        assert!((d - all.at(t)).abs() < 1e-12, "lag {t}");
    }
    // Asking past the direct lags switches to the full computation.
    assert!((lazy.at(DIRECT_LAGS + 10) - all.at(DIRECT_LAGS + 10)).abs() < 1e-12);
}

#[test]
fn long_memory_chains_use_every_lag_they_need() {
    // phi = 0.99 needs hundreds of lags: the FFT path.
    let phi = 0.99;
    let chains = ar1(phi, 4, 50_000, 11);
    let want = 200_000.0 * (1.0 - phi) / (1.0 + phi);
    let ess = ess_mean(&chains);
    assert!((ess / want - 1.0).abs() < 0.2, "ess {ess}, want {want}");
}

#[test]
fn the_folded_order_merged_from_the_median_matches_a_sort() {
    let chains = ar1(0.3, 4, 301, 12);
    let all = flatten(&chains);
    let s = {
        let mut s = all.clone();
        s.sort_by(f64::total_cmp);
        s
    };
    let median = quantile_sorted(&s, 0.5);
    let folded: Vec<Vec<f64>> = chains
        .iter()
        .map(|c| c.iter().map(|x| (x - median).abs()).collect())
        .collect();
    // Pooled ranks do not depend on the split, so normalise, then split.
    let z = rank_normalize(&folded);
    let tail = rhat_basic(&split(&z).iter().map(Vec::as_slice).collect::<Vec<_>>());
    let bulk_z = rank_normalize(&chains);
    let bulk = rhat_basic(&split(&bulk_z).iter().map(Vec::as_slice).collect::<Vec<_>>());
    assert_eq!(rhat(&chains), bulk.max(tail));
}

#[test]
fn split_drops_the_middle_of_odd_chains() {
    assert_eq!(
        split(&[vec![1.0, 2.0, 3.0, 4.0, 5.0]]),
        [vec![1.0, 2.0], vec![4.0, 5.0]]
    );
}

#[test]
fn e_bfmi_is_two_for_independent_energies_and_small_for_sticky_ones() {
    let iid = &ar1(0.0, 1, 5000, 8)[0];
    assert!((e_bfmi(iid) - 2.0).abs() < 0.1);
    let sticky = &ar1(0.99, 1, 5000, 9)[0];
    assert!(e_bfmi(sticky) < 0.1);
}
