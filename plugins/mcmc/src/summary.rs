//! What a run amounts to: per-parameter diagnostics, sampler statistics,
//! and warnings in plain words.

use crate::diagnostics::{self, Summary};
use crate::sampler::{Algorithm, Run, Settings};

/// R-hat above this means the chains have not mixed (Vehtari et al. 2021).
pub const RHAT_LIMIT: f64 = 1.01;
/// Bulk and tail ESS should reach this many per chain.
pub const ESS_PER_CHAIN: f64 = 100.0;
/// E-BFMI below this means poor exploration of the energy (Betancourt).
pub const EBFMI_LIMIT: f64 = 0.3;
/// Stretch moves accepted less often than this leave the walkers stuck.
pub const ENSEMBLE_LOW_ACCEPTANCE: f64 = 0.05;

#[derive(Clone, Debug, PartialEq)]
pub struct SamplerStats {
    /// Mean acceptance statistic over all kept transitions.
    pub acceptance: f64,
    pub divergences: usize,
    pub warmup_divergences: usize,
    /// NUTS only, as the remaining fields.
    pub max_depth: Option<usize>,
    pub max_depth_hits: usize,
    pub mean_depth: f64,
    pub mean_leapfrog: f64,
    /// Per chain: NUTS step size or Metropolis proposal scale.
    pub step_size: Vec<f64>,
    /// Per chain: the acceptance target adaptation ended with.
    pub target_accept: Vec<f64>,
    pub e_bfmi: Vec<f64>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct RunSummary {
    pub parameters: Vec<(String, Summary)>,
    pub sampler: SamplerStats,
    pub warnings: Vec<String>,
}

fn mean<T: Copy + Into<f64>>(xs: impl Iterator<Item = T>) -> f64 {
    let (mut sum, mut n) = (0.0, 0.0);
    for x in xs {
        sum += x.into();
        n += 1.0;
    }
    if n > 0.0 { sum / n } else { f64::NAN }
}

pub fn summarize(names: &[String], run: &Run, settings: &Settings) -> RunSummary {
    let parameters: Vec<(String, Summary)> = names
        .iter()
        .enumerate()
        .map(|(i, n)| (n.clone(), diagnostics::summarize(&run.parameter(i))))
        .collect();
    let chains = &run.chains;
    let max_depth = match settings.algorithm {
        Algorithm::Nuts { max_depth, .. } => Some(max_depth),
        Algorithm::Metropolis | Algorithm::Ensemble { .. } => None,
    };
    let sampler = SamplerStats {
        acceptance: mean(chains.iter().flat_map(|c| c.accept_stat.iter().copied())),
        divergences: chains
            .iter()
            .map(|c| c.divergent.iter().filter(|d| **d).count())
            .sum(),
        warmup_divergences: chains.iter().map(|c| c.warmup_divergences).sum(),
        max_depth,
        max_depth_hits: max_depth.map_or(0, |m| {
            chains
                .iter()
                .flat_map(|c| &c.depth)
                .filter(|d| **d as usize >= m)
                .count()
        }),
        mean_depth: mean(chains.iter().flat_map(|c| c.depth.iter().copied())),
        mean_leapfrog: mean(chains.iter().flat_map(|c| c.n_leapfrog.iter().copied())),
        step_size: chains.iter().map(|c| c.step_size).collect(),
        target_accept: chains.iter().map(|c| c.target_accept).collect(),
        e_bfmi: if max_depth.is_some() {
            chains
                .iter()
                .map(|c| diagnostics::e_bfmi(&c.energy))
                .collect()
        } else {
            Vec::new()
        },
    };
    let warnings = warnings(&parameters, &sampler, settings);
    RunSummary {
        parameters,
        sampler,
        warnings,
    }
}

fn list(items: &[String]) -> String {
    const SHOWN: usize = 8;
    let mut s = items[..items.len().min(SHOWN)].join(", ");
    if items.len() > SHOWN {
        s.push_str(&format!(" and {} more", items.len() - SHOWN));
    }
    s
}

fn warnings(
    parameters: &[(String, Summary)],
    sampler: &SamplerStats,
    settings: &Settings,
) -> Vec<String> {
    let mut out = Vec::new();
    let kept = settings.chains * settings.algorithm.chains_per_run() * settings.draws;

    let no_diagnostics: Vec<String> = parameters
        .iter()
        .filter(|(_, s)| s.rhat.is_nan())
        .map(|(n, _)| format!("'{n}'"))
        .collect();
    if !no_diagnostics.is_empty() {
        out.push(if settings.draws < 4 {
            format!(
                "With {} draws per chain there are too few to judge convergence: draw at least 100.",
                settings.draws
            )
        } else {
            format!(
                "No R-hat or ESS for {}: the draws are constant or not finite, so the sampler is stuck or the parameter does not affect the density.",
                list(&no_diagnostics)
            )
        });
    }

    let high_rhat: Vec<String> = parameters
        .iter()
        .filter(|(_, s)| s.rhat > RHAT_LIMIT)
        .map(|(n, s)| format!("'{n}' ({:.3})", s.rhat))
        .collect();
    if !high_rhat.is_empty() {
        out.push(format!(
            "R-hat is above {RHAT_LIMIT} for {}: the chains disagree, so the estimates are not reliable. Run longer (more warmup and draws), give better starting values, or reparameterise.",
            list(&high_rhat)
        ));
    }

    if let Algorithm::Nuts {
        target_accept: start,
        ..
    } = settings.algorithm
    {
        let raised = sampler.target_accept.iter().copied().fold(start, f64::max);
        if raised > start {
            out.push(format!(
                "Trajectories diverged in warm-up, so target_accept was raised from {start} to as much as {raised} (per chain: {}): the density has regions of high curvature, and sampling it takes smaller steps.",
                sampler
                    .target_accept
                    .iter()
                    .map(|t| format!("{t}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    }

    if sampler.divergences > 0 {
        out.push(format!(
            "{} of {kept} transitions after warm-up diverged: the sampler could not follow the density's curvature there, so the draws may be biased. Raise target_accept (e.g. to 0.95) or reparameterise (e.g. non-centred hierarchical models).",
            sampler.divergences
        ));
    }

    if let Some(depth) = sampler.max_depth
        && sampler.max_depth_hits > 0
    {
        out.push(format!(
            "{} of {kept} transitions stopped at the maximum tree depth of {depth}: sampling was cut short and is less efficient, though not biased. Raise max_tree_depth or reparameterise.",
            sampler.max_depth_hits
        ));
    }

    // An ensemble's walkers are many short, linked chains: ask what four
    // chains would need, per ensemble beyond four.
    let (min_ess, per) = match settings.algorithm {
        Algorithm::Ensemble { .. } => (
            ESS_PER_CHAIN * settings.chains.max(4) as f64,
            "as for 4 chains".to_owned(),
        ),
        _ => (
            ESS_PER_CHAIN * settings.chains as f64,
            format!("{ESS_PER_CHAIN:.0} per chain"),
        ),
    };
    let low_ess: Vec<String> = parameters
        .iter()
        .filter(|(_, s)| s.ess_bulk < min_ess || s.ess_tail < min_ess)
        .map(|(n, s)| format!("'{n}' (bulk {:.0}, tail {:.0})", s.ess_bulk, s.ess_tail))
        .collect();
    if !low_ess.is_empty() {
        out.push(format!(
            "Effective sample size is below {min_ess:.0} ({per}) for {}: the means, quantiles and R-hat are imprecise. Draw more.",
            list(&low_ess)
        ));
    }

    if matches!(settings.algorithm, Algorithm::Ensemble { .. })
        && sampler.acceptance < ENSEMBLE_LOW_ACCEPTANCE
    {
        out.push(format!(
            "The walkers accepted {:.1}% of their moves: the ensemble hardly moves, as happens with many parameters, separated modes or narrow curved ridges. Draw more, add walkers, or use NUTS if the density is smooth.",
            100.0 * sampler.acceptance
        ));
    }

    let low_bfmi: Vec<String> = sampler
        .e_bfmi
        .iter()
        .enumerate()
        .filter(|(_, b)| **b < EBFMI_LIMIT)
        .map(|(c, b)| format!("chain {} ({b:.2})", c + 1))
        .collect();
    if !low_bfmi.is_empty() {
        out.push(format!(
            "E-BFMI is below {EBFMI_LIMIT} for {}: the momentum resampling explores the energy poorly, typically in heavy tails or funnels. Reparameterise.",
            list(&low_bfmi)
        ));
    }
    out
}
