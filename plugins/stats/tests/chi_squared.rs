//! Chi-squared tests against scipy 1.17.1 (`scipy.stats.chisquare`,
//! `scipy.stats.chi2_contingency`) and statsmodels 0.15.0 (`sm.stats.Table(t)`:
//! `resid_pearson`, `standardized_resids`, which are R's `residuals` and `stdres`).

mod common;

use common::{all_close, close, number, numbers, run, text};
use toolhost_sdk::{Value, json};

fn grid(v: &Value) -> Vec<Vec<f64>> {
    v.as_array().unwrap().iter().map(numbers).collect()
}

#[test]
fn goodness_of_fit_against_equal_probabilities() {
    // chisquare([16, 18, 16, 14, 12, 12])
    let out = run(json!({ "op": "chi_squared_test", "observed": [16, 18, 16, 14, 12, 12] }));
    close(number(&out["statistic"]), 2.0, 1e-12);
    close(number(&out["df"]), 5.0, 0.0);
    close(number(&out["p_value"]), 0.8491450360846096, 1e-10);
}

#[test]
fn goodness_of_fit_against_expected_counts_or_probabilities() {
    // chisquare([16, 18, 16, 14, 12, 12], f_exp=[16, 16, 16, 16, 16, 8])
    let out = run(json!({
        "op": "chi_squared_test", "observed": [16, 18, 16, 14, 12, 12],
        "expected": [16, 16, 16, 16, 16, 8],
    }));
    close(number(&out["statistic"]), 3.5, 1e-12);
    close(number(&out["p_value"]), 0.6233876277495822, 1e-10);

    // Mendel's peas against 9:3:3:1: chisquare(obs, f_exp=556 * [9, 3, 3, 1] / 16)
    let out = run(json!({
        "op": "chi_squared_test", "observed": [315, 108, 101, 32],
        "probabilities": [0.5625, 0.1875, 0.1875, 0.0625],
    }));
    close(number(&out["statistic"]), 0.4700239808153477, 1e-12);
    close(number(&out["p_value"]), 0.925425895103616, 1e-10);
    all_close(
        &numbers(&out["expected"]),
        &[312.75, 104.25, 104.25, 34.75],
        1e-14,
    );
}

#[test]
fn estimated_parameters_take_degrees_of_freedom() {
    // chisquare([16, 18, 16, 14, 12, 12], ddof=1)
    let out = run(json!({
        "op": "chi_squared_test", "observed": [16, 18, 16, 14, 12, 12], "ddof": 1,
    }));
    close(number(&out["df"]), 4.0, 0.0);
    close(number(&out["p_value"]), 0.7357588823428847, 1e-10);
}

#[test]
fn a_two_by_two_table_gets_yates_correction_unless_declined() {
    // chi2_contingency([[12, 5], [7, 14]]) and with correction=False
    let out = run(json!({ "op": "chi_squared_test", "table": [[12, 5], [7, 14]] }));
    assert!(out["method"].as_str().unwrap().contains("Yates"));
    close(number(&out["statistic"]), 3.831932773109244, 1e-12);
    close(number(&out["p_value"]), 0.05028491606049412, 1e-10);
    assert_eq!(
        grid(&out["expected"]),
        vec![vec![8.5, 8.5], vec![10.5, 10.5]]
    );
    // sm.stats.Table(t).standardized_resids
    let stdres = grid(&out["standardized_residuals"]);
    close(stdres[0][0], 2.2837877034675977, 1e-12);
    close(stdres[1][0], -2.283787703467599, 1e-12);

    let out = run(json!({
        "op": "chi_squared_test", "table": [[12, 5], [7, 14]], "correction": false,
    }));
    assert_eq!(out["method"], "Pearson's Chi-squared test");
    close(number(&out["statistic"]), 5.215686274509804, 1e-12);
    close(number(&out["p_value"]), 0.022384010692177766, 1e-10);
}

#[test]
fn independence_in_a_larger_table_with_residuals() {
    let table = json!([[20, 15, 25], [30, 10, 12], [8, 22, 18]]);
    // chi2_contingency(t3)
    let out = run(json!({ "op": "chi_squared_test", "table": table }));
    close(number(&out["statistic"]), 21.448505028842515, 1e-12);
    close(number(&out["df"]), 4.0, 0.0);
    close(number(&out["p_value"]), 0.00025798916925479315, 1e-10);
    let expected = grid(&out["expected"]);
    all_close(&expected[1], &[18.85, 15.275, 17.875], 1e-13);
    // sm.stats.Table(t3).resid_pearson and .standardized_resids
    let pearson = grid(&out["residuals"]);
    all_close(
        &pearson[1],
        &[2.5681429263546987, -1.3496832385849595, -1.3895841305743442],
        1e-12,
    );
    let stdres = grid(&out["standardized_residuals"]);
    all_close(
        &stdres[2],
        &[-3.373371060629884, 2.9921908086131426, 0.5448357652831955],
        1e-12,
    );
}

#[test]
fn a_tiny_p_value_keeps_its_digits() {
    // chi2_contingency([[120, 30], [40, 110]])
    let out = run(json!({ "op": "chi_squared_test", "table": [[120, 30], [40, 110]] }));
    close(number(&out["statistic"]), 83.58482142857143, 1e-12);
    close(number(&out["p_value"]), 6.103993782880714e-20, 1e-8);
}

#[test]
fn small_expected_counts_are_warned_about() {
    let out = run(json!({ "op": "chi_squared_test", "table": [[3, 1], [1, 4]] }));
    let warnings = out["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 1);
    assert!(warnings[0].as_str().unwrap().contains("below 5"));
    let out = run(json!({ "op": "chi_squared_test", "table": [[30, 10], [12, 40]] }));
    assert!(out["warnings"].as_array().unwrap().is_empty());
}

#[test]
fn the_summary_reads_like_r() {
    let s = text(json!({ "op": "chi_squared_test", "table": [[12, 5], [7, 14]] }));
    assert!(
        s.starts_with("Pearson's Chi-squared test with Yates' continuity correction"),
        "{s}"
    );
    assert!(
        s.contains("X-squared = 3.8319, df = 1, p-value = 0.05028"),
        "{s}"
    );
}
