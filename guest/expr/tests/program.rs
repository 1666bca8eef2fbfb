//! The evaluation API: scratch reuse, input lengths, thread safety.

mod common;

use common::{Rng, prog};
use toolhost_expr::{Program, Scratch};

const EXPRS: &[&str] = &[
    "sin(x)*exp(-y^2/2) + sqrt(x^2+y^2)",
    "if(x > y, x - y, lgamma(2 + y^2)) * z",
    "max(x, y, z) - min(x, y) + clamp(z, -1, 1)",
    "mod(x, 3) + x % 2 + round(y) + atan2(y, x) + hypot(x, z)",
    "log(abs(x) + 1, 2 + y^2) + erf(z) + factorial(abs(z))",
    "x",
    "2.5",
];

#[test]
fn eval_with_scratch_equals_eval_and_eval_grad() {
    let mut rng = Rng::new(3);
    // One scratch shared by programs of different sizes.
    let mut scratch = Scratch::new();
    for src in EXPRS {
        let p = prog(src, &["x", "y", "z"]);
        let mut own = p.scratch();
        let mut grad = [0.0; 3];
        for _ in 0..50 {
            let v = [
                rng.uniform(-4.0, 4.0),
                rng.uniform(-4.0, 4.0),
                rng.uniform(-4.0, 4.0),
            ];
            let plain = p.eval(&v);
            let bits = |x: f64| if x.is_nan() { u64::MAX } else { x.to_bits() };
            assert_eq!(bits(p.eval_with(&v, &mut scratch)), bits(plain), "{src}");
            assert_eq!(bits(p.eval_with(&v, &mut own)), bits(plain), "{src}");
            assert_eq!(
                bits(p.eval_grad(&v, &mut grad, &mut scratch)),
                bits(plain),
                "{src}"
            );
        }
    }
}

#[test]
fn wrong_input_lengths_give_nan_not_panic() {
    let p = prog("x + y", &["x", "y"]);
    let mut s = p.scratch();
    assert!(p.eval(&[1.0]).is_nan());
    assert!(p.eval_with(&[1.0, 2.0, 3.0], &mut s).is_nan());
    let mut grad = [0.0; 2];
    assert!(p.eval_grad(&[1.0], &mut grad, &mut s).is_nan());
    assert!(grad.iter().all(|g| g.is_nan()));
    let mut short = [0.0; 1];
    assert!(p.eval_grad(&[1.0, 2.0], &mut short, &mut s).is_nan());
    assert!(short[0].is_nan());
    // And the right lengths still work afterwards.
    assert_eq!(p.eval_grad(&[1.0, 2.0], &mut grad, &mut s), 3.0);
    assert_eq!(grad, [1.0, 1.0]);
}

#[test]
fn programs_are_shareable_across_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Program>();
    assert_send_sync::<Scratch>();
    let p = prog("x * 2", &["x"]);
    let total: f64 = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|i| {
                let p = &p;
                s.spawn(move || {
                    let mut scratch = p.scratch();
                    p.eval_with(&[i as f64], &mut scratch)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).sum()
    });
    assert_eq!(total, 12.0);
}
