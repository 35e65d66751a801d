//! Reading pages and corpora: bytes from files (gzip detected by its magic bytes), decoding
//! as browsers do, and the two kinds of training data: gold corpora (WCXB layout or plain
//! `<id>.html` + `<id>.txt`) and hand-labelled pages (see `training-data/README.md`).

use crate::error::{Error, Result};
use crate::label;
use crate::segment::{self, Page};
use encoding_rs::Encoding;
use rayon::prelude::*;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Ceilings on what one page may cost.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest input accepted, in bytes, before decompression.
    pub max_input_bytes: u64,
    /// Largest decompressed size of gzip input; more is refused, not inflated.
    pub max_decompressed_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_input_bytes: 64 << 20,
            max_decompressed_bytes: 256 << 20,
        }
    }
}

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// Checks size and inflates gzip data (detected by magic bytes), within `limits`.
pub fn unpack(bytes: Vec<u8>, limits: &Limits) -> Result<Vec<u8>> {
    if bytes.is_empty() {
        return Err(Error::EmptyInput);
    }
    if bytes.len() as u64 > limits.max_input_bytes {
        return Err(Error::InputTooLarge {
            bytes: bytes.len() as u64,
            limit: limits.max_input_bytes,
        });
    }
    if !bytes.starts_with(&GZIP_MAGIC) {
        return Ok(bytes);
    }
    let mut out = Vec::new();
    let decoder = flate2::read::MultiGzDecoder::new(&bytes[..]);
    decoder
        .take(limits.max_decompressed_bytes + 1)
        .read_to_end(&mut out)
        .map_err(Error::Gzip)?;
    if out.len() as u64 > limits.max_decompressed_bytes {
        return Err(Error::InputTooLarge {
            bytes: out.len() as u64,
            limit: limits.max_decompressed_bytes,
        });
    }
    if out.is_empty() {
        return Err(Error::EmptyInput);
    }
    Ok(out)
}

/// Reads a page file, refusing it before reading when it exceeds the limit.
pub fn read_file(path: &Path, limits: &Limits) -> Result<Vec<u8>> {
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    if meta.len() > limits.max_input_bytes {
        return Err(Error::InputTooLarge {
            bytes: meta.len(),
            limit: limits.max_input_bytes,
        });
    }
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
    if bytes.is_empty() {
        return Err(Error::EmptyInput);
    }
    let declared = match Encoding::for_bom(bytes) {
        Some((enc, _)) => Some(enc),
        None => transport
            .and_then(|l| Encoding::for_label(l.trim().as_bytes()))
            .or_else(|| meta_charset(bytes)),
    };
    let utf8_ok = std::str::from_utf8(bytes).is_ok();
    let encoding = match declared {
        Some(enc) if Encoding::for_bom(bytes).is_some() => enc,
        Some(enc) if enc != encoding_rs::UTF_8 && utf8_ok && !bytes.is_ascii() => {
            encoding_rs::UTF_8
        }
        Some(enc) => enc,
        None if utf8_ok => encoding_rs::UTF_8,
        None => {
            let mut detector =
                chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
            detector.feed(bytes, true);
            detector.guess(None, chardetng::Utf8Detection::Allow)
        }
    };
    let (text, _, _) = encoding.decode(bytes);
    check_text(&text)?;
    Ok(Decoded {
        text: text.into_owned(),
        encoding,
    })
}

/// Refuses binary data: a page whose start is mostly control characters is not HTML.
fn check_text(text: &str) -> Result<()> {
    let sample: Vec<char> = text.chars().take(8192).collect();
    let control = sample
        .iter()
        .filter(|&&c| (c < ' ' && !matches!(c, '\t' | '\n' | '\r' | '\x0c')) || c == '\u{fffd}')
        .count();
    if !sample.is_empty() && control * 10 > sample.len() {
        return Err(Error::NotHtml(format!(
            "binary data ({} of the first {} characters are control or undecodable characters)",
            control,
            sample.len()
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
}

/// Loads a gold corpus: the WCXB layout (`html/<id>.html.gz` + `ground-truth/<id>.json`) or
/// a plain folder of `<id>.html[.gz]` files beside `<id>.txt` gold texts.
pub fn load_gold(dir: &Path) -> Result<GoldCorpus> {
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
    let samples = raws
        .into_par_iter()
        .map(|raw| {
            let bytes = read_file(&raw.html_path, &Limits::default())?;
            let decoded = decode(&bytes)?;
            let (_, page) = segment::segment_html(&decoded.text);
            let alignment = label::align(&page, &raw.gold_text);
            Ok(Sample {
                labels: alignment.labels(&page),
                matched: alignment.matched,
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
    Ok(GoldCorpus { samples, skipped })
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
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let name = name.strip_suffix(".gz").unwrap_or(&name);
    name.ends_with(".html") || name.ends_with(".htm") || name.ends_with(".xhtml")
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
            let bytes = read_file(&path, &Limits::default())?;
            let decoded = decode(&bytes)?;
            let (_, page) = segment::segment_html(&decoded.text);
            let labels: Vec<bool> = (0..page.blocks.len()).map(|i| page.hand_label(i)).collect();
            if !labels.iter().any(|&l| l) {
                return Err(Error::Corpus(format!(
                    "{}: no block is labelled data-label=\"content\"",
                    path.display()
                )));
            }
            let matched: Vec<u32> = page
                .blocks
                .iter()
                .zip(&labels)
                .map(|(b, &l)| if l { b.words } else { 0 })
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
        };
        let packed = gz.finish().unwrap();
        assert!(matches!(
            unpack(packed, &small),
            Err(Error::InputTooLarge { limit: 65536, .. })
        ));
    }

    #[test]
    fn domains_and_templates() {
        assert_eq!(domain_of("https://www.Example.com:8080/a?b"), "example.com");
        assert_eq!(template_of("en-harbor--city-vote"), "en-harbor");
    }
}
