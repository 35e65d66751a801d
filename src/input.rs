//! Reading pages to clean: files, directories, stdin, WARC archives and JSON Lines, streamed
//! one page at a time in input order, so that a 50 GB archive is never held in memory.
//!
//! Every page gets exactly one [`PageInput`], and one that cannot be read carries its error:
//! a pipeline writes one output record per input page, always.

use crate::corpus::{self, Limits};
use crate::error::{Error, Result};
use serde_json::{Map, Value};
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

/// One page to clean, as read from an input.
#[derive(Debug)]
pub struct PageInput {
    /// Where the page came from: its path, `<path>:<line>` for JSON Lines, the record's
    /// `WARC-Target-URI` for WARC.
    pub source: String,
    /// The page's raw bytes, or where to read them.
    pub body: Body,
    /// The charset of the HTTP `Content-Type` the page was served with (WARC responses).
    pub charset: Option<String>,
    /// For JSON Lines, the object's fields other than `html`, to pass through unchanged.
    pub fields: Option<Map<String, Value>>,
}

/// A page's bytes: read already (archives, JSON Lines, stdin), or still in their file, so
/// that a queue of pages holds paths rather than pages and workers read files in parallel.
#[derive(Debug)]
pub enum Body {
    /// The bytes, or why there are none.
    Read(Result<Vec<u8>>),
    /// A page file, to read within these limits.
    File(PathBuf, Limits),
}

impl Body {
    /// The page's bytes (gzip inflated), reading its file if need be.
    pub fn read(self) -> Result<Vec<u8>> {
        match self {
            Body::Read(bytes) => bytes,
            Body::File(path, limits) => corpus::read_file(&path, &limits),
        }
    }
}

impl PageInput {
    fn failed(source: String, error: Error) -> Self {
        PageInput {
            source,
            body: Body::Read(Err(error)),
            charset: None,
            fields: None,
        }
    }
}

/// How the inputs are to be read.
#[derive(Debug, Clone, Default)]
pub struct InputOptions {
    /// Files and stdin hold JSON Lines (one object with an `html` field per line) rather
    /// than one page each.
    pub jsonl: bool,
    /// Ceilings on one page; a JSON line or WARC record over them becomes an error record.
    pub limits: Limits,
}

/// What kind of input a path is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    /// One page: `.html`, `.htm`, `.xhtml` (optionally gzipped), or stdin.
    Page,
    /// A WARC archive: `.warc` or `.warc.gz`.
    Warc,
    /// JSON Lines (with [`InputOptions::jsonl`]).
    Jsonl,
}

/// The kind of a file input; a directory is walked for files of these kinds.
pub fn kind_of(path: &Path, opts: &InputOptions) -> InputKind {
    if corpus::has_extension(path, &[".warc"]) {
        InputKind::Warc
    } else if opts.jsonl {
        InputKind::Jsonl
    } else {
        InputKind::Page
    }
}

/// Whether a file met in a directory walk is an input (others, such as images, are passed
/// over without a record).
fn is_input_file(path: &Path, opts: &InputOptions) -> bool {
    match kind_of(path, opts) {
        InputKind::Warc => true,
        InputKind::Page => corpus::is_page_path(path),
        InputKind::Jsonl => corpus::has_extension(path, &[".jsonl", ".ndjson"]),
    }
}

/// True when the inputs can hold more than one page (several inputs, a directory, an
/// archive or JSON Lines), so that output needs a marker between pages.
pub fn may_hold_many(inputs: &[PathBuf], opts: &InputOptions) -> bool {
    opts.jsonl
        || inputs.len() > 1
        || inputs
            .iter()
            .any(|p| p.is_dir() || kind_of(p, opts) == InputKind::Warc)
}

/// The files that `inputs` expand to, in reading order (directories walked recursively,
/// sorted by name), each with its size in bytes; unreadable entries are left out.
pub fn files(inputs: &[PathBuf], opts: &InputOptions) -> Vec<(PathBuf, u64)> {
    let mut out = Vec::new();
    for input in inputs {
        if input.is_dir() {
            for e in walkdir::WalkDir::new(input)
                .sort_by_file_name()
                .into_iter()
                .flatten()
            {
                if e.file_type().is_file() && is_input_file(e.path(), opts) {
                    let len = e.metadata().map_or(0, |m| m.len());
                    out.push((e.into_path(), len));
                }
            }
        } else if input != Path::new("-") {
            let len = std::fs::metadata(input).map_or(0, |m| m.len());
            out.push((input.clone(), len));
        }
    }
    out
}

/// Reads every page of `inputs` in order and hands each to `emit`, which may stop the run
/// by breaking. `progress` is told how many bytes of the input files have been read, for
/// progress bars that go by bytes (archives hold an unknown number of pages).
pub fn read_pages(
    inputs: &[PathBuf],
    opts: &InputOptions,
    progress: &mut dyn FnMut(u64),
    emit: &mut dyn FnMut(PageInput) -> ControlFlow<()>,
) -> ControlFlow<()> {
    for input in inputs {
        if input == Path::new("-") {
            read_stdin(opts, emit)?;
        } else if input.is_dir() {
            for entry in walkdir::WalkDir::new(input).sort_by_file_name() {
                match entry {
                    Ok(e) if e.file_type().is_file() && is_input_file(e.path(), opts) => {
                        read_file(e.path(), opts, progress, emit)?
                    }
                    Ok(_) => {}
                    Err(e) => {
                        let path = e.path().unwrap_or(input).display().to_string();
                        let err = match e.into_io_error() {
                            Some(io) => Error::io(&path, io),
                            None => Error::Corpus(format!("{path}: filesystem loop")),
                        };
                        emit(PageInput::failed(path, err))?;
                    }
                }
            }
        } else {
            read_file(input, opts, progress, emit)?;
        }
    }
    ControlFlow::Continue(())
}

fn read_stdin(
    opts: &InputOptions,
    emit: &mut dyn FnMut(PageInput) -> ControlFlow<()>,
) -> ControlFlow<()> {
    let stdin = io::stdin();
    let mut lock = stdin.lock();
    if opts.jsonl {
        let reader = match maybe_gunzip(Box::new(&mut lock)) {
            Ok(r) => r,
            Err(e) => return emit(PageInput::failed("-".into(), Error::io("<stdin>", e))),
        };
        return read_jsonl("<stdin>", reader, opts, emit);
    }
    drop(lock);
    emit(PageInput {
        source: "-".into(),
        body: Body::Read(read_page(Path::new("-"), &opts.limits)),
        charset: None,
        fields: None,
    })
}

/// Reads one page, from a file or (for `-`) from stdin, within `limits`; gzip is inflated.
pub fn read_page(path: &Path, limits: &Limits) -> Result<Vec<u8>> {
    if path != Path::new("-") {
        return corpus::read_file(path, limits);
    }
    let mut bytes = Vec::new();
    io::stdin()
        .lock()
        .take(limits.max_input_bytes + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io("<stdin>", e))?;
    corpus::unpack(bytes, limits)
}

fn read_file(
    path: &Path,
    opts: &InputOptions,
    progress: &mut dyn FnMut(u64),
    emit: &mut dyn FnMut(PageInput) -> ControlFlow<()>,
) -> ControlFlow<()> {
    let source = path.display().to_string();
    let kind = kind_of(path, opts);
    if kind == InputKind::Page {
        progress(std::fs::metadata(path).map_or(0, |m| m.len()));
        return emit(PageInput {
            source,
            body: Body::File(path.to_path_buf(), opts.limits),
            charset: None,
            fields: None,
        });
    }
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) => return emit(PageInput::failed(source, Error::io(path, e))),
    };
    let counted = Counted {
        inner: BufReader::with_capacity(1 << 16, file),
        progress,
    };
    let reader = match maybe_gunzip(Box::new(counted)) {
        Ok(r) => r,
        Err(e) => return emit(PageInput::failed(source, Error::io(path, e))),
    };
    match kind {
        InputKind::Warc => read_warc(&source, reader, opts, emit),
        _ => read_jsonl(&source, reader, opts, emit),
    }
}

/// A reader that reports how many bytes were read through it.
struct Counted<'p, R> {
    inner: R,
    progress: &'p mut dyn FnMut(u64),
}

impl<R: Read> Read for Counted<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        (self.progress)(n as u64);
        Ok(n)
    }
}

/// Wraps a stream in a gzip decoder when it starts with gzip's magic bytes (the file name
/// is not trusted: crawls hold `.warc` files that are compressed and the reverse).
fn maybe_gunzip<'a>(inner: Box<dyn Read + 'a>) -> io::Result<Box<dyn BufRead + 'a>> {
    let mut buffered = BufReader::with_capacity(1 << 16, inner);
    let head = buffered.fill_buf()?;
    if head.starts_with(&[0x1f, 0x8b]) {
        let decoder = flate2::bufread::MultiGzDecoder::new(buffered);
        Ok(Box::new(BufReader::with_capacity(1 << 16, decoder)))
    } else {
        Ok(Box::new(buffered))
    }
}

/// Reads JSON Lines: each non-blank line is an object whose `html` string is the page and
/// whose other fields are passed through.
fn read_jsonl(
    name: &str,
    mut reader: Box<dyn BufRead + '_>,
    opts: &InputOptions,
    emit: &mut dyn FnMut(PageInput) -> ControlFlow<()>,
) -> ControlFlow<()> {
    let limit = opts.limits.max_input_bytes;
    let mut line = Vec::new();
    for number in 1u64.. {
        line.clear();
        let source = format!("{name}:{number}");
        let read = (&mut reader).take(limit + 1).read_until(b'\n', &mut line);
        match read {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) => return emit(PageInput::failed(source, Error::io(name, e))),
        }
        if line.last() != Some(&b'\n') && line.len() as u64 > limit {
            // The rest of the over-long line is skipped, not held.
            if let Err(e) = reader.skip_until(b'\n') {
                return emit(PageInput::failed(source, Error::io(name, e)));
            }
            let err = Error::LimitExceeded {
                what: "JSON line length in bytes",
                found: line.len() as u64,
                limit,
            };
            emit(PageInput::failed(source, err))?;
            continue;
        }
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        emit(jsonl_page(source, &line))?;
    }
    ControlFlow::Continue(())
}

fn jsonl_page(source: String, line: &[u8]) -> PageInput {
    let mut fields: Map<String, Value> = match serde_json::from_slice(line) {
        Ok(Value::Object(map)) => map,
        Ok(other) => {
            let what = match other {
                Value::Array(_) => "an array",
                Value::String(_) => "a string",
                Value::Number(_) => "a number",
                Value::Bool(_) => "a boolean",
                _ => "null",
            };
            let msg = format!("a JSON line must be an object with an \"html\" field, not {what}");
            return PageInput::failed(source, Error::Input(msg));
        }
        Err(e) => return PageInput::failed(source, Error::Input(format!("invalid JSON: {e}"))),
    };
    let bytes = match fields.remove("html") {
        Some(Value::String(html)) => Ok(html.into_bytes()),
        Some(_) => Err(Error::Input("the \"html\" field is not a string".into())),
        None => Err(Error::Input("the object has no \"html\" field".into())),
    };
    PageInput {
        source,
        body: Body::Read(bytes),
        charset: None,
        fields: Some(fields),
    }
}

/// Reads a WARC archive: each `response` record with an HTML payload (and each `resource`
/// record) is a page; request, metadata and other records are passed over. A record that
/// cannot be used still yields a page with its error; an archive whose framing breaks ends
/// with one error record.
fn read_warc(
    name: &str,
    reader: Box<dyn BufRead + '_>,
    opts: &InputOptions,
    emit: &mut dyn FnMut(PageInput) -> ControlFlow<()>,
) -> ControlFlow<()> {
    use warc::{RecordType, WarcHeader};
    // The WARC reader takes a stream that holds no record, empty or not, for an archive
    // without pages: say what the file is instead.
    let mut reader = reader;
    let not_warc = match reader.fill_buf() {
        Ok([]) => Some("the archive is empty".to_string()),
        Ok(head) => {
            let n = head.len().min(5);
            (head[..n] != b"WARC/"[..n])
                .then(|| "not a WARC archive: it does not begin with \"WARC/\"".to_string())
        }
        Err(e) => Some(e.to_string()),
    };
    if let Some(why) = not_warc {
        return emit(PageInput::failed(name.to_string(), Error::Warc(why)));
    }
    let mut warc = warc::WarcReader::new(reader);
    let mut records = warc.stream_records();
    let mut number = 0u64;
    while let Some(item) = records.next_item() {
        number += 1;
        let mut record = match item {
            Ok(r) => r,
            Err(e @ (warc::Error::MissingHeader(_) | warc::Error::MalformedHeader(..))) => {
                // The record's length was read, so the next one can still be found.
                let err = Error::Warc(format!("record {number}: {e}"));
                emit(PageInput::failed(format!("{name}#{number}"), err))?;
                continue;
            }
            Err(e) => {
                let err = Error::Warc(format!(
                    "record {number}: {}; the rest of the archive is unreadable",
                    warc_error(&e)
                ));
                return emit(PageInput::failed(format!("{name}#{number}"), err));
            }
        };
        let response = match record.warc_type() {
            RecordType::Response => true,
            RecordType::Resource => false,
            _ => continue,
        };
        let source = record
            .header(WarcHeader::TargetURI)
            .map_or_else(|| format!("{name}#{number}"), |u| u.into_owned());
        let resource_type = record
            .header(WarcHeader::ContentType)
            .map(|t| t.into_owned());
        let length = record.content_length();
        if length > opts.limits.max_input_bytes {
            let err = Error::LimitExceeded {
                what: "WARC record size in bytes",
                found: length,
                limit: opts.limits.max_input_bytes,
            };
            emit(PageInput::failed(source, err))?;
            continue;
        }
        let mut body = Vec::with_capacity(length as usize);
        let read = record.read_to_end(&mut body);
        if read.is_err() || (body.len() as u64) < length {
            let why = match read {
                Err(e) => e.to_string(),
                Ok(_) => format!("cut off after {} of {length} bytes", body.len()),
            };
            let err = Error::Warc(format!(
                "record {number}: {why}; the rest of the archive is unreadable"
            ));
            return emit(PageInput::failed(source, err));
        }
        let page = if response {
            http_payload(body, &opts.limits)
        } else {
            html_payload(body, resource_type.as_deref(), None, &opts.limits)
        };
        let (bytes, charset) = match page {
            Ok((bytes, charset)) => (Ok(bytes), charset),
            Err(e) => (Err(e), None),
        };
        emit(PageInput {
            source,
            body: Body::Read(bytes),
            charset,
            fields: None,
        })?;
    }
    ControlFlow::Continue(())
}

fn warc_error(e: &warc::Error) -> String {
    match e {
        warc::Error::ParseHeaders(_) => "malformed WARC headers".into(),
        other => other.to_string(),
    }
}

/// The page inside an HTTP response: status line and headers are parsed, chunked transfer
/// and gzip/deflate content encodings undone, and anything but HTML refused.
fn http_payload(message: Vec<u8>, limits: &Limits) -> Result<(Vec<u8>, Option<String>)> {
    let mut headers = [httparse::EMPTY_HEADER; 256];
    let mut response = httparse::Response::new(&mut headers);
    let start = match response.parse(&message) {
        Ok(httparse::Status::Complete(n)) => n,
        Ok(httparse::Status::Partial) => {
            return Err(Error::Warc("the HTTP response headers are cut off".into()))
        }
        Err(e) => return Err(Error::Warc(format!("malformed HTTP response: {e}"))),
    };
    let header = |name: &str| {
        response
            .headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| String::from_utf8_lossy(h.value).trim().to_ascii_lowercase())
    };
    let content_type = header("content-type");
    let chunked = header("transfer-encoding").is_some_and(|t| t.contains("chunked"));
    let encoding = header("content-encoding");
    let mut body = message;
    body.drain(..start);
    if chunked {
        // Crawlers often store the payload de-chunked but keep the header: fall back to
        // the bytes as they are when they do not parse as chunks.
        if let Some(joined) = dechunk(&body) {
            body = joined;
        }
    }
    html_payload(body, content_type.as_deref(), encoding.as_deref(), limits)
}

fn html_payload(
    body: Vec<u8>,
    content_type: Option<&str>,
    content_encoding: Option<&str>,
    limits: &Limits,
) -> Result<(Vec<u8>, Option<String>)> {
    let (media, charset) = match content_type {
        Some(t) => parse_content_type(t),
        None => (String::new(), None),
    };
    let html = media.is_empty()
        || media == "text/html"
        || media == "application/xhtml+xml"
        || media == "application/xml"
        || media == "text/xml";
    if !html {
        return Err(Error::NotHtml(format!("content type {media}")));
    }
    let body = match content_encoding.unwrap_or("identity") {
        "" | "identity" | "gzip" | "x-gzip" => body,
        "deflate" => {
            let mut out = Vec::new();
            flate2::read::ZlibDecoder::new(&body[..])
                .take(limits.max_decompressed_bytes + 1)
                .read_to_end(&mut out)
                .map_err(Error::Gzip)?;
            out
        }
        other => {
            return Err(Error::Warc(format!(
                "content encoding {other:?} is not supported (gzip and deflate are)"
            )))
        }
    };
    Ok((corpus::unpack(body, limits)?, charset))
}

/// The media type (lowercase) and charset of a `Content-Type` value.
fn parse_content_type(value: &str) -> (String, Option<String>) {
    let mut parts = value.split(';');
    let media = parts.next().unwrap_or("").trim().to_ascii_lowercase();
    let charset = parts.find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| v.trim().trim_matches(['"', '\'']).to_string())
    });
    (media, charset.filter(|c| !c.is_empty()))
}

/// Joins an HTTP/1.1 chunked body; `None` when it is not one.
fn dechunk(body: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(body.len());
    let mut rest = body;
    loop {
        let eol = memchr::memmem::find(rest, b"\r\n")?;
        let size_field = std::str::from_utf8(&rest[..eol]).ok()?;
        let size_hex = size_field.split(';').next()?.trim();
        let size = usize::from_str_radix(size_hex, 16).ok()?;
        rest = &rest[eol + 2..];
        if size == 0 {
            return Some(out);
        }
        let chunk = rest.get(..size)?;
        out.extend_from_slice(chunk);
        rest = rest.get(size..)?.strip_prefix(b"\r\n")?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_type_gives_media_type_and_charset() {
        assert_eq!(
            parse_content_type("Text/HTML; Charset=\"windows-1251\""),
            ("text/html".into(), Some("windows-1251".into()))
        );
        assert_eq!(parse_content_type("image/png"), ("image/png".into(), None));
    }

    #[test]
    fn chunked_bodies_are_joined_and_others_left_alone() {
        let body = b"5\r\nHello\r\n7;ext=1\r\n, world\r\n0\r\n\r\n";
        assert_eq!(dechunk(body).as_deref(), Some(&b"Hello, world"[..]));
        assert_eq!(dechunk(b"<html><body>plain</body></html>"), None);
    }

    #[test]
    fn http_responses_yield_their_html_and_refuse_other_types() {
        let limits = Limits::default();
        let ok = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=Shift_JIS\r\n\r\n<p>x</p>";
        let (bytes, charset) = http_payload(ok.to_vec(), &limits).unwrap();
        assert_eq!(bytes, b"<p>x</p>");
        assert_eq!(charset.as_deref(), Some("shift_jis"));
        let png = b"HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n\r\n\x89PNG";
        let err = http_payload(png.to_vec(), &limits).unwrap_err();
        assert_eq!(err.to_string(), "not HTML: content type image/png");
        let cut = b"HTTP/1.1 200 OK\r\nContent-Type: text/ht";
        assert!(http_payload(cut.to_vec(), &limits).is_err());
    }

    #[test]
    fn json_lines_pass_their_fields_through_and_name_what_is_wrong() {
        let page = jsonl_page(
            "f:1".into(),
            br#"{"id": 7, "html": "<p>x</p>", "url": "u"}"#,
        );
        assert_eq!(page.body.read().unwrap(), b"<p>x</p>");
        let fields = page.fields.unwrap();
        assert_eq!(fields.get("id"), Some(&Value::from(7)));
        assert!(!fields.contains_key("html"));
        let missing = jsonl_page("f:2".into(), br#"{"id": 8}"#);
        assert_eq!(
            missing.body.read().unwrap_err().to_string(),
            "the object has no \"html\" field"
        );
        assert_eq!(missing.fields.unwrap().get("id"), Some(&Value::from(8)));
        let array = jsonl_page("f:3".into(), b"[1]");
        assert!(array
            .body
            .read()
            .unwrap_err()
            .to_string()
            .contains("not an array"));
    }
}
