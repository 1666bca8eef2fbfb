//! Linear regression against statsmodels 0.15.0 (`sm.OLS(y, X).fit()`: `params`, `bse`,
//! `tvalues`, `pvalues`, `conf_int(alpha)`, `rsquared`, `rsquared_adj`, `sqrt(scale)`,
//! `fvalue`, `f_pvalue`) on R's mtcars, where R's lm agrees (mpg ~ wt + hp: 37.22727,
//! -3.87783, -0.03177; R² 0.8268), and against exact values for NIST's Longley data.

mod common;

use common::mtcars::{HP, MPG, QSEC, WT};
use common::{all_close, close, number, numbers, run, text};
use toolhost_sdk::{Value, json};

/// `key` of the coefficients named in `order`.
#[track_caller]
fn column(out: &Value, key: &str, order: &[&str]) -> Vec<f64> {
    let rows = out["coefficients"].as_array().unwrap();
    order
        .iter()
        .map(|name| {
            let row = rows
                .iter()
                .find(|c| c["name"] == *name)
                .unwrap_or_else(|| panic!("no coefficient {name} in {out}"));
            number(&row[key])
        })
        .collect()
}

fn names(out: &Value) -> Vec<String> {
    out["coefficients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn multiple_regression_matches_statsmodels() {
    // sm.OLS(mpg, sm.add_constant(column_stack([wt, hp]))).fit()
    let out = run(json!({ "op": "regression", "y": MPG, "x": { "wt": WT, "hp": HP } }));
    // An object's keys arrive sorted (serde_json, and the host, keep objects sorted).
    assert_eq!(names(&out), ["(Intercept)", "hp", "wt"]);
    let order = ["(Intercept)", "wt", "hp"];
    all_close(
        &column(&out, "estimate", &order),
        &[37.22727011644705, -3.8778307424046674, -0.03177294698216253],
        1e-12,
    );
    all_close(
        &column(&out, "std_error", &order),
        &[1.5987875379993737, 0.6327334943773935, 0.009029709675855783],
        1e-12,
    );
    all_close(
        &column(&out, "t", &order),
        &[23.284688697931067, -6.1286952198104085, -3.5187119102089266],
        1e-12,
    );
    all_close(
        &column(&out, "p_value", &order),
        &[
            2.5654585119831155e-20,
            1.1196471362000551e-06,
            0.0014512285315688661,
        ],
        1e-8,
    );
    all_close(
        &column(&out, "conf_low", &order),
        &[
            33.957382452258365,
            -5.1719160406755185,
            -0.050240776871075254,
        ],
        1e-12,
    );
    all_close(
        &column(&out, "conf_high", &order),
        &[
            40.49715778063574,
            -2.5837454441338163,
            -0.013305117093249798,
        ],
        1e-12,
    );
    close(number(&out["r_squared"]), 0.8267854518827914, 1e-12);
    close(number(&out["adj_r_squared"]), 0.8148396209781563, 1e-12);
    close(number(&out["sigma"]), 2.5934117772265655, 1e-12);
    assert_eq!(out["df_residual"], 29);
    let f = &out["f_statistic"];
    close(number(&f["value"]), 69.21121339177772, 1e-12);
    close(number(&f["p_value"]), 9.109054385221977e-12, 1e-8);
    assert_eq!((f["df1"].clone(), f["df2"].clone()), (json!(2), json!(29)));
}

#[test]
fn one_predictor_may_be_a_bare_list() {
    // sm.OLS(mpg, sm.add_constant(wt)).fit(); the slope's p-value is pearsonr's
    let out = run(json!({ "op": "regression", "y": MPG, "x": WT }));
    assert_eq!(names(&out), ["(Intercept)", "x"]);
    let order = ["(Intercept)", "x"];
    all_close(
        &column(&out, "estimate", &order),
        &[37.28512616734205, -5.344471572722678],
        1e-12,
    );
    all_close(
        &column(&out, "std_error", &order),
        &[1.8776273372558947, 0.5591010450993231],
        1e-12,
    );
    close(
        column(&out, "p_value", &order)[1],
        1.2939587013504995e-10,
        1e-8,
    );
    close(number(&out["r_squared"]), 0.7528327936582646, 1e-12);
    close(
        number(&out["f_statistic"]["value"]),
        91.37532500376186,
        1e-12,
    );
}

#[test]
fn without_an_intercept_r_squared_is_uncentred() {
    // sm.OLS(mpg, column_stack([wt, qsec])).fit(), as R's lm(mpg ~ 0 + wt + qsec)
    let out = run(json!({
        "op": "regression", "y": MPG, "x": { "wt": WT, "qsec": QSEC }, "intercept": false,
    }));
    assert_eq!(names(&out), ["qsec", "wt"]);
    let order = ["wt", "qsec"];
    all_close(
        &column(&out, "estimate", &order),
        &[-4.222137383691318, 1.8781997042304002],
        1e-12,
    );
    all_close(
        &column(&out, "std_error", &order),
        &[0.5171518184344353, 0.09683470285011113],
        1e-12,
    );
    close(number(&out["r_squared"]), 0.9792955669845167, 1e-12);
    close(number(&out["adj_r_squared"]), 0.9779152714501511, 1e-12);
    close(
        number(&out["f_statistic"]["value"]),
        709.4825293589372,
        1e-12,
    );
    close(
        number(&out["f_statistic"]["p_value"]),
        5.507444504667652e-26,
        1e-8,
    );
    assert_eq!(out["formula"], "y ~ qsec + wt + 0");
}

#[test]
fn intervals_follow_the_confidence_level_and_residuals_are_on_request() {
    let out = run(json!({
        "op": "regression", "y": MPG, "x": { "wt": WT, "hp": HP },
        "conf_level": 0.9, "residuals": true,
    }));
    let order = ["(Intercept)", "wt", "hp"];
    // .conf_int(0.10)
    all_close(
        &column(&out, "conf_low", &order),
        &[34.51072700094736, -4.952925323294277, -0.04711557073416012],
        1e-12,
    );
    // .resid, .fittedvalues
    all_close(
        &numbers(&out["residuals"])[..3],
        &[
            -2.5723294033089417,
            -1.5834825639957515,
            -2.4758187247271053,
        ],
        1e-11,
    );
    all_close(
        &numbers(&out["fitted"])[..3],
        &[23.57232940330894, 22.58348256399575, 25.275818724727106],
        1e-12,
    );
    // np.quantile(resid, [0, 0.25, 0.5, 0.75, 1]), R's quantile type 7
    let s = &out["residual_summary"];
    let summary: Vec<f64> = ["min", "q1", "median", "q3", "max"]
        .iter()
        .map(|k| number(&s[k]))
        .collect();
    all_close(
        &summary,
        &[
            -3.9409794689626416,
            -1.6002219369718134,
            -0.18201364069778236,
            1.0498555175428415,
            5.853790849706076,
        ],
        1e-11,
    );
    let plain = run(json!({ "op": "regression", "y": MPG, "x": WT }));
    assert!(plain.get("residuals").is_none());
}

/// NIST StRD's Longley data (employment 1947–62 on six collinear economic series; the
/// design's condition number is about 5e9). The reference is the exact least-squares
/// solution, computed in rational arithmetic (`fractions.Fraction`) from the data as
/// printed: it equals NIST's certified values. Solving the normal equations in double
/// precision is off by 3.9e-8 relative here (numpy's `solve(X.T @ X, X.T @ y)`), so this
/// tolerance fails them; Householder QR is off by 5e-13 at worst.
#[test]
fn an_ill_conditioned_design_keeps_its_digits() {
    let y = [
        60323.0, 61122.0, 60171.0, 61187.0, 63221.0, 63639.0, 64989.0, 63761.0, 66019.0, 67857.0,
        68169.0, 66513.0, 68655.0, 69564.0, 69331.0, 70551.0,
    ];
    let x = json!({
        "GNPDEFL": [83.0, 88.5, 88.2, 89.5, 96.2, 98.1, 99.0, 100.0, 101.2, 104.6, 108.4,
                    110.8, 112.6, 114.2, 115.7, 116.9],
        "GNP": [234289, 259426, 258054, 284599, 328975, 346999, 365385, 363112, 397469,
                419180, 442769, 444546, 482704, 502601, 518173, 554894],
        "UNEMP": [2356, 2325, 3682, 3351, 2099, 1932, 1870, 3578, 2904, 2822, 2936, 4681,
                  3813, 3931, 4806, 4007],
        "ARMED": [1590, 1456, 1616, 1650, 3099, 3594, 3547, 3350, 3048, 2857, 2798, 2637,
                  2552, 2514, 2572, 2827],
        "POP": [107608, 108632, 109773, 110929, 112075, 113270, 115094, 116219, 117388,
                118734, 120445, 121950, 123366, 125368, 127852, 130081],
        "YEAR": [1947, 1948, 1949, 1950, 1951, 1952, 1953, 1954, 1955, 1956, 1957, 1958,
                 1959, 1960, 1961, 1962],
    });
    let out = run(json!({ "op": "regression", "y": y, "x": x }));
    let order = [
        "(Intercept)",
        "GNPDEFL",
        "GNP",
        "UNEMP",
        "ARMED",
        "POP",
        "YEAR",
    ];
    all_close(
        &column(&out, "estimate", &order),
        &[
            -3482258.6345958184,
            15.061872271373295,
            -0.035819179292591014,
            -2.020229803816825,
            -1.033226867173592,
            -0.051104105653580714,
            1829.1514646135518,
        ],
        1e-11,
    );
    all_close(
        &column(&out, "std_error", &order),
        &[
            890420.3836073725,
            84.91492577476694,
            0.03349100777224319,
            0.48839968165169945,
            0.21427416316167527,
            0.22607320006937037,
            455.478499142212,
        ],
        1e-11,
    );
    close(number(&out["sigma"]), 304.8540735619648, 1e-11);
    close(number(&out["r_squared"]), 0.9954790045772957, 1e-12);
    close(number(&out["adj_r_squared"]), 0.9924650076288261, 1e-12);
    close(
        number(&out["f_statistic"]["value"]),
        330.2853392345883,
        1e-11,
    );
}

#[test]
fn the_summary_reads_like_rs_summary_lm() {
    let s = text(json!({ "op": "regression", "y": MPG, "x": { "wt": WT, "hp": HP } }));
    assert!(
        s.starts_with("Linear regression: y ~ hp + wt  (n = 32)"),
        "{s}"
    );
    assert!(
        s.contains("Residual standard error: 2.593 on 29 degrees of freedom"),
        "{s}"
    );
    assert!(
        s.contains("Multiple R-squared: 0.8268, Adjusted R-squared: 0.8148"),
        "{s}"
    );
    assert!(
        s.contains("F-statistic: 69.21 on 2 and 29 DF, p-value: 9.109e-12"),
        "{s}"
    );
    let intercept = s.lines().find(|l| l.starts_with("(Intercept)")).unwrap();
    assert!(intercept.contains("37.2273"), "{intercept}");
}
