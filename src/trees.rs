//! Boosted trees: a few shallow decision trees, fitted by gradient boosting on the
//! hand-written features, whose leaves become binary columns of the stacked pass.
//!
//! A linear model cannot say "appeal words count inside the article's prose, and little in
//! a menu": the weight of a feature is the same wherever the block sits. A tree's leaf is
//! such a region of feature space. The logistic pass still makes every decision; the trees
//! only tell it which regions a block falls in (the "boosted trees as features" design of
//! He et al., 2014). linfa has no gradient boosting, so it is written here.

use crate::error::{Error, Result};
use ndarray::{Array2, ArrayView1, ArrayView2, ArrayViewMut2};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// At most this many bins per feature: split points are searched among bin edges.
const MAX_BINS: usize = 64;

/// Rows read to place the bins' cut points.
const CUT_SAMPLE: usize = 100_000;

/// L2 penalty on leaf values (XGBoost's lambda).
const LEAF_PENALTY: f64 = 1.0;

/// Share of the training rows each tree is grown on (stochastic gradient boosting).
const ROW_SHARE: f64 = 0.5;

/// One node of a tree as stored in a model file.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "snake_case")]
pub enum Node {
    /// Blocks whose `feature` is at most `threshold` go to node `below`, the others to
    /// `above` (indexes into the tree's nodes, always after this one).
    Split {
        /// A hand-written feature's name.
        feature: String,
        /// In the feature's raw units.
        threshold: f64,
        /// Node for values at most the threshold.
        below: usize,
        /// Node for values above it.
        above: usize,
    },
    /// A leaf: one column of the stacked pass.
    Leaf,
}

/// A tree as stored in a model file: its root is the first node.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Tree {
    /// The nodes, parents before children.
    pub nodes: Vec<Node>,
}

/// Settings of boosting.
#[derive(Debug, Clone, Copy)]
pub struct BoostParams {
    /// Number of trees (0: none).
    pub trees: usize,
    /// Levels of splits per tree.
    pub depth: usize,
    /// Shrinkage of each tree's leaf values.
    pub learning_rate: f64,
    /// A leaf holds at least this many of its tree's sampled rows.
    pub min_rows: usize,
    /// Draws each tree's rows.
    pub seed: u64,
}

#[derive(Debug, Clone, Copy)]
enum Step {
    Split {
        feature: usize,
        threshold: f64,
        below: usize,
        above: usize,
    },
    Leaf(usize),
}

/// Validated trees, ready to place blocks in leaves.
#[derive(Debug, Clone, Default)]
pub struct Forest {
    trees: Vec<Vec<Step>>,
    names: Vec<String>,
}

impl Forest {
    /// Checks `trees` against `features` (the hand-written feature names, in row order).
    pub fn new(trees: &[Tree], features: &[&str]) -> Result<Self> {
        let mut forest = Forest::default();
        for (t, tree) in trees.iter().enumerate() {
            let invalid = |what: String| Error::ModelInvalid(format!("tree {t}: {what}"));
            if tree.nodes.is_empty() {
                return Err(invalid("has no nodes".into()));
            }
            let n = tree.nodes.len();
            let mut steps = Vec::with_capacity(n);
            for (i, node) in tree.nodes.iter().enumerate() {
                steps.push(match node {
                    Node::Split {
                        feature,
                        threshold,
                        below,
                        above,
                    } => {
                        let f = features.iter().position(|f| f == feature).ok_or_else(|| {
                            invalid(format!("node {i} splits on {feature:?}, not a feature"))
                        })?;
                        if !threshold.is_finite() {
                            return Err(invalid(format!("node {i} has threshold {threshold}")));
                        }
                        // Children after their parent: no cycles, every walk ends.
                        for child in [below, above] {
                            if *child <= i || *child >= n {
                                return Err(invalid(format!(
                                    "node {i} points to node {child} (of {n})"
                                )));
                            }
                        }
                        Step::Split {
                            feature: f,
                            threshold: *threshold,
                            below: *below,
                            above: *above,
                        }
                    }
                    Node::Leaf => Step::Leaf(0),
                });
            }
            // Leaves are numbered in node order, and named by their path.
            let mut paths = vec![String::new(); n];
            for i in 0..n {
                match steps[i] {
                    Step::Split {
                        feature,
                        threshold,
                        below,
                        above,
                    } => {
                        let at = if paths[i].is_empty() {
                            String::new()
                        } else {
                            format!("{} & ", paths[i])
                        };
                        let name = features[feature];
                        paths[below] = format!("{at}{name} <= {}", short(threshold));
                        paths[above] = format!("{at}{name} > {}", short(threshold));
                    }
                    Step::Leaf(_) => {
                        steps[i] = Step::Leaf(forest.names.len());
                        let path = if paths[i].is_empty() {
                            "every block"
                        } else {
                            &paths[i]
                        };
                        forest.names.push(format!("tree{t}: {path}"));
                    }
                }
            }
            forest.trees.push(steps);
        }
        Ok(forest)
    }

    /// Number of leaves: the columns this forest adds.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether there are no trees.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// One name per leaf column: its tree and the path to it.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The leaf column a block reaches in one tree, given its features by index.
    fn leaf(steps: &[Step], value: impl Fn(usize) -> f64) -> usize {
        let mut i = 0;
        loop {
            match steps[i] {
                Step::Split {
                    feature,
                    threshold,
                    below,
                    above,
                } => {
                    i = if value(feature) <= threshold {
                        below
                    } else {
                        above
                    }
                }
                Step::Leaf(column) => return column,
            }
        }
    }

    /// Sets each row's leaf columns of `out` to 1 (it must hold [`Forest::len`] zeroed
    /// columns), for blocks whose hand-written features are the rows of `x`.
    pub fn write(&self, x: ArrayView2<'_, f64>, mut out: ArrayViewMut2<'_, f64>) {
        for (row, mut leaves) in x.rows().into_iter().zip(out.rows_mut()) {
            for leaf in self.leaves(row) {
                leaves[leaf] = 1.0;
            }
        }
    }

    /// The leaf column each block reaches, one row per block and a column per tree: the
    /// sparse form of [`Forest::write`], since all but one leaf of a tree are 0.
    pub fn reach(&self, x: ArrayView2<'_, f64>) -> Array2<usize> {
        let mut out = Array2::zeros((x.nrows(), self.trees.len()));
        for (row, mut reached) in x.rows().into_iter().zip(out.rows_mut()) {
            for (r, leaf) in reached.iter_mut().zip(self.leaves(row)) {
                *r = leaf;
            }
        }
        out
    }

    /// The leaf column a block reaches in each tree, given its hand-written features.
    fn leaves<'a>(&'a self, row: ArrayView1<'a, f64>) -> impl Iterator<Item = usize> + 'a {
        self.trees
            .iter()
            .map(move |steps| Self::leaf(steps, |f| row[f]))
    }
}

/// A threshold short enough for a column name.
fn short(v: f64) -> String {
    let s = format!("{v:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" || s.is_empty() {
        "0".into()
    } else {
        s.into()
    }
}

/// Fits `params.trees` trees by gradient boosting of the log-loss on `rows` of `x` (a
/// row may repeat, which weighs it), on its first `names.len()` columns.
/// Deterministic: the same inputs and seed give the same trees.
pub fn fit(
    x: ArrayView2<'_, f64>,
    y: &[bool],
    rows: &[usize],
    names: &[&str],
    params: BoostParams,
) -> Vec<Tree> {
    let n = rows.len();
    if params.trees == 0 || n == 0 {
        return Vec::new();
    }
    let features = names.len();
    // Cut points from at most `CUT_SAMPLE` rows: quantiles need no more.
    let step = n.div_ceil(CUT_SAMPLE).max(1);
    let cuts: Vec<Vec<f64>> = (0..features)
        .into_par_iter()
        .map(|f| cut_points(rows.iter().step_by(step).map(|&r| x[[r, f]])))
        .collect();
    let bins: Vec<Vec<u8>> = (0..features)
        .into_par_iter()
        .map(|f| {
            let column = x.column(f);
            rows.iter()
                .map(|&r| cuts[f].partition_point(|&c| c < column[r]) as u8)
                .collect()
        })
        .collect();
    let target: Vec<f64> = rows.iter().map(|&r| f64::from(u8::from(y[r]))).collect();
    let prior = (target.iter().sum::<f64>() / n as f64).clamp(1e-6, 1.0 - 1e-6);
    let mut score = vec![(prior / (1.0 - prior)).ln(); n];
    let mut trees = Vec::with_capacity(params.trees);
    for t in 0..params.trees {
        let (grad, hess): (Vec<f64>, Vec<f64>) = score
            .iter()
            .zip(&target)
            .map(|(&s, &y)| {
                let p = crate::model::sigmoid(s);
                (p - y, (p * (1.0 - p)).max(1e-9))
            })
            .unzip();
        let sampled: Vec<usize> = (0..n)
            .filter(|&i| draw(params.seed, t, i) < ROW_SHARE)
            .collect();
        let grown = grow(&bins, &cuts, &grad, &hess, &sampled, params);
        for (i, s) in score.iter_mut().enumerate() {
            *s += grown.value(|f| bins[f][i]);
        }
        trees.push(grown.tree(names));
    }
    trees
}

/// Up to `MAX_BINS - 1` cut points between distinct values, each bin holding about as
/// many values: midpoints, so that no value lies on a cut and standardising or parsing
/// cannot move a block across it.
fn cut_points(values: impl Iterator<Item = f64>) -> Vec<f64> {
    let mut v: Vec<f64> = values.filter(|v| v.is_finite()).collect();
    v.sort_by(f64::total_cmp);
    let per_bin = v.len().div_ceil(MAX_BINS).max(1);
    let mut cuts = Vec::new();
    let mut since = 0;
    for i in 0..v.len() {
        since += 1;
        if i + 1 < v.len() && v[i + 1] > v[i] && since >= per_bin && cuts.len() < MAX_BINS - 1 {
            cuts.push(v[i] + (v[i + 1] - v[i]) / 2.0);
            since = 0;
        }
    }
    cuts
}

/// A uniform draw in [0, 1) per seed, tree and row (splitmix64's finaliser).
fn draw(seed: u64, tree: usize, row: usize) -> f64 {
    let mut h = seed
        ^ (tree as u64).wrapping_mul(0xd1b5_4a32_d192_ed03)
        ^ (row as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    h = (h ^ (h >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h = (h ^ (h >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^= h >> 31;
    (h >> 11) as f64 / (1u64 << 53) as f64
}

/// A tree while it grows: splits on bins, leaves with values.
struct Grown {
    nodes: Vec<GrownNode>,
}

enum GrownNode {
    Split {
        feature: usize,
        bin: u8,
        threshold: f64,
        below: usize,
        above: usize,
    },
    Leaf(f64),
}

impl Grown {
    /// The leaf value of a row, given its bin per feature.
    fn value(&self, bin: impl Fn(usize) -> u8) -> f64 {
        let mut i = 0;
        loop {
            match self.nodes[i] {
                GrownNode::Split {
                    feature,
                    bin: b,
                    below,
                    above,
                    ..
                } => i = if bin(feature) <= b { below } else { above },
                GrownNode::Leaf(v) => return v,
            }
        }
    }

    fn tree(&self, names: &[&str]) -> Tree {
        let nodes = self
            .nodes
            .iter()
            .map(|n| match *n {
                GrownNode::Split {
                    feature,
                    threshold,
                    below,
                    above,
                    ..
                } => Node::Split {
                    feature: names[feature].to_string(),
                    threshold,
                    below,
                    above,
                },
                GrownNode::Leaf(_) => Node::Leaf,
            })
            .collect();
        Tree { nodes }
    }
}

/// Sums of gradients, hessians and rows.
#[derive(Debug, Clone, Copy, Default)]
struct Sums {
    grad: f64,
    hess: f64,
    rows: usize,
}

impl Sums {
    fn add(&mut self, grad: f64, hess: f64) {
        self.grad += grad;
        self.hess += hess;
        self.rows += 1;
    }

    fn plus(self, o: Sums) -> Sums {
        Sums {
            grad: self.grad + o.grad,
            hess: self.hess + o.hess,
            rows: self.rows + o.rows,
        }
    }

    fn minus(self, o: Sums) -> Sums {
        Sums {
            grad: self.grad - o.grad,
            hess: self.hess - o.hess,
            rows: self.rows - o.rows,
        }
    }

    fn score(self) -> f64 {
        self.grad * self.grad / (self.hess + LEAF_PENALTY)
    }
}

/// Grows one tree level by level on the `sampled` rows.
fn grow(
    bins: &[Vec<u8>],
    cuts: &[Vec<f64>],
    grad: &[f64],
    hess: &[f64],
    sampled: &[usize],
    params: BoostParams,
) -> Grown {
    const NONE: usize = usize::MAX;
    let mut total = Sums::default();
    for &i in sampled {
        total.add(grad[i], hess[i]);
    }
    // Nodes, each with its sums; `open` are this level's nodes that may split.
    let mut sums = vec![total];
    let mut nodes: Vec<Option<GrownNode>> = vec![None];
    let mut open = vec![0usize];
    // The open slot of each sampled row's node (NONE once its node is closed).
    let mut slot_of = vec![0usize; sampled.len()];
    for _ in 0..params.depth {
        if open.is_empty() {
            break;
        }
        let slots = open.len();
        // Per feature (in parallel), the best split of each open node: (gain, bin, left sums).
        let best: Vec<Vec<Option<(f64, u8, Sums)>>> = bins
            .par_iter()
            .enumerate()
            .map(|(f, column)| {
                let width = cuts[f].len() + 1;
                let mut hist = vec![Sums::default(); slots * width];
                for (k, &i) in sampled.iter().enumerate() {
                    let s = slot_of[k];
                    if s != NONE {
                        hist[s * width + usize::from(column[i])].add(grad[i], hess[i]);
                    }
                }
                (0..slots)
                    .map(|s| {
                        let parent = sums[open[s]];
                        let mut left = Sums::default();
                        let mut best: Option<(f64, u8, Sums)> = None;
                        for b in 0..width - 1 {
                            left = left.plus(hist[s * width + b]);
                            let right = parent.minus(left);
                            if left.rows < params.min_rows || right.rows < params.min_rows {
                                continue;
                            }
                            let gain = left.score() + right.score() - parent.score();
                            if gain > 1e-9 && best.is_none_or(|(g, _, _)| gain > g) {
                                best = Some((gain, b as u8, left));
                            }
                        }
                        best
                    })
                    .collect()
            })
            .collect();
        let mut next = Vec::new();
        let mut split_of = vec![None; slots];
        for (s, &node) in open.iter().enumerate() {
            // The first feature with the highest gain: ties break the same way every run.
            let mut choice: Option<(usize, f64, u8, Sums)> = None;
            for (f, per_feature) in best.iter().enumerate() {
                if let Some((gain, bin, left)) = per_feature[s] {
                    if choice.is_none_or(|(_, g, _, _)| gain > g) {
                        choice = Some((f, gain, bin, left));
                    }
                }
            }
            let Some((feature, _, bin, left)) = choice else {
                continue;
            };
            let (below, above) = (nodes.len(), nodes.len() + 1);
            nodes[node] = Some(GrownNode::Split {
                feature,
                bin,
                threshold: cuts[feature][usize::from(bin)],
                below,
                above,
            });
            sums.push(left);
            sums.push(sums[node].minus(left));
            nodes.push(None);
            nodes.push(None);
            split_of[s] = Some((feature, bin, next.len()));
            next.push(below);
            next.push(above);
        }
        for (k, &i) in sampled.iter().enumerate() {
            let s = slot_of[k];
            if s == NONE {
                continue;
            }
            slot_of[k] = match split_of[s] {
                Some((feature, bin, first)) => first + usize::from(bins[feature][i] > bin),
                None => NONE,
            };
        }
        open = next;
    }
    let nodes = nodes
        .into_iter()
        .zip(&sums)
        .map(|(node, s)| {
            node.unwrap_or_else(|| {
                GrownNode::Leaf(-params.learning_rate * s.grad / (s.hess + LEAF_PENALTY))
            })
        })
        .collect();
    Grown { nodes }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{array, Array2};

    fn params(trees: usize) -> BoostParams {
        BoostParams {
            trees,
            depth: 2,
            learning_rate: 0.3,
            min_rows: 2,
            seed: 1,
        }
    }

    #[test]
    fn cut_points_fall_between_distinct_values() {
        assert_eq!(cut_points([0.0, 0.0, 0.0, 1.0].into_iter()), vec![0.5]);
        assert!(cut_points([2.0; 10].into_iter()).is_empty());
        let many = cut_points((0..1000).map(f64::from));
        // About as many values per bin: 16 of 1,000 in each of 63 bins, and 8 in the last.
        assert_eq!(many.len(), MAX_BINS - 2);
        assert!(many.iter().all(|c| c.fract() == 0.5));
    }

    #[test]
    fn trees_learn_an_interaction_a_line_cannot() {
        // Content when exactly one of the two features is set (xor).
        let mut x = Array2::zeros((400, 2));
        let mut y = Vec::new();
        for i in 0..400 {
            let (a, b) = (i % 2, (i / 2) % 2);
            x[[i, 0]] = a as f64;
            x[[i, 1]] = b as f64;
            y.push(a != b);
        }
        let rows: Vec<usize> = (0..400).collect();
        let trees = fit(x.view(), &y, &rows, &["a", "b"], params(3));
        let forest = Forest::new(&trees, &["a", "b"]).unwrap();
        assert_eq!(forest.len(), 3 * 4, "{:?}", forest.names());
        // Each of the four cells lands in its own leaf of the first tree.
        let cells = array![[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]];
        let mut out = Array2::zeros((4, forest.len()));
        forest.write(cells.view(), out.view_mut());
        let first: Vec<usize> = (0..4)
            .map(|r| (0..4).find(|&c| out[[r, c]] == 1.0).unwrap())
            .collect();
        let mut distinct = first.clone();
        distinct.sort();
        distinct.dedup();
        assert_eq!(distinct.len(), 4, "{first:?}");
        assert!(out.rows().into_iter().all(|r| r.sum() == 3.0));
        assert_eq!(trees, fit(x.view(), &y, &rows, &["a", "b"], params(3)));
    }

    #[test]
    fn leaves_are_named_by_their_path() {
        let tree = Tree {
            nodes: vec![
                Node::Split {
                    feature: "in_article".into(),
                    threshold: 0.5,
                    below: 1,
                    above: 2,
                },
                Node::Leaf,
                Node::Leaf,
            ],
        };
        let forest = Forest::new(&[tree], &["log_words", "in_article"]).unwrap();
        assert_eq!(
            forest.names(),
            ["tree0: in_article <= 0.5", "tree0: in_article > 0.5"]
        );
    }

    #[test]
    fn refuses_unknown_features_and_loops() {
        let split = |feature: &str, below, above| Node::Split {
            feature: feature.into(),
            threshold: 0.5,
            below,
            above,
        };
        let unknown = Tree {
            nodes: vec![split("nope", 1, 2), Node::Leaf, Node::Leaf],
        };
        let err = Forest::new(&[unknown], &["a"]).unwrap_err().to_string();
        assert!(err.contains("\"nope\""), "{err}");
        let looped = Tree {
            nodes: vec![split("a", 0, 1), Node::Leaf],
        };
        let err = Forest::new(&[looped], &["a"]).unwrap_err().to_string();
        assert!(err.contains("points to node 0"), "{err}");
    }
}
