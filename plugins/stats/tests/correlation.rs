//! Correlation against scipy 1.17.1 (`scipy.stats.pearsonr` with
//! `.confidence_interval(level)`, `scipy.stats.spearmanr`) on R's mtcars. R's cor.test
//! agrees: r = -0.8676594, p = 1.294e-10, 95% interval [-0.9338264, -0.7440872].

mod common;

use common::mtcars::{HP, MPG, QSEC, WT};
use common::{close, number, run, text};
use toolhost_sdk::json;

#[test]
fn pearson_with_its_fisher_z_interval() {
    // pearsonr(mpg, wt)
    let out = run(json!({ "op": "correlation", "x": MPG, "y": WT }));
    close(number(&out["estimate"]), -0.8676593765172278, 1e-12);
    close(number(&out["p_value"]), 1.2939587013505127e-10, 1e-8);
    close(
        number(&out["conf_int"]["lower"]),
        -0.9338264132849942,
        1e-10,
    );
    close(
        number(&out["conf_int"]["upper"]),
        -0.7440871964601126,
        1e-10,
    );
    close(number(&out["df"]), 30.0, 0.0);
    assert_eq!(out["n"], 32);
}

#[test]
fn pearson_one_sided_intervals_reach_the_bound() {
    // pearsonr(mpg, wt, alternative="less"), .confidence_interval(0.9)
    let out = run(json!({
        "op": "correlation", "x": MPG, "y": WT, "alternative": "less", "conf_level": 0.9,
    }));
    close(number(&out["p_value"]), 6.469793506752565e-11, 1e-8);
    close(number(&out["conf_int"]["lower"]), -1.0, 0.0);
    close(
        number(&out["conf_int"]["upper"]),
        -0.7952492701340966,
        1e-10,
    );

    // pearsonr(mpg, qsec, alternative="greater")
    let out = run(json!({
        "op": "correlation", "x": MPG, "y": QSEC, "alternative": "greater",
    }));
    close(number(&out["estimate"]), 0.4186840339217782, 1e-12);
    close(number(&out["p_value"]), 0.00854099424825982, 1e-10);
    close(
        number(&out["conf_int"]["lower"]),
        0.13973336546080126,
        1e-10,
    );
    close(number(&out["conf_int"]["upper"]), 1.0, 0.0);
}

#[test]
fn spearman_ranks_ties_by_their_average() {
    // spearmanr(mpg, wt): both have ties
    let out = run(json!({ "op": "correlation", "x": MPG, "y": WT, "method": "spearman" }));
    close(number(&out["estimate"]), -0.8864220332702978, 1e-12);
    close(number(&out["p_value"]), 1.487594858127495e-11, 1e-8);
    assert!(out.get("conf_int").is_none());

    // spearmanr(mpg, hp, alternative="less")
    let out = run(json!({
        "op": "correlation", "x": MPG, "y": HP, "method": "spearman", "alternative": "less",
    }));
    close(number(&out["estimate"]), -0.8946646457499626, 1e-12);
    close(number(&out["p_value"]), 2.5429847154622126e-12, 1e-8);

    // spearmanr([1..6], [2, 1, 4, 3, 7, 8], alternative="greater")
    let out = run(json!({
        "op": "correlation", "x": [1, 2, 3, 4, 5, 6], "y": [2, 1, 4, 3, 7, 8],
        "method": "spearman", "alternative": "greater",
    }));
    close(number(&out["estimate"]), 0.8857142857142858, 1e-12);
    close(number(&out["p_value"]), 0.00942274052478133, 1e-10);
}

#[test]
fn three_pairs_give_a_test_but_no_interval() {
    // pearsonr([1, 2, 3], [1, 3, 2]); R gives no interval below 4 pairs
    let out = run(json!({ "op": "correlation", "x": [1, 2, 3], "y": [1, 3, 2] }));
    close(number(&out["estimate"]), 0.5, 1e-14);
    close(number(&out["p_value"]), 0.6666666666666666, 1e-10);
    assert!(out.get("conf_int").is_none());
    let s = text(json!({ "op": "correlation", "x": [1, 2, 3], "y": [1, 3, 2] }));
    assert!(s.contains("needs at least 4 pairs"), "{s}");
}

#[test]
fn a_perfect_correlation_is_reported_not_failed() {
    let out = run(json!({ "op": "correlation", "x": [1, 2, 3, 4, 5], "y": [3, 5, 7, 9, 11] }));
    close(number(&out["estimate"]), 1.0, 1e-15);
    // r is 1 to rounding, so t is huge (or infinite) and p is 0 to any precision.
    assert!(number(&out["statistic"]) > 1e7, "{}", out["statistic"]);
    assert!(number(&out["p_value"]) < 1e-20, "{}", out["p_value"]);
}

#[test]
fn the_summary_reads_like_r() {
    let s = text(json!({ "op": "correlation", "x": MPG, "y": WT }));
    assert!(s.starts_with("Pearson's product-moment correlation"), "{s}");
    assert!(
        s.contains("t = -9.559, df = 30, p-value = 1.294e-10"),
        "{s}"
    );
    assert!(
        s.contains("95 percent confidence interval: [-0.933826, -0.744087]"),
        "{s}"
    );
    assert!(s.contains("cor = -0.8676594"), "{s}");
}
