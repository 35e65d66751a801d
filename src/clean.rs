//! Cleaning: classify a page's blocks with a model and render what is kept as text, as
//! HTML with boilerplate removed, or as per-block records.

use crate::corpus::{self, Limits};
use crate::error::Result;
use crate::model::Model;
use crate::segment::{self, Page};
use ego_tree::NodeId;
use html5ever::serialize::{serialize, SerializeOpts, TraversalScope};
use scraper::Html;
use serde::Serialize;

/// Cleans pages with one model and threshold.
#[derive(Debug, Clone)]
pub struct Cleaner {
    model: Model,
    threshold: f64,
    limits: Limits,
}

/// A classified page.
pub struct Cleaned {
    /// The parsed document.
    pub doc: Html,
    /// Its blocks.
    pub page: Page,
    /// Probability of content per block.
    pub probabilities: Vec<f64>,
    /// Whether each block is kept as content.
    pub keep: Vec<bool>,
    /// Name of the encoding the page was decoded from.
    pub encoding: &'static str,
}

/// One block as reported by `--format json`.
#[derive(Debug, Clone, Serialize)]
pub struct BlockRecord<'a> {
    /// Position in document order.
    pub index: usize,
    /// CSS-like path of the block's element.
    pub locator: String,
    /// Tag of the block's element.
    pub tag: &'a str,
    /// `content` or `boilerplate`.
    pub label: &'static str,
    /// Probability of content.
    pub probability: f64,
    /// Hidden by markup.
    pub hidden: bool,
    /// From `<noscript>`.
    pub noscript: bool,
    /// The block's text.
    pub text: &'a str,
}

impl Cleaner {
    /// A cleaner using the model's own threshold.
    pub fn new(model: Model) -> Self {
        let threshold = model.threshold();
        Cleaner {
            model,
            threshold,
            limits: Limits::default(),
        }
    }

    /// A cleaner with the embedded default model.
    pub fn with_default_model() -> Result<Self> {
        Ok(Cleaner::new(Model::embedded()?))
    }

    /// Overrides the decision threshold (higher: more precision, less recall).
    pub fn with_threshold(mut self, threshold: f64) -> Self {
        self.threshold = threshold;
        self
    }

    /// Overrides the input size limits.
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// The model in use.
    pub fn model(&self) -> &Model {
        &self.model
    }

    /// Cleans raw page bytes: gzip is inflated, the encoding detected.
    pub fn clean_bytes(&self, bytes: Vec<u8>) -> Result<Cleaned> {
        let bytes = corpus::unpack(bytes, &self.limits)?;
        let decoded = corpus::decode(&bytes)?;
        let mut cleaned = self.clean_str(&decoded.text);
        cleaned.encoding = decoded.encoding.name();
        Ok(cleaned)
    }

    /// Cleans a page given as text.
    pub fn clean_str(&self, html: &str) -> Cleaned {
        let (doc, page) = segment::segment_html(html);
        let probabilities = self.model.predict(&page);
        let keep = probabilities.iter().map(|&p| p >= self.threshold).collect();
        Cleaned {
            doc,
            page,
            probabilities,
            keep,
            encoding: "UTF-8",
        }
    }
}

impl Cleaned {
    /// The kept blocks' text in document order, separated by blank lines.
    pub fn text(&self) -> String {
        let mut out = String::new();
        for (b, _) in self.page.blocks.iter().zip(&self.keep).filter(|(_, &k)| k) {
            if !out.is_empty() {
                out.push_str("\n\n");
            }
            out.push_str(&b.text);
        }
        out
    }

    /// Every block with its label and probability.
    pub fn blocks(&self) -> Vec<BlockRecord<'_>> {
        self.page
            .blocks
            .iter()
            .enumerate()
            .map(|(i, b)| {
                let c = &self.page.containers[b.container];
                BlockRecord {
                    index: i,
                    locator: self.page.locator(i),
                    tag: &c.tag,
                    label: if self.keep[i] {
                        "content"
                    } else {
                        "boilerplate"
                    },
                    probability: self.probabilities[i],
                    hidden: c.flags & segment::flags::HIDDEN != 0,
                    noscript: c.flags & segment::flags::NOSCRIPT != 0,
                    text: &b.text,
                }
            })
            .collect()
    }

    /// The page's HTML with boilerplate removed: an element goes when every block under it
    /// is boilerplate; a boilerplate run inside a kept element loses its own nodes only.
    pub fn html(&self) -> String {
        let page = &self.page;
        let mut kept_below = vec![0u32; page.containers.len()];
        for (b, _) in page.blocks.iter().zip(&self.keep).filter(|(_, &k)| k) {
            kept_below[b.container] += 1;
        }
        for i in (0..page.containers.len()).rev() {
            if let Some(p) = page.containers[i].parent {
                kept_below[p] += kept_below[i];
            }
        }
        let mut remove: Vec<NodeId> = Vec::new();
        let mut removed = vec![false; page.containers.len()];
        for (i, c) in page.containers.iter().enumerate() {
            let parent_removed = c.parent.is_some_and(|p| removed[p]);
            removed[i] = parent_removed || (c.blocks > 0 && kept_below[i] == 0);
            if removed[i] && !parent_removed {
                if let Some(node) = c.node {
                    remove.push(node);
                }
            }
        }
        for (b, _) in page.blocks.iter().zip(&self.keep).filter(|(_, &k)| !k) {
            if !removed[b.container] {
                remove.extend(b.nodes.iter().copied());
            }
        }
        let mut doc = self.doc.clone();
        for id in remove {
            if let Some(mut node) = doc.tree.get_mut(id) {
                node.detach();
            }
        }
        let opts = SerializeOpts {
            // The parser ran with scripting on, so <noscript> holds raw text to write as is.
            scripting_enabled: true,
            traversal_scope: TraversalScope::IncludeNode,
            create_missing_parent: false,
        };
        let mut buf = Vec::new();
        // Writing to a Vec cannot fail, and html5ever writes valid UTF-8.
        let _ = serialize(&mut buf, &doc, opts);
        String::from_utf8_lossy(&buf).into_owned()
    }
}
