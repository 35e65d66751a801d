//! Training: learn a class/id token vocabulary, build the feature matrix, standardise it,
//! fit an L2-regularised logistic regression with linfa-logistic and choose the decision
//! threshold that maximises page-averaged word F1 on the training pages.
//!
//! In linfa's fashion, [`TrainParams`] are checked before anything is fitted, and errors
//! carry the numbers that were wrong.

use crate::corpus::{Sample, LABELLED_TYPE};
use crate::error::{Error, Result};
use crate::features::{self, FeatureSpace, StackFeatures};
use crate::model::{sigmoid, Model, ModelFile, StackedPass, TrainingInfo, FORMAT_VERSION};
use linfa::prelude::*;
use linfa::DatasetView;
use linfa_logistic::LogisticRegression;
use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis};
use rayon::prelude::*;
use std::collections::HashMap;

/// Hyper-parameters of training.
#[derive(Debug, Clone)]
pub struct TrainParams {
    /// L2 penalty on the standardised weights (linfa's `alpha`; about 1/C in scikit-learn
    /// terms, since both sum the loss over samples).
    pub alpha: f64,
    /// Iteration cap of the L-BFGS solver.
    pub max_iterations: u64,
    /// Gradient norm at which the solver stops.
    pub gradient_tolerance: f64,
    /// Number of class/id tokens kept as features.
    pub vocab_size: usize,
    /// A token must occur in at least this many cross-validation groups (sites) to be kept,
    /// so that one site's class names cannot become features.
    pub min_token_groups: usize,
    /// Recorded in the model; cross-validation uses it to shuffle folds.
    pub seed: u64,
    /// How many times each hand-labelled page counts. They are few beside a gold corpus of
    /// real pages, yet they are where appeals are labelled.
    pub labelled_weight: usize,
}

impl Default for TrainParams {
    fn default() -> Self {
        TrainParams {
            alpha: 100.0,
            max_iterations: 60,
            gradient_tolerance: 1e-4,
            vocab_size: 300,
            min_token_groups: 8,
            seed: 42,
            labelled_weight: 30,
        }
    }
}

impl TrainParams {
    /// Checks the parameters; every error names the parameter and its value.
    pub fn check(&self) -> Result<()> {
        if !(self.alpha.is_finite() && self.alpha >= 0.0) {
            return Err(Error::Training(format!(
                "alpha must be finite and >= 0, got {}",
                self.alpha
            )));
        }
        if self.labelled_weight == 0 {
            return Err(Error::Training("labelled_weight must be at least 1".into()));
        }
        if self.max_iterations == 0 {
            return Err(Error::Training("max_iterations must be at least 1".into()));
        }
        if !(self.gradient_tolerance.is_finite() && self.gradient_tolerance > 0.0) {
            return Err(Error::Training(format!(
                "gradient_tolerance must be finite and > 0, got {}",
                self.gradient_tolerance
            )));
        }
        Ok(())
    }

    /// Trains a model on `samples`; `data` describes the corpora for the model's record.
    pub fn fit(&self, samples: &[&Sample], data: Vec<String>) -> Result<Model> {
        self.check()?;
        let pages = samples.len();
        let blocks: usize = samples.iter().map(|s| s.page.blocks.len()).sum();
        let content: usize = samples
            .iter()
            .map(|s| s.labels.iter().filter(|&&l| l).count())
            .sum();
        if blocks == 0 {
            return Err(Error::Training(format!(
                "no blocks to train on ({pages} pages, none with text)"
            )));
        }
        if content == 0 || content == blocks {
            return Err(Error::Training(format!(
                "training needs both classes, got {content} content blocks of {blocks}"
            )));
        }
        let samples: Vec<&Sample> = samples
            .iter()
            .flat_map(|s| {
                let n = if s.page_type == LABELLED_TYPE {
                    self.labelled_weight
                } else {
                    1
                };
                std::iter::repeat_n(*s, n)
            })
            .collect();
        let samples = &samples[..];
        let space = FeatureSpace::new(learn_vocab(samples, self.vocab_size, self.min_token_groups));
        let mut x = feature_matrix(&space, samples);
        let (mean, scale) = standardise(&mut x);
        let y: Array1<bool> = samples
            .iter()
            .flat_map(|s| s.labels.iter().copied())
            .collect();
        let (weights, intercept) = self.fit_logistic(x.view(), y.view())?;
        let first: Vec<f64> = (x.dot(&Array1::from(weights.clone())) + intercept)
            .iter()
            .map(|&z| sigmoid(z))
            .collect();
        // The stacked pass learns from in-sample first-pass probabilities: with strong
        // regularisation they differ little from held-out ones, and it halves training time.
        let mut stacked = stack_matrix(samples, &first);
        let (stack_mean, stack_scale) = standardise(&mut stacked);
        let x2 = ndarray::concatenate(Axis(1), &[x.view(), stacked.view()])
            .map_err(|e| Error::Training(format!("stacking: {e}")))?;
        drop(x);
        let (stack_weights, stack_intercept) = self.fit_logistic(x2.view(), y.view())?;
        let probs: Vec<f64> = (x2.dot(&Array1::from(stack_weights.clone())) + stack_intercept)
            .iter()
            .map(|&z| sigmoid(z))
            .collect();
        let threshold = best_threshold(samples, &probs);
        Model::from_file(ModelFile {
            format_version: FORMAT_VERSION,
            feature_names: space.names(),
            vocab: space.vocab().to_vec(),
            mean,
            scale,
            weights,
            intercept,
            stack: StackedPass {
                feature_names: StackFeatures::NAMES.iter().map(|n| n.to_string()).collect(),
                mean: stack_mean,
                scale: stack_scale,
                weights: stack_weights,
                intercept: stack_intercept,
            },
            threshold,
            training: TrainingInfo {
                data,
                pages,
                blocks,
                content_blocks: content,
                alpha: self.alpha,
                max_iterations: self.max_iterations,
                seed: self.seed,
                labelled_weight: self.labelled_weight,
                trained_by: format!("boilerclass {}", env!("CARGO_PKG_VERSION")),
            },
        })
    }
}

impl TrainParams {
    /// Fits one logistic pass; returns weights on the columns of `x` and the intercept, as
    /// log-odds of content.
    fn fit_logistic<'a>(
        &self,
        x: ArrayView2<'a, f64>,
        y: ArrayView1<'a, bool>,
    ) -> Result<(Vec<f64>, f64)> {
        let dataset = DatasetView::new(x, y);
        let fitted = LogisticRegression::default()
            .alpha(self.alpha)
            .max_iterations(self.max_iterations)
            .gradient_tolerance(self.gradient_tolerance)
            .fit(&dataset)
            .map_err(|e| Error::Training(format!("logistic regression: {e}")))?;
        // linfa calls the larger class positive; flip so the score is the log-odds of content.
        let sign = if fitted.labels().pos.class { 1.0 } else { -1.0 };
        let weights: Vec<f64> = fitted.params().iter().map(|w| sign * w).collect();
        let intercept = sign * fitted.intercept();
        if weights.iter().any(|w| !w.is_finite()) || !intercept.is_finite() {
            return Err(Error::Training(
                "the solver returned non-finite weights; try a larger alpha".into(),
            ));
        }
        Ok((weights, intercept))
    }
}

/// The stacked pass's added columns for all samples, given first-pass probabilities.
fn stack_matrix(samples: &[&Sample], first: &[f64]) -> Array2<f64> {
    let mut at = 0;
    let mut parts = Vec::with_capacity(samples.len());
    for s in samples {
        let n = s.page.blocks.len();
        parts.push(features::stack_features(&s.page, &first[at..at + n]));
        at += n;
    }
    let views: Vec<_> = parts.iter().map(|p| p.view()).collect();
    ndarray::concatenate(Axis(0), &views)
        .unwrap_or_else(|_| Array2::zeros((0, StackFeatures::NAMES.len())))
}

/// Stacks the feature rows of all samples, computed in parallel.
pub fn feature_matrix(space: &FeatureSpace, samples: &[&Sample]) -> Array2<f64> {
    let parts: Vec<Array2<f64>> = samples.par_iter().map(|s| space.extract(&s.page)).collect();
    let rows: usize = parts.iter().map(|p| p.nrows()).sum();
    let mut x = Array2::zeros((rows, space.len()));
    let mut at = 0;
    for p in parts {
        let n = p.nrows();
        x.slice_mut(ndarray::s![at..at + n, ..]).assign(&p);
        at += n;
    }
    x
}

/// Standardises columns in place; returns (mean, scale). Constant columns get scale 1.
fn standardise(x: &mut Array2<f64>) -> (Vec<f64>, Vec<f64>) {
    let n = x.nrows().max(1) as f64;
    let mean = x.sum_axis(Axis(0)) / n;
    let mut var = vec![0.0; x.ncols()];
    for row in x.rows() {
        for (j, v) in row.iter().enumerate() {
            let d = v - mean[j];
            var[j] += d * d;
        }
    }
    let scale: Vec<f64> = var
        .iter()
        .map(|v| {
            let s = (v / n).sqrt();
            if s > 1e-9 {
                s
            } else {
                1.0
            }
        })
        .collect();
    for mut row in x.rows_mut() {
        for (j, v) in row.iter_mut().enumerate() {
            *v = (*v - mean[j]) / scale[j];
        }
    }
    (mean.to_vec(), scale)
}

#[derive(Default)]
struct TokenStats {
    content: u32,
    boilerplate: u32,
    groups: u32,
    last_group: Option<usize>,
}

/// Picks the class/id tokens (`s:` own, `a:` ancestors) that best separate content from
/// boilerplate among those seen on at least `min_groups` sites. Sorted, deterministic.
pub fn learn_vocab(samples: &[&Sample], size: usize, min_groups: usize) -> Vec<String> {
    let mut group_ids: HashMap<&str, usize> = HashMap::new();
    let mut stats: HashMap<String, TokenStats> = HashMap::new();
    let (mut total_c, mut total_b) = (0f64, 0f64);
    for s in samples {
        let next = group_ids.len();
        let g = *group_ids.entry(s.group.as_str()).or_insert(next);
        for (i, &label) in s.labels.iter().enumerate() {
            if label {
                total_c += 1.0;
            } else {
                total_b += 1.0;
            }
            let (own, ancestors) = features::block_tokens(&s.page, i);
            let prefixed = own
                .iter()
                .map(|t| ("s:", *t))
                .chain(ancestors.iter().map(|t| ("a:", *t)));
            for (prefix, t) in prefixed {
                let key = format!("{prefix}{t}");
                let st = stats.entry(key).or_default();
                if label {
                    st.content += 1;
                } else {
                    st.boilerplate += 1;
                }
                if st.last_group != Some(g) {
                    st.groups += 1;
                    st.last_group = Some(g);
                }
            }
        }
    }
    let prior = ((total_c + 1.0) / (total_b + 1.0)).ln();
    let mut scored: Vec<(f64, String)> = stats
        .into_iter()
        .filter(|(_, st)| st.groups as usize >= min_groups)
        .map(|(t, st)| {
            let c = f64::from(st.content);
            let b = f64::from(st.boilerplate);
            let log_odds = ((c + 1.0) / (b + 1.0)).ln() - prior;
            (log_odds.abs() * (1.0 + c + b).ln(), t)
        })
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    scored.truncate(size);
    let mut vocab: Vec<String> = scored.into_iter().map(|(_, t)| t).collect();
    vocab.sort();
    vocab
}

/// The threshold in 0.05..=0.95 that maximises the mean per-page word F1 on the training
/// pages, computed from aligned token counts (fast, and close to the exact metric).
fn best_threshold(samples: &[&Sample], probs: &[f64]) -> f64 {
    let mut best = (f64::MIN, 0.5);
    for step in 5..=95 {
        let t = f64::from(step) / 100.0;
        let mut at = 0;
        let mut total = 0.0;
        for s in samples {
            let n = s.page.blocks.len();
            let (mut kept, mut hit) = (0u64, 0u64);
            for i in 0..n {
                if probs[at + i] >= t {
                    kept += u64::from(s.page.blocks[i].words);
                    hit += u64::from(s.matched[i]);
                }
            }
            at += n;
            total += f1_from_counts(hit as f64, kept as f64, f64::from(s.gold_words));
        }
        if total > best.0 + 1e-9 {
            best = (total, t);
        }
    }
    best.1
}

/// F1 from overlap, extracted and gold token counts; an empty gold and empty extraction
/// score 1, as in the WCXB metric.
pub fn f1_from_counts(overlap: f64, extracted: f64, gold: f64) -> f64 {
    if extracted == 0.0 && gold == 0.0 {
        return 1.0;
    }
    if overlap == 0.0 {
        return 0.0;
    }
    let p = overlap / extracted;
    let r = overlap / gold;
    2.0 * p * r / (p + r)
}
