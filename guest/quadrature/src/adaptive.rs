//! The adaptive driver of QUADPACK's dqagse and dqagie: bisect the interval with the
//! largest error until the sum of errors meets the tolerance, and once the interval to
//! bisect is the smallest one (an endpoint singularity), extrapolate the sequence of
//! estimates with Wynn's epsilon algorithm. Kept to QUADPACK's control flow so that its
//! decisions, and so its evaluation counts, are scipy.integrate.quad's.

use crate::epsilon::EpsilonTable;
use crate::kronrod::Rule;
use crate::tolerance::Tolerance;

const EPMACH: f64 = f64::EPSILON;
const UFLOW: f64 = f64::MIN_POSITIVE;
const OFLOW: f64 = f64::MAX;

/// How the integration ended (QUADPACK's `ier`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// The requested accuracy was reached.
    Converged,
    /// The subdivision limit was reached first.
    SubdivisionLimit,
    /// Round-off error keeps the requested accuracy out of reach.
    Roundoff,
    /// The integrand behaves badly somewhere (a non-integrable singularity, a jump)
    /// that bisection cannot resolve.
    BadIntegrand,
    /// Round-off in the extrapolation table: the result is the best reached.
    ExtrapolationRoundoff,
    /// The integral probably diverges or converges too slowly.
    Divergent,
}

impl Status {
    /// The name the result reports.
    pub fn name(self) -> &'static str {
        match self {
            Status::Converged => "converged",
            Status::SubdivisionLimit => "subdivision_limit",
            Status::Roundoff => "roundoff",
            Status::BadIntegrand => "bad_integrand",
            Status::ExtrapolationRoundoff => "extrapolation_roundoff",
            Status::Divergent => "divergent",
        }
    }

    /// QUADPACK's code, as scipy's `ier` reports it.
    pub fn code(self) -> u32 {
        match self {
            Status::Converged => 0,
            Status::SubdivisionLimit => 1,
            Status::Roundoff => 2,
            Status::BadIntegrand => 3,
            Status::ExtrapolationRoundoff => 4,
            Status::Divergent => 5,
        }
    }
}

/// The integral, QUADPACK's estimate of its absolute error, and what it cost.
#[derive(Clone, Copy, Debug)]
pub struct Outcome {
    pub value: f64,
    pub abserr: f64,
    /// Integrand evaluations.
    pub neval: usize,
    /// Subintervals at the end.
    pub intervals: usize,
    pub status: Status,
}

/// Integrates over [a, b] of the rule's own parameter (x for a finite interval, t ∈
/// (0, 1] for an infinite one). [`Tolerance`] has checked that the goal is reachable
/// and that limit ≥ 1.
pub fn integrate<R: Rule>(rule: &mut R, a: f64, b: f64, tol: Tolerance) -> Outcome {
    let (epsabs, epsrel, limit) = (tol.epsabs(), tol.epsrel(), tol.limit());
    // QUADPACK's arrays, 1-based: interval i is [alist[i], blist[i]] with estimate
    // rlist[i] and error elist[i]; iord lists intervals by decreasing error.
    let mut alist = vec![0.0; limit + 2];
    let mut blist = vec![0.0; limit + 2];
    let mut rlist = vec![0.0; limit + 2];
    let mut elist = vec![0.0; limit + 2];
    let mut iord = vec![0usize; limit + 2];
    alist[1] = a;
    blist[1] = b;

    let first = rule.apply(a, b);
    let mut result = first.result;
    let mut abserr = first.abserr;
    let defabs = first.resabs;
    let resabs = first.resasc;
    let dres = result.abs();
    let mut errbnd = epsabs.max(epsrel * dres);
    let mut last = 1;
    rlist[1] = result;
    elist[1] = abserr;
    iord[1] = 1;
    // Internal codes as QUADPACK's before its final shift: 4 bad integrand, 5 extrapolation
    // round-off, 6 divergence; 3 is set from ierro at the end.
    let mut ier = 0;
    if abserr <= 100.0 * EPMACH * defabs && abserr > errbnd {
        ier = 2;
    }
    if limit == 1 {
        ier = 1;
    }
    // Each bisection applies the rule twice: 2·last − 1 applications in all.
    let evals = rule.evals_per_interval();
    let done = |last: usize, value: f64, abserr: f64, ier: u32| Outcome {
        value,
        abserr,
        neval: evals * (2 * last - 1),
        intervals: last,
        status: status_of(ier),
    };
    if ier != 0 || (abserr <= errbnd && abserr != resabs) || abserr == 0.0 {
        return done(last, result, abserr, ier);
    }

    let mut table = EpsilonTable::new();
    table.push(result);
    let mut errmax = abserr;
    let mut maxerr = 1;
    let mut area = result;
    let mut errsum = abserr;
    abserr = OFLOW;
    let mut nrmax = 1;
    let mut ktmin = 0;
    let mut extrap = false;
    let mut noext = false;
    let mut ierro = 0;
    let (mut iroff1, mut iroff2, mut iroff3) = (0, 0, 0);
    let ksgn = if dres >= (1.0 - 50.0 * EPMACH) * defabs {
        1
    } else {
        -1
    };
    let mut small = 0.0;
    let mut erlarg = 0.0;
    let mut ertest = 0.0;
    let mut correc = 0.0;
    let mut summed = false;

    last = 2;
    'bisect: while last <= limit {
        // Bisect the interval with the largest error estimate.
        let a1 = alist[maxerr];
        let b1 = 0.5 * (alist[maxerr] + blist[maxerr]);
        let a2 = b1;
        let b2 = blist[maxerr];
        let erlast = errmax;
        let left = rule.apply(a1, b1);
        let right = rule.apply(a2, b2);
        let (area1, error1, defab1) = (left.result, left.abserr, left.resasc);
        let (area2, error2, defab2) = (right.result, right.abserr, right.resasc);
        let area12 = area1 + area2;
        let erro12 = error1 + error2;
        errsum = errsum + erro12 - errmax;
        area = area + area12 - rlist[maxerr];
        // Round-off: the halves change neither the estimate nor (much) the error.
        if defab1 != error1 && defab2 != error2 {
            if (rlist[maxerr] - area12).abs() <= 1e-5 * area12.abs() && erro12 >= 0.99 * errmax {
                if extrap {
                    iroff2 += 1;
                } else {
                    iroff1 += 1;
                }
            }
            if last > 10 && erro12 > errmax {
                iroff3 += 1;
            }
        }
        rlist[maxerr] = area1;
        rlist[last] = area2;
        errbnd = epsabs.max(epsrel * area.abs());
        if iroff1 + iroff2 >= 10 || iroff3 >= 20 {
            ier = 2;
        }
        if iroff2 >= 5 {
            ierro = 3;
        }
        if last == limit {
            ier = 1;
        }
        // An interval too small to bisect in floating point: a bad point of the integrand.
        if a1.abs().max(b2.abs()) <= (1.0 + 100.0 * EPMACH) * (a2.abs() + 1000.0 * UFLOW) {
            ier = 4;
        }
        if error2 > error1 {
            alist[maxerr] = a2;
            alist[last] = a1;
            blist[last] = b1;
            rlist[maxerr] = area2;
            rlist[last] = area1;
            elist[maxerr] = error2;
            elist[last] = error1;
        } else {
            alist[last] = a2;
            blist[maxerr] = b1;
            blist[last] = b2;
            elist[maxerr] = error1;
            elist[last] = error2;
        }
        sort_errors(
            limit,
            last,
            &mut maxerr,
            &mut errmax,
            &elist,
            &mut iord,
            &mut nrmax,
        );
        if errsum <= errbnd {
            summed = true;
            break 'bisect;
        }
        if ier != 0 {
            break 'bisect;
        }
        if last == 2 {
            small = (b - a).abs() * 0.375;
            erlarg = errsum;
            ertest = errbnd;
            table.push(area);
            last += 1;
            continue;
        }
        if noext {
            last += 1;
            continue;
        }
        erlarg -= erlast;
        if (b1 - a1).abs() > small {
            erlarg += erro12;
        }
        if !extrap {
            // Extrapolate only once the interval to bisect next is the smallest.
            if (blist[maxerr] - alist[maxerr]).abs() > small {
                last += 1;
                continue;
            }
            extrap = true;
            nrmax = 2;
        }
        if ierro != 3 && erlarg > ertest {
            // The smallest interval has the largest error: first bisect the larger
            // intervals with large errors, then extrapolate.
            let id = nrmax;
            let jupbnd = if last > 2 + limit / 2 {
                limit + 3 - last
            } else {
                last
            };
            for _ in id..=jupbnd {
                maxerr = iord[nrmax];
                errmax = elist[maxerr];
                if (blist[maxerr] - alist[maxerr]).abs() > small {
                    last += 1;
                    continue 'bisect;
                }
                nrmax += 1;
            }
        }
        table.push(area);
        let (reseps, abseps) = table.extrapolate();
        ktmin += 1;
        if ktmin > 5 && abserr < 1e-3 * errsum {
            ier = 5;
        }
        if abseps < abserr {
            ktmin = 0;
            abserr = abseps;
            result = reseps;
            correc = erlarg;
            ertest = epsabs.max(epsrel * reseps.abs());
            if abserr <= ertest {
                break 'bisect;
            }
        }
        if table.n == 1 {
            noext = true;
        }
        if ier == 5 {
            break 'bisect;
        }
        // Go back to bisecting the interval with the largest error.
        maxerr = iord[1];
        errmax = elist[maxerr];
        nrmax = 1;
        extrap = false;
        small *= 0.5;
        erlarg = errsum;
        last += 1;
    }
    let last = last.min(limit);

    // Choose between the extrapolated value and the plain sum.
    let mut use_sum = summed || abserr == OFLOW;
    if !use_sum {
        let mut check_divergence = true;
        if ier + ierro != 0 {
            if ierro == 3 {
                abserr += correc;
            }
            if ier == 0 {
                ier = 3;
            }
            if result != 0.0 && area != 0.0 {
                if abserr / result.abs() > errsum / area.abs() {
                    use_sum = true;
                    check_divergence = false;
                }
            } else if abserr > errsum {
                use_sum = true;
                check_divergence = false;
            } else if area == 0.0 {
                check_divergence = false;
            }
        }
        if check_divergence
            && !(ksgn == -1 && result.abs().max(area.abs()) <= defabs * 0.01)
            && (0.01 > result / area || result / area > 100.0 || errsum > area.abs())
        {
            ier = 6;
        }
    }
    if use_sum {
        result = rlist[1..=last].iter().sum();
        abserr = errsum;
    }
    if ier > 2 {
        ier -= 1;
    }
    done(last, result, abserr, ier)
}

fn status_of(ier: u32) -> Status {
    match ier {
        0 => Status::Converged,
        1 => Status::SubdivisionLimit,
        2 => Status::Roundoff,
        3 => Status::BadIntegrand,
        4 => Status::ExtrapolationRoundoff,
        _ => Status::Divergent,
    }
}

/// QUADPACK's dqpsrt: keeps iord[1..] the intervals in decreasing order of error (only
/// as many as can still be bisected), after interval `maxerr` was split into it and
/// `last`; then picks the next interval to bisect, iord[nrmax].
fn sort_errors(
    limit: usize,
    last: usize,
    maxerr: &mut usize,
    ermax: &mut f64,
    elist: &[f64],
    iord: &mut [usize],
    nrmax: &mut usize,
) {
    if last <= 2 {
        iord[1] = 1;
        iord[2] = 2;
    } else {
        let errmax = elist[*maxerr];
        // After extrapolation the interval to bisect may not be the first: move it up.
        if *nrmax != 1 {
            for _ in 1..*nrmax {
                let isucc = iord[*nrmax - 1];
                if errmax <= elist[isucc] {
                    break;
                }
                iord[*nrmax] = isucc;
                *nrmax -= 1;
            }
        }
        let jupbn = if last > limit / 2 + 2 {
            limit + 3 - last
        } else {
            last
        };
        let errmin = elist[last];
        let jbnd = jupbn - 1;
        let ibeg = *nrmax + 1;
        let mut inserted = false;
        let mut i = ibeg;
        while i <= jbnd {
            let isucc = iord[i];
            if errmax >= elist[isucc] {
                inserted = true;
                break;
            }
            iord[i - 1] = isucc;
            i += 1;
        }
        if !inserted {
            iord[jbnd] = *maxerr;
            iord[jupbn] = last;
        } else {
            // Insert errmax at i by traversing the list bottom-up, then errmin.
            iord[i - 1] = *maxerr;
            let mut k = jbnd;
            let mut placed = false;
            for _ in i..=jbnd {
                let isucc = iord[k];
                if errmin < elist[isucc] {
                    iord[k + 1] = last;
                    placed = true;
                    break;
                }
                iord[k + 1] = isucc;
                k -= 1;
            }
            if !placed {
                iord[i] = last;
            }
        }
    }
    *maxerr = iord[*nrmax];
    *ermax = elist[*maxerr];
}
