//! Training: learn a class/id token vocabulary and token log-odds (out of fold), build the
//! feature matrix, standardise it, fit L2-regularised logistic regressions (linfa-logistic's
//! objective and solver, with row weights; on rows drawn to weigh blocks as the metric does)
//! and choose the cutoff (threshold and relative threshold) that maximises page-averaged
//! word F1 on the training pages.
//!
//! In linfa's fashion, [`TrainParams`] are checked before anything is fitted, and errors
//! carry the numbers that were wrong.

use crate::corpus::{Sample, LABELLED_TYPE};
use crate::error::{Error, Result};
use crate::features::{self, FeatureSpace, StackFeatures, TokenOdds};
use crate::model::{
    self as model, is_appeal, kind_name, sigmoid, Cutoff, KindContext, KindPass, Model, ModelFile,
    StackedPass, TrainingInfo, FORMAT_VERSION, KINDS,
};
use crate::progress::Progress;
use crate::trees::{BoostParams, Forest};
use argmin::core::{CostFunction, Executor, Gradient};
use argmin::solver::linesearch::MoreThuenteLineSearch;
use argmin::solver::quasinewton::LBFGS;
use linfa::prelude::*;
use linfa::DatasetView;
use linfa_logistic::MultiLogisticRegression;
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
    /// How many times each block of a hand-labelled page counts. They are few beside a gold
    /// corpus of real pages, yet they are where appeals are labelled.
    pub labelled_weight: usize,
    /// How many times a hand-labelled appeal or ad block counts (at least
    /// `labelled_weight`): the appeals are what these pages teach, and their articles and
    /// menus, written by us, should not outweigh real pages.
    pub appeal_weight: usize,
    /// L2 penalty of the kind classifier, which learns from far fewer blocks (the
    /// hand-labelled pages' boilerplate) than the main passes.
    pub kind_alpha: f64,
    /// A token must occur on at least this many sites to get a log-odds for the `tok_*`
    /// features (fewer than for a vocabulary column: one log-odds is one number).
    pub odds_min_groups: usize,
    /// Blocks of fewer words are sampled for the main passes' fit in proportion to the square
    /// root of their words (0: every block counts once). See [`TrainParams::fit_rows`].
    pub full_weight_words: u32,
    /// A page with more blocks is sampled down to about this many for the main passes' fit
    /// (0: no limit). The metric averages pages: a forum thread of 3,000 blocks should not
    /// outweigh thirty articles. See [`TrainParams::fit_rows`].
    pub page_blocks: usize,
    /// Boosted trees whose leaves the stacked pass reads (0: none), grown on the
    /// hand-labelled pages (none without them). See [`crate::trees`].
    pub trees: usize,
    /// Levels of splits per tree.
    pub tree_depth: usize,
}

impl Default for TrainParams {
    fn default() -> Self {
        TrainParams {
            alpha: 100.0,
            max_iterations: 60,
            gradient_tolerance: 1e-4,
            vocab_size: 100,
            min_token_groups: 8,
            seed: 42,
            labelled_weight: 5,
            appeal_weight: 30,
            kind_alpha: 30.0,
            odds_min_groups: 3,
            full_weight_words: 16,
            page_blocks: 100,
            trees: 60,
            tree_depth: 3,
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
        if self.appeal_weight < self.labelled_weight {
            return Err(Error::Training(format!(
                "appeal_weight ({}) must be at least labelled_weight ({})",
                self.appeal_weight, self.labelled_weight
            )));
        }
        if self.trees > MAX_TREES {
            return Err(Error::Training(format!(
                "trees must be at most {MAX_TREES}, got {}",
                self.trees
            )));
        }
        if self.tree_depth == 0 || self.tree_depth > MAX_TREE_DEPTH {
            return Err(Error::Training(format!(
                "tree_depth must be between 1 and {MAX_TREE_DEPTH}, got {}",
                self.tree_depth
            )));
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
                // Copies past `labelled_weight` contribute only their appeal rows to the fit
                // (see `fit_rows`).
                let n = if s.page_type == LABELLED_TYPE {
                    self.appeal_weight
                } else {
                    1
                };
                std::iter::repeat_n(*s, n)
            })
            .collect();
        let samples = &samples[..];
        let groups: Vec<&str> = samples.iter().map(|s| s.group.as_str()).collect();
        let fold_of = crate::eval::assign_folds(&groups, ODDS_FOLDS, self.seed);
        let counts = TokenCounts::new(samples, &fold_of, ODDS_FOLDS);
        let vocab = counts.vocab(self.vocab_size, self.min_token_groups);
        let token_odds = counts.table(None, self.odds_min_groups);
        let space = FeatureSpace::new(vocab.clone(), &token_odds);
        let fold_spaces: Vec<FeatureSpace> = (0..ODDS_FOLDS)
            .map(|f| FeatureSpace::new(vocab.clone(), &counts.table(Some(f), self.odds_min_groups)))
            .collect();
        drop(counts);
        // The matrix holds each page's rows once, however often the page counts: the copies
        // of a hand-labelled page are rows drawn again for the fit (`row_of` maps a row of
        // the copies to its row in the matrix) and weights in the standardisation.
        let copies = Copies::new(samples);
        let unique = &copies.pages[..];
        let unique_folds: Vec<usize> = copies.first.iter().map(|&i| fold_of[i]).collect();
        // One column-major matrix holds both passes' inputs: the stacked columns are filled in
        // after the first fit, so the largest allocation of training is made once.
        let base = space.len();
        let stacked = StackFeatures::NAMES.len();
        let labelled = samples.iter().any(|s| s.page_type == LABELLED_TYPE);
        let most_leaves = if labelled {
            self.trees << self.tree_depth
        } else {
            0
        };
        let mut x = feature_matrix(
            &fold_spaces,
            &unique_folds,
            unique,
            stacked + most_leaves,
            progress,
        );
        let y: Array1<bool> = unique
            .iter()
            .flat_map(|s| s.labels.iter().copied())
            .collect();
        let rows = self.fit_rows(samples);
        let tree_rows = copies.rows(tree_rows(samples, rows.as_deref()));
        let rows = match rows {
            Some(rows) => Some(copies.rows(rows)),
            None if copies.repeated() => Some(copies.row_of.clone()),
            None => None,
        };
        progress.stage("growing boosted trees", None);
        let hand_written: Vec<&str> = features::base_names().collect();
        // On raw values, so that the model file holds thresholds in the features' own units.
        let trees = crate::trees::fit(
            x.view(),
            &y.to_vec(),
            &tree_rows,
            &hand_written,
            BoostParams {
                trees: self.trees,
                depth: self.tree_depth,
                learning_rate: TREE_LEARNING_RATE,
                min_rows: TREE_MIN_ROWS,
                seed: self.seed,
            },
        );
        let forest = Forest::new(&trees, &hand_written)?;
        let width = base + stacked + forest.len();
        // Leaves are written straight into the matrix's spare columns, read from its first.
        let (features_part, mut spare) = x.view_mut().split_at(Axis(1), base + stacked);
        forest.write(
            features_part.slice(s![.., ..hand_written.len()]),
            spare.slice_mut(s![.., ..forest.len()]),
        );
        let (mean, scale) = standardise(x.slice_mut(s![.., ..base]), &copies.row_weights);
        progress.stage("fitting the first pass", None);
        let (weights, intercept) =
            self.fit_pass(x.slice(s![.., ..base]), y.view(), rows.as_deref())?;
        let first = probabilities(x.slice(s![.., ..base]), &weights, intercept);
        // The stacked pass learns from in-sample first-pass probabilities: with strong
        // regularisation they differ little from held-out ones, and it halves training time.
        x.slice_mut(s![.., base..base + stacked])
            .assign(&stack_matrix(unique, &first));
        let (stack_mean, stack_scale) =
            standardise(x.slice_mut(s![.., base..width]), &copies.row_weights);
        let x = x.slice(s![.., ..width]);
        progress.stage("fitting the stacked pass", None);
        let (stack_weights, stack_intercept) = self.fit_pass(x, y.view(), rows.as_deref())?;
        let probs = probabilities(x, &stack_weights, stack_intercept);
        progress.stage("fitting the kind classifier", None);
        // Not the leaves: grown on the very pages whose kinds it learns, they made its
        // held-out kinds worse (paywall F1 0.791 → 0.773; `docs/quality.md`).
        let kinds = self.fit_kinds(unique, x.slice(s![.., ..base + stacked]))?;
        let all_probs: Vec<f64> = copies.row_of.iter().map(|&r| probs[r]).collect();
        let cutoff = best_cutoff(samples, &all_probs);
        Model::from_file(ModelFile {
            format_version: FORMAT_VERSION,
            feature_names: space.names(),
            vocab: space.vocab().to_vec(),
            token_odds,
            mean,
            scale,
            weights,
            intercept,
            stack: StackedPass {
                feature_names: StackFeatures::NAMES
                    .iter()
                    .map(|n| n.to_string())
                    .chain(forest.names().iter().cloned())
                    .collect(),
                mean: stack_mean,
                scale: stack_scale,
                weights: stack_weights,
                intercept: stack_intercept,
                trees,
            },
            threshold: cutoff.threshold,
            relative_threshold: cutoff.relative,
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
                appeal_weight: self.appeal_weight,
                min_token_groups: self.min_token_groups,
                odds_min_groups: self.odds_min_groups,
                full_weight_words: self.full_weight_words,
                page_blocks: self.page_blocks,
                trees: self.trees,
                tree_depth: self.tree_depth,
                trained_by: format!("boilerclass {}", env!("CARGO_PKG_VERSION")),
            },
        })
    }
}

impl TrainParams {
    /// Fits the kind classifier on the boilerplate blocks whose kind is hand-labelled (each
    /// page once, however often it counts for the main passes): a first stage on the
    /// passes' columns but the class/id vocabulary, then a second that adds the first
    /// stage's kinds around each block ([`features::kind_context`]). `None` when fewer
    /// than two kinds are labelled.
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
        let mut first_x = x.select(Axis(0), &rows);
        // Not the class/id vocabulary: its tokens are read from a few sites each, and the
        // kinds learnt them as templates (held out by template, with two seeds, donation
        // F1 0.799 → 0.806 and 0.748 → 0.806 without them; `docs/quality.md`). A column of
        // zeros gets no weight, so the file keeps its shape; `tok_*` log-odds still count.
        let vocab = features::base_len()..x.ncols() - StackFeatures::NAMES.len();
        first_x.slice_mut(s![.., vocab]).fill(0.0);
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

    /// The rows the main passes are fitted on, `None` for all. linfa-logistic takes no
    /// sample weights, so weights are drawn as the probability of keeping a row, by a hash
    /// of the seed, the page id and the block's index: deterministic, the same whatever
    /// other pages are trained on, and training gets faster.
    /// - The metric counts words, so a block should weigh about the square root of its
    ///   words (as sample weights did in the prototype): a block of fewer than
    ///   `full_weight_words` words is kept with probability sqrt(words / that).
    /// - The metric averages pages, so a page of more than `page_blocks` blocks keeps each
    ///   with probability `page_blocks` / blocks.
    ///
    /// Hand-labelled pages keep every row in their first `labelled_weight` copies, and only
    /// their appeal and ad rows in the copies up to `appeal_weight`.
    fn fit_rows(&self, samples: &[&Sample]) -> Option<Vec<usize>> {
        if self.full_weight_words == 0 && self.page_blocks == 0 {
            return None;
        }
        let full = f64::from(self.full_weight_words);
        let mut rows = Vec::new();
        let mut at = 0;
        let mut copy = 0;
        let mut previous: Option<&Sample> = None;
        for s in samples {
            copy = if previous.is_some_and(|p| std::ptr::eq(p, *s)) {
                copy + 1
            } else {
                0
            };
            previous = Some(s);
            if s.page_type == LABELLED_TYPE {
                // Hand labels are per block, whatever its length: a two-word "Donate now"
                // that leaks is a failure, and these pages are where appeals are taught.
                for (i, b) in s.page.blocks.iter().enumerate() {
                    let appeal = b.kind.as_deref().and_then(kind_name).is_some_and(is_appeal);
                    if copy < self.labelled_weight || appeal {
                        rows.push(at + i);
                    }
                }
                at += s.page.blocks.len();
                continue;
            }
            let n = s.page.blocks.len() as f64;
            let page_keep = if self.page_blocks > 0 {
                (self.page_blocks as f64 / n).min(1.0)
            } else {
                1.0
            };
            // Keyed by the page and the block, not the row: adding or removing other pages
            // must not redraw this page's rows, or every comparison of two datasets mixes
            // the change with a new sample of the gold-text pages.
            let page_key = crate::eval::mix(self.seed, &s.id);
            for (i, b) in s.page.blocks.iter().enumerate() {
                let keep = if full > 0.0 {
                    (f64::from(b.words) / full).sqrt()
                } else {
                    1.0
                } * page_keep;
                let mut h = page_key ^ (i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
                // splitmix64's finaliser: a uniform draw per row.
                h = (h ^ (h >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
                h = (h ^ (h >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
                h ^= h >> 31;
                if keep >= 1.0 || ((h >> 11) as f64) < keep * (1u64 << 53) as f64 {
                    rows.push(at);
                }
                at += 1;
            }
        }
        Some(rows)
    }

    /// Fits one main pass on `rows` of `x` (all when `None`). A row drawn `k` times counts
    /// `k` times: the rows are copied once each, column-major, with their counts as weights.
    fn fit_pass<'a>(
        &self,
        x: ArrayView2<'a, f64>,
        y: ArrayView1<'a, bool>,
        rows: Option<&[usize]>,
    ) -> Result<(Vec<f64>, f64)> {
        let Some(rows) = rows else {
            return self.fit_logistic(x, y, None);
        };
        let mut counts = vec![0u32; x.nrows()];
        for &r in rows {
            counts[r] += 1;
        }
        let unique: Vec<usize> = (0..x.nrows()).filter(|&r| counts[r] > 0).collect();
        let mut sub = Array2::zeros((unique.len(), x.ncols()).f());
        for (mut to, from) in sub.columns_mut().into_iter().zip(x.columns()) {
            for (t, &r) in to.iter_mut().zip(&unique) {
                *t = from[r];
            }
        }
        let sub_y: Array1<bool> = unique.iter().map(|&r| y[r]).collect();
        let weights: Array1<f64> = unique.iter().map(|&r| f64::from(counts[r])).collect();
        self.fit_logistic(sub.view(), sub_y.view(), Some(weights))
    }

    /// Fits one L2-regularised logistic regression, each row counting its weight (1 when
    /// `None`); returns weights on the columns of `x` and the intercept, as log-odds of
    /// content.
    ///
    /// linfa-logistic's objective and solver (argmin's L-BFGS with a More-Thuente line
    /// search, 10 corrections, from zero), with weights, which linfa-logistic does not
    /// take: drawing a row `k` times made its matrix `k` times as tall, and its product
    /// with a one-column matrix packed the whole of it at every step (most of training's
    /// time, and 6.4 GB).
    fn fit_logistic<'a>(
        &self,
        x: ArrayView2<'a, f64>,
        y: ArrayView1<'a, bool>,
        weights: Option<Array1<f64>>,
    ) -> Result<(Vec<f64>, f64)> {
        if let Some(column) = x
            .columns()
            .into_iter()
            .position(|c| c.iter().any(|v| !v.is_finite()))
        {
            return Err(Error::Training(format!(
                "logistic regression: column {column} of the feature matrix holds a value that is not finite"
            )));
        }
        let problem = WeightedLogistic {
            x,
            sign: y.mapv(|c| if c { 1.0 } else { -1.0 }),
            weights: weights.unwrap_or_else(|| Array1::ones(x.nrows())),
            alpha: self.alpha,
        };
        let solver = LBFGS::new(MoreThuenteLineSearch::new(), 10)
            .with_tolerance_grad(self.gradient_tolerance)
            .map_err(|e| Error::Training(format!("logistic regression: {e}")))?;
        let init = Array1::zeros(x.ncols() + 1);
        let result = Executor::new(problem, solver)
            .configure(|state| state.param(init).max_iters(self.max_iterations))
            .run()
            .map_err(|e| Error::Training(format!("logistic regression: {e}")))?;
        let params = result
            .state
            .best_param
            .unwrap_or_else(|| Array1::zeros(x.ncols() + 1));
        let (weights, intercept) = (params.slice(s![..x.ncols()]).to_vec(), params[x.ncols()]);
        if weights.iter().any(|w| !w.is_finite()) || !intercept.is_finite() {
            return Err(Error::Training(
                "the solver returned non-finite weights; try a larger alpha".into(),
            ));
        }
        Ok((weights, intercept))
    }
}

/// The weighted L2-regularised logistic loss of [`TrainParams::fit_logistic`]: parameters
/// are the column weights followed by the unpenalised intercept.
struct WeightedLogistic<'a> {
    /// Column-major rows.
    x: ArrayView2<'a, f64>,
    /// +1 for content, -1 for boilerplate.
    sign: Array1<f64>,
    weights: Array1<f64>,
    alpha: f64,
}

impl WeightedLogistic<'_> {
    /// Signed scores `sign * (x w + b)`, column by column (the matrix is column-major).
    fn signed_scores(&self, p: &Array1<f64>) -> Array1<f64> {
        let n = self.x.ncols();
        let mut z = Array1::from_elem(self.x.nrows(), p[n]);
        for (column, &w) in self.x.columns().into_iter().zip(p.iter()) {
            z.scaled_add(w, &column);
        }
        z * &self.sign
    }
}

impl CostFunction for WeightedLogistic<'_> {
    type Param = Array1<f64>;
    type Output = f64;

    fn cost(&self, p: &Array1<f64>) -> std::result::Result<f64, argmin::core::Error> {
        let n = self.x.ncols();
        let loss: f64 = self
            .signed_scores(p)
            .iter()
            .zip(&self.weights)
            .map(|(&z, &c)| -c * log_sigmoid(z))
            .sum();
        let w = p.slice(s![..n]);
        Ok(loss + 0.5 * self.alpha * w.dot(&w))
    }
}

impl Gradient for WeightedLogistic<'_> {
    type Param = Array1<f64>;
    type Gradient = Array1<f64>;

    fn gradient(&self, p: &Array1<f64>) -> std::result::Result<Array1<f64>, argmin::core::Error> {
        let n = self.x.ncols();
        // d(-c log σ(s z)) / dz = c s (σ(s z) - 1).
        let mut r = self.signed_scores(p);
        r.mapv_inplace(|z| sigmoid(z) - 1.0);
        r *= &self.sign;
        r *= &self.weights;
        let mut grad = Array1::zeros(n + 1);
        for ((g, column), &w) in grad.iter_mut().zip(self.x.columns()).zip(p.iter()) {
            *g = column.dot(&r) + self.alpha * w;
        }
        grad[n] = r.sum();
        Ok(grad)
    }
}

/// ln σ(z), without overflow for large |z|.
fn log_sigmoid(z: f64) -> f64 {
    if z > 0.0 {
        -(-z).exp().ln_1p()
    } else {
        z - z.exp().ln_1p()
    }
}

/// The rows the boosted trees grow on: the fit rows (all when `None`) of hand-labelled
/// pages, each page once.
///
/// - Grown on the gold-text pages as well, the trees cost WCXB's cross-validated F1 (0.8726
///   fell to between 0.865 and 0.872 whatever their number, depth or learning rate;
///   `docs/quality.md`). Appeals, what the trees are for, are labelled on the hand-labelled
///   pages alone.
/// - Once, not in every copy that weighs the hand labels against the gold-text pages in the
///   logistic fit: grown on the copies, where appeals count six times as much as content,
///   the trees made paragraphs of an article *about* donations look like an appeal
///   (`clean::tests::an_article_about_donations_keeps_every_paragraph` lost two).
fn tree_rows(samples: &[&Sample], rows: Option<&[usize]>) -> Vec<usize> {
    let mut first_copy = Vec::new();
    let mut previous: Option<&Sample> = None;
    for s in samples {
        let repeat = previous.is_some_and(|p| std::ptr::eq(p, *s));
        previous = Some(s);
        first_copy.extend(std::iter::repeat_n(
            s.page_type == LABELLED_TYPE && !repeat,
            s.page.blocks.len(),
        ));
    }
    match rows {
        Some(rows) => rows.iter().copied().filter(|&r| first_copy[r]).collect(),
        None => (0..first_copy.len()).filter(|&r| first_copy[r]).collect(),
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

/// Stacks the feature rows of `pages` (the page at `i` described by `spaces[fold_of[i]]`),
/// computed in parallel, into a column-major matrix with `spare` zero columns at the end.
///
/// Column-major because linfa computes `X^T·r` as one dot product per column: stored by
/// column, each is a contiguous read instead of a stride through the whole matrix (this
/// halved training time).
fn feature_matrix(
    spaces: &[FeatureSpace],
    fold_of: &[usize],
    pages: &[&Sample],
    spare: usize,
    progress: Progress<'_>,
) -> Array2<f64> {
    let rows: usize = pages.iter().map(|s| s.page.blocks.len()).sum();
    let columns = spaces.first().map_or(0, FeatureSpace::len);
    let mut x = Array2::zeros((rows, columns + spare).f());
    // Each page gets its own rows of `x` to write in parallel: no per-page matrices are
    // held at once beside the big one.
    let mut jobs: Vec<(&Sample, &FeatureSpace, ArrayViewMut2<'_, f64>)> = Vec::new();
    let mut rest = x.view_mut();
    for (sample, &fold) in pages.iter().zip(fold_of) {
        let (rows, tail) = rest.split_at(Axis(0), sample.page.blocks.len());
        rest = tail;
        jobs.push((sample, &spaces[fold], rows));
    }
    progress.stage("extracting features", Some(jobs.len() as u64));
    jobs.into_par_iter().for_each(|(sample, space, mut rows)| {
        progress.advance(1);
        rows.slice_mut(s![.., ..space.len()])
            .assign(&space.extract(&sample.page));
    });
    x
}

/// The pages of a training set with the copies that weigh hand-labelled pages collapsed.
struct Copies<'a> {
    /// Each page once, in order.
    pages: Vec<&'a Sample>,
    /// Index of each page's first copy among the samples.
    first: Vec<usize>,
    /// For every row of the samples, copies included, its row among `pages`' rows.
    row_of: Vec<usize>,
    /// For every row of `pages`, how many times it occurs among the samples.
    row_weights: Vec<f64>,
}

impl<'a> Copies<'a> {
    /// Runs of the same sample (by address) are copies of one page.
    fn new(samples: &[&'a Sample]) -> Self {
        let mut copies = Copies {
            pages: Vec::new(),
            first: Vec::new(),
            row_of: Vec::new(),
            row_weights: Vec::new(),
        };
        let mut at = 0;
        for run in samples.chunk_by(|a, b| std::ptr::eq(*a, *b)) {
            let start = copies.row_weights.len();
            let n = run[0].page.blocks.len();
            copies.first.push(at);
            copies.pages.push(run[0]);
            copies
                .row_weights
                .extend(std::iter::repeat_n(run.len() as f64, n));
            for _ in run {
                copies.row_of.extend(start..start + n);
            }
            at += run.len();
        }
        copies
    }

    /// Whether any page occurs more than once.
    fn repeated(&self) -> bool {
        self.row_of.len() > self.row_weights.len()
    }

    /// `rows` of the samples as rows of the matrix (a row drawn in two copies, twice).
    fn rows(&self, rows: Vec<usize>) -> Vec<usize> {
        rows.into_iter().map(|r| self.row_of[r]).collect()
    }
}

/// Probabilities of content for the rows of `x`.
fn probabilities(x: ArrayView2<'_, f64>, weights: &[f64], intercept: f64) -> Vec<f64> {
    let w = ArrayView1::from(weights).insert_axis(Axis(1));
    x.dot(&w).iter().map(|&z| sigmoid(z + intercept)).collect()
}

/// Standardises columns in place, each row weighing `weights[row]`; returns (mean,
/// scale). Constant columns get scale 1.
fn standardise(mut x: ArrayViewMut2<'_, f64>, weights: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let n = weights.iter().sum::<f64>().max(1.0);
    let mut means = Vec::with_capacity(x.ncols());
    let mut scales = Vec::with_capacity(x.ncols());
    for mut col in x.columns_mut() {
        let mean = col.iter().zip(weights).map(|(v, w)| w * v).sum::<f64>() / n;
        let var = col
            .iter()
            .zip(weights)
            .map(|(v, w)| w * (v - mean) * (v - mean))
            .sum::<f64>()
            / n;
        let sd = var.sqrt();
        let scale = if sd > 1e-9 { sd } else { 1.0 };
        col.mapv_inplace(|v| (v - mean) / scale);
        means.push(mean);
        scales.push(scale);
    }
    (means, scales)
}

#[derive(Default, Clone)]
struct TokenStats {
    content: u32,
    boilerplate: u32,
    groups: u32,
    last_group: Option<usize>,
}

/// How often each class/id token (`s:` own, `a:` ancestors) marks content and boilerplate,
/// counted once over the training pages, apart for each of `folds` disjoint sets of sites,
/// so that a table that leaves one set out costs no second pass.
struct TokenCounts<'a> {
    /// Keyed by (ancestor?, token), borrowed from the pages: no string is built per block.
    stats: FxHashMap<(bool, &'a str), Vec<TokenStats>>,
    /// Content and boilerplate blocks per fold.
    totals: Vec<(f64, f64)>,
}

impl<'a> TokenCounts<'a> {
    /// Counts over `samples`, the sample at `i` in fold `fold_of[i]` (`< folds`). A page
    /// repeated for weight counts as many times as it is repeated, computed once.
    fn new(samples: &[&'a Sample], fold_of: &[usize], folds: usize) -> Self {
        let mut group_ids: FxHashMap<&str, usize> = FxHashMap::default();
        let mut stats: FxHashMap<(bool, &str), Vec<TokenStats>> = FxHashMap::default();
        let mut totals = vec![(0f64, 0f64); folds];
        // A site's pages one after another, so that "a site not seen yet for this token" is
        // a comparison with the last one.
        let mut runs: Vec<(&Sample, usize, u32)> = Vec::new();
        let mut at = 0;
        for run in samples.chunk_by(|a, b| std::ptr::eq(*a, *b)) {
            runs.push((run[0], fold_of[at], run.len() as u32));
            at += run.len();
        }
        runs.sort_by(|a, b| a.0.group.cmp(&b.0.group));
        for (s, fold, times) in runs {
            let next = group_ids.len();
            let g = *group_ids.entry(s.group.as_str()).or_insert(next);
            for (i, &label) in s.labels.iter().enumerate() {
                if label {
                    totals[fold].0 += f64::from(times);
                } else {
                    totals[fold].1 += f64::from(times);
                }
                let (own, ancestors) = features::block_tokens(&s.page, i);
                let keyed = own
                    .iter()
                    .map(|t| (false, *t))
                    .chain(ancestors.iter().map(|t| (true, *t)));
                for key in keyed {
                    let st = &mut stats
                        .entry(key)
                        .or_insert_with(|| vec![TokenStats::default(); folds])[fold];
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
        TokenCounts { stats, totals }
    }

    /// Each token seen on at least `min_groups` sites outside fold `skip` (all folds when
    /// `None`), with its smoothed content log-odds relative to the prior and its count.
    fn odds(&self, skip: Option<usize>, min_groups: usize) -> Vec<(String, f64, f64)> {
        let keep = |f: usize| Some(f) != skip;
        let (c, b) = self
            .totals
            .iter()
            .enumerate()
            .filter(|(f, _)| keep(*f))
            .fold((0.0, 0.0), |(c, b), (_, t)| (c + t.0, b + t.1));
        let prior = ((c + 1.0) / (b + 1.0)).ln();
        let mut out: Vec<(String, f64, f64)> = self
            .stats
            .iter()
            .filter_map(|(&(ancestor, t), per_fold)| {
                let (mut c, mut b, mut groups) = (0.0, 0.0, 0);
                let kept = per_fold.iter().enumerate().filter(|(f, _)| keep(*f));
                for (_, st) in kept {
                    c += f64::from(st.content);
                    b += f64::from(st.boilerplate);
                    groups += st.groups as usize;
                }
                (groups >= min_groups).then(|| {
                    let name = format!("{}{t}", if ancestor { "a:" } else { "s:" });
                    (name, ((c + 1.0) / (b + 1.0)).ln() - prior, c + b)
                })
            })
            .collect();
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out
    }

    /// The `size` tokens seen on at least `min_groups` sites that best separate content
    /// from boilerplate. Sorted, deterministic.
    fn vocab(&self, size: usize, min_groups: usize) -> Vec<String> {
        let mut scored: Vec<(f64, String)> = self
            .odds(None, min_groups)
            .into_iter()
            .map(|(name, log_odds, n)| (log_odds.abs() * (1.0 + n).ln(), name))
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        scored.truncate(size);
        let mut vocab: Vec<String> = scored.into_iter().map(|(_, t)| t).collect();
        vocab.sort();
        vocab
    }

    /// The log-odds table of the tokens seen on at least `min_groups` sites outside fold
    /// `skip`, clipped so that no one token decides, and rounded to 3 decimals (the model
    /// file holds tens of thousands of them; the fourth decimal changes nothing).
    fn table(&self, skip: Option<usize>, min_groups: usize) -> TokenOdds {
        self.odds(skip, min_groups)
            .into_iter()
            .map(|(name, log_odds, _)| {
                let v = (log_odds.clamp(-ODDS_CLIP, ODDS_CLIP) * 1000.0).round() / 1000.0;
                (name, v as f32)
            })
            .collect()
    }
}

/// Token log-odds are clipped to this magnitude.
const ODDS_CLIP: f64 = 4.0;

/// Most trees `--trees` allows: each adds up to 2^depth columns to a training matrix with a
/// row per block, so that a slip of the keyboard fails here rather than in the allocator.
pub const MAX_TREES: usize = 1000;

/// Deepest trees `--tree-depth` allows: 2^8 leaves per tree is already far past where
/// leaves hold enough blocks to mean anything.
pub const MAX_TREE_DEPTH: usize = 8;

/// Shrinkage of each boosted tree.
const TREE_LEARNING_RATE: f64 = 0.2;

/// Fewest sampled rows in a tree's leaf: a leaf is a column, and a column of a handful of
/// blocks would be one site's quirk.
const TREE_MIN_ROWS: usize = 50;

/// Training pages are split by site into this many sets for the token log-odds: a page's
/// `tok_*` features are computed with a table learned on the other sets, as they will be on
/// pages the model has never seen.
const ODDS_FOLDS: usize = 5;

/// The cutoff that maximises the mean per-page word F1 on the training pages, computed from
/// aligned token counts (fast, and close to the exact metric): the threshold in 0.05..=0.95
/// and the relative threshold in 0..=0.9, the lowest of each on a tie.
fn best_cutoff(samples: &[&Sample], probs: &[f64]) -> Cutoff {
    // Each page once with how often it counts, its blocks by falling probability and the
    // running totals of their words and matched words: any cut is then a binary search.
    struct Ranked {
        copies: f64,
        probs: Vec<f64>,
        kept: Vec<f64>,
        hit: Vec<f64>,
        gold: f64,
    }
    let mut pages: Vec<Ranked> = Vec::new();
    let mut at = 0;
    let mut previous: Option<&Sample> = None;
    for s in samples {
        let n = s.page.blocks.len();
        let page_probs = &probs[at..at + n];
        at += n;
        if previous.is_some_and(|p| std::ptr::eq(p, *s)) {
            if let Some(last) = pages.last_mut() {
                last.copies += 1.0;
            }
            continue;
        }
        previous = Some(s);
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&a, &b| page_probs[b].total_cmp(&page_probs[a]));
        let (mut kept, mut hit) = (vec![0.0], vec![0.0]);
        for &i in &order {
            kept.push(kept[kept.len() - 1] + f64::from(s.tokens[i]));
            hit.push(hit[hit.len() - 1] + f64::from(s.matched[i]));
        }
        pages.push(Ranked {
            copies: 1.0,
            probs: order.iter().map(|&i| page_probs[i]).collect(),
            kept,
            hit,
            gold: f64::from(s.gold_words),
        });
    }
    let mut best = (
        f64::MIN,
        Cutoff {
            threshold: 0.5,
            relative: 0.0,
        },
    );
    for relative_step in 0..=18 {
        for step in 5..=95 {
            let cutoff = Cutoff {
                threshold: f64::from(step) / 100.0,
                relative: f64::from(relative_step) / 20.0,
            };
            let total: f64 = pages
                .iter()
                .map(|p| {
                    // Sorted: the first probability is the page's highest.
                    let cut = cutoff.given_best(p.probs.first().copied().unwrap_or(0.0));
                    let k = p.probs.partition_point(|&q| q >= cut);
                    p.copies * f1_from_counts(p.hit[k], p.kept[k], p.gold)
                })
                .sum();
            if total > best.0 + 1e-9 {
                best = (total, cutoff);
            }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::segment::segment_html;
    use linfa_logistic::LogisticRegression;

    /// A page of one site whose blocks are all content.
    fn sample(group: &str, page_type: &str, html: &str) -> Sample {
        let (_, page) = segment_html(html);
        let n = page.blocks.len();
        Sample {
            id: group.to_string(),
            group: group.to_string(),
            page_type: page_type.to_string(),
            gold_text: String::new(),
            with: Vec::new(),
            without: Vec::new(),
            labels: vec![true; n],
            matched: page.blocks.iter().map(|b| b.words).collect(),
            tokens: page.blocks.iter().map(|b| b.words).collect(),
            gold_words: page.blocks.iter().map(|b| b.words).sum(),
            page,
        }
    }

    fn has(odds: &[(String, f32)], token: &str) -> bool {
        odds.iter().any(|(t, _)| t == token)
    }

    #[test]
    fn token_log_odds_leave_their_fold_out_and_count_sites_once() {
        let a = sample(
            "a.com",
            "article",
            "<body><p class='alpha gamma'>x</p></body>",
        );
        let b = sample(
            "b.com",
            "article",
            "<body><p class='alpha gamma'>y</p></body>",
        );
        let c = sample("c.com", "article", "<body><p class='beta'>z</p></body>");
        let refs = [&a, &b, &c];
        let counts = TokenCounts::new(&refs, &[0, 1, 1], 2);
        let all = counts.table(None, 2);
        assert!(has(&all, "s:alpha") && !has(&all, "s:beta"));
        let without_1 = counts.table(Some(1), 1);
        assert!(has(&without_1, "s:alpha") && !has(&without_1, "s:beta"));
        assert!(!has(&counts.table(Some(0), 2), "s:alpha"));
        // A site's pages count once however they are ordered.
        let a2 = sample("a.com", "article", "<body><p class='gamma'>w</p></body>");
        let refs = [&a, &b, &a2];
        let counts = TokenCounts::new(&refs, &[0, 0, 0], 1);
        assert!(has(&counts.table(None, 2), "s:gamma"));
        assert!(!has(&counts.table(None, 3), "s:gamma"));
    }

    #[test]
    fn copies_of_a_page_share_its_matrix_rows() {
        let gold = sample("a.com", "article", "<body><p>one</p><p>two</p></body>");
        let labelled = sample("t", LABELLED_TYPE, "<body><p>x</p><p>y</p><p>z</p></body>");
        let copies = Copies::new(&[&gold, &labelled, &labelled, &labelled]);
        assert_eq!(copies.pages.len(), 2);
        assert_eq!(copies.first, [0, 1]);
        assert_eq!(copies.row_of, [0, 1, 2, 3, 4, 2, 3, 4, 2, 3, 4]);
        assert_eq!(copies.row_weights, [1.0, 1.0, 3.0, 3.0, 3.0]);
        assert!(copies.repeated());
        assert_eq!(copies.rows(vec![5, 0, 10]), [2, 0, 4]);
        // Weighted standardisation is that of the matrix with every copy written out.
        let mut x = Array2::from_shape_vec((5, 1), vec![0.0, 1.0, 2.0, 2.0, 5.0]).unwrap();
        let (mean, scale) = standardise(x.view_mut(), &copies.row_weights);
        let mut full: Array2<f64> = Array2::from_shape_fn((11, 1), |(r, _)| {
            [0.0, 1.0, 2.0, 2.0, 5.0][copies.row_of[r]]
        });
        let (full_mean, full_scale) = standardise(full.view_mut(), &[1.0; 11]);
        assert!((mean[0] - full_mean[0]).abs() < 1e-12);
        assert!((scale[0] - full_scale[0]).abs() < 1e-12);
    }

    #[test]
    fn fit_rows_weigh_short_blocks_and_keep_hand_labels() {
        let mut html = String::from("<body>");
        for i in 0..400 {
            html.push_str(&format!("<p>w{i}</p>"));
        }
        html.push_str(&format!("<p>{}</p></body>", "word ".repeat(20)));
        let gold = sample("a.com", "article", &html);
        let labelled = sample("t", LABELLED_TYPE, &html);
        let params = TrainParams::default();
        let rows = params.fit_rows(&[&gold]).unwrap();
        // 400 one-word blocks, each kept with probability sqrt(1/16) × 100/401.
        assert!((5..=60).contains(&rows.len()), "{}", rows.len());
        assert_eq!(params.fit_rows(&[&gold]), Some(rows));
        let rows = params.fit_rows(&[&labelled]).unwrap();
        assert_eq!(rows, (0..401).collect::<Vec<_>>());
        // Copies past `labelled_weight` add only appeal rows, and this page has none.
        let copies = vec![&labelled; params.labelled_weight + 1];
        let rows = params.fit_rows(&copies).unwrap();
        assert_eq!(rows.len(), 401 * params.labelled_weight);
        let off = TrainParams {
            full_weight_words: 0,
            page_blocks: 0,
            ..TrainParams::default()
        };
        assert_eq!(off.fit_rows(&[&gold]), None);
    }

    /// Rows whose standardised-like values are spread deterministically, with labels that
    /// a linear score half explains.
    fn toy_problem(n: usize) -> (Array2<f64>, Array1<bool>) {
        let x = Array2::from_shape_fn((n, 3).f(), |(i, j)| {
            (((i * 7 + j * 13) % 17) as f64 - 8.0) / 4.0
                + if j == 2 {
                    0.1 * i as f64 / n as f64
                } else {
                    0.0
                }
        });
        let y = (0..n)
            .map(|i| x[[i, 0]] - 0.5 * x[[i, 1]] + if i % 5 == 0 { 2.0 } else { 0.0 } > 0.3)
            .collect();
        (x, y)
    }

    #[test]
    fn the_fit_is_linfa_logistics_and_a_weight_is_a_copy() {
        let (x, y) = toy_problem(60);
        let params = TrainParams {
            alpha: 2.0,
            ..TrainParams::default()
        };
        let (ours, ours_b) = params.fit_logistic(x.view(), y.view(), None).unwrap();
        let linfa = LogisticRegression::default()
            .alpha(params.alpha)
            .max_iterations(params.max_iterations)
            .gradient_tolerance(params.gradient_tolerance)
            .fit(&DatasetView::new(x.view(), y.view()))
            .unwrap();
        // linfa's positive class is the larger label, `true`: content.
        assert!(linfa.labels().pos.class);
        for (a, b) in ours.iter().zip(linfa.params()) {
            assert!((a - b).abs() < 1e-6, "{a} against linfa's {b}");
        }
        assert!((ours_b - linfa.intercept()).abs() < 1e-6);
        // Rows 0 and 3 drawn three times each: the same fit as the rows copied out.
        let rows: Vec<usize> = vec![0, 0, 0, 1, 2, 3, 3, 3]
            .into_iter()
            .chain(4..60)
            .collect();
        let weighted = params.fit_pass(x.view(), y.view(), Some(&rows)).unwrap();
        let copied = params
            .fit_logistic(
                x.select(Axis(0), &rows).view(),
                y.select(Axis(0), &rows).view(),
                None,
            )
            .unwrap();
        for (a, b) in weighted.0.iter().zip(&copied.0) {
            assert!((a - b).abs() < 1e-6, "weighted {a} against copied {b}");
        }
        assert!((weighted.1 - copied.1).abs() < 1e-6);
        assert!(weighted
            .0
            .iter()
            .zip(&ours)
            .any(|(a, b)| (a - b).abs() > 1e-3));
        let mut bad = x.clone();
        bad[[7, 1]] = f64::NAN;
        let err = params.fit_logistic(bad.view(), y.view(), None).unwrap_err();
        assert!(err.to_string().contains("column 1"), "{err}");
    }

    #[test]
    fn the_cutoff_can_be_relative_to_the_page() {
        // A sure article whose menu scores 0.5, and an unsure page whose content scores
        // 0.4: no single threshold keeps both contents and drops the menu.
        let mut sure = sample("a.com", "article", "<p>one two three</p><p>menu</p>");
        sure.labels = vec![true, false];
        sure.matched = vec![3, 0];
        sure.gold_words = 3;
        let unsure = sample("b.com", "product", "<p>four five</p>");
        let probs = [0.9, 0.5, 0.4];
        let cutoff = best_cutoff(&[&sure, &unsure], &probs);
        let keeps = |page: &[f64]| {
            let cut = cutoff.for_page(page);
            page.iter().map(|&p| p >= cut).collect::<Vec<_>>()
        };
        assert_eq!(keeps(&probs[..2]), [true, false], "{cutoff:?}");
        assert_eq!(keeps(&probs[2..]), [true], "{cutoff:?}");
    }
}
