//! Training: learn a class/id token vocabulary, build the feature matrix, standardise it,
//! fit an L2-regularised logistic regression with linfa-logistic and choose the decision
//! threshold that maximises page-averaged word F1 on the training pages.
//!
//! In linfa's fashion, [`TrainParams`] are checked before anything is fitted, and errors
//! carry the numbers that were wrong.

use crate::corpus::{Sample, LABELLED_TYPE};
use crate::error::{Error, Result};
use crate::features::{self, FeatureSpace, StackFeatures};
use crate::model::{
    self as model, kind_name, sigmoid, KindContext, KindPass, Model, ModelFile, StackedPass,
    TrainingInfo, FORMAT_VERSION, KINDS,
};
use crate::progress::Progress;
use linfa::prelude::*;
use linfa::DatasetView;
use linfa_logistic::{LogisticRegression, MultiLogisticRegression};
use ndarray::{s, Array1, Array2, ArrayView1, ArrayView2, ArrayViewMut2, Axis, ShapeBuilder};
use rayon::prelude::*;
use rustc_hash::FxHashMap;

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
    /// L2 penalty of the kind classifier, which learns from far fewer blocks (the
    /// hand-labelled pages' boilerplate) than the main passes.
    pub kind_alpha: f64,
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
            kind_alpha: 30.0,
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
        if !(self.kind_alpha.is_finite() && self.kind_alpha >= 0.0) {
            return Err(Error::Training(format!(
                "kind_alpha must be finite and >= 0, got {}",
                self.kind_alpha
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
        self.fit_with_progress(samples, data, Progress::none())
    }

    /// Like [`TrainParams::fit`], reporting its stages to `progress`.
    pub fn fit_with_progress(
        &self,
        samples: &[&Sample],
        data: Vec<String>,
        progress: Progress<'_>,
    ) -> Result<Model> {
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
        // One column-major matrix holds both passes' inputs: the stacked columns are filled in
        // after the first fit, so the largest allocation of training is made once.
        let base = space.len();
        let mut x = feature_matrix(&space, samples, StackFeatures::NAMES.len(), progress);
        let (mean, scale) = standardise(x.slice_mut(s![.., ..base]));
        let y: Array1<bool> = samples
            .iter()
            .flat_map(|s| s.labels.iter().copied())
            .collect();
        progress.stage("fitting the first pass", None);
        let (weights, intercept) = self.fit_logistic(x.slice(s![.., ..base]), y.view())?;
        let first = probabilities(x.slice(s![.., ..base]), &weights, intercept);
        // The stacked pass learns from in-sample first-pass probabilities: with strong
        // regularisation they differ little from held-out ones, and it halves training time.
        x.slice_mut(s![.., base..])
            .assign(&stack_matrix(samples, &first));
        let (stack_mean, stack_scale) = standardise(x.slice_mut(s![.., base..]));
        progress.stage("fitting the stacked pass", None);
        let (stack_weights, stack_intercept) = self.fit_logistic(x.view(), y.view())?;
        let probs = probabilities(x.view(), &stack_weights, stack_intercept);
        let threshold = best_threshold(samples, &probs);
        progress.stage("fitting the kind classifier", None);
        let kinds = self.fit_kinds(samples, x.view())?;
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
            kinds,
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
    /// Fits the kind classifier on the boilerplate blocks whose kind is hand-labelled (each
    /// page once, however often it counts for the main passes): a first stage on the
    /// passes' columns, then a second that adds the first stage's kinds around each block
    /// ([`features::kind_context`]). `None` when fewer than two kinds are labelled.
    fn fit_kinds(&self, samples: &[&Sample], x: ArrayView2<'_, f64>) -> Result<Option<KindPass>> {
        // Each page once: its first row in `x`, and its rows that teach the classifier.
        // Those are the hand-labelled kinds, and content, one more class, so that an appeal
        // can be told from the article around it: all content of hand-labelled pages, and
        // every `GOLD_CONTENT_STRIDE`-th content block of gold-text pages (which have no
        // kinds), enough to stand for real articles without swamping the kinds.
        const GOLD_CONTENT_STRIDE: usize = 8;
        let mut pages: Vec<(&Sample, usize, std::ops::Range<usize>)> = Vec::new();
        let mut rows = Vec::new();
        let mut targets = Vec::new();
        let mut at = 0;
        let mut gold_content = 0;
        let mut previous: Option<&Sample> = None;
        for s in samples {
            let n = s.page.blocks.len();
            let repeat = previous.is_some_and(|p| std::ptr::eq(p, *s));
            previous = Some(s);
            if !repeat {
                let labelled = s.page.blocks.iter().any(|b| b.kind.is_some());
                let before = rows.len();
                for (i, b) in s.page.blocks.iter().enumerate() {
                    if s.labels[i] {
                        gold_content += usize::from(!labelled);
                        if labelled || gold_content % GOLD_CONTENT_STRIDE == 0 {
                            rows.push(at + i);
                            targets.push(KINDS.len());
                        }
                    } else if let Some(kind) = b.kind.as_deref().and_then(kind_name) {
                        rows.push(at + i);
                        targets.push(KINDS.iter().position(|k| *k == kind).unwrap_or(0));
                    }
                }
                if rows.len() > before {
                    pages.push((s, at, before..rows.len()));
                }
            }
            at += n;
        }
        let mut present = targets.clone();
        present.sort_unstable();
        present.dedup();
        if present.len() < 2 {
            return Ok(None);
        }
        let y = Array1::from(targets);
        let first_x = x.select(Axis(0), &rows);
        let (classes, w1, b1) = self.fit_multinomial(first_x.view(), y.view())?;
        let k = classes.len();
        // The second stage's rows: the first's columns, then the context that the first
        // stage gives each of them on its page.
        let mut second_x = Array2::zeros((rows.len(), x.ncols() + 2 * k));
        second_x.slice_mut(s![.., ..x.ncols()]).assign(&first_x);
        for (s, start, taught) in &pages {
            let n = s.page.blocks.len();
            let mut probs = x.slice(s![*start..start + n, ..]).dot(&w1) + &b1;
            for row in probs.rows_mut() {
                model::softmax(row);
            }
            let context = features::kind_context(&s.page, probs.view());
            for r in taught.clone() {
                second_x
                    .slice_mut(s![r, x.ncols()..])
                    .assign(&context.row(rows[r] - start));
            }
        }
        let (_, w2, b2) = self.fit_multinomial(second_x.view(), y.view())?;
        let columns = |w: &Array2<f64>| (0..k).map(|c| w.column(c).to_vec()).collect();
        Ok(Some(KindPass {
            kinds: classes
                .iter()
                .map(|&c| {
                    KINDS
                        .get(c)
                        .copied()
                        .unwrap_or(model::CONTENT_CLASS)
                        .to_string()
                })
                .collect(),
            weights: columns(&w1),
            intercepts: b1.to_vec(),
            context: Some(KindContext {
                weights: columns(&w2),
                intercepts: b2.to_vec(),
            }),
        }))
    }

    /// Fits a multinomial logistic model; returns the classes present, the weights
    /// (columns × classes) and the intercepts.
    fn fit_multinomial<'a>(
        &self,
        x: ArrayView2<'a, f64>,
        y: ArrayView1<'a, usize>,
    ) -> Result<(Vec<usize>, Array2<f64>, Array1<f64>)> {
        let dataset = DatasetView::new(x, y);
        let fitted = MultiLogisticRegression::default()
            .alpha(self.kind_alpha)
            .max_iterations(self.max_iterations)
            .gradient_tolerance(self.gradient_tolerance)
            .fit(&dataset)
            .map_err(|e| Error::Training(format!("kind classifier: {e}")))?;
        let (w, b) = (fitted.params().clone(), fitted.intercept().clone());
        if w.iter().chain(&b).any(|v| !v.is_finite()) {
            return Err(Error::Training(
                "the kind classifier's solver returned non-finite weights".into(),
            ));
        }
        Ok((fitted.classes().to_vec(), w, b))
    }

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

/// Stacks the feature rows of all samples, computed in parallel, into a column-major
/// matrix with `spare` zero columns at the end. A page repeated for weight is extracted once.
///
/// Column-major because linfa computes `X^T·r` as one dot product per column: stored by
/// column, each is a contiguous read instead of a stride through the whole matrix (this
/// halved training time).
fn feature_matrix(
    space: &FeatureSpace,
    samples: &[&Sample],
    spare: usize,
    progress: Progress<'_>,
) -> Array2<f64> {
    let rows: usize = samples.iter().map(|s| s.page.blocks.len()).sum();
    let mut x = Array2::zeros((rows, space.len() + spare).f());
    // Each page gets its own rows of `x` to write in parallel: no per-page matrices are
    // held at once beside the big one.
    let mut jobs: Vec<(&Sample, Vec<ArrayViewMut2<'_, f64>>)> = Vec::new();
    let mut rest = x.view_mut();
    for run in samples.chunk_by(|a, b| std::ptr::eq(*a, *b)) {
        let n = run[0].page.blocks.len();
        let mut copies = Vec::with_capacity(run.len());
        for _ in 0..run.len() {
            let (rows, tail) = rest.split_at(Axis(0), n);
            copies.push(rows);
            rest = tail;
        }
        jobs.push((run[0], copies));
    }
    progress.stage("extracting features", Some(jobs.len() as u64));
    jobs.into_par_iter().for_each(|(sample, copies)| {
        progress.advance(1);
        let features = space.extract(&sample.page);
        for mut rows in copies {
            rows.slice_mut(s![.., ..space.len()]).assign(&features);
        }
    });
    x
}

/// Probabilities of content for the rows of `x`.
fn probabilities(x: ArrayView2<'_, f64>, weights: &[f64], intercept: f64) -> Vec<f64> {
    let w = ArrayView1::from(weights).insert_axis(Axis(1));
    x.dot(&w).iter().map(|&z| sigmoid(z + intercept)).collect()
}

/// Standardises columns in place; returns (mean, scale). Constant columns get scale 1.
fn standardise(mut x: ArrayViewMut2<'_, f64>) -> (Vec<f64>, Vec<f64>) {
    let n = x.nrows().max(1) as f64;
    let mut means = Vec::with_capacity(x.ncols());
    let mut scales = Vec::with_capacity(x.ncols());
    for mut col in x.columns_mut() {
        let mean = col.sum() / n;
        let var = col.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n;
        let sd = var.sqrt();
        let scale = if sd > 1e-9 { sd } else { 1.0 };
        col.mapv_inplace(|v| (v - mean) / scale);
        means.push(mean);
        scales.push(scale);
    }
    (means, scales)
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
    let mut group_ids: FxHashMap<&str, usize> = FxHashMap::default();
    // Keyed by (ancestor?, token), borrowed from the pages: no string is built per block.
    let mut stats: FxHashMap<(bool, &str), TokenStats> = FxHashMap::default();
    let (mut total_c, mut total_b) = (0f64, 0f64);
    // A page repeated for weight counts as many times as it is repeated, computed once.
    for run in samples.chunk_by(|a, b| std::ptr::eq(*a, *b)) {
        let s = run[0];
        let times = run.len() as u32;
        let next = group_ids.len();
        let g = *group_ids.entry(s.group.as_str()).or_insert(next);
        for (i, &label) in s.labels.iter().enumerate() {
            if label {
                total_c += f64::from(times);
            } else {
                total_b += f64::from(times);
            }
            let (own, ancestors) = features::block_tokens(&s.page, i);
            let keyed = own
                .iter()
                .map(|t| (false, *t))
                .chain(ancestors.iter().map(|t| (true, *t)));
            for key in keyed {
                let st = stats.entry(key).or_default();
                if label {
                    st.content += times;
                } else {
                    st.boilerplate += times;
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
        .map(|((ancestor, t), st)| {
            let c = f64::from(st.content);
            let b = f64::from(st.boilerplate);
            let log_odds = ((c + 1.0) / (b + 1.0)).ln() - prior;
            let name = format!("{}{t}", if ancestor { "a:" } else { "s:" });
            (log_odds.abs() * (1.0 + c + b).ln(), name)
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
