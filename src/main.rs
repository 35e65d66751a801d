//! The `boilerclass` command: thin glue over the library. Per-page failures are reported
//! and the run goes on (exit 2 at the end); anything else prints one error and exits 1.

#![deny(clippy::unwrap_used, clippy::expect_used)]

use boilerclass::corpus::{self, Limits, Sample};
use boilerclass::eval::{self, Report};
use boilerclass::train::TrainParams;
use boilerclass::{Cleaner, Error, Model};
use clap::{Parser, Subcommand, ValueEnum};
use rayon::prelude::*;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};

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
    /// Every block with its label, probability and locator.
    Json,
}

#[derive(clap::Args)]
struct CleanArgs {
    /// Files (.html, .htm, .html.gz), directories (walked recursively, sorted) or - for stdin.
    #[arg(default_value = "-")]
    inputs: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// One JSON object per page: {"source", "text", "encoding"} or {"source", "error"}.
    #[arg(long)]
    jsonl: bool,
    /// Model file to use instead of the embedded default.
    #[arg(long)]
    model: Option<PathBuf>,
    /// Probability of content at or above which a block is kept (default: the model's).
    #[arg(long, value_parser = parse_probability)]
    threshold: Option<f64>,
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
    /// How many times each hand-labelled page counts in training.
    #[arg(long, default_value_t = TrainParams::default().labelled_weight)]
    labelled_weight: usize,
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
    /// Threshold override (default: the model's, or each fold's).
    #[arg(long, value_parser = parse_probability)]
    threshold: Option<f64>,
    /// Print the report as JSON, every page included.
    #[arg(long)]
    json: bool,
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

/// Expands inputs: directories become their page files, recursively, in sorted order.
fn expand_inputs(inputs: &[PathBuf]) -> Vec<Result<PathBuf, (PathBuf, String)>> {
    let mut out = Vec::new();
    for input in inputs {
        if input.is_dir() {
            for entry in walkdir::WalkDir::new(input).sort_by_file_name() {
                match entry {
                    Ok(e) if e.file_type().is_file() && corpus::is_page_path(e.path()) => {
                        out.push(Ok(e.into_path()))
                    }
                    Ok(_) => {}
                    Err(e) => out.push(Err((
                        e.path().unwrap_or(input).to_path_buf(),
                        e.to_string(),
                    ))),
                }
            }
        } else {
            out.push(Ok(input.clone()));
        }
    }
    out
}

fn read_input(path: &Path, limits: &Limits) -> Result<Vec<u8>, Error> {
    if path == Path::new("-") {
        let mut bytes = Vec::new();
        io::stdin()
            .lock()
            .take(limits.max_input_bytes + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| Error::io("<stdin>", e))?;
        Ok(bytes)
    } else {
        corpus::read_file(path, limits)
    }
}

fn source_name(path: &Path) -> String {
    if path == Path::new("-") {
        "-".into()
    } else {
        path.display().to_string()
    }
}

fn clean(args: CleanArgs) -> Result<ExitCode, Fatal> {
    let model = load_model(args.model.as_deref())?;
    let limits = args.limits.limits();
    let mut cleaner = Cleaner::new(model).with_limits(limits);
    if let Some(t) = args.threshold {
        cleaner = cleaner.with_threshold(t);
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.jobs.unwrap_or(0))
        .build()
        .map_err(|e| fatal(format!("--jobs: {e}")))?;
    let inputs = expand_inputs(&args.inputs);
    let many = inputs.len() > 1;
    // Without a handler the default action applies; a failure here only loses the flush.
    let _ = ctrlc::set_handler(|| INTERRUPTED.store(true, Ordering::SeqCst));
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let mut failures = 0usize;
    // Chunks keep memory bounded while workers run ahead; output stays in input order.
    for chunk in inputs.chunks(64) {
        if INTERRUPTED.load(Ordering::SeqCst) {
            out.flush()?;
            eprintln!("boilerclass: interrupted; every page finished so far was written");
            return Ok(ExitCode::from(130));
        }
        let rendered: Vec<(String, Result<String, String>)> = pool.install(|| {
            chunk
                .par_iter()
                .map(|input| match input {
                    Err((path, msg)) => (source_name(path), Err(msg.clone())),
                    Ok(path) => {
                        let result = read_input(path, &limits)
                            .and_then(|bytes| cleaner.clean_bytes(bytes))
                            .map(|c| render(&c, &args, &source_name(path)))
                            .map_err(|e| e.to_string());
                        (source_name(path), result)
                    }
                })
                .collect()
        });
        for (source, result) in rendered {
            match result {
                Ok(text) => {
                    if many && !args.jsonl {
                        writeln!(out, "==> {source} <==")?;
                    }
                    out.write_all(text.as_bytes())?;
                    if !text.ends_with('\n') {
                        out.write_all(b"\n")?;
                    }
                }
                Err(msg) => {
                    failures += 1;
                    if args.jsonl {
                        let rec = serde_json::json!({ "source": source, "error": msg });
                        writeln!(out, "{rec}")?;
                    }
                    eprintln!("boilerclass: {source}: {msg}");
                }
            }
        }
        out.flush()?;
    }
    Ok(if failures > 0 {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

fn render(c: &boilerclass::Cleaned, args: &CleanArgs, source: &str) -> String {
    if args.jsonl {
        return serde_json::json!({
            "source": source,
            "text": c.text(),
            "encoding": c.encoding,
        })
        .to_string();
    }
    match args.format {
        Format::Text => c.text(),
        Format::Html => c.html(),
        Format::Json => serde_json::json!({
            "source": source,
            "encoding": c.encoding,
            "blocks": c.blocks(),
        })
        .to_string(),
    }
}

fn load_samples(
    gold: &[PathBuf],
    labelled: &[PathBuf],
) -> Result<(Vec<Sample>, Vec<String>), Fatal> {
    if gold.is_empty() && labelled.is_empty() {
        return Err(fatal(
            "give at least one --gold or --labelled folder".into(),
        ));
    }
    let mut samples = Vec::new();
    let mut names = Vec::new();
    for dir in gold {
        let corpus =
            corpus::load_gold(dir).map_err(|e| fatal(format!("--gold {}: {e}", dir.display())))?;
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
    let (samples, names) = load_samples(&args.gold, &args.labelled)?;
    let refs: Vec<&Sample> = samples.iter().collect();
    let model = args.params.params().fit(&refs, names)?;
    model.save(&args.out)?;
    let info = &model.file().training;
    eprintln!(
        "trained on {} pages, {} blocks ({} content), {} features, threshold {:.2}, in {:.1}s; wrote {}",
        info.pages,
        info.blocks,
        info.content_blocks,
        model.space().len(),
        model.threshold(),
        started.elapsed().as_secs_f64(),
        args.out.display()
    );
    Ok(())
}

fn evaluate(args: EvalArgs) -> Result<(), Fatal> {
    let (samples, _) = load_samples(&args.gold, &args.labelled)?;
    let report = if args.oracle {
        eval::oracle(&samples)
    } else if let Some(k) = args.cv {
        eval::cross_validate(&args.params.params(), &samples, k)?
    } else {
        let model = load_model(args.model.as_deref())?;
        let t = args.threshold.unwrap_or(model.threshold());
        let refs: Vec<&Sample> = samples.iter().collect();
        eval::evaluate(&model, t, &refs)
    };
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
    Ok(())
}

fn print_report(out: &mut impl Write, r: &Report) -> io::Result<()> {
    writeln!(
        out,
        "{:<14} {:>6} {:>7} {:>7} {:>7} {:>7} {:>9}   {:>7} {:>7} {:>7}",
        "pages", "n", "P", "R", "F1", "with%", "without%", "blockP", "blockR", "blockF1"
    )?;
    let row = |out: &mut dyn Write, name: &str, s: &eval::Summary| {
        writeln!(
            out,
            "{:<14} {:>6} {:>7.4} {:>7.4} {:>7.4} {:>7.1} {:>9.1}   {:>7.4} {:>7.4} {:>7.4}",
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
        let t = r.thresholds.get(i).copied().unwrap_or(f64::NAN);
        row(out, &format!("fold {} t={t:.2}", i + 1), s)?;
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
    let bytes = read_input(&args.file, &limits)
        .map_err(|e| fatal(format!("{}: {e}", args.file.display())))?;
    let cleaner = Cleaner::new(model).with_limits(limits);
    let (cleaned, scores) = cleaner
        .clean_bytes_scored(bytes)
        .map_err(|e| fatal(format!("{}: {e}", args.file.display())))?;
    let mut out = io::BufWriter::new(io::stdout().lock());
    for (i, rec) in cleaned.blocks().iter().enumerate() {
        let text: String = rec.text.chars().take(70).collect();
        writeln!(
            out,
            "{:>4} {:<11} {:.3}  {}  {:?}",
            i, rec.label, rec.probability, rec.locator, text
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
