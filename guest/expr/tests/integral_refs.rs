//! The symbolic-integration anchor of issue #19: on the textbook integrals of
//! `tests/fixtures/numerics/calc_integrals.json` (written once by sympy and
//! mpmath with `make_calc_refs.py`), every antiderivative returned is right
//! (F(b) - F(a) matches mpmath's quadrature of the integrand), and we find at
//! least 90 % as many as sympy does. `--nocapture` prints the table.

use serde_json::Value;
use toolhost_expr::Symbolic;

const FIXTURE: &str = include_str!("../../../tests/fixtures/numerics/calc_integrals.json");

#[test]
fn textbook_integrals_are_found_and_right() {
    let refs: Value = serde_json::from_str(FIXTURE).unwrap();
    let rows = refs["integrals"].as_array().unwrap();
    assert!(
        rows.len() >= 60,
        "the anchor asks for at least 60 integrals"
    );
    let (mut ours, mut theirs, mut wrong) = (0, 0, Vec::new());
    println!(
        "{:<16} {:<38} {:<6} {:<6} antiderivative",
        "category", "integrand", "sympy", "calc"
    );
    for row in rows {
        let src = row["expr"].as_str().unwrap();
        let sympy = row["sympy_solved"].as_bool().unwrap();
        theirs += usize::from(sympy);
        let found = Symbolic::parse(src).unwrap().integrate("x").unwrap();
        let shown = match &found {
            Some(a) => {
                ours += 1;
                let f = a.antiderivative.to_expr().unwrap().compile(&["x"]).unwrap();
                let (lo, hi) = (
                    row["interval"][0].as_f64().unwrap(),
                    row["interval"][1].as_f64().unwrap(),
                );
                let got = f.eval(&[hi]) - f.eval(&[lo]);
                let want = row["definite"].as_f64().unwrap();
                // NaN counts as wrong.
                let right = (got - want).abs() <= 1e-9 * want.abs().max(1.0);
                if !right {
                    wrong.push(format!(
                        "{src}: F = {}, F(b) - F(a) = {got}, want {want}",
                        a.antiderivative
                    ));
                }
                format!("{}  [{:?}]", a.antiderivative, a.verification)
            }
            None => "-".to_owned(),
        };
        println!(
            "{:<16} {:<38} {:<6} {:<6} {shown}",
            row["category"].as_str().unwrap(),
            src,
            if sympy { "yes" } else { "no" },
            if found.is_some() { "yes" } else { "no" },
        );
    }
    println!("calc found {ours} of {}, sympy {theirs}", rows.len());
    assert!(
        wrong.is_empty(),
        "wrong antiderivatives:\n{}",
        wrong.join("\n")
    );
    assert!(
        ours * 10 >= theirs * 9,
        "calc found {ours}, less than 90 % of sympy's {theirs}"
    );
}
