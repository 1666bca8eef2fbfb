//! t tests against scipy 1.17.1 (`scipy.stats.ttest_ind`, `ttest_rel`, `ttest_1samp`;
//! intervals from the result's `.confidence_interval(level)`), on R's `sleep` data
//! (extra hours of sleep under two drugs, the same ten patients) and two unequal samples.

mod common;

use common::{close, number, run, text};
use toolhost_sdk::{Value, json};

const DRUG1: [f64; 10] = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0];
const DRUG2: [f64; 10] = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4];
const A: [f64; 7] = [19.1, 21.4, 18.7, 22.0, 20.3, 24.9, 17.8];
const B: [f64; 9] = [23.2, 25.1, 21.9, 26.4, 24.0, 22.7, 27.3, 25.5, 23.8];

/// statistic, df, p-value, interval: all to 1e-10 relative.
#[track_caller]
fn agrees(out: &Value, t: f64, df: f64, p: f64, lower: f64, upper: f64) {
    close(number(&out["statistic"]), t, 1e-10);
    close(number(&out["df"]), df, 1e-10);
    close(number(&out["p_value"]), p, 1e-10);
    close(number(&out["conf_int"]["lower"]), lower, 1e-10);
    close(number(&out["conf_int"]["upper"]), upper, 1e-10);
}

#[test]
fn two_samples_default_to_welchs_test() {
    // ttest_ind(drug1, drug2, equal_var=False); R: t = -1.8608, df = 17.776, p = 0.07939
    let out = run(json!({ "op": "t_test", "x": DRUG1, "y": DRUG2 }));
    assert_eq!(out["method"], "Welch Two Sample t-test");
    agrees(
        &out,
        -1.8608134674868526,
        17.776473516178488,
        0.0793941401873583,
        -3.3654832307117104,
        0.20548323071171137,
    );
    close(number(&out["estimate"]), 0.75 - 2.33, 1e-12);
}

#[test]
fn pooled_variance_on_request() {
    // ttest_ind(drug1, drug2, equal_var=True)
    let out = run(json!({ "op": "t_test", "x": DRUG1, "y": DRUG2, "equal_variances": true }));
    assert!(out["method"].as_str().unwrap().contains("pooled"));
    agrees(
        &out,
        -1.8608134674868524,
        18.0,
        0.07918671421593822,
        -3.3638740322875984,
        0.20387403228759915,
    );
}

#[test]
fn paired_samples_test_the_mean_difference() {
    // ttest_rel(drug1, drug2); R: t = -4.0621, df = 9, p = 0.002833
    let out = run(json!({ "op": "t_test", "x": DRUG1, "y": DRUG2, "paired": true }));
    assert_eq!(out["method"], "Paired t-test");
    agrees(
        &out,
        -4.062127683382037,
        9.0,
        0.002832890197384273,
        -2.459885763276983,
        -0.7001142367230175,
    );
}

#[test]
fn a_one_sided_alternative_opens_one_end_of_the_interval() {
    // ttest_rel(drug1, drug2, alternative="less"), .confidence_interval(0.9)
    let out = run(json!({
        "op": "t_test", "x": DRUG1, "y": DRUG2, "paired": true,
        "alternative": "less", "conf_level": 0.9,
    }));
    assert_eq!(out["conf_int"]["lower"], "-Infinity");
    close(number(&out["p_value"]), 0.0014164450986921364, 1e-10);
    close(
        number(&out["conf_int"]["upper"]),
        -1.0420589068122685,
        1e-10,
    );

    // ttest_1samp(drug1, 0.2, alternative="greater")
    let out = run(json!({
        "op": "t_test", "x": DRUG1, "mu": 0.2, "alternative": "greater",
    }));
    assert_eq!(out["method"], "One Sample t-test");
    agrees(
        &out,
        0.9721874365234691,
        9.0,
        0.17817968510745347,
        -0.2870552787292595,
        f64::INFINITY,
    );
}

#[test]
fn one_sample_with_a_null_mean_and_a_confidence_level() {
    // ttest_1samp(drug1, 0.2), .confidence_interval(0.99)
    let out = run(json!({ "op": "t_test", "x": DRUG1, "mu": 0.2, "conf_level": 0.99 }));
    agrees(
        &out,
        0.9721874365234691,
        9.0,
        0.35635937021490693,
        -1.0885441744314504,
        2.5885441744314504,
    );
}

#[test]
fn unequal_sizes_welch_and_pooled() {
    // ttest_ind(a, b, equal_var=False)
    let out = run(json!({ "op": "t_test", "x": A, "y": B }));
    agrees(
        &out,
        -3.5281575442220374,
        10.697941562879734,
        0.00493174113283902,
        -6.232961367765629,
        -1.4337052989010353,
    );
    // ttest_ind(a, b, equal_var=True, alternative="less")
    let out = run(json!({
        "op": "t_test", "x": A, "y": B, "equal_variances": true, "alternative": "less",
    }));
    agrees(
        &out,
        -3.6718583997556586,
        14.0,
        0.0012567927059423517,
        f64::NEG_INFINITY,
        -1.9945672049191663,
    );
}

#[test]
fn a_null_difference_shifts_the_statistic_not_the_interval() {
    // ttest_ind(drug1 + 1, drug2, equal_var=False, alternative="greater"): the same
    // statistic as drug1 against drug2 with mu = -1; the interval, for x − y itself, is 1
    // lower than scipy's for x + 1 − y.
    let out = run(json!({
        "op": "t_test", "x": DRUG1, "y": DRUG2, "mu": -1, "alternative": "greater",
    }));
    close(number(&out["statistic"]), -0.6830834247736545, 1e-10);
    close(number(&out["p_value"]), 0.7483198114409818, 1e-10);
    close(
        number(&out["conf_int"]["lower"]),
        -2.0533814973316056 - 1.0,
        1e-10,
    );
}

#[test]
fn a_tiny_p_value_keeps_its_digits() {
    // ttest_1samp(50 + 0.1 * arange(1, 41), 0): p = 3.89e-66, where 1 - cdf would be 0
    let x: Vec<f64> = (1..=40).map(|i| f64::from(i) * 0.1 + 50.0).collect();
    let out = run(json!({ "op": "t_test", "x": x }));
    close(number(&out["statistic"]), 281.59142690663913, 1e-10);
    close(number(&out["p_value"]), 3.8919168633811175e-66, 1e-8);
}

#[test]
fn the_summary_reads_like_r() {
    let s = text(json!({ "op": "t_test", "x": DRUG1, "y": DRUG2, "paired": true }));
    assert!(s.starts_with("Paired t-test"), "{s}");
    assert!(s.contains("t = -4.0621, df = 9, p-value = 0.002833"), "{s}");
    assert!(
        s.contains("alternative hypothesis: true mean difference is not equal to 0"),
        "{s}"
    );
    assert!(
        s.contains("95 percent confidence interval: [-2.45989, -0.700114]"),
        "{s}"
    );
}
