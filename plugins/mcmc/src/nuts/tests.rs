//! The sampler's tests on Gaussians and a density with a wall: the
//! integrator's energy and reversibility, U-turns and divergences.

use super::dynamics::leapfrog;
use super::*;

/// A Gaussian with independent coordinates of the given scales.
struct Gaussian(Vec<f64>);

impl LogDensity for Gaussian {
    fn dim(&self) -> usize {
        self.0.len()
    }
    fn log_density_grad(&mut self, q: &[f64], grad: &mut [f64]) -> f64 {
        let mut lp = 0.0;
        for ((g, x), s) in grad.iter_mut().zip(q).zip(&self.0) {
            *g = -x / (s * s);
            lp -= 0.5 * x * x / (s * s);
        }
        lp
    }
    fn log_density(&mut self, q: &[f64]) -> f64 {
        let mut g = vec![0.0; q.len()];
        self.log_density_grad(q, &mut g)
    }
}

#[test]
fn leapfrog_nearly_conserves_energy_and_is_reversible() {
    let mut model = Gaussian(vec![1.0, 2.0, 0.5]);
    let inv_metric = [1.0, 4.0, 0.25];
    let mut z = Point::new(3);
    z.data[..6].copy_from_slice(&[0.3, -1.0, 0.2, 0.5, 0.1, -2.0]);
    let (q, grad) = z.q_and_grad();
    z.lp = model.log_density_grad(q, grad);
    let start = z.clone();
    let h0 = hamiltonian(&z, &inv_metric);
    for _ in 0..100 {
        let kinetic = leapfrog(&mut model, &mut z, &inv_metric, 0.05);
        assert_eq!(kinetic - z.lp, hamiltonian(&z, &inv_metric));
    }
    assert!((hamiltonian(&z, &inv_metric) - h0).abs() < 1e-3);
    for _ in 0..100 {
        leapfrog(&mut model, &mut z, &inv_metric, -0.05);
    }
    for i in 0..3 {
        assert!((z.q()[i] - start.q()[i]).abs() < 1e-12);
        assert!((z.p()[i] - start.p()[i]).abs() < 1e-12);
    }
}

#[test]
fn trajectories_stop_at_the_u_turn() {
    // With the exact metric a standard Gaussian's orbit takes 2π time
    // units; at step 0.2 a U-turn comes after about half an orbit.
    let mut model = Gaussian(vec![1.0; 4]);
    let mut rng = Rng::stream(1, 0);
    let mut nuts = Nuts::new(4, 10);
    nuts.step_size = 0.2;
    nuts.set_position(&mut model, &[0.5, -0.5, 1.0, 0.0]);
    let mut leapfrogs = 0;
    for _ in 0..200 {
        let t = nuts.transition(&mut model, &mut rng);
        assert!(!t.divergent);
        assert!(t.depth < 10);
        leapfrogs += t.n_leapfrog;
    }
    let mean = leapfrogs as f64 / 200.0;
    assert!((7.0..=40.0).contains(&mean), "mean leapfrogs {mean}");
}

#[test]
fn an_infinite_density_is_a_divergence_not_a_move() {
    struct Wall;
    impl LogDensity for Wall {
        fn dim(&self) -> usize {
            1
        }
        fn log_density_grad(&mut self, q: &[f64], grad: &mut [f64]) -> f64 {
            grad[0] = -q[0];
            if q[0].abs() > 1.0 {
                f64::NEG_INFINITY
            } else {
                -0.5 * q[0] * q[0]
            }
        }
        fn log_density(&mut self, q: &[f64]) -> f64 {
            self.log_density_grad(q, &mut [0.0])
        }
    }
    let mut rng = Rng::stream(2, 0);
    let mut nuts = Nuts::new(1, 10);
    nuts.step_size = 5.0;
    nuts.set_position(&mut Wall, &[0.0]);
    let t = nuts.transition(&mut Wall, &mut rng);
    assert!(t.divergent);
    assert_eq!(nuts.position(), [0.0]);
}
