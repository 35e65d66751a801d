//! Evaluation: the WCXB word-level metric per page, averaged overall and per page type,
//! `with%`/`without%` snippet rates, block-level precision/recall of the content class, and
//! K-fold cross-validation with folds grouped by site so no site is on both sides.

use crate::corpus::Sample;
use crate::error::{Error, Result};
use crate::lexicon;
use crate::model::{self, Cutoff, Model};
use crate::progress::Progress;
use crate::segment::{self, Label};
use crate::train::{f1_from_counts, TrainParams};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// Word-level precision, recall and F1 of `extracted` against `gold` (multiset overlap of
/// lowercased `\w+` tokens).
pub fn word_prf(extracted: &str, gold: &str) -> (f64, f64, f64) {
    let mut counts: HashMap<String, i64> = HashMap::new();
    let gold_tokens = crate::tokens::lower_words(gold);
    for t in &gold_tokens {
        *counts.entry(t.clone()).or_default() += 1;
    }
    let mut overlap = 0usize;
    let mut n_extracted = 0usize;
    for t in crate::tokens::words(extracted) {
        n_extracted += 1;
        if let Some(c) = counts.get_mut(t.to_lowercase().as_str()) {
            if *c > 0 {
                *c -= 1;
                overlap += 1;
            }
        }
    }
    let (o, e, g) = (overlap as f64, n_extracted as f64, gold_tokens.len() as f64);
    let p = if e > 0.0 {
        o / e
    } else if g == 0.0 {
        1.0
    } else {
        0.0
    };
    let r = if g > 0.0 {
        o / g
    } else if e == 0.0 {
        1.0
    } else {
        0.0
    };
    (p, r, f1_from_counts(o, e, g))
}

fn normalise(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Scores of one page.
#[derive(Debug, Clone, Serialize)]
pub struct PageScore {
    /// Page id.
    pub id: String,
    /// Page type.
    pub page_type: String,
    /// Word precision.
    pub precision: f64,
    /// Word recall.
    pub recall: f64,
    /// Word F1.
    pub f1: f64,
    /// `with` snippets found / given.
    pub with: (usize, usize),
    /// `without` snippets found / given.
    pub without: (usize, usize),
    /// The `without` snippets that hold an appeal or ad word of the lexicon ("subscribe",
    /// "cookie", "advertisement"...): found / given. On gold-text pages this is how much
    /// of their appeals an extraction keeps, though the lexicon that picks them out is
    /// also one of the model's features.
    pub appeal_without: (usize, usize),
    /// Block counts: true positives, false positives, false negatives (content class).
    pub blocks: (usize, usize, usize),
    /// Per hand-labelled kind: blocks removed as that kind that are of it (true
    /// positives), removed as it but of another kind or content (false positives), and of
    /// it but kept or named otherwise (false negatives). Empty for pages without kinds.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub kinds: BTreeMap<&'static str, [usize; 3]>,
    /// What became of each hand-labelled block that has a kind, or that is content and
    /// was removed: labelled kind (or `content`), then the kind it was named (or `kept`),
    /// then the number of blocks. Empty for pages without kinds.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub confusion: Confusion,
    /// Appeal blocks (hand-labelled appeal kinds) kept, and in all: inside the article (an
    /// `<article>` element or the element labelled content), then outside it.
    pub appeals: [(usize, usize); 2],
    /// Of the appeal blocks inside the article, those written as plain prose: kept, and in
    /// all. Neither the block's element nor any element between it and the appeal's
    /// labelled element carries a class, id, role, aria-label or itemprop token, so only
    /// the words and the shape of the text can give the appeal away.
    pub plain_appeals: (usize, usize),
    /// The appeal blocks kept: their labelled kind and text, to see what leaks.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub leaked: Vec<(&'static str, String)>,
    /// The appeal blocks removed under another name: their labelled kind, the kind named,
    /// and text, to see which appeals are taken for which.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub misnamed: Vec<(&'static str, &'static str, String)>,
}

/// Counts of blocks by labelled kind, then by the kind named for them.
pub type Confusion = BTreeMap<&'static str, BTreeMap<&'static str, usize>>;

/// Scores a page given the blocks kept, and the kind named for each removed block when
/// the model names kinds.
pub fn score_page(sample: &Sample, keep: &[bool], kinds: &[Option<&'static str>]) -> PageScore {
    let text = sample
        .page
        .blocks
        .iter()
        .zip(keep)
        .filter(|(_, &k)| k)
        .map(|(b, _)| b.text.as_str())
        .collect::<Vec<_>>()
        .join("\n\n");
    let (precision, recall, f1) = word_prf(&text, &sample.gold_text);
    let norm = normalise(&text);
    let found = |snips: &[String]| {
        snips
            .iter()
            .filter(|s| !s.trim().is_empty() && norm.contains(&normalise(s)))
            .count()
    };
    let given = |snips: &[String]| snips.iter().filter(|s| !s.trim().is_empty()).count();
    let appeal_snippets = sample
        .without
        .iter()
        .filter(|s| !s.trim().is_empty() && lexicon::has_appeal_words(&s.to_lowercase()));
    let appeal_without = appeal_snippets.fold((0, 0), |(found, given), s| {
        (found + usize::from(norm.contains(&normalise(s))), given + 1)
    });
    let (mut tp, mut fp, mut fneg) = (0, 0, 0);
    for (&k, &l) in keep.iter().zip(&sample.labels) {
        match (k, l) {
            (true, true) => tp += 1,
            (true, false) => fp += 1,
            (false, true) => fneg += 1,
            _ => {}
        }
    }
    let mut kind_counts: BTreeMap<&'static str, [usize; 3]> = BTreeMap::new();
    let mut confusion = Confusion::new();
    let mut appeals = [(0, 0); 2];
    let mut plain_appeals = (0, 0);
    let mut leaked = Vec::new();
    let mut misnamed = Vec::new();
    let page = &sample.page;
    // Kinds are scored on pages whose kinds are hand-labelled, not on gold-text pages.
    let kinds = if page.blocks.iter().any(|b| b.kind.is_some()) {
        kinds
    } else {
        &[]
    };
    for (i, b) in page.blocks.iter().enumerate() {
        let gold = (!sample.labels[i])
            .then(|| b.kind.as_deref().and_then(model::kind_name))
            .flatten();
        let named = (!keep[i])
            .then(|| kinds.get(i).copied().flatten())
            .flatten();
        if let Some(g) = gold {
            if model::is_appeal(g) {
                let inside = page.ancestry(b.container).any(|c| {
                    c.flags & segment::flags::ARTICLE != 0 || c.label == Some(Label::Content)
                });
                let tally = &mut appeals[usize::from(!inside)];
                tally.0 += usize::from(keep[i]);
                tally.1 += 1;
                let plain = b.inline_tokens.is_empty()
                    && page
                        .ancestry(b.container)
                        .take_while(|c| c.kind.as_deref() == b.kind.as_deref())
                        .all(|c| page.token_lists[c.tokens].is_empty());
                if inside && plain {
                    plain_appeals.0 += usize::from(keep[i]);
                    plain_appeals.1 += 1;
                }
                match named {
                    _ if keep[i] => leaked.push((g, b.text.clone())),
                    Some(n) if n != g => misnamed.push((g, n, b.text.clone())),
                    _ => {}
                }
            }
        }
        if kinds.is_empty() || (gold.is_none() && named.is_none()) {
            continue;
        }
        *confusion
            .entry(gold.unwrap_or(model::CONTENT_CLASS))
            .or_default()
            .entry(named.unwrap_or("kept"))
            .or_default() += 1;
        match (gold, named) {
            (Some(g), Some(n)) if g == n => kind_counts.entry(g).or_default()[0] += 1,
            _ => {
                if let Some(n) = named {
                    kind_counts.entry(n).or_default()[1] += 1;
                }
                if let Some(g) = gold {
                    kind_counts.entry(g).or_default()[2] += 1;
                }
            }
        }
    }
    PageScore {
        id: sample.id.clone(),
        page_type: sample.page_type.clone(),
        precision,
        recall,
        f1,
        with: (found(&sample.with), given(&sample.with)),
        without: (found(&sample.without), given(&sample.without)),
        appeal_without,
        blocks: (tp, fp, fneg),
        kinds: kind_counts,
        confusion,
        appeals,
        plain_appeals,
        leaked,
        misnamed,
    }
}

/// Averages over a set of pages.
#[derive(Debug, Clone, Serialize, Default)]
pub struct Summary {
    /// Pages.
    pub pages: usize,
    /// Mean word precision.
    pub precision: f64,
    /// Mean word recall.
    pub recall: f64,
    /// Mean word F1.
    pub f1: f64,
    /// Share of `with` snippets found (higher is better).
    pub with_pct: f64,
    /// Share of `without` snippets found (lower is better).
    pub without_pct: f64,
    /// Share of the `without` snippets with appeal or ad words found (see
    /// [`PageScore::appeal_without`]), and how many there are.
    pub appeal_without: (f64, usize),
    /// Block-level precision of the content class (pooled over blocks).
    pub block_precision: f64,
    /// Block-level recall of the content class.
    pub block_recall: f64,
    /// Block-level F1 of the content class.
    pub block_f1: f64,
}

impl Summary {
    /// Summarises page scores.
    pub fn of(scores: &[&PageScore]) -> Summary {
        let n = scores.len();
        if n == 0 {
            return Summary::default();
        }
        let mean = |f: fn(&PageScore) -> f64| scores.iter().map(|s| f(s)).sum::<f64>() / n as f64;
        let sum = |f: fn(&PageScore) -> usize| scores.iter().map(|s| f(s)).sum::<usize>() as f64;
        let pct = |a: f64, b: f64| if b > 0.0 { 100.0 * a / b } else { 0.0 };
        let tp = sum(|s| s.blocks.0);
        let fp = sum(|s| s.blocks.1);
        let fneg = sum(|s| s.blocks.2);
        let bp = if tp + fp > 0.0 { tp / (tp + fp) } else { 0.0 };
        let br = if tp + fneg > 0.0 {
            tp / (tp + fneg)
        } else {
            0.0
        };
        Summary {
            pages: n,
            precision: mean(|s| s.precision),
            recall: mean(|s| s.recall),
            f1: mean(|s| s.f1),
            with_pct: pct(sum(|s| s.with.0), sum(|s| s.with.1)),
            without_pct: pct(sum(|s| s.without.0), sum(|s| s.without.1)),
            appeal_without: (
                pct(sum(|s| s.appeal_without.0), sum(|s| s.appeal_without.1)),
                scores.iter().map(|s| s.appeal_without.1).sum(),
            ),
            block_precision: bp,
            block_recall: br,
            block_f1: if bp + br > 0.0 {
                2.0 * bp * br / (bp + br)
            } else {
                0.0
            },
        }
    }
}

/// How well one kind is named, pooled over blocks.
#[derive(Debug, Clone, Serialize, Default)]
pub struct KindSummary {
    /// Blocks hand-labelled with the kind.
    pub blocks: usize,
    /// Of the blocks removed as this kind, the share that are of it.
    pub precision: f64,
    /// Of the blocks of this kind, the share removed and named so.
    pub recall: f64,
    /// Harmonic mean of the two.
    pub f1: f64,
}

/// Appeal blocks that `clean` keeps although they are hand-labelled appeals or ads.
#[derive(Debug, Clone, Serialize, Default)]
pub struct Leakage {
    /// Appeal blocks in all.
    pub appeals: usize,
    /// Of which kept.
    pub kept: usize,
    /// Share kept, in percent.
    pub pct: f64,
    /// Inside the article: kept, of how many, percent.
    pub inside: (usize, usize, f64),
    /// Outside the article: kept, of how many, percent.
    pub outside: (usize, usize, f64),
    /// Inside the article and written as plain prose (see [`PageScore::plain_appeals`]):
    /// kept, of how many, percent.
    pub inside_plain: (usize, usize, f64),
    /// Inside the article, in an element with a class/id name: kept, of how many, percent.
    pub inside_named: (usize, usize, f64),
}

/// The result of an evaluation.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Over all pages.
    pub overall: Summary,
    /// Per hand-labelled kind (pages with kinds only), by name.
    pub kinds: BTreeMap<&'static str, KindSummary>,
    /// What each hand-labelled kind was named, summed over pages (see
    /// [`PageScore::confusion`]).
    pub confusion: Confusion,
    /// Appeal leakage (pages with kinds only).
    pub leakage: Leakage,
    /// Per page type, sorted by name.
    pub by_type: BTreeMap<String, Summary>,
    /// Per fold, for cross-validation.
    pub folds: Vec<Summary>,
    /// Cutoff used per fold (or the model's).
    pub thresholds: Vec<Cutoff>,
    /// Every page's scores.
    pub pages: Vec<PageScore>,
}

impl Report {
    fn new(pages: Vec<PageScore>, folds: Vec<Summary>, thresholds: Vec<Cutoff>) -> Report {
        let all: Vec<&PageScore> = pages.iter().collect();
        let mut types: BTreeMap<String, Vec<&PageScore>> = BTreeMap::new();
        for p in &pages {
            types.entry(p.page_type.clone()).or_default().push(p);
        }
        let mut counts: BTreeMap<&'static str, [usize; 3]> = BTreeMap::new();
        let mut appeals = [(0, 0); 2];
        let mut plain = (0, 0);
        let mut confusion = Confusion::new();
        for p in &pages {
            for (gold, named) in &p.confusion {
                let row = confusion.entry(gold).or_default();
                for (n, c) in named {
                    *row.entry(n).or_default() += c;
                }
            }
            plain.0 += p.plain_appeals.0;
            plain.1 += p.plain_appeals.1;
            for (k, c) in &p.kinds {
                for (t, c) in counts.entry(k).or_default().iter_mut().zip(c) {
                    *t += c;
                }
            }
            for (t, c) in appeals.iter_mut().zip(&p.appeals) {
                t.0 += c.0;
                t.1 += c.1;
            }
        }
        let ratio = |a: usize, b: usize| if b > 0 { a as f64 / b as f64 } else { 0.0 };
        let kinds = counts
            .into_iter()
            .filter(|(_, [tp, _, fneg])| tp + fneg > 0)
            .map(|(k, [tp, fp, fneg])| {
                let (p, r) = (ratio(tp, tp + fp), ratio(tp, tp + fneg));
                let f1 = if p + r > 0.0 {
                    2.0 * p * r / (p + r)
                } else {
                    0.0
                };
                let summary = KindSummary {
                    blocks: tp + fneg,
                    precision: p,
                    recall: r,
                    f1,
                };
                (k, summary)
            })
            .collect();
        let (kept, total) = (appeals[0].0 + appeals[1].0, appeals[0].1 + appeals[1].1);
        let pct = |(a, b): (usize, usize)| (a, b, 100.0 * ratio(a, b));
        let leakage = Leakage {
            appeals: total,
            kept,
            pct: 100.0 * ratio(kept, total),
            inside: pct(appeals[0]),
            outside: pct(appeals[1]),
            inside_plain: pct(plain),
            inside_named: pct((appeals[0].0 - plain.0, appeals[0].1 - plain.1)),
        };
        Report {
            overall: Summary::of(&all),
            kinds,
            confusion,
            leakage,
            by_type: types
                .into_iter()
                .map(|(t, v)| (t, Summary::of(&v)))
                .collect(),
            folds,
            thresholds,
            pages,
        }
    }
}

/// Evaluates a model on samples.
pub fn evaluate(model: &Model, cutoff: Cutoff, samples: &[&Sample]) -> Report {
    let pages: Vec<PageScore> = samples
        .par_iter()
        .map(|s| {
            let scores = model.score(&s.page);
            let keep = model.decide(&s.page, &scores, cutoff);
            let kinds = if model.has_kinds() {
                model.kinds(&s.page, &scores, &keep)
            } else {
                Vec::new()
            };
            score_page(s, &keep, &kinds)
        })
        .collect();
    Report::new(pages, Vec::new(), vec![cutoff])
}

/// Scores the labels themselves: the ceiling that segmentation and labelling allow.
pub fn oracle(samples: &[Sample]) -> Report {
    let pages = samples
        .par_iter()
        .map(|s| score_page(s, &s.labels, &[]))
        .collect();
    Report::new(pages, Vec::new(), Vec::new())
}

/// Assigns each sample a fold in `0..k` so that a group never spans two folds. Groups are
/// shuffled with `seed`, then dealt largest first to the fold with fewest pages.
pub fn assign_folds(groups: &[&str], k: usize, seed: u64) -> Vec<usize> {
    let mut sizes: BTreeMap<&str, usize> = BTreeMap::new();
    for g in groups {
        *sizes.entry(g).or_default() += 1;
    }
    let mut order: Vec<(&str, usize, u64)> = sizes
        .into_iter()
        .map(|(g, n)| (g, n, mix(seed, g)))
        .collect();
    order.sort_by(|a, b| b.1.cmp(&a.1).then(a.2.cmp(&b.2)));
    let mut load = vec![0usize; k];
    let mut fold_of: HashMap<&str, usize> = HashMap::new();
    for (g, n, _) in order {
        let f = (0..k).min_by_key(|&f| (load[f], f)).unwrap_or(0);
        load[f] += n;
        fold_of.insert(g, f);
    }
    groups.iter().map(|g| fold_of[g]).collect()
}

/// A seeded FNV-1a hash: a stable shuffle key that does not depend on the platform.
pub(crate) fn mix(seed: u64, s: &str) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325u64 ^ seed.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// K-fold cross-validation grouped by [`Sample::group`]: each fold is scored by a model
/// trained on the others with the fold's own threshold.
pub fn cross_validate(params: &TrainParams, samples: &[Sample], k: usize) -> Result<Report> {
    cross_validate_with_progress(params, samples, k, Progress::none())
}

/// Like [`cross_validate`], reporting each fold done to `progress`.
pub fn cross_validate_with_progress(
    params: &TrainParams,
    samples: &[Sample],
    k: usize,
    progress: Progress<'_>,
) -> Result<Report> {
    let groups: Vec<&str> = samples.iter().map(|s| s.group.as_str()).collect();
    let distinct = {
        let mut g = groups.clone();
        g.sort_unstable();
        g.dedup();
        g.len()
    };
    if k < 2 || distinct < k {
        return Err(Error::Corpus(format!(
            "cross-validation needs 2 <= k <= groups, got k = {k} with {distinct} groups"
        )));
    }
    let folds = assign_folds(&groups, k, params.seed);
    // Folds train independently: run them in parallel (one solver is single-threaded).
    progress.stage("cross-validation folds", Some(k as u64));
    let results = (0..k)
        .into_par_iter()
        .map(|f| {
            let train: Vec<&Sample> = samples
                .iter()
                .zip(&folds)
                .filter(|(_, &g)| g != f)
                .map(|(s, _)| s)
                .collect();
            let test: Vec<&Sample> = samples
                .iter()
                .zip(&folds)
                .filter(|(_, &g)| g == f)
                .map(|(s, _)| s)
                .collect();
            let model = params.fit(&train, vec![format!("fold {} of {k}", f + 1)])?;
            progress.advance(1);
            Ok((evaluate(&model, model.cutoff(), &test), model.cutoff()))
        })
        .collect::<Result<Vec<_>>>()?;
    let mut pages = Vec::new();
    let mut summaries = Vec::new();
    let mut thresholds = Vec::new();
    for (report, threshold) in results {
        summaries.push(report.overall);
        thresholds.push(threshold);
        pages.extend(report.pages);
    }
    Ok(Report::new(pages, summaries, thresholds))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_metric_matches_the_benchmark_definition() {
        let (p, r, f) = word_prf("The cat sat. Menu", "the cat sat on the mat");
        assert!((p - 0.75).abs() < 1e-12);
        assert!((r - 0.5).abs() < 1e-12);
        assert!((f - 0.6).abs() < 1e-12);
        assert_eq!(word_prf("", ""), (1.0, 1.0, 1.0));
    }

    #[test]
    fn appeals_are_told_apart_by_place_and_by_name() {
        let (_, page) = crate::segment::segment_html(
            "<body data-label='boilerplate' data-kind='other'>\
             <article data-label='content'><p>The bridge reopens on Monday.</p>\
             <p data-label='boilerplate' data-kind='donation'>Please give us five euros.</p>\
             <div class='promo' data-label='boilerplate' data-kind='newsletter'>\
             <p>Our letter, every Friday.</p></div></article>\
             <aside data-label='boilerplate' data-kind='cookie'>We use cookies.</aside></body>",
        );
        let labels: Vec<bool> = (0..page.blocks.len()).map(|i| page.hand_label(i)).collect();
        let sample = Sample {
            id: "t".into(),
            group: "t".into(),
            page_type: "labelled".into(),
            gold_text: "The bridge reopens on Monday.".into(),
            with: Vec::new(),
            without: vec!["We use cookies".into(), "The bridge".into()],
            gold_words: 5,
            matched: Vec::new(),
            tokens: Vec::new(),
            labels,
            page,
        };
        let keep = vec![true; sample.page.blocks.len()];
        let score = score_page(&sample, &keep, &[]);
        // Two appeals in the article, one of them plain prose; one outside.
        assert_eq!(score.appeals, [(2, 2), (1, 1)]);
        assert_eq!(score.plain_appeals, (1, 1));
        // Of the snippets, only the cookie notice holds an appeal word.
        assert_eq!(score.without, (2, 2));
        assert_eq!(score.appeal_without, (1, 1));
        let mut keep = keep;
        keep[1] = false;
        let score = score_page(&sample, &keep, &[]);
        assert_eq!(score.plain_appeals, (0, 1));
        // Named kinds: each labelled block is counted under what it became.
        keep[3] = false;
        let named = [None, Some("membership"), None, Some("cookie")];
        let score = score_page(&sample, &keep, &named);
        let row = |k: &str| score.confusion[k].clone().into_iter().collect::<Vec<_>>();
        assert_eq!(row("donation"), [("membership", 1)]);
        assert_eq!(row("newsletter"), [("kept", 1)]);
        assert_eq!(row("cookie"), [("cookie", 1)]);
        assert_eq!(score.kinds["donation"], [0, 0, 1]);
        assert_eq!(score.kinds["membership"], [0, 1, 0]);
        assert_eq!(
            score.misnamed,
            [(
                "donation",
                "membership",
                "Please give us five euros.".to_string()
            )]
        );
        assert_eq!(
            score.leaked,
            [("newsletter", "Our letter, every Friday.".to_string())]
        );
    }

    #[test]
    fn folds_never_split_a_group_and_are_balanced() {
        let groups: Vec<String> = (0..100).map(|i| format!("site{}", i % 37)).collect();
        let refs: Vec<&str> = groups.iter().map(String::as_str).collect();
        let folds = assign_folds(&refs, 5, 7);
        for g in &refs {
            let fs: Vec<usize> = refs
                .iter()
                .zip(&folds)
                .filter(|(h, _)| *h == g)
                .map(|(_, &f)| f)
                .collect();
            assert!(fs.iter().all(|&f| f == fs[0]));
        }
        let mut load = [0; 5];
        for f in &folds {
            load[*f] += 1;
        }
        assert!(load.iter().max().unwrap() - load.iter().min().unwrap() <= 3);
        assert_eq!(folds, assign_folds(&refs, 5, 7));
    }
}
