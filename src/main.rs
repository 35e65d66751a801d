//! The `boilerclass` command: thin glue over the library. Per-page failures are reported
//! and the run goes on (exit 2 at the end); anything else prints one error and exits 1.

#![deny(clippy::unwrap_used, clippy::expect_used)]

use boilerclass::corpus::{self, Limits, Sample};
use boilerclass::eval::{self, Report};
use boilerclass::input::{self, InputOptions, PageInput};
use boilerclass::model::KINDS;
use boilerclass::progress::{Progress, Step};
use boilerclass::train::TrainParams;
use boilerclass::{Cleaner, Error, Keep, Model};
use clap::{Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::io::{self, IsTerminal, Write};
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, TryRecvError};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Parser)]
#[command(
    name = "boilerclass",
    version,
    about = "Removes boilerplate and appeals from web pages with a trained logistic model"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Clean pages: keep the article, drop navigation, appeals, ads and the rest.
    Clean(CleanArgs),
    /// Train a model on gold corpora and/or hand-labelled pages.
    Train(TrainArgs),
    /// Measure word- and block-level precision/recall, optionally by cross-validation.
    Eval(EvalArgs),
    /// Show every block of a page with its label, probability and weightiest features.
    Explain(ExplainArgs),
}

#[derive(Clone, Copy, ValueEnum, PartialEq)]
enum Format {
    /// The content blocks' text, one block per paragraph.
    Text,
    /// The page with boilerplate elements removed.
    Html,
    /// The content as Markdown: headings, lists, links, tables and code kept.
    Markdown,
    /// Every block with its label, probability and locator.
    Json,
}

/// What `--drop` removes.
#[derive(Clone, Copy, ValueEnum, PartialEq)]
enum DropSet {
    /// Appeals and ads: donation, paywall, subscription, membership, newsletter, cookie,
    /// adblock, ad.
    Appeals,
}

fn parse_kind(s: &str) -> Result<&'static str, String> {
    boilerclass::model::kind_name(s.trim())
        .ok_or_else(|| format!("{s:?} is not a kind; kinds: {}", KINDS.join(", ")))
}

#[derive(clap::Args)]
struct CleanArgs {
    /// Files (.html, .htm, .xhtml, optionally .gz; .warc, .warc.gz), directories (walked
    /// recursively, sorted) or - for stdin.
    #[arg(default_value = "-")]
    inputs: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// The original HTML with data-boilerclass-label and -score attributes on every
    /// element that holds text, nothing removed.
    #[arg(long, conflicts_with = "format")]
    annotate: bool,
    /// One JSON object per page, in input order: "source", "encoding" and the output under
    /// "text", "html", "markdown" or "blocks" (by --format), or "source" and "error".
    #[arg(long)]
    jsonl: bool,
    /// Inputs are JSON Lines: one object per line with the page in an "html" string field;
    /// its other fields are passed through to the --jsonl record unchanged.
    #[arg(long)]
    input_jsonl: bool,
    /// Remove only these and keep the rest of the page. `appeals`: donation, paywall,
    /// subscription, membership, newsletter, cookie, adblock and ad blocks.
    #[arg(long, value_enum, conflicts_with = "keep")]
    drop: Option<DropSet>,
    /// Keep the boilerplate of these kinds as well as the content, e.g. related,comments.
    /// Kinds: donation, paywall, subscription, membership, newsletter, cookie, adblock, ad,
    /// social, related, navigation, comments, other.
    #[arg(long, value_delimiter = ',', value_parser = parse_kind)]
    keep: Vec<&'static str>,
    /// No progress bar and no summary line on stderr; with --jsonl, failed pages are
    /// reported in their records only.
    #[arg(long, short)]
    quiet: bool,
    /// Model file to use instead of the embedded default.
    #[arg(long)]
    model: Option<PathBuf>,
    /// Probability of content at or above which a block is kept (default: the model's).
    #[arg(long, value_parser = parse_probability)]
    threshold: Option<f64>,
    /// Share of the page's highest probability that a kept block must also reach (default:
    /// the model's; 0 turns it off).
    #[arg(long, value_parser = parse_share)]
    relative_threshold: Option<f64>,
    /// Worker threads (default: all cores).
    #[arg(long)]
    jobs: Option<usize>,
    #[command(flatten)]
    limits: LimitArgs,
}

/// Ceilings on what one page may cost; a page over one is refused with an error naming it.
#[derive(clap::Args)]
struct LimitArgs {
    /// Refuse inputs larger than this many bytes.
    #[arg(long, default_value_t = Limits::default().max_input_bytes)]
    max_input_bytes: u64,
    /// Refuse gzip input that inflates to more than this many bytes.
    #[arg(long, default_value_t = Limits::default().max_decompressed_bytes)]
    max_decompressed_bytes: u64,
    /// Refuse pages nested deeper than this (estimated from the markup before parsing).
    #[arg(long, default_value_t = Limits::default().max_depth)]
    max_depth: u64,
    /// Refuse pages with more tags than this.
    #[arg(long, default_value_t = Limits::default().max_elements)]
    max_elements: u64,
    /// Refuse pages with more text blocks than this.
    #[arg(long, default_value_t = Limits::default().max_blocks)]
    max_blocks: u64,
    /// Refuse pages with a text block longer than this many characters.
    #[arg(long, default_value_t = Limits::default().max_block_chars)]
    max_block_chars: u64,
}

impl LimitArgs {
    fn limits(&self) -> Limits {
        Limits {
            max_input_bytes: self.max_input_bytes,
            max_decompressed_bytes: self.max_decompressed_bytes,
            max_depth: self.max_depth,
            max_elements: self.max_elements,
            max_blocks: self.max_blocks,
            max_block_chars: self.max_block_chars,
        }
    }
}

#[derive(clap::Args)]
struct TrainArgs {
    /// Gold corpus: WCXB layout or <id>.html beside <id>.txt (repeatable).
    #[arg(long)]
    gold: Vec<PathBuf>,
    /// Folder of hand-labelled pages (repeatable).
    #[arg(long)]
    labelled: Vec<PathBuf>,
    /// Where to write the model.
    #[arg(long)]
    out: PathBuf,
    /// No progress bar on stderr.
    #[arg(long, short)]
    quiet: bool,
    #[command(flatten)]
    params: ParamArgs,
}

#[derive(clap::Args)]
struct ParamArgs {
    /// L2 penalty (linfa-logistic alpha, about 1/C in scikit-learn terms).
    #[arg(long, default_value_t = TrainParams::default().alpha)]
    alpha: f64,
    /// Solver iteration cap.
    #[arg(long, default_value_t = TrainParams::default().max_iterations)]
    max_iterations: u64,
    /// Class/id tokens kept as features.
    #[arg(long, default_value_t = TrainParams::default().vocab_size)]
    vocab: usize,
    /// Sites a token must appear on to be kept.
    #[arg(long, default_value_t = TrainParams::default().min_token_groups)]
    min_token_sites: usize,
    /// Seed (recorded in the model; shuffles cross-validation folds).
    #[arg(long, default_value_t = TrainParams::default().seed)]
    seed: u64,
    /// How many times each block of a hand-labelled page counts in training.
    #[arg(long, default_value_t = TrainParams::default().labelled_weight)]
    labelled_weight: usize,
    /// How many times a hand-labelled appeal or ad block counts (>= --labelled-weight).
    #[arg(long, default_value_t = TrainParams::default().appeal_weight)]
    appeal_weight: usize,
    /// L2 penalty of the kind classifier.
    #[arg(long, default_value_t = TrainParams::default().kind_alpha)]
    kind_alpha: f64,
    /// Sites a token must appear on to get a content log-odds (the tok_* features).
    #[arg(long, default_value_t = TrainParams::default().odds_min_groups)]
    min_odds_sites: usize,
    /// Blocks of fewer words weigh sqrt(words / N) in the fit, by sampling (0: all weigh 1).
    #[arg(long, default_value_t = TrainParams::default().full_weight_words)]
    full_weight_words: u32,
    /// Pages of more blocks are sampled down to about N blocks in the fit (0: no limit).
    #[arg(long, default_value_t = TrainParams::default().page_blocks)]
    page_blocks: usize,
    /// Boosted trees, grown on the --labelled pages, whose leaves the stacked pass reads (0: none).
    #[arg(long, default_value_t = TrainParams::default().trees)]
    trees: usize,
    /// Levels of splits per boosted tree (1 to 8).
    #[arg(long, default_value_t = TrainParams::default().tree_depth)]
    tree_depth: usize,
}

impl ParamArgs {
    fn params(&self) -> TrainParams {
        TrainParams {
            alpha: self.alpha,
            max_iterations: self.max_iterations,
            vocab_size: self.vocab,
            min_token_groups: self.min_token_sites,
            seed: self.seed,
            labelled_weight: self.labelled_weight,
            appeal_weight: self.appeal_weight,
            kind_alpha: self.kind_alpha,
            odds_min_groups: self.min_odds_sites,
            full_weight_words: self.full_weight_words,
            page_blocks: self.page_blocks,
            trees: self.trees,
            tree_depth: self.tree_depth,
            ..TrainParams::default()
        }
    }
}

#[derive(clap::Args)]
struct EvalArgs {
    /// Gold corpus: WCXB layout or <id>.html beside <id>.txt (repeatable).
    #[arg(long)]
    gold: Vec<PathBuf>,
    /// Folder of hand-labelled pages (repeatable).
    #[arg(long)]
    labelled: Vec<PathBuf>,
    /// Model to evaluate (default: the embedded one). Ignored with --cv.
    #[arg(long)]
    model: Option<PathBuf>,
    /// K-fold cross-validation grouped by site (URL domain, or labelled page template).
    #[arg(long)]
    cv: Option<usize>,
    /// Score the alignment labels themselves (the ceiling of segmentation).
    #[arg(long, conflicts_with_all = ["cv", "model"])]
    oracle: bool,
    /// Threshold override (default: the model's). Not with --cv, where each fold's model
    /// chooses its own on its training pages.
    #[arg(long, value_parser = parse_probability, conflicts_with = "cv")]
    threshold: Option<f64>,
    /// Relative threshold override: the share of the page's highest probability that a
    /// kept block must also reach (default: the model's; 0 turns it off). Not with --cv.
    #[arg(long, value_parser = parse_share, conflicts_with = "cv")]
    relative_threshold: Option<f64>,
    /// Print the report as JSON, every page included.
    #[arg(long)]
    json: bool,
    /// Exit with an error when the overall word F1 is below this (a quality gate for CI).
    #[arg(long, value_parser = parse_f1)]
    min_f1: Option<f64>,
    /// No progress bar on stderr.
    #[arg(long, short)]
    quiet: bool,
    #[command(flatten)]
    params: ParamArgs,
}

#[derive(clap::Args)]
struct ExplainArgs {
    /// The page (.html, .html.gz, or - for stdin).
    file: PathBuf,
    /// Model file to use instead of the embedded default.
    #[arg(long)]
    model: Option<PathBuf>,
    /// Features listed per block.
    #[arg(long, default_value_t = 4)]
    top: usize,
    #[command(flatten)]
    limits: LimitArgs,
}

fn parse_probability(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(p) if p > 0.0 && p < 1.0 => Ok(p),
        Ok(p) => Err(format!("{p} is not a probability strictly between 0 and 1")),
        Err(e) => Err(format!("{s:?} is not a number: {e}")),
    }
}

fn parse_share(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(r) if (0.0..1.0).contains(&r) => Ok(r),
        Ok(r) => Err(format!("{r} is not a share in [0, 1)")),
        Err(e) => Err(format!("{s:?} is not a number: {e}")),
    }
}

fn parse_f1(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(f) if (0.0..=1.0).contains(&f) => Ok(f),
        Ok(f) => Err(format!("{f} is not an F1 score between 0 and 1")),
        Err(e) => Err(format!("{s:?} is not a number: {e}")),
    }
}

/// A failure that ends the run with exit code 1 (a closed output pipe ends it quietly).
enum Fatal {
    Message(String),
    BrokenPipe,
}

impl From<Error> for Fatal {
    fn from(e: Error) -> Self {
        Fatal::Message(e.to_string())
    }
}

impl From<io::Error> for Fatal {
    fn from(e: io::Error) -> Self {
        if e.kind() == io::ErrorKind::BrokenPipe {
            Fatal::BrokenPipe
        } else {
            Fatal::Message(e.to_string())
        }
    }
}

fn fatal(msg: String) -> Fatal {
    Fatal::Message(msg)
}

/// Set by SIGINT/SIGTERM: batch runs stop taking new pages, flush what is done and exit.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                    ExitCode::SUCCESS
                }
                _ => ExitCode::from(1),
            };
        }
    };
    let result = match cli.command {
        Command::Clean(a) => clean(a),
        Command::Train(a) => train(a).map(|()| ExitCode::SUCCESS),
        Command::Eval(a) => evaluate(a).map(|()| ExitCode::SUCCESS),
        Command::Explain(a) => explain(a).map(|()| ExitCode::SUCCESS),
    };
    match result {
        Ok(code) => code,
        Err(Fatal::BrokenPipe) => ExitCode::SUCCESS,
        Err(Fatal::Message(msg)) => {
            eprintln!("boilerclass: {msg}");
            ExitCode::from(1)
        }
    }
}

fn load_model(path: Option<&Path>) -> Result<Model, Fatal> {
    match path {
        Some(p) => Model::load(p).map_err(|e| fatal(format!("--model {}: {e}", p.display()))),
        None => Ok(Model::embedded()?),
    }
}

/// A progress bar on stderr when it is a terminal, hidden otherwise or with `--quiet`.
fn progress_bar(quiet: bool, total: impl FnOnce() -> Option<u64>, template: &str) -> ProgressBar {
    if quiet || !io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = match total() {
        Some(n) if n > 0 => ProgressBar::new(n),
        _ => ProgressBar::new_spinner(),
    };
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style);
    }
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

/// What became of one page: its output, or its error message (and, with `--jsonl`, the
/// error record to write).
struct Outcome {
    source: String,
    output: Result<String, (String, Option<String>)>,
}

fn clean(args: CleanArgs) -> Result<ExitCode, Fatal> {
    // Where no thread can be started, the first page builds the automaton instead.
    let _ = std::thread::Builder::new().spawn(boilerclass::lexicon::prepare);
    let model = load_model(args.model.as_deref())?;
    let limits = args.limits.limits();
    let mut cleaner = Cleaner::new(model).with_limits(limits);
    if let Some(t) = args.threshold {
        cleaner = cleaner.with_threshold(t);
    }
    if let Some(r) = args.relative_threshold {
        cleaner = cleaner.with_relative_threshold(r);
    }
    let keep = match (args.drop, args.keep.is_empty()) {
        (Some(DropSet::Appeals), _) => Keep::AllButAppeals,
        (None, false) => Keep::ContentAnd(args.keep.clone()),
        (None, true) => Keep::Content,
    };
    let flag = if args.drop.is_some() {
        "--drop"
    } else {
        "--keep"
    };
    cleaner = cleaner
        .with_keep(keep)
        .map_err(|e| fatal(format!("{flag}: {e}")))?
        .with_kinds(args.annotate || args.format == Format::Json)
        // Only output that writes the document back needs its scripts, styles and drawings.
        .with_whole_document(args.annotate || args.format == Format::Html);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.jobs.unwrap_or(0))
        .build()
        .map_err(|e| fatal(format!("--jobs: {e}")))?;
    let opts = InputOptions {
        jsonl: args.input_jsonl,
        limits,
    };
    let many = input::may_hold_many(&args.inputs, &opts);
    // Without a handler the default action applies; a failure here only loses the flush.
    let _ = ctrlc::set_handler(|| INTERRUPTED.store(true, Ordering::SeqCst));
    // Progress goes by bytes of input read, since an archive's page count is unknown.
    let bar = progress_bar(
        args.quiet,
        || Some(input::files(&args.inputs, &opts).iter().map(|f| f.1).sum()),
        "{spinner} {elapsed_precise} {wide_bar} {bytes}/{total_bytes}  {msg}  ETA {eta}",
    );
    // One thread reads, the pool's workers clean pages as they come, and this thread
    // writes them back in input order. A page takes a ticket when read and gives it back
    // when written: with at most `window` pages in flight (queued, being cleaned, or
    // waiting for an earlier one to be written), memory stays flat however long the input.
    let window = 32 * pool.current_num_threads();
    let (ticket_tx, ticket_rx) = std::sync::mpsc::sync_channel::<()>(window);
    for _ in 0..window {
        let _ = ticket_tx.send(());
    }
    let (page_tx, page_rx) = std::sync::mpsc::sync_channel::<(usize, PageInput)>(window);
    let (done_tx, done_rx) = std::sync::mpsc::channel::<(usize, Outcome)>();
    let read = Arc::new(AtomicUsize::new(0));
    {
        let inputs = args.inputs.clone();
        let opts = opts.clone();
        let bar = bar.clone();
        let read = Arc::clone(&read);
        // Neither thread is joined: on interruption the reader may sit in a read of stdin;
        // both end with the process.
        std::thread::spawn(move || {
            let mut seq = 0;
            input::read_pages(&inputs, &opts, &mut |n| bar.inc(n), &mut |page| {
                if ticket_rx.recv().is_err() || page_tx.send((seq, page)).is_err() {
                    return ControlFlow::Break(());
                }
                seq += 1;
                read.store(seq, Ordering::SeqCst);
                ControlFlow::Continue(())
            })
        });
    }
    {
        let cleaner = Arc::new(cleaner);
        let render = Render {
            format: args.format,
            annotate: args.annotate,
            jsonl: args.jsonl,
        };
        std::thread::spawn(move || {
            pool.install(|| {
                page_rx.into_iter().par_bridge().for_each(|(seq, page)| {
                    let _ = done_tx.send((seq, process(&cleaner, page, render)));
                })
            })
        });
    }
    let started = Instant::now();
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let (mut pages, mut failures) = (0usize, 0usize);
    let mut waiting: BTreeMap<usize, Outcome> = BTreeMap::new();
    loop {
        let (seq, outcome) = match done_rx.try_recv() {
            Ok(done) => done,
            Err(TryRecvError::Disconnected) => break,
            Err(TryRecvError::Empty) => {
                // Nothing ready: what is written so far goes out before waiting.
                out.flush()?;
                match wait_for(&done_rx) {
                    Some(done) => done,
                    None if INTERRUPTED.load(Ordering::SeqCst) => {
                        bar.finish_and_clear();
                        eprintln!(
                            "boilerclass: interrupted; every page finished so far was written"
                        );
                        return Ok(ExitCode::from(130));
                    }
                    None => break,
                }
            }
        };
        waiting.insert(seq, outcome);
        while let Some(Outcome { source, output }) = waiting.remove(&pages) {
            pages += 1;
            let _ = ticket_tx.send(());
            match output {
                Ok(text) => {
                    if many && !args.jsonl {
                        writeln!(out, "==> {source} <==")?;
                    }
                    out.write_all(text.as_bytes())?;
                    if !text.ends_with('\n') {
                        out.write_all(b"\n")?;
                    }
                }
                Err((msg, record)) => {
                    failures += 1;
                    if let Some(record) = record {
                        writeln!(out, "{record}")?;
                    }
                    // With --jsonl the error is in the output; --quiet leaves it there only.
                    if !(args.quiet && args.jsonl) {
                        bar.suspend(|| eprintln!("boilerclass: {source}: {msg}"));
                    }
                }
            }
            if pages % 16 == 0 {
                let rate = pages as f64 / started.elapsed().as_secs_f64().max(1e-9);
                bar.set_message(format!(
                    "{pages} pages, {rate:.1} pages/s, {failures} failed"
                ));
            }
        }
    }
    out.flush()?;
    bar.finish_and_clear();
    let read = read.load(Ordering::SeqCst);
    if pages < read {
        // Only a bug can get here (a worker that panicked); never end as if all went well.
        return Err(fatal(format!(
            "internal error: {} of {read} pages were read but never written",
            read - pages
        )));
    }
    if !args.quiet && (pages != 1 || failures > 0) {
        let secs = started.elapsed().as_secs_f64();
        eprintln!(
            "boilerclass: {pages} pages, {failures} failed, {secs:.1} s, {:.1} pages/s",
            pages as f64 / secs.max(1e-9)
        );
    }
    Ok(if failures > 0 {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

/// The next cleaned page; `None` when every page is done or the run is interrupted.
fn wait_for(done: &Receiver<(usize, Outcome)>) -> Option<(usize, Outcome)> {
    loop {
        if INTERRUPTED.load(Ordering::SeqCst) {
            return None;
        }
        match done.recv_timeout(Duration::from_millis(200)) {
            Ok(page) => return Some(page),
            Err(RecvTimeoutError::Timeout) => continue,
            Err(RecvTimeoutError::Disconnected) => return None,
        }
    }
}

/// What each page is rendered as.
#[derive(Clone, Copy)]
struct Render {
    format: Format,
    annotate: bool,
    jsonl: bool,
}

fn process(cleaner: &Cleaner, page: PageInput, args: Render) -> Outcome {
    let PageInput {
        source,
        body,
        charset,
        fields,
    } = page;
    let cleaned = body
        .read()
        .and_then(|b| cleaner.clean_bytes_with_charset(b, charset.as_deref()));
    let output = match cleaned {
        Ok(c) => Ok(render(&c, args, &source, fields)),
        Err(e) => {
            let msg = e.to_string();
            let record = args.jsonl.then(|| {
                let mut rec = record_base(fields, &source);
                rec.insert("error".into(), msg.clone().into());
                Value::Object(rec).to_string()
            });
            Err((msg, record))
        }
    };
    Outcome { source, output }
}

/// A `--jsonl` record's fields before the output: those passed through from a JSON line,
/// and the source unless the line named its own.
fn record_base(fields: Option<Map<String, Value>>, source: &str) -> Map<String, Value> {
    let mut rec = fields.unwrap_or_default();
    rec.entry("source").or_insert_with(|| source.into());
    rec
}

fn render(
    c: &boilerclass::Cleaned,
    args: Render,
    source: &str,
    fields: Option<Map<String, Value>>,
) -> String {
    let (key, output) = match (args.annotate, args.format) {
        (true, _) => ("html", Value::from(c.annotated_html())),
        (false, Format::Text) => ("text", Value::from(c.text())),
        (false, Format::Html) => ("html", Value::from(c.html())),
        (false, Format::Markdown) => ("markdown", Value::from(c.markdown())),
        (false, Format::Json) => ("blocks", serde_json::json!(c.blocks())),
    };
    if args.jsonl {
        let mut rec = record_base(fields, source);
        rec.insert("encoding".into(), c.encoding.into());
        rec.insert(key.into(), output);
        return Value::Object(rec).to_string();
    }
    match output {
        Value::String(s) => s,
        blocks => serde_json::json!({
            "source": source,
            "encoding": c.encoding,
            "blocks": blocks,
        })
        .to_string(),
    }
}

/// A bar for the stages of training and evaluation, and the sink that drives it.
fn stage_bar(quiet: bool) -> ProgressBar {
    progress_bar(
        quiet,
        || None,
        "{spinner} {elapsed_precise} {msg} {wide_bar} {pos}/{len} ETA {eta}",
    )
}

fn stage_sink(bar: &ProgressBar) -> impl Fn(Step<'_>) + Sync + '_ {
    move |step| match step {
        Step::Stage { name, total } => {
            bar.reset();
            bar.set_length(total.unwrap_or(0));
            bar.set_message(name.to_string());
        }
        Step::Advance(n) => bar.inc(n),
    }
}

fn load_samples(
    gold: &[PathBuf],
    labelled: &[PathBuf],
    progress: Progress<'_>,
) -> Result<(Vec<Sample>, Vec<String>), Fatal> {
    if gold.is_empty() && labelled.is_empty() {
        return Err(fatal(
            "give at least one --gold or --labelled folder".into(),
        ));
    }
    let mut samples = Vec::new();
    let mut names = Vec::new();
    for dir in gold {
        let corpus = corpus::load_gold_with_progress(dir, progress)
            .map_err(|e| fatal(format!("--gold {}: {e}", dir.display())))?;
        for why in &corpus.skipped {
            eprintln!("boilerclass: skipped {why}");
        }
        for what in &corpus.warnings {
            eprintln!("boilerclass: warning: {what}");
        }
        let s = corpus.samples;
        names.push(format!("gold:{} ({} pages)", dir.display(), s.len()));
        samples.extend(s);
    }
    for dir in labelled {
        let s = corpus::load_labelled(dir)
            .map_err(|e| fatal(format!("--labelled {}: {e}", dir.display())))?;
        names.push(format!("labelled:{} ({} pages)", dir.display(), s.len()));
        samples.extend(s);
    }
    Ok((samples, names))
}

fn train(args: TrainArgs) -> Result<(), Fatal> {
    let started = std::time::Instant::now();
    let bar = stage_bar(args.quiet);
    let sink = stage_sink(&bar);
    let progress = Progress::to(&sink);
    let (samples, names) = load_samples(&args.gold, &args.labelled, progress)?;
    let refs: Vec<&Sample> = samples.iter().collect();
    let model = args
        .params
        .params()
        .fit_with_progress(&refs, names, progress)?;
    bar.finish_and_clear();
    model.save(&args.out)?;
    let info = &model.file().training;
    eprintln!(
        "trained on {} pages, {} blocks ({} content), {} features, threshold {:.2}, relative \
         threshold {:.2}, in {:.1}s; wrote {}",
        info.pages,
        info.blocks,
        info.content_blocks,
        model.space().len(),
        model.threshold(),
        model.cutoff().relative,
        started.elapsed().as_secs_f64(),
        args.out.display()
    );
    Ok(())
}

fn evaluate(args: EvalArgs) -> Result<(), Fatal> {
    let bar = stage_bar(args.quiet);
    let sink = stage_sink(&bar);
    let progress = Progress::to(&sink);
    let (samples, _) = load_samples(&args.gold, &args.labelled, progress)?;
    let report = if args.oracle {
        eval::oracle(&samples)
    } else if let Some(k) = args.cv {
        eval::cross_validate_with_progress(&args.params.params(), &samples, k, progress)?
    } else {
        let model = load_model(args.model.as_deref())?;
        let mut cutoff = model.cutoff();
        cutoff.threshold = args.threshold.unwrap_or(cutoff.threshold);
        cutoff.relative = args.relative_threshold.unwrap_or(cutoff.relative);
        let refs: Vec<&Sample> = samples.iter().collect();
        eval::evaluate(&model, cutoff, &refs)
    };
    bar.finish_and_clear();
    let mut out = io::stdout().lock();
    if args.json {
        writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&report).map_err(Error::from)?
        )?;
    } else {
        print_report(&mut out, &report)?;
    }
    out.flush()?;
    if let Some(min) = args.min_f1 {
        if report.overall.f1 < min {
            return Err(fatal(format!(
                "word F1 {:.4} over {} pages is below --min-f1 {min}",
                report.overall.f1, report.overall.pages
            )));
        }
        eprintln!(
            "boilerclass: word F1 {:.4} meets --min-f1 {min}",
            report.overall.f1
        );
    }
    Ok(())
}

fn print_report(out: &mut impl Write, r: &Report) -> io::Result<()> {
    writeln!(
        out,
        "{:<20} {:>6} {:>7} {:>7} {:>7} {:>7} {:>9}   {:>7} {:>7} {:>7}",
        "pages", "n", "P", "R", "F1", "with%", "without%", "blockP", "blockR", "blockF1"
    )?;
    let row = |out: &mut dyn Write, name: &str, s: &eval::Summary| {
        writeln!(
            out,
            "{:<20} {:>6} {:>7.4} {:>7.4} {:>7.4} {:>7.1} {:>9.1}   {:>7.4} {:>7.4} {:>7.4}",
            name,
            s.pages,
            s.precision,
            s.recall,
            s.f1,
            s.with_pct,
            s.without_pct,
            s.block_precision,
            s.block_recall,
            s.block_f1
        )
    };
    row(out, "all", &r.overall)?;
    for (t, s) in &r.by_type {
        row(out, t, s)?;
    }
    for (i, s) in r.folds.iter().enumerate() {
        let (t, share) = r
            .thresholds
            .get(i)
            .map_or((f64::NAN, f64::NAN), |c| (c.threshold, c.relative));
        row(out, &format!("fold {} t={t:.2} r={share:.2}", i + 1), s)?;
    }
    let (pct, n) = r.overall.appeal_without;
    if n > 0 {
        writeln!(
            out,
            "without% of the {n} snippets with appeal or ad words: {pct:.1}"
        )?;
    }
    if !r.kinds.is_empty() {
        writeln!(
            out,
            "\n{:<14} {:>6} {:>7} {:>7} {:>7}   most often instead",
            "kind", "blocks", "P", "R", "F1"
        )?;
        for (kind, k) in &r.kinds {
            // The three commonest wrong outcomes, so that a low recall says where it went.
            let mut instead: Vec<(&str, usize)> = r
                .confusion
                .get(kind)
                .into_iter()
                .flatten()
                .filter(|(named, _)| *named != kind)
                .map(|(named, &n)| (*named, n))
                .collect();
            instead.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
            let instead: Vec<String> = instead
                .iter()
                .take(3)
                .map(|(named, n)| format!("{named} {n}"))
                .collect();
            writeln!(
                out,
                "{:<14} {:>6} {:>7.4} {:>7.4} {:>7.4}   {}",
                kind,
                k.blocks,
                k.precision,
                k.recall,
                k.f1,
                instead.join(", ")
            )?;
        }
    }
    let l = &r.leakage;
    if l.appeals > 0 {
        writeln!(
            out,
            "appeal leakage: {:.1}% ({} of {} appeal blocks kept); inside the article {:.1}% ({} of {}), outside {:.1}% ({} of {})",
            l.pct, l.kept, l.appeals, l.inside.2, l.inside.0, l.inside.1, l.outside.2, l.outside.0, l.outside.1
        )?;
        let (plain, named) = (l.inside_plain, l.inside_named);
        writeln!(
            out,
            "inside the article: in plain prose {:.1}% ({} of {}), in elements with class/id names {:.1}% ({} of {})",
            plain.2, plain.0, plain.1, named.2, named.0, named.1
        )?;
    }
    if !r.folds.is_empty() {
        let f1s: Vec<f64> = r.folds.iter().map(|s| s.f1).collect();
        let mean = f1s.iter().sum::<f64>() / f1s.len() as f64;
        let sd = (f1s.iter().map(|f| (f - mean).powi(2)).sum::<f64>() / f1s.len() as f64).sqrt();
        writeln!(out, "mean of fold F1: {mean:.4} (sd {sd:.4})")?;
    }
    Ok(())
}

fn explain(args: ExplainArgs) -> Result<(), Fatal> {
    let model = load_model(args.model.as_deref())?;
    let limits = args.limits.limits();
    let bytes = input::read_page(&args.file, &limits)
        .map_err(|e| fatal(format!("{}: {e}", args.file.display())))?;
    let cleaner = Cleaner::new(model).with_limits(limits).with_kinds(true);
    let (cleaned, scores) = cleaner
        .clean_bytes_scored(bytes)
        .map_err(|e| fatal(format!("{}: {e}", args.file.display())))?;
    let mut out = io::BufWriter::new(io::stdout().lock());
    let cutoff = cleaner.cutoff();
    let best = cleaned.probabilities.iter().copied().fold(0.0, f64::max);
    writeln!(
        out,
        "cutoff {:.3}: threshold {:.2}, relative threshold {:.2} of the page's best {:.3}",
        cutoff.given_best(best),
        cutoff.threshold,
        cutoff.relative,
        best
    )?;
    for (i, rec) in cleaned.blocks().iter().enumerate() {
        let text: String = rec.text.chars().take(70).collect();
        let label = match (rec.copy_of, rec.kind) {
            (Some(j), _) if rec.probability >= cutoff.given_best(best) => {
                format!("{} (copy of {j})", rec.label)
            }
            (_, Some(kind)) => format!("{} ({kind})", rec.label),
            _ => rec.label.to_string(),
        };
        writeln!(
            out,
            "{:>4} {:<24} {:.3}  {}  {:?}",
            i, label, rec.probability, rec.locator, text
        )?;
        for c in cleaner.model().explain_row(&scores, i, args.top) {
            writeln!(
                out,
                "       {:+.3}  {} = {:.3}",
                c.weight_x_value, c.feature, c.value
            )?;
        }
    }
    out.flush()?;
    Ok(())
}
