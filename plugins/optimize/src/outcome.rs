//! What a minimisation ended with, whichever method ran.

/// Why the iteration stopped. The first three are convergence.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// The (projected) gradient fell below gtol.
    GradientTolerance,
    /// The relative decrease of f in one iteration fell below ftol.
    FunctionTolerance,
    /// The simplex, step or trust region shrank below xtol.
    StepTolerance,
    MaxIterations,
    MaxEvaluations,
    /// No step along the search direction decreased f.
    LineSearchFailed,
    /// f or its gradient was NaN or infinite where it had to be evaluated.
    NotFinite,
    /// No step reduces the residual: a pole, a jump, or a minimum of |f| that is not a
    /// root.
    NoProgress,
}

impl Status {
    pub fn is_success(self) -> bool {
        matches!(
            self,
            Status::GradientTolerance | Status::FunctionTolerance | Status::StepTolerance
        )
    }

    /// The stable name in results.
    pub fn code(self) -> &'static str {
        match self {
            Status::GradientTolerance => "gtol",
            Status::FunctionTolerance => "ftol",
            Status::StepTolerance => "xtol",
            Status::MaxIterations => "max_iter",
            Status::MaxEvaluations => "max_fev",
            Status::LineSearchFailed => "line_search_failed",
            Status::NotFinite => "not_finite",
            Status::NoProgress => "no_progress",
        }
    }

    pub fn message(self) -> &'static str {
        match self {
            Status::GradientTolerance => "converged: the gradient is below gtol",
            Status::FunctionTolerance => {
                "converged: the relative decrease of f in an iteration is below ftol"
            }
            Status::StepTolerance => "converged: the step (or simplex) is below xtol",
            Status::MaxIterations => "stopped: max_iter iterations reached before convergence",
            Status::MaxEvaluations => "stopped: max_fev evaluations reached before convergence",
            Status::LineSearchFailed => {
                "stopped: no step along the search direction decreases f (the gradient may be \
                 inaccurate, or f is flat to rounding here)"
            }
            Status::NotFinite => "stopped: f or its gradient is not finite at the point reached",
            Status::NoProgress => {
                "stopped: no step reduces the residual here; this is a pole, a jump, or a \
                 minimum of |f| that is not a root (try another start or bracket)"
            }
        }
    }
}

#[derive(Clone, Debug)]
pub struct Outcome {
    pub x: Vec<f64>,
    pub f: f64,
    /// Largest component of the (projected) gradient at x; NaN for gradient-free methods.
    pub grad_norm: f64,
    pub iterations: usize,
    pub nfev: usize,
    pub ngev: usize,
    pub status: Status,
}
