//! The model file and prediction. A model is plain serde JSON: format version, feature
//! names, standardisation, weights, intercept, threshold and what it was trained on.
//! Prediction is the model's own dot product and sigmoid, so a loaded file is all that is
//! needed; loading checks that the file matches this build before anything is predicted.

use crate::error::{Error, Result};
use crate::features::{self, FeatureSpace, SparseFeatures, StackFeatures, TokenOdds};
use crate::segment::Page;
use crate::trees::{Forest, Tree};
use ndarray::{s, Array1, Array2, ArrayView1, ArrayView2};
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The model file format this build reads and writes.
pub const FORMAT_VERSION: u32 = 2;

/// The default model, trained as the README describes, embedded in the binary.
pub const DEFAULT_MODEL_JSON: &str = include_str!("../models/default.json");

/// The kinds of boilerplate a model names, as hand-labelled pages mark them (`data-kind`).
pub const KINDS: [&str; 13] = [
    "donation",
    "paywall",
    "subscription",
    "membership",
    "newsletter",
    "cookie",
    "adblock",
    "ad",
    "social",
    "related",
    "navigation",
    "comments",
    "other",
];

/// The kinds that are appeals or ads, the first eight of [`KINDS`]: what `clean --drop
/// appeals` removes.
pub const APPEAL_KINDS: &[&str] = KINDS.split_at(8).0;

/// The kind classifier's name for content: it learns content blocks of hand-labelled
/// pages too, so that it can tell an appeal from the article around it.
pub const CONTENT_CLASS: &str = "content";

/// The kind name as a `&'static str` of [`KINDS`], if it is one.
pub fn kind_name(kind: &str) -> Option<&'static str> {
    KINDS.iter().copied().find(|k| *k == kind)
}

/// An appeal written inside the article reads like its prose, and the main passes, taught
/// mostly by gold-text pages, keep many of them. A block they keep is dropped all the same
/// when it is dense with appeal words ([`APPEAL_DENSITY_FLOOR`]) and the kind classifier's
/// first stage gives the appeal kinds at least this probability. In domain- and
/// template-grouped cross-validation of the shipped configuration the veto took the
/// in-article appeals kept from 173 to 150 of 573 (measured together with the "dear
/// readers" and "ad-free" phrases added with it), for 2 labelled content blocks of 2,703
/// and 0.0007 of WCXB word F1.
pub const APPEAL_VETO: f64 = 0.5;

/// The least share of appeal-lexicon words (hits per word) a block needs for the veto: the
/// kind classifier calls nearly any block with an appeal word an appeal, and a report that
/// mentions "members" once is not one. Without a floor the veto caught about 30 more
/// in-article appeals but dropped such paragraphs; a floor of 0.1 caught 17 fewer than
/// 0.05 and lost 4 fewer labelled content blocks.
pub const APPEAL_DENSITY_FLOOR: f64 = 0.05;

/// Where the block's share of appeal-lexicon words sits among the hand-written features.
static APPEAL_DENSITY_COLUMN: std::sync::LazyLock<Option<usize>> =
    std::sync::LazyLock::new(|| features::base_names().position(|n| n == "appeal_density"));

/// The veto holds only on pages where at most this share of the other content blocks (those
/// it does not veto) hold appeal words: on a page *about* donations or subscriptions they
/// are everywhere, and vetoing there dropped the article's own paragraphs (content kept
/// fell to 96.6 %).
pub const APPEAL_WORDS_RARE: f64 = 0.25;

/// The fewest words (`\w+` tokens) a block needs for a repeat of its text to be dropped
/// as a copy (see [`first_copies`]). Shorter lines ("Add to cart", "Yes", a price)
/// repeat in tables and lists whose every row is content.
pub const COPY_MIN_WORDS: u32 = 5;

/// For each block, the first earlier content block with the same text, when that text
/// holds at least [`COPY_MIN_WORDS`] words and sits under another parent element, outside
/// tables. Pages draw the same description, post or paragraph twice (once for phones,
/// once for desktops, or again in a summary), and a reader wants it once; a line repeated
/// within one element (a song's chorus) is the text itself, and a table's cells hold its
/// rows and columns in place.
pub fn first_copies(page: &Page, content: &[bool]) -> Vec<Option<usize>> {
    let parent = |i: usize| page.containers[page.blocks[i].container].parent;
    let mut first: FxHashMap<&str, usize> = FxHashMap::default();
    page.blocks
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let in_table = page.containers[b.container].flags & crate::segment::flags::TABLE;
            if b.words < COPY_MIN_WORDS || in_table != 0 {
                return None;
            }
            match first.get(b.text.as_str()) {
                Some(&j) => (parent(j) != parent(i)).then_some(j),
                None => {
                    if content[i] {
                        first.insert(&b.text, i);
                    }
                    None
                }
            }
        })
        .collect()
}

/// The largest box whose removed parts name one kind together: a block's box is the
/// nearest element above it that holds two blocks or more, when that element holds at
/// most this many words and `clean` removes all of it. A donation box's amounts and
/// buttons ("10 € 25 € 50 €", "Remind me later") say little on their own; the box's text
/// says what it asks for. The box's kind is the one its blocks' probabilities favour
/// together (the sum of their log-probabilities), and its blocks take it when it is an
/// appeal. In template-grouped cross-validation this raised donation F1 from 0.710 to
/// 0.734 and paywall from 0.796 to 0.818, and no kind's fell (`docs/quality.md`).
pub const KIND_BOX_WORDS: u32 = 150;

/// Each block's box for [`Model::kinds`] (its index among the page's containers), for the
/// removed blocks that have one.
fn kind_boxes(page: &Page, content: &[bool]) -> Vec<Option<usize>> {
    let mut kept = vec![0u32; page.containers.len()];
    for (b, &c) in page.blocks.iter().zip(content) {
        kept[b.container] += u32::from(c);
    }
    // Children follow their parent in preorder: summing back to front reaches the root.
    for i in (0..page.containers.len()).rev() {
        if let Some(p) = page.containers[i].parent {
            kept[p] += kept[i];
        }
    }
    page.blocks
        .iter()
        .zip(content)
        .map(|(b, &c)| {
            if c {
                return None;
            }
            let mut at = Some(b.container);
            while let Some(i) = at {
                let ci = &page.containers[i];
                if ci.words > KIND_BOX_WORDS || kept[i] > 0 {
                    return None;
                }
                if ci.blocks >= 2 {
                    return Some(i);
                }
                at = ci.parent;
            }
            None
        })
        .collect()
}

/// The kind of each box that names an appeal, given every block's kind probabilities
/// (`probs`, a column per kind of `kinds`): the one its blocks favour together, the sum of
/// their log-probabilities. The links and labels of a footer or a menu are better named one
/// by one (navigation, social, other), so other boxes are left out.
fn name_boxes(
    probs: ArrayView2<'_, f64>,
    boxes: &[Option<usize>],
    kinds: &[&'static str],
) -> FxHashMap<usize, &'static str> {
    let mut votes: FxHashMap<usize, Array1<f64>> = FxHashMap::default();
    for (p, b) in probs.rows().into_iter().zip(boxes) {
        if let Some(b) = b {
            let sum = votes
                .entry(*b)
                .or_insert_with(|| Array1::zeros(kinds.len()));
            // Floored, so that no single block's certainty rules a kind out for the box.
            sum.zip_mut_with(&p, |s, &p| *s += p.max(1e-12).ln());
        }
    }
    votes
        .into_iter()
        .map(|(b, v)| (b, best_kind(v.view(), kinds)))
        .filter(|(_, k)| is_appeal(k))
        .collect()
}

/// The best-scored kind that is not content: content is the main passes' call, save for
/// the guarded veto of [`Model::decide`].
fn best_kind(scores: ArrayView1<'_, f64>, kinds: &[&'static str]) -> &'static str {
    scores
        .iter()
        .zip(kinds)
        .filter(|(_, k)| **k != CONTENT_CLASS)
        .reduce(|best, next| if next.0 > best.0 { next } else { best })
        // A kind classifier holds two classes or more, so one is a kind.
        .map_or("other", |(_, &k)| k)
}

/// Whether a kind is an appeal or an ad (see [`APPEAL_KINDS`]).
pub fn is_appeal(kind: &str) -> bool {
    APPEAL_KINDS.contains(&kind)
}

/// What a model was trained on and with.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TrainingInfo {
    /// The corpora, as given on the command line.
    pub data: Vec<String>,
    /// Pages trained on.
    pub pages: usize,
    /// Distinct blocks trained on (before labelled pages are repeated).
    pub blocks: usize,
    /// Of which content.
    pub content_blocks: usize,
    /// L2 penalty (linfa-logistic's `alpha`).
    pub alpha: f64,
    /// Iteration cap of the solver.
    pub max_iterations: u64,
    /// Seed recorded for reproducibility.
    pub seed: u64,
    /// How many times each block of a hand-labelled page counted.
    pub labelled_weight: usize,
    /// How many times a hand-labelled appeal or ad block counted.
    pub appeal_weight: usize,
    /// Sites a token needed to become a vocabulary column.
    pub min_token_groups: usize,
    /// Sites a token needed to get a log-odds.
    pub odds_min_groups: usize,
    /// Blocks of fewer words were sampled by sqrt(words / this) in the fit.
    pub full_weight_words: u32,
    /// Pages of more blocks were sampled down to about this many in the fit.
    pub page_blocks: usize,
    /// Boosted trees whose leaves the stacked pass reads (0 in files written before them).
    #[serde(default)]
    pub trees: usize,
    /// Levels of splits per tree.
    #[serde(default)]
    pub tree_depth: usize,
    /// Version of boilerclass that trained it.
    pub trained_by: String,
}

/// Where a page's blocks are cut into content and boilerplate: a block is content when its
/// probability reaches `threshold` and also `relative` times the page's highest probability.
/// Pages differ in how sure the model is of them: on an article whose paragraphs score 0.95,
/// a menu at 0.35 is more likely boilerplate than on a product page whose best block scores
/// 0.5.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Cutoff {
    /// Probability at or above which a block can be content.
    pub threshold: f64,
    /// Share of the page's highest probability that a content block must reach (0: none).
    pub relative: f64,
}

impl Cutoff {
    /// The probability at or above which a block of a page with these probabilities is
    /// content.
    pub fn for_page(&self, probabilities: &[f64]) -> f64 {
        self.given_best(probabilities.iter().copied().fold(0.0, f64::max))
    }

    /// The same, given the page's highest probability.
    pub fn given_best(&self, best: f64) -> f64 {
        self.threshold.max(self.relative * best)
    }
}

/// A model file's contents.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ModelFile {
    /// Must equal [`FORMAT_VERSION`].
    pub format_version: u32,
    /// One name per column; must equal this build's feature names for the vocabulary.
    pub feature_names: Vec<String>,
    /// Class/id token vocabulary (`s:NAME`, `a:NAME`).
    pub vocab: Vec<String>,
    /// Content log-odds of class/id tokens, summarised per block by the `tok_*` features.
    /// Written as a JSON object, read into a list.
    #[serde(with = "odds_as_map")]
    pub token_odds: TokenOdds,
    /// Column means used for standardisation.
    pub mean: Vec<f64>,
    /// Column standard deviations used for standardisation.
    pub scale: Vec<f64>,
    /// First pass: one weight per column, on standardised values.
    pub weights: Vec<f64>,
    /// First pass: intercept.
    pub intercept: f64,
    /// Second pass, which adds the first pass's view of neighbours and containers.
    pub stack: StackedPass,
    /// Probability (of the second pass) at or above which a block is content.
    pub threshold: f64,
    /// A block must also reach this share of its page's highest probability (see
    /// [`Cutoff`]); 0 in files written before it existed.
    #[serde(default)]
    pub relative_threshold: f64,
    /// Names the kind of each boilerplate block; absent from models trained without
    /// hand-labelled kinds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kinds: Option<KindPass>,
    /// Provenance.
    pub training: TrainingInfo,
}

/// Token log-odds as a JSON object `{"s:nav": -2.1, …}`, read straight into a list: a map
/// type would sort tens of thousands of keys at every start-up for nothing.
mod odds_as_map {
    use serde::de::{MapAccess, Visitor};
    use serde::{Deserializer, Serializer};

    pub fn serialize<S: Serializer>(odds: &[(String, f32)], s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(odds.iter().map(|(t, v)| (t, v)))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<(String, f32)>, D::Error> {
        struct Pairs;
        impl<'de> Visitor<'de> for Pairs {
            type Value = Vec<(String, f32)>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object of token log-odds")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::with_capacity(map.size_hint().unwrap_or(0));
                while let Some(pair) = map.next_entry()? {
                    out.push(pair);
                }
                Ok(out)
            }
        }
        d.deserialize_map(Pairs)
    }
}

/// The second, stacked pass of a model.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct StackedPass {
    /// Names of the added columns: this build's stacked features, then one per leaf of
    /// `trees`.
    pub feature_names: Vec<String>,
    /// Means of the added columns.
    pub mean: Vec<f64>,
    /// Standard deviations of the added columns.
    pub scale: Vec<f64>,
    /// Weights of all first-pass columns, then of the added ones.
    pub weights: Vec<f64>,
    /// Intercept.
    pub intercept: f64,
    /// Boosted trees on the hand-written features, whose leaves are added columns (see
    /// [`crate::trees`]); none in files written before them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub trees: Vec<Tree>,
}

/// The kind classifier: a multinomial logistic model over both passes' columns but the
/// class/id vocabulary (whose weights are zero) and the trees' leaves, trained on the
/// boilerplate blocks of hand-labelled pages.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct KindPass {
    /// The kinds it tells apart (a subset of [`KINDS`]), in the order of `weights`.
    pub kinds: Vec<String>,
    /// Per kind, weights of the first pass's columns and then of the stacked features (not
    /// the trees' leaves), on standardised values (the first pass's and the stacked pass's
    /// means and scales).
    pub weights: Vec<Vec<f64>>,
    /// Per kind, the intercept.
    pub intercepts: Vec<f64>,
    /// The second stage, which adds [`features::kind_context`] (the first stage's kinds
    /// around each block) to the columns.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<KindContext>,
}

/// The kind classifier's second stage.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct KindContext {
    /// Per kind (in [`KindPass::kinds`] order): weights of the first pass's columns, the
    /// stacked ones, then the context columns (raw probabilities, not standardised).
    pub weights: Vec<Vec<f64>>,
    /// Per kind, the intercept.
    pub intercepts: Vec<f64>,
}

/// One stage of the kind classifier, standardisation folded in: a column per kind, so
/// that a page's scores are a few matrix products rather than a dot product per block
/// and kind.
#[derive(Debug, Clone)]
struct KindStage {
    /// Weights of the first pass's columns (hand-written, then token vocabulary).
    base: Array2<f64>,
    /// Weights of the stacked features (not the trees' leaves).
    extra: Array2<f64>,
    /// Weights of the context columns (second stage only; no rows in the first).
    context: Array2<f64>,
    intercepts: Array1<f64>,
}

impl KindStage {
    /// Every block's score for every kind; `context` is the second stage's extra input.
    fn logits(&self, scores: &Scores, context: Option<ArrayView2<'_, f64>>) -> Array2<f64> {
        let x = &scores.x;
        let nb = x.base.ncols();
        let mut z = x.base.dot(&self.base.slice(ndarray::s![..nb, ..]));
        z += &scores
            .stack
            .slice(s![.., ..self.extra.nrows()])
            .dot(&self.extra);
        if let Some(c) = context {
            z += &c.dot(&self.context);
        }
        for (i, mut row) in z.rows_mut().into_iter().enumerate() {
            for &c in x.token_columns(i) {
                row += &self.base.row(c);
            }
            row += &self.intercepts;
        }
        z
    }

    /// One block's scores (first stage): for the few blocks that need them alone.
    fn row_logits(&self, scores: &Scores, i: usize) -> Array1<f64> {
        let x = &scores.x;
        let nb = x.base.ncols();
        let mut z = x.base.row(i).dot(&self.base.slice(ndarray::s![..nb, ..]));
        z += &scores
            .stack
            .slice(s![i, ..self.extra.nrows()])
            .dot(&self.extra);
        for &c in x.token_columns(i) {
            z += &self.base.row(c);
        }
        z + &self.intercepts
    }

    fn weights(&self) -> impl Iterator<Item = f64> + '_ {
        self.base
            .iter()
            .chain(&self.extra)
            .chain(&self.intercepts)
            .copied()
    }
}

/// A page's feature matrices and final probabilities.
#[derive(Debug, Clone)]
pub struct Scores {
    /// First-pass features, one row per block.
    pub x: SparseFeatures,
    /// Stacked-pass features (not the trees' leaves), one row per block.
    pub stack: Array2<f64>,
    /// The trees' leaf each block reaches: one row per block, a column per tree, the
    /// leaf's index among the forest's columns.
    pub leaves: Array2<usize>,
    /// Probability of content per block.
    pub probabilities: Vec<f64>,
}

/// A validated model, ready to predict.
#[derive(Debug, Clone)]
pub struct Model {
    file: ModelFile,
    space: FeatureSpace,
    forest: Forest,
    /// Weights with the standardisation folded in, so that scoring is one dot product per
    /// block and pass.
    folded: Folded,
}

/// `w·(x − mean)/scale + b` rewritten as `(w/scale)·x + (b − Σ w·mean/scale)`.
#[derive(Debug, Clone)]
struct Folded {
    first: Array1<f64>,
    first_intercept: f64,
    /// Stacked pass: weights on the first pass's columns, then on the stacked columns.
    stack_base: Array1<f64>,
    stack_extra: Array1<f64>,
    stack_intercept: f64,
    /// Kind classifier: the kinds, then each stage's score per kind.
    kinds: Vec<&'static str>,
    kind_first: Option<KindStage>,
    kind_second: Option<KindStage>,
}

/// Folds standardisation into weights: (weights / scale, Σ weight × mean / scale).
fn fold(weights: &[f64], mean: &[f64], scale: &[f64]) -> (Array1<f64>, f64) {
    let w: Array1<f64> = weights.iter().zip(scale).map(|(w, s)| w / s).collect();
    let shift = w.iter().zip(mean).map(|(w, m)| w * m).sum();
    (w, shift)
}

/// One feature's share of a block's score.
#[derive(Debug, Clone, Serialize)]
pub struct Contribution {
    /// Feature name.
    pub feature: String,
    /// Its raw value.
    pub value: f64,
    /// Weight × standardised value: what it added to the log-odds of content.
    pub weight_x_value: f64,
}

impl Model {
    /// Validates a model file against this build.
    pub fn from_file(file: ModelFile) -> Result<Self> {
        if file.format_version != FORMAT_VERSION {
            return Err(Error::ModelVersion {
                found: file.format_version,
                expected: FORMAT_VERSION,
            });
        }
        if let Some((t, v)) = file.token_odds.iter().find(|(_, v)| !v.is_finite()) {
            return Err(Error::ModelInvalid(format!(
                "token_odds of {t:?} is {v}, not a finite number"
            )));
        }
        let space = FeatureSpace::new(file.vocab.clone(), &file.token_odds);
        let expected = space.names();
        let n = expected.len();
        for (what, len) in [
            ("feature_names", file.feature_names.len()),
            ("mean", file.mean.len()),
            ("scale", file.scale.len()),
            ("weights", file.weights.len()),
        ] {
            if len != n {
                return Err(Error::ModelInvalid(format!(
                    "{what} has {len} entries, this build with a vocabulary of {} tokens expects {n}",
                    file.vocab.len()
                )));
            }
        }
        if let Some((i, (got, want))) = file
            .feature_names
            .iter()
            .zip(&expected)
            .enumerate()
            .find(|(_, (a, b))| a != b)
        {
            return Err(Error::ModelInvalid(format!(
                "feature {i} is named {got:?} in the file but {want:?} in this build"
            )));
        }
        let stack = &file.stack;
        let hand_written: Vec<&str> = features::base_names().collect();
        let forest = Forest::new(&stack.trees, &hand_written)?;
        let expected_stack: Vec<&str> = StackFeatures::NAMES
            .iter()
            .copied()
            .chain(forest.names().iter().map(String::as_str))
            .collect();
        let ns = expected_stack.len();
        // The kind classifier reads the stacked features but not the leaves (see
        // `TrainParams::fit_kinds`).
        let stacked = StackFeatures::NAMES.len();
        for (what, len, want) in [
            ("stack.feature_names", stack.feature_names.len(), ns),
            ("stack.mean", stack.mean.len(), ns),
            ("stack.scale", stack.scale.len(), ns),
            ("stack.weights", stack.weights.len(), n + ns),
        ] {
            if len != want {
                return Err(Error::ModelInvalid(format!(
                    "{what} has {len} entries, this build expects {want}"
                )));
            }
        }
        if let Some((got, want)) = stack
            .feature_names
            .iter()
            .zip(&expected_stack)
            .find(|(a, b)| a != b)
        {
            return Err(Error::ModelInvalid(format!(
                "stacked feature {got:?} in the file is {want:?} in this build"
            )));
        }
        let finite = |v: &[f64]| v.iter().all(|x| x.is_finite());
        if !finite(&file.mean)
            || !finite(&file.weights)
            || !file.intercept.is_finite()
            || !finite(&stack.mean)
            || !finite(&stack.weights)
            || !stack.intercept.is_finite()
        {
            return Err(Error::ModelInvalid(
                "mean, weights or intercept hold NaN or infinite values".into(),
            ));
        }
        let names = file.feature_names.iter().chain(&stack.feature_names);
        let scales = file.scale.iter().chain(&stack.scale);
        if let Some((name, s)) = names
            .zip(scales)
            .find(|(_, s)| !(s.is_finite() && **s > 0.0))
        {
            return Err(Error::ModelInvalid(format!(
                "scale of feature {name:?} is {s}, it must be finite and positive"
            )));
        }
        if !(file.threshold > 0.0 && file.threshold < 1.0) {
            return Err(Error::ModelInvalid(format!(
                "threshold is {}, it must lie strictly between 0 and 1",
                file.threshold
            )));
        }
        if !(0.0..1.0).contains(&file.relative_threshold) {
            return Err(Error::ModelInvalid(format!(
                "relative_threshold is {}, it must lie in [0, 1)",
                file.relative_threshold
            )));
        }
        let n = file.weights.len();
        let (first, first_shift) = fold(&file.weights, &file.mean, &file.scale);
        let (stack_base, base_shift) = fold(&file.stack.weights[..n], &file.mean, &file.scale);
        let (stack_extra, extra_shift) = fold(
            &file.stack.weights[n..],
            &file.stack.mean,
            &file.stack.scale,
        );
        let (mut kinds, mut kind_first, mut kind_second) = (Vec::new(), None, None);
        if let Some(k) = &file.kinds {
            let nk = k.kinds.len();
            for name in &k.kinds {
                let class = (name == CONTENT_CLASS).then_some(CONTENT_CLASS);
                kinds.push(class.or_else(|| kind_name(name)).ok_or_else(|| {
                    Error::ModelInvalid(format!("kind {name:?} is not one of {}", KINDS.join(", ")))
                })?);
            }
            let fold_stage = |stage: &str, weights: &[Vec<f64>], intercepts: &[f64], ctx: usize| {
                if weights.len() != nk || intercepts.len() != nk {
                    return Err(Error::ModelInvalid(format!(
                        "{stage} holds {} weight vectors and {} intercepts for {nk} kinds",
                        weights.len(),
                        intercepts.len()
                    )));
                }
                let mut out = KindStage {
                    base: Array2::zeros((n, nk)),
                    extra: Array2::zeros((stacked, nk)),
                    context: Array2::zeros((ctx, nk)),
                    intercepts: Array1::zeros(nk),
                };
                for (j, ((name, w), &b)) in k.kinds.iter().zip(weights).zip(intercepts).enumerate()
                {
                    if w.len() != n + stacked + ctx {
                        return Err(Error::ModelInvalid(format!(
                            "{stage}: kind {name:?} has {} weights, this build expects {}",
                            w.len(),
                            n + stacked + ctx
                        )));
                    }
                    if !finite(w) || !b.is_finite() {
                        return Err(Error::ModelInvalid(format!(
                            "{stage}: kind {name:?} has NaN or infinite weights"
                        )));
                    }
                    let (base, base_shift) = fold(&w[..n], &file.mean, &file.scale);
                    let (extra, extra_shift) = fold(
                        &w[n..n + stacked],
                        &stack.mean[..stacked],
                        &stack.scale[..stacked],
                    );
                    out.base.column_mut(j).assign(&base);
                    out.extra.column_mut(j).assign(&extra);
                    out.context
                        .column_mut(j)
                        .assign(&ArrayView1::from(&w[n + stacked..]));
                    out.intercepts[j] = b - base_shift - extra_shift;
                }
                Ok(out)
            };
            kind_first = Some(fold_stage("kinds", &k.weights, &k.intercepts, 0)?);
            if let Some(c) = &k.context {
                kind_second = Some(fold_stage(
                    "kinds.context",
                    &c.weights,
                    &c.intercepts,
                    2 * nk,
                )?);
            }
        }
        let folded = Folded {
            first,
            first_intercept: file.intercept - first_shift,
            stack_base,
            stack_extra,
            stack_intercept: file.stack.intercept - base_shift - extra_shift,
            kinds,
            kind_first,
            kind_second,
        };
        let kind_weights = folded
            .kind_first
            .iter()
            .chain(&folded.kind_second)
            .flat_map(KindStage::weights);
        let all_finite = [&folded.first, &folded.stack_base, &folded.stack_extra]
            .into_iter()
            .flatten()
            .copied()
            .chain([folded.first_intercept, folded.stack_intercept])
            .chain(kind_weights)
            .all(f64::is_finite);
        if !all_finite {
            return Err(Error::ModelInvalid(
                "weights divided by their scales overflow: a scale is too close to zero".into(),
            ));
        }
        Ok(Model {
            file,
            space,
            forest,
            folded,
        })
    }

    /// Parses and validates model JSON.
    pub fn from_json(json: &str) -> Result<Self> {
        match serde_json::from_str(json) {
            Ok(file) => Model::from_file(file),
            Err(e) => {
                // A file of another version lacks or renames fields, and "format version 1
                // is not supported" says more than "missing field".
                #[derive(Deserialize)]
                struct Version {
                    format_version: u32,
                }
                match serde_json::from_str(json) {
                    Ok(Version { format_version }) if format_version != FORMAT_VERSION => {
                        Err(Error::ModelVersion {
                            found: format_version,
                            expected: FORMAT_VERSION,
                        })
                    }
                    _ => Err(e.into()),
                }
            }
        }
    }

    /// Loads and validates a model file.
    pub fn load(path: &Path) -> Result<Self> {
        let json = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        Model::from_json(&json)
    }

    /// The default model embedded in the binary.
    pub fn embedded() -> Result<Self> {
        Model::from_json(DEFAULT_MODEL_JSON)
    }

    /// Writes the model as JSON, atomically (temporary file, then rename).
    pub fn save(&self, path: &Path) -> Result<()> {
        let json = serde_json::to_string_pretty(&self.file)?;
        let tmp = path.with_extension("json.tmp");
        std::fs::write(&tmp, json + "\n").map_err(|e| Error::io(&tmp, e))?;
        std::fs::rename(&tmp, path).map_err(|e| Error::io(path, e))
    }

    /// The file contents.
    pub fn file(&self) -> &ModelFile {
        &self.file
    }

    /// The feature space the model reads.
    pub fn space(&self) -> &FeatureSpace {
        &self.space
    }

    /// The stored decision threshold.
    pub fn threshold(&self) -> f64 {
        self.file.threshold
    }

    /// The stored cutoff: its threshold and relative threshold.
    pub fn cutoff(&self) -> Cutoff {
        Cutoff {
            threshold: self.file.threshold,
            relative: self.file.relative_threshold,
        }
    }

    /// Feature matrix of a page, one row per block.
    pub fn features(&self, page: &Page) -> Array2<f64> {
        self.space.extract(page)
    }

    /// Probability of content for each block of `page`.
    pub fn predict(&self, page: &Page) -> Vec<f64> {
        self.score(page).probabilities
    }

    /// Both passes over a page: features, stacked features and final probabilities.
    pub fn score(&self, page: &Page) -> Scores {
        let x = self.space.extract_sparse(page);
        let f = &self.folded;
        let nb = x.base.ncols();
        // Dense part as one matrix-vector product, then the few token weights per block.
        let linear = |mut z: Array1<f64>, weights: &Array1<f64>| {
            for (i, z) in z.iter_mut().enumerate() {
                *z += x.token_columns(i).iter().map(|&c| weights[c]).sum::<f64>();
            }
            z
        };
        let first_base = x.base.dot(&f.first.slice(ndarray::s![..nb]));
        let first: Vec<f64> = linear(first_base, &f.first)
            .iter()
            .map(|z| sigmoid(z + f.first_intercept))
            .collect();
        let stack = features::stack_features(page, &first);
        let leaves = self.forest.reach(x.base.view());
        let ns = stack.ncols();
        let second_base = x.base.dot(&f.stack_base.slice(ndarray::s![..nb]));
        let mut z = linear(second_base, &f.stack_base) + stack.dot(&f.stack_extra.slice(s![..ns]));
        // A leaf column is 1 where reached and 0 elsewhere: add the reached leaves' weights.
        for (z, reached) in z.iter_mut().zip(leaves.rows()) {
            *z += reached.iter().map(|&l| f.stack_extra[ns + l]).sum::<f64>();
        }
        let probabilities = z.iter().map(|z| sigmoid(z + f.stack_intercept)).collect();
        Scores {
            x,
            stack,
            leaves,
            probabilities,
        }
    }

    /// One block's stacked-pass added columns, dense: the stacked features, then a column
    /// per leaf of the trees (1 where the block reaches it).
    pub fn stack_row(&self, scores: &Scores, row: usize) -> Vec<f64> {
        let mut out = scores.stack.row(row).to_vec();
        let ns = out.len();
        out.resize(ns + self.forest.len(), 0.0);
        for &leaf in scores.leaves.row(row) {
            out[ns + leaf] = 1.0;
        }
        out
    }

    /// Whether the model names kinds of boilerplate.
    pub fn has_kinds(&self) -> bool {
        !self.folded.kinds.is_empty()
    }

    /// Content decisions: probability at or above the page's `cutoff`, except appeals that
    /// the kind classifier vetoes (see [`APPEAL_VETO`]) and copies of earlier content
    /// (see [`first_copies`]).
    pub fn decide(&self, page: &Page, scores: &Scores, cutoff: Cutoff) -> Vec<bool> {
        let mut content = self.veto_appeals(scores, cutoff);
        for (i, copy) in first_copies(page, &content).into_iter().enumerate() {
            if copy.is_some() {
                content[i] = false;
            }
        }
        content
    }

    /// The blocks at or above the page's cutoff, less the appeals the veto drops.
    fn veto_appeals(&self, scores: &Scores, cutoff: Cutoff) -> Vec<bool> {
        let threshold = cutoff.for_page(&scores.probabilities);
        let mut content: Vec<bool> = scores
            .probabilities
            .iter()
            .map(|&p| p >= threshold)
            .collect();
        let f = &self.folded;
        let x = &scores.x;
        let (Some(col), Some(stage)) = (*APPEAL_DENSITY_COLUMN, &f.kind_first) else {
            return content;
        };
        let candidates: Vec<usize> = (0..content.len())
            .filter(|&i| content[i] && x.base[[i, col]] > 0.0)
            .collect();
        let appeals: Vec<usize> = candidates
            .iter()
            .copied()
            .filter(|&i| x.base[[i, col]] >= APPEAL_DENSITY_FLOOR)
            .filter(|&i| {
                let mut z = stage.row_logits(scores, i);
                softmax(z.view_mut());
                let appeal: f64 = z
                    .iter()
                    .zip(&f.kinds)
                    .filter(|(_, k)| is_appeal(k))
                    .map(|(p, _)| p)
                    .sum();
                appeal >= APPEAL_VETO
            })
            .collect();
        let others = candidates.len() - appeals.len();
        let kept = content.iter().filter(|&&c| c).count();
        if others as f64 > APPEAL_WORDS_RARE * kept as f64 {
            return content;
        }
        for i in appeals {
            content[i] = false;
        }
        content
    }

    /// The kind of each block the main passes call boilerplate (`content[i]` false): its
    /// most likely kind, or that of its removed box (see [`KIND_BOX_WORDS`]). `None` for
    /// content, and for all blocks of a model without a kind classifier.
    pub fn kinds(
        &self,
        page: &Page,
        scores: &Scores,
        content: &[bool],
    ) -> Vec<Option<&'static str>> {
        let f = &self.folded;
        let n = content.len();
        let Some(first) = &f.kind_first else {
            return vec![None; n];
        };
        let mut z = first.logits(scores, None);
        if let Some(second) = &f.kind_second {
            // The context needs the first stage's view of every block.
            for row in z.rows_mut() {
                softmax(row);
            }
            let context = features::kind_context(page, z.view());
            z = second.logits(scores, Some(context.view()));
        }
        for row in z.rows_mut() {
            softmax(row);
        }
        let boxes = kind_boxes(page, content);
        let box_kinds = name_boxes(z.view(), &boxes, &f.kinds);
        (0..n)
            .map(|i| {
                if content[i] {
                    return None;
                }
                let boxed = boxes[i].and_then(|b| box_kinds.get(&b).copied());
                Some(boxed.unwrap_or_else(|| best_kind(z.row(i), &f.kinds)))
            })
            .collect()
    }

    /// The `top` features that weighed most in the final pass (by |weight × standardised
    /// value|) for one block.
    pub fn explain_row(&self, scores: &Scores, row: usize, top: usize) -> Vec<Contribution> {
        let f = &self.file;
        let s = &f.stack;
        let n = f.feature_names.len();
        let names = f.feature_names.iter().chain(&s.feature_names);
        let values = (0..n)
            .map(|j| scores.x.value(row, j))
            .chain(self.stack_row(scores, row));
        let means = f.mean.iter().chain(&s.mean);
        let scales = f.scale.iter().chain(&s.scale);
        let mut parts: Vec<Contribution> = names
            .zip(values)
            .zip(means.zip(scales))
            .enumerate()
            .map(|(j, ((name, v), (m, sc)))| Contribution {
                feature: name.clone(),
                value: v,
                weight_x_value: s.weights[j] * (v - m) / sc,
            })
            .collect();
        debug_assert_eq!(parts.len(), n + s.feature_names.len());
        parts.sort_by(|a, b| b.weight_x_value.abs().total_cmp(&a.weight_x_value.abs()));
        parts.truncate(top);
        parts
    }
}

/// Turns scores into probabilities in place (stable: the largest score is subtracted).
pub fn softmax(mut z: ndarray::ArrayViewMut1<'_, f64>) {
    let max = z.fold(f64::NEG_INFINITY, |m, &v| m.max(v));
    z.mapv_inplace(|v| (v - max).exp());
    let sum = z.sum();
    if sum > 0.0 {
        z /= sum;
    }
}

/// The logistic function, clamped so that extreme scores stay finite.
pub fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z.clamp(-500.0, 500.0)).exp())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_parts_of_a_removed_box_share_it() {
        let (_, page) = crate::segment::segment_html(
            "<body><article><p>The ferry runs again from Monday, the council said.</p>\
             <div><p>Dear readers, we live on your donations.</p><p>5 € 10 € 20 €</p>\
             <p><a href='/give'>Remind me later</a></p></div>\
             <div><p>Sign up for our letter.</p><p>It comes every Friday.</p></div>\
             <p>Alone between two boxes.</p></article></body>",
        );
        let texts: Vec<&str> = page.blocks.iter().map(|b| b.text.as_str()).collect();
        assert_eq!(texts.len(), 7, "{texts:?}");
        let mut content = vec![false; 7];
        content[0] = true;
        let boxes = kind_boxes(&page, &content);
        // The donation box and the newsletter box are two; the article holds kept text.
        assert_eq!(boxes[0], None);
        assert!(boxes[1].is_some() && boxes[1] == boxes[2] && boxes[2] == boxes[3]);
        assert!(boxes[4].is_some() && boxes[4] == boxes[5] && boxes[4] != boxes[1]);
        assert_eq!(boxes[6], None);
        // A kept part keeps the others of its box apart.
        content[2] = true;
        let boxes = kind_boxes(&page, &content);
        assert_eq!((boxes[1], boxes[2], boxes[3]), (None, None, None));
    }

    #[test]
    fn a_box_names_its_parts_when_it_names_an_appeal() {
        let kinds = ["donation", "subscription", "navigation", CONTENT_CLASS];
        let probs = ndarray::array![
            // A donation box: its text says so, its amounts lean to subscription a little.
            [0.90, 0.05, 0.03, 0.02],
            [0.30, 0.40, 0.20, 0.10],
            [0.35, 0.45, 0.10, 0.10],
            // A menu whose one link looks like a donation button.
            [0.60, 0.05, 0.30, 0.05],
            [0.01, 0.01, 0.97, 0.01],
            // A block in no box.
            [0.10, 0.30, 0.20, 0.40],
        ];
        let boxes = [Some(3), Some(3), Some(3), Some(9), Some(9), None];
        let named = name_boxes(probs.view(), &boxes, &kinds);
        assert_eq!(named.get(&3), Some(&"donation"));
        assert_eq!(named.get(&9), None);
        assert_eq!(best_kind(probs.row(1), &kinds), "subscription");
        assert_eq!(best_kind(probs.row(5), &kinds), "subscription");
    }

    #[test]
    fn a_copy_under_another_element_goes_and_a_chorus_stays() {
        let desc = "A light jacket of recycled nylon that packs into its own pocket.";
        let chorus = "And the river runs on, and the river runs on.";
        let (_, page) = crate::segment::segment_html(&format!(
            "<body><div class=desktop><p>{desc}</p></div><div class=mobile><p>{desc}</p></div>\
             <div class=lyrics><p>{chorus}</p><p>A verse between the two.</p><p>{chorus}</p>\
             </div><ul><li>Ships free</li><li>Ships free</li></ul>\
             <table><tr><td>{desc}</td></tr><tr><td>{desc}</td></tr></table></body>"
        ));
        let texts: Vec<&str> = page.blocks.iter().map(|b| b.text.as_str()).collect();
        assert_eq!(texts.len(), 9, "{texts:?}");
        let all = vec![true; 9];
        assert_eq!(
            first_copies(&page, &all),
            [None, Some(0), None, None, None, None, None, None, None]
        );
        // Only content is copied from: when the first is not kept, the second is no copy.
        let mut content = all.clone();
        content[0] = false;
        assert_eq!(first_copies(&page, &content)[1], None);
    }

    #[test]
    fn a_relative_cutoff_rises_with_the_page_best() {
        let cutoff = Cutoff {
            threshold: 0.3,
            relative: 0.5,
        };
        assert_eq!(cutoff.for_page(&[0.9, 0.4, 0.1]), 0.45);
        assert_eq!(cutoff.for_page(&[0.5, 0.35]), 0.3);
        assert_eq!(cutoff.for_page(&[]), 0.3);
    }

    #[test]
    fn folded_scores_match_the_standardised_formula() {
        let m = Model::embedded().unwrap();
        let (_, page) = crate::segment::segment_html(
            "<body><nav><a href='/'>Home</a></nav><article><p>One long paragraph of the \
             article, with enough words to look like prose.</p></article></body>",
        );
        let scores = m.score(&page);
        let f = m.file();
        let dense = m.features(&page);
        for (i, row) in dense.rows().into_iter().enumerate() {
            let first: f64 = f.intercept
                + row
                    .iter()
                    .zip(&f.weights)
                    .zip(f.mean.iter().zip(&f.scale))
                    .map(|((v, w), (m, s))| w * (v - m) / s)
                    .sum::<f64>();
            let second: f64 = f.stack.intercept
                + row
                    .iter()
                    .chain(m.stack_row(&scores, i).iter())
                    .zip(&f.stack.weights)
                    .zip(
                        f.mean
                            .iter()
                            .chain(&f.stack.mean)
                            .zip(f.scale.iter().chain(&f.stack.scale)),
                    )
                    .map(|((v, w), (m, s))| w * (v - m) / s)
                    .sum::<f64>();
            // The stacked pass's first column is the first pass's log-odds (clamped far out).
            let self_logit = scores.stack.row(i)[0];
            assert!(first.abs() > 13.0 || (first - self_logit).abs() < 1e-6);
            assert!((sigmoid(second) - scores.probabilities[i]).abs() < 1e-9);
        }
    }

    #[test]
    fn embedded_model_loads() {
        let m = Model::embedded().unwrap();
        assert_eq!(m.file().weights.len(), m.space().len());
    }

    #[test]
    fn refuses_wrong_version_lengths_and_nan() {
        let good = Model::embedded().unwrap().file().clone();
        let mut f = good.clone();
        f.format_version = 99;
        assert!(matches!(
            Model::from_file(f),
            Err(Error::ModelVersion { found: 99, .. })
        ));
        // A file of another version is named as such even when its fields do not parse.
        assert!(matches!(
            Model::from_json(r#"{"format_version": 1, "vocab": []}"#),
            Err(Error::ModelVersion { found: 1, .. })
        ));
        let current = format!(r#"{{"format_version": {FORMAT_VERSION}, "vocab": []}}"#);
        assert!(matches!(
            Model::from_json(&current),
            Err(Error::ModelParse(_))
        ));
        let mut f = good.clone();
        f.weights.pop();
        assert!(Model::from_file(f)
            .unwrap_err()
            .to_string()
            .contains("weights has"));
        let mut f = good.clone();
        f.weights[0] = f64::NAN;
        assert!(Model::from_file(f).is_err());
        let mut f = good.clone();
        f.feature_names[0] = "made_up".into();
        assert!(Model::from_file(f)
            .unwrap_err()
            .to_string()
            .contains("made_up"));
        let mut f = good.clone();
        f.scale[0] = 1e-320;
        f.weights[0] = 1e10;
        assert!(Model::from_file(f)
            .unwrap_err()
            .to_string()
            .contains("too close to zero"));
        let mut f = good.clone();
        f.threshold = 1.5;
        assert!(Model::from_file(f).is_err());
        let mut f = good.clone();
        f.relative_threshold = 1.0;
        assert!(Model::from_file(f)
            .unwrap_err()
            .to_string()
            .contains("relative_threshold is 1"));
        // A tree must split on a feature of this build, and its leaves must be named.
        let mut f = good.clone();
        assert!(!f.stack.trees.is_empty());
        if let Some(crate::trees::Node::Split { feature, .. }) = f.stack.trees[0].nodes.first_mut()
        {
            *feature = "made_up_feature".into();
        }
        assert!(Model::from_file(f)
            .unwrap_err()
            .to_string()
            .contains("made_up_feature"));
        let mut f = good.clone();
        f.stack.trees.pop();
        assert!(Model::from_file(f)
            .unwrap_err()
            .to_string()
            .contains("stack.feature_names has"));
        // Files written before the relative threshold existed cut on the threshold alone.
        let mut json: serde_json::Value = serde_json::to_value(&good).unwrap();
        json.as_object_mut().unwrap().remove("relative_threshold");
        let old = Model::from_json(&json.to_string()).unwrap();
        assert_eq!(old.cutoff().relative, 0.0);
        assert!(matches!(
            Model::from_json("{\"format"),
            Err(Error::ModelParse(_))
        ));
    }
}
