//! Reading pages and corpora: bytes from files (gzip detected by its magic bytes), decoding
//! as browsers do, and the two kinds of training data: gold corpora (WCXB layout or plain
//! `<id>.html` + `<id>.txt`) and hand-labelled pages (see `training-data/README.md`).

use crate::error::{Error, Result};
use crate::label;
use crate::progress::Progress;
use crate::segment::{self, Page};
use encoding_rs::Encoding;
use rayon::prelude::*;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Ceilings on what one page may cost; a page over any of them is refused with
/// [`Error::LimitExceeded`] naming it, never half-processed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest input accepted, in bytes, before decompression.
    pub max_input_bytes: u64,
    /// Largest decompressed size of gzip input; more is refused, not inflated.
    pub max_decompressed_bytes: u64,
    /// Deepest element nesting, estimated from the markup before parsing (the HTML parser's
    /// cost grows with the square of the depth).
    pub max_depth: u64,
    /// Most tags in the markup.
    pub max_elements: u64,
    /// Most text blocks in a page.
    pub max_blocks: u64,
    /// Most characters in one block.
    pub max_block_chars: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_input_bytes: 64 << 20,
            max_decompressed_bytes: 256 << 20,
            max_depth: 10_000,
            max_elements: 2_000_000,
            max_blocks: 200_000,
            max_block_chars: 10_000_000,
        }
    }
}

fn over(what: &'static str, found: u64, limit: u64) -> Result<()> {
    if found > limit {
        Err(Error::LimitExceeded { what, found, limit })
    } else {
        Ok(())
    }
}

/// Elements with no end tag, or whose end tag is implied by what follows: they do not
/// deepen the parser's stack of open elements.
fn is_void_or_implied(name: &[u8]) -> bool {
    matches!(
        name,
        b"area"
            | b"base"
            | b"br"
            | b"col"
            | b"embed"
            | b"hr"
            | b"img"
            | b"input"
            | b"link"
            | b"meta"
            | b"param"
            | b"source"
            | b"track"
            | b"wbr"
            | b"p"
            | b"li"
            | b"dt"
            | b"dd"
            | b"tr"
            | b"td"
            | b"th"
            | b"option"
            | b"optgroup"
            | b"thead"
            | b"tbody"
            | b"tfoot"
            | b"colgroup"
            | b"rt"
            | b"rp"
            | b"html"
            | b"head"
            | b"body"
            | b"frame"
            | b"keygen"
    )
}

/// Elements whose content is raw text: tags inside them are not markup.
fn is_raw_text(name: &[u8]) -> bool {
    matches!(
        name,
        b"script"
            | b"style"
            | b"textarea"
            | b"title"
            | b"xmp"
            | b"noembed"
            | b"noframes"
            | b"noscript"
            | b"plaintext"
    )
}

/// Position of the first `</name` in `hay`, the name matched case-insensitively.
fn find_close_tag(hay: &[u8], name: &[u8]) -> Option<usize> {
    let mut at = 0;
    while let Some(p) = memchr::memmem::find(&hay[at..], b"</") {
        let start = at + p;
        let rest = &hay[start + 2..];
        if rest.len() >= name.len() && rest[..name.len()].eq_ignore_ascii_case(name) {
            return Some(start);
        }
        at = start + 2;
    }
    None
}

/// Counts the tags of `markup` and estimates its deepest nesting in one pass over the bytes,
/// without parsing: (elements, depth).
pub fn scan_markup(markup: &str) -> (u64, u64) {
    let b = markup.as_bytes();
    let (mut elements, mut depth, mut max_depth) = (0u64, 0u64, 0u64);
    let mut i = 0;
    while let Some(off) = memchr::memchr(b'<', &b[i..]) {
        i += off + 1;
        if b[i..].starts_with(b"!--") {
            i = memchr::memmem::find(&b[i..], b"-->").map_or(b.len(), |e| i + e + 3);
            continue;
        }
        let closing = b.get(i) == Some(&b'/');
        let start = if closing { i + 1 } else { i };
        let len = b[start..]
            .iter()
            .position(|c| !(c.is_ascii_alphanumeric() || *c == b'-' || *c == b'!'))
            .unwrap_or(b.len() - start);
        if len == 0 || !b[start].is_ascii_alphabetic() && b[start] != b'!' {
            continue;
        }
        // Names longer than any listed below need no lowercasing: they are plain elements.
        let mut buf = [0u8; 16];
        let name: &[u8] = if len <= buf.len() {
            buf[..len].copy_from_slice(&b[start..start + len]);
            buf[..len].make_ascii_lowercase();
            &buf[..len]
        } else {
            b"x-long-name"
        };
        let end = memchr::memchr(b'>', &b[start..]).map_or(b.len(), |e| start + e);
        i = end.min(b.len());
        if b[start] == b'!' {
            continue;
        }
        if closing {
            if !is_void_or_implied(name) && !is_raw_text(name) {
                depth = depth.saturating_sub(1);
            }
            continue;
        }
        elements += 1;
        let self_closing = end > 0 && b.get(end - 1) == Some(&b'/');
        if is_raw_text(name) {
            i = find_close_tag(&b[i..], name).map_or(b.len(), |e| i + e);
        } else if !self_closing && !is_void_or_implied(name) {
            depth += 1;
            max_depth = max_depth.max(depth);
        }
    }
    (elements, max_depth)
}

/// Checks the markup against the limits, parses it and segments it, then checks the blocks.
/// The contents of script, style, `<svg>` and `<math>` elements are never parsed (see
/// [`crate::prescan`]): the document comes back with those elements empty, the blocks as
/// they would be. [`parse_whole_page`] parses everything.
pub fn parse_page(markup: &str, limits: &Limits) -> Result<(scraper::Html, Page)> {
    parse_checked(markup, limits, crate::prescan::parse_document)
}

/// [`parse_page`] with every part of the page parsed, for output that writes the document
/// back.
pub fn parse_whole_page(markup: &str, limits: &Limits) -> Result<(scraper::Html, Page)> {
    parse_checked(markup, limits, scraper::Html::parse_document)
}

fn parse_checked(
    markup: &str,
    limits: &Limits,
    parse: fn(&str) -> scraper::Html,
) -> Result<(scraper::Html, Page)> {
    // Neither limit can be passed by a page with fewer `<` than both: skip the scan then.
    let angles = memchr::memchr_iter(b'<', markup.as_bytes()).count() as u64;
    if angles > limits.max_elements.min(limits.max_depth) {
        let (elements, depth) = scan_markup(markup);
        over("number of elements", elements, limits.max_elements)?;
        over("estimated nesting depth", depth, limits.max_depth)?;
    }
    let doc = parse(markup);
    let page = segment::segment(&doc);
    over(
        "number of text blocks",
        page.blocks.len() as u64,
        limits.max_blocks,
    )?;
    let longest = page.blocks.iter().map(|b| u64::from(b.chars)).max();
    over(
        "length of a text block in characters",
        longest.unwrap_or(0),
        limits.max_block_chars,
    )?;
    Ok((doc, page))
}

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// Checks size and inflates gzip data (detected by magic bytes), within `limits`.
pub fn unpack(bytes: Vec<u8>, limits: &Limits) -> Result<Vec<u8>> {
    if bytes.is_empty() {
        return Err(Error::EmptyInput);
    }
    over(
        "input size in bytes",
        bytes.len() as u64,
        limits.max_input_bytes,
    )?;
    if !bytes.starts_with(&GZIP_MAGIC) {
        return Ok(bytes);
    }
    let mut out = Vec::new();
    let decoder = flate2::read::MultiGzDecoder::new(&bytes[..]);
    decoder
        .take(limits.max_decompressed_bytes + 1)
        .read_to_end(&mut out)
        .map_err(Error::Gzip)?;
    over(
        "decompressed size in bytes",
        out.len() as u64,
        limits.max_decompressed_bytes,
    )?;
    if out.is_empty() {
        return Err(Error::EmptyInput);
    }
    Ok(out)
}

/// Reads a page file, refusing it before reading when it exceeds the limit.
pub fn read_file(path: &Path, limits: &Limits) -> Result<Vec<u8>> {
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    over("input size in bytes", meta.len(), limits.max_input_bytes)?;
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    unpack(bytes, limits)
}

/// A decoded page.
#[derive(Debug, Clone)]
pub struct Decoded {
    /// The page as text.
    pub text: String,
    /// The encoding it was decoded from.
    pub encoding: &'static Encoding,
}

/// Finds a `<meta charset>` or `http-equiv` charset declaration in the first bytes.
fn meta_charset(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = &bytes[..bytes.len().min(4096)];
    let lower: Vec<u8> = head.iter().map(u8::to_ascii_lowercase).collect();
    let mut from = 0;
    while let Some(pos) = find(&lower[from..], b"<meta") {
        let start = from + pos;
        let end = find(&lower[start..], b">").map_or(lower.len(), |e| start + e);
        let tag = &lower[start..end];
        if let Some(cs) = find(tag, b"charset") {
            let rest = &tag[cs + 7..];
            let rest = rest
                .iter()
                .position(|&c| c != b' ' && c != b'=')
                .filter(|_| rest.contains(&b'='))
                .map(|p| &rest[p..])?;
            let rest = rest
                .strip_prefix(b"\"")
                .or_else(|| rest.strip_prefix(b"'"))
                .unwrap_or(rest);
            let len = rest
                .iter()
                .position(|&c| matches!(c, b'"' | b'\'' | b' ' | b';' | b'/' | b'>'))
                .unwrap_or(rest.len());
            if let Some(enc) = Encoding::for_label(&rest[..len]) {
                // A page that reached us as bytes cannot really be UTF-16 if its meta tag is
                // ASCII-readable; browsers treat the declaration as UTF-8.
                if enc == encoding_rs::UTF_16LE || enc == encoding_rs::UTF_16BE {
                    return Some(encoding_rs::UTF_8);
                }
                return Some(enc);
            }
        }
        from = end.max(start + 1);
    }
    None
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Decodes page bytes as a browser would: byte order mark, then `<meta charset>`, then
/// detection. Valid UTF-8 wins over a conflicting single-byte declaration, since pages
/// re-encoded by crawlers keep their old meta tag.
pub fn decode(bytes: &[u8]) -> Result<Decoded> {
    decode_with_hint(bytes, None)
}

/// Like [`decode`], with a charset from a transport header (HTTP `Content-Type`) that ranks
/// after the byte order mark and before the meta tag.
pub fn decode_with_hint(bytes: &[u8], transport: Option<&str>) -> Result<Decoded> {
    decode_owned_with_hint(bytes.to_vec(), transport)
}

/// Like [`decode`], taking the bytes: a page in UTF-8 (most of them) becomes its text
/// without being copied.
pub fn decode_owned(bytes: Vec<u8>) -> Result<Decoded> {
    decode_owned_with_hint(bytes, None)
}

/// Like [`decode_with_hint`], taking the bytes (see [`decode_owned`]).
pub fn decode_owned_with_hint(bytes: Vec<u8>, transport: Option<&str>) -> Result<Decoded> {
    if bytes.is_empty() {
        return Err(Error::EmptyInput);
    }
    let (text, encoding) = match String::from_utf8(bytes) {
        Ok(text) => {
            let encoding = choose_encoding(text.as_bytes(), transport, true);
            if encoding == encoding_rs::UTF_8 && Encoding::for_bom(text.as_bytes()).is_none() {
                (text, encoding)
            } else {
                (encoding.decode(text.as_bytes()).0.into_owned(), encoding)
            }
        }
        Err(e) => {
            let bytes = e.into_bytes();
            let encoding = choose_encoding(&bytes, transport, false);
            (encoding.decode(&bytes).0.into_owned(), encoding)
        }
    };
    check_text(&text)?;
    Ok(Decoded { text, encoding })
}

/// The encoding to decode `bytes` with; `utf8` tells whether they are valid UTF-8.
fn choose_encoding(bytes: &[u8], transport: Option<&str>, utf8: bool) -> &'static Encoding {
    if let Some((enc, _)) = Encoding::for_bom(bytes) {
        return enc;
    }
    let declared = transport
        .and_then(|l| Encoding::for_label(l.trim().as_bytes()))
        .or_else(|| meta_charset(bytes));
    match declared {
        Some(enc) if enc != encoding_rs::UTF_8 && utf8 && !bytes.is_ascii() => encoding_rs::UTF_8,
        Some(enc) => enc,
        None => utf16_without_bom(bytes).unwrap_or_else(|| {
            if utf8 {
                return encoding_rs::UTF_8;
            }
            let mut detector =
                chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
            detector.feed(bytes, true);
            detector.guess(None, chardetng::Utf8Detection::Allow)
        }),
    }
}

/// UTF-16 without a byte order mark, recognised by its zero bytes: markup is mostly ASCII,
/// so every other byte of the first kilobyte is zero. Browsers do not sniff this; pipelines
/// meet it in files saved by Windows tools.
fn utf16_without_bom(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = &bytes[..bytes.len().min(1024) & !1];
    if head.len() < 16 {
        return None;
    }
    let pairs = head.len() / 2;
    let zeros_at = |parity: usize| {
        head.iter()
            .skip(parity)
            .step_by(2)
            .filter(|&&b| b == 0)
            .count()
    };
    let (even, odd) = (zeros_at(0), zeros_at(1));
    if odd * 10 >= pairs * 7 && even * 10 < pairs {
        Some(encoding_rs::UTF_16LE)
    } else if even * 10 >= pairs * 7 && odd * 10 < pairs {
        Some(encoding_rs::UTF_16BE)
    } else {
        None
    }
}

/// Refuses binary data: a page whose start is mostly control characters is not HTML.
fn check_text(text: &str) -> Result<()> {
    let (mut seen, mut control) = (0usize, 0usize);
    for c in text.chars().take(8192) {
        seen += 1;
        if (c < ' ' && !matches!(c, '\t' | '\n' | '\r' | '\x0c')) || c == '\u{fffd}' {
            control += 1;
        }
    }
    if seen > 0 && control * 10 > seen {
        return Err(Error::NotHtml(format!(
            "binary data ({control} of the first {seen} characters are control or undecodable characters)"
        )));
    }
    Ok(())
}

/// [`Sample::page_type`] of hand-labelled pages.
pub const LABELLED_TYPE: &str = "labelled";

/// A page with known main content, ready for training or evaluation.
#[derive(Debug, Clone)]
pub struct Sample {
    /// Page id (file stem).
    pub id: String,
    /// Cross-validation group: the URL's domain, or a labelled page's template.
    pub group: String,
    /// Page type (WCXB's `page_type.primary`, `labelled`, or `unknown`).
    pub page_type: String,
    /// Gold main text.
    pub gold_text: String,
    /// Snippets a good extraction contains.
    pub with: Vec<String>,
    /// Snippets a good extraction leaves out.
    pub without: Vec<String>,
    /// The segmented page.
    pub page: Page,
    /// Content label of each block.
    pub labels: Vec<bool>,
    /// Tokens of each block that match the gold text.
    pub matched: Vec<u32>,
    /// The metric's tokens of each block (`\w+` runs), the unit of `matched` and
    /// `gold_words`.
    pub tokens: Vec<u32>,
    /// Tokens of the gold text.
    pub gold_words: u32,
}

/// What the loader found for one page before segmentation.
struct RawGold {
    id: String,
    html_path: PathBuf,
    gold_text: String,
    group: String,
    page_type: String,
    with: Vec<String>,
    without: Vec<String>,
}

/// A loaded gold corpus.
#[derive(Debug, Clone)]
pub struct GoldCorpus {
    /// The pages.
    pub samples: Vec<Sample>,
    /// Pages left out, each with the reason (e.g. a ground truth without main text).
    pub skipped: Vec<String>,
    /// Pages kept that look wrong, e.g. a gold text that hardly aligns with its page.
    pub warnings: Vec<String>,
}

/// Below this share of gold words found in the page, the gold text probably belongs to
/// another page (or the page failed to load); its labels would teach the model nonsense.
const MIN_ALIGNED_SHARE: f64 = 0.2;

/// Loads a gold corpus: the WCXB layout (`html/<id>.html.gz` + `ground-truth/<id>.json`) or
/// a plain folder of `<id>.html[.gz]` files beside `<id>.txt` gold texts.
pub fn load_gold(dir: &Path) -> Result<GoldCorpus> {
    load_gold_with_progress(dir, Progress::none())
}

/// Like [`load_gold`], reporting each page read to `progress`.
pub fn load_gold_with_progress(dir: &Path, progress: Progress<'_>) -> Result<GoldCorpus> {
    let mut skipped = Vec::new();
    let raws = if dir.join("html").is_dir() && dir.join("ground-truth").is_dir() {
        list_wcxb(dir, &mut skipped)?
    } else {
        list_plain(dir)?
    };
    if raws.is_empty() {
        return Err(Error::Corpus(format!(
            "{}: no gold pages found (expected html/ + ground-truth/, or <id>.html beside <id>.txt)",
            dir.display()
        )));
    }
    progress.stage("reading gold pages", Some(raws.len() as u64));
    let samples = raws
        .into_par_iter()
        .map(|raw| {
            progress.advance(1);
            let limits = Limits::default();
            let bytes = read_file(&raw.html_path, &limits)?;
            let decoded = decode(&bytes)?;
            let (_, page) = parse_page(&decoded.text, &limits)?;
            let alignment = label::align(&page, &raw.gold_text);
            Ok(Sample {
                labels: alignment.labels(),
                matched: alignment.matched,
                tokens: alignment.tokens,
                gold_words: alignment.gold_words,
                page,
                id: raw.id,
                group: raw.group,
                page_type: raw.page_type,
                gold_text: raw.gold_text,
                with: raw.with,
                without: raw.without,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let warnings = samples
        .iter()
        .filter_map(|s| {
            let aligned: u32 = s.matched.iter().sum();
            let low = f64::from(aligned) < MIN_ALIGNED_SHARE * f64::from(s.gold_words);
            (s.gold_words >= 20 && low).then(|| {
                format!(
                    "{}: only {aligned} of the {} gold words align with the page; is the gold text for this page?",
                    s.id, s.gold_words
                )
            })
        })
        .collect();
    Ok(GoldCorpus {
        samples,
        skipped,
        warnings,
    })
}

fn sorted_entries(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| Error::io(dir, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    paths.sort();
    Ok(paths)
}

fn str_list(v: &serde_json::Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// The host of a URL, without `www.`: the cross-validation group.
pub fn domain_of(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let host = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    let host = host.split(':').next().unwrap_or(host).to_ascii_lowercase();
    host.strip_prefix("www.").unwrap_or(&host).to_string()
}

fn list_wcxb(dir: &Path, skipped: &mut Vec<String>) -> Result<Vec<RawGold>> {
    let mut out = Vec::new();
    for gt in sorted_entries(&dir.join("ground-truth"))? {
        if gt.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        let id = file_stem(&gt);
        let text = std::fs::read_to_string(&gt).map_err(|e| Error::io(&gt, e))?;
        let v: serde_json::Value = serde_json::from_str(&text)
            .map_err(|e| Error::Corpus(format!("{}: {e}", gt.display())))?;
        let truth = &v["ground_truth"];
        let Some(main) = truth["main_content"].as_str() else {
            skipped.push(format!(
                "{}: no ground_truth.main_content text",
                gt.display()
            ));
            continue;
        };
        let html_path = ["html.gz", "html"]
            .iter()
            .map(|ext| dir.join("html").join(format!("{id}.{ext}")))
            .find(|p| p.exists())
            .ok_or_else(|| Error::Corpus(format!("{}: no html/{id}.html[.gz]", dir.display())))?;
        let url = v["url"].as_str().unwrap_or("");
        out.push(RawGold {
            group: if url.is_empty() {
                id.clone()
            } else {
                domain_of(url)
            },
            page_type: v["_internal"]["page_type"]["primary"]
                .as_str()
                .unwrap_or("unknown")
                .to_string(),
            with: str_list(&truth["with"]),
            without: str_list(&truth["without"]),
            gold_text: main.to_string(),
            html_path,
            id,
        });
    }
    Ok(out)
}

fn file_stem(path: &Path) -> String {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    for ext in [".html.gz", ".htm.gz", ".html", ".htm", ".json", ".txt"] {
        if let Some(stem) = name.strip_suffix(ext) {
            return stem.to_string();
        }
    }
    name.to_string()
}

fn list_plain(dir: &Path) -> Result<Vec<RawGold>> {
    let mut out = Vec::new();
    for path in sorted_entries(dir)? {
        if !is_page_path(&path) {
            continue;
        }
        let id = file_stem(&path);
        let txt = dir.join(format!("{id}.txt"));
        if !txt.exists() {
            continue;
        }
        let gold = std::fs::read_to_string(&txt).map_err(|e| Error::io(&txt, e))?;
        out.push(RawGold {
            group: id.clone(),
            page_type: "unknown".into(),
            html_path: path,
            gold_text: gold,
            with: Vec::new(),
            without: Vec::new(),
            id,
        });
    }
    Ok(out)
}

/// True for file names that hold a page: `.html`, `.htm`, `.xhtml`, optionally `.gz`.
pub fn is_page_path(path: &Path) -> bool {
    has_extension(path, &[".html", ".htm", ".xhtml"])
}

/// Whether the file name ends with one of `extensions` (lowercase), optionally followed by
/// `.gz`, in any case.
pub(crate) fn has_extension(path: &Path, extensions: &[&str]) -> bool {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let name = name.strip_suffix(".gz").unwrap_or(&name);
    extensions.iter().any(|e| name.ends_with(e))
}

/// The template of a labelled page: its file name up to `--`.
pub fn template_of(id: &str) -> String {
    id.split_once("--").map_or(id, |(t, _)| t).to_string()
}

/// Loads hand-labelled pages (every `*.html` in `dir`, sorted); blocks take their label from
/// the nearest `data-label` ancestor-or-self.
pub fn load_labelled(dir: &Path) -> Result<Vec<Sample>> {
    let paths: Vec<PathBuf> = sorted_entries(dir)?
        .into_iter()
        .filter(|p| is_page_path(p))
        .collect();
    if paths.is_empty() {
        return Err(Error::Corpus(format!(
            "{}: no labelled .html pages found",
            dir.display()
        )));
    }
    paths
        .into_par_iter()
        .map(|path| {
            let limits = Limits::default();
            let bytes = read_file(&path, &limits)?;
            let decoded = decode(&bytes)?;
            let (_, page) = parse_page(&decoded.text, &limits)?;
            let labels: Vec<bool> = (0..page.blocks.len()).map(|i| page.hand_label(i)).collect();
            if !labels.iter().any(|&l| l) {
                return Err(Error::Corpus(format!(
                    "{}: no block is labelled data-label=\"content\"",
                    path.display()
                )));
            }
            let tokens: Vec<u32> = page
                .blocks
                .iter()
                .map(|b| crate::tokens::words(&b.text).count() as u32)
                .collect();
            let matched: Vec<u32> = tokens
                .iter()
                .zip(&labels)
                .map(|(&t, &l)| if l { t } else { 0 })
                .collect();
            let gold_text = page
                .blocks
                .iter()
                .zip(&labels)
                .filter(|(_, &l)| l)
                .map(|(b, _)| b.text.as_str())
                .collect::<Vec<_>>()
                .join("\n\n");
            let id = file_stem(&path);
            Ok(Sample {
                group: template_of(&id),
                page_type: LABELLED_TYPE.into(),
                gold_words: matched.iter().sum(),
                gold_text,
                with: Vec::new(),
                without: Vec::new(),
                page,
                labels,
                matched,
                tokens,
                id,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_by_bom_meta_and_detection() {
        let (bytes, _, _) =
            encoding_rs::WINDOWS_1251.encode("<p>Привет, мир! Это тест страницы.</p>");
        let d = decode(&bytes).unwrap();
        assert!(d.text.contains("Привет"));
        let meta = b"<meta charset=\"iso-8859-2\"><p>\xb1</p>";
        let d = decode(meta).unwrap();
        assert_eq!(d.encoding, encoding_rs::ISO_8859_2);
        assert!(d.text.contains('ą'));
        let mut utf16 = vec![0xff, 0xfe];
        for u in "<p>hi</p>".encode_utf16() {
            utf16.extend(u.to_le_bytes());
        }
        assert_eq!(decode(&utf16).unwrap().text, "<p>hi</p>");
        let ascii: Vec<u8> = "<html><body><p>plain ascii page</p></body></html>"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        assert!(decode(&ascii).unwrap().text.contains("plain ascii"));
        let text = "<html><body><p>Zürich, naïve café</p></body></html>";
        let le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
        assert_eq!(decode(&le).unwrap().text, text);
        assert_eq!(decode(&be).unwrap().text, text);
    }

    #[test]
    fn refuses_empty_binary_and_bombs() {
        assert!(matches!(decode(b""), Err(Error::EmptyInput)));
        let binary: Vec<u8> = (0..4000u32).map(|i| (i % 7) as u8).collect();
        assert!(matches!(decode(&binary), Err(Error::NotHtml(_))));
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        std::io::Write::write_all(&mut gz, &vec![b'a'; 1 << 20]).unwrap();
        let small = Limits {
            max_input_bytes: 1 << 20,
            max_decompressed_bytes: 1 << 16,
            ..Limits::default()
        };
        let packed = gz.finish().unwrap();
        assert!(matches!(
            unpack(packed, &small),
            Err(Error::LimitExceeded { limit: 65536, .. })
        ));
    }

    #[test]
    fn scan_estimates_elements_and_depth() {
        assert_eq!(scan_markup("<div><p>a<p>b<br></div>"), (4, 1));
        assert_eq!(
            scan_markup("<div><div><span>x</span></div><!-- <div><div> --></div>"),
            (3, 3)
        );
        assert_eq!(
            scan_markup("<script>if (a<b) { '<div><div>' }</script><div/>"),
            (2, 0)
        );
        let deep = "<div>".repeat(50_000);
        assert_eq!(scan_markup(&deep), (50_000, 50_000));
        let err = parse_page(&deep, &Limits::default()).unwrap_err();
        assert!(err.to_string().contains("nesting depth is 50000"), "{err}");
    }

    #[test]
    fn domains_and_templates() {
        assert_eq!(domain_of("https://www.Example.com:8080/a?b"), "example.com");
        assert_eq!(template_of("en-harbor--city-vote"), "en-harbor");
    }
}
