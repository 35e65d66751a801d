//! Whole-corpus throughput: `cargo bench --bench throughput [-- DIR [PAGES]]`.
//!
//! Measures, in one run on the same pages:
//! - a parse-only baseline (`scraper::Html::parse_document` plus a walk over every text
//!   node), the floor any HTML cleaner stands on;
//! - `Cleaner::clean_bytes` plus text rendering, on one core and on all cores;
//! - the `boilerclass clean --jsonl` process on a tenth of the batch, on the batch (one
//!   core and all), on the tenth a hundred times over and on the batch ten times over, for
//!   wall time and peak memory (max RSS from `wait4`): memory must stay flat however long
//!   the input;
//! - a single-page `boilerclass clean` of the page nearest 100 KB, whole process.
//!
//! DIR defaults to `../shared/data/wcxb-dev/html`, then to `training-data/`; PAGES to 1000.
//! Pages are read and gunzipped before timing, so disk and gzip are not measured in-process.

use boilerclass::corpus::{self, Limits};
use boilerclass::Cleaner;
use rayon::prelude::*;
use scraper::{Html, Node};
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Timed passes per measurement; the fastest is reported, as the least disturbed.
const PASSES: usize = 5;

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = match args.first() {
        Some(d) => PathBuf::from(d),
        None => {
            let wcxb = root.join("../shared/data/wcxb-dev/html");
            if wcxb.is_dir() {
                wcxb
            } else {
                println!("{} is absent: using training-data/", wcxb.display());
                root.join("training-data")
            }
        }
    };
    let limit: usize = args.get(1).and_then(|n| n.parse().ok()).unwrap_or(1000);
    let mut paths: Vec<PathBuf> = walkdir::WalkDir::new(&dir)
        .sort_by_file_name()
        .into_iter()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_file() && corpus::is_page_path(e.path()))
        .map(|e| e.into_path())
        .collect();
    paths.truncate(limit);
    assert!(!paths.is_empty(), "no pages under {}", dir.display());
    // Processes first, while this one is small: a child's peak RSS starts at its parent's.
    let exe = env!("CARGO_BIN_EXE_boilerclass");
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "{} pages from {}; {cores} cores",
        paths.len(),
        dir.display()
    );
    println!(
        "\n{:<40} {:>9} {:>8} {:>12}",
        "process", "pages/s", "wall s", "peak RSS MB"
    );
    let tenth = &paths[..paths.len().div_ceil(10)];
    // Memory must stay flat however long the stream: the tenth a hundred times over (the
    // same pages, so only their number differs) and the batch ten times over.
    let hundredfold: Vec<PathBuf> = tenth
        .iter()
        .cycle()
        .take(100 * tenth.len())
        .cloned()
        .collect();
    let tenfold: Vec<PathBuf> = paths
        .iter()
        .cycle()
        .take(10 * paths.len())
        .cloned()
        .collect();
    let mut peaks = Vec::new();
    for (name, batch, jobs) in [
        (
            format!("clean --jsonl, {} pages", tenth.len()),
            tenth,
            cores,
        ),
        (
            format!("clean --jsonl, {} pages", paths.len()),
            &paths[..],
            1,
        ),
        (
            format!("clean --jsonl, {} pages", paths.len()),
            &paths[..],
            cores,
        ),
        (
            format!("clean --jsonl, {} pages x100", tenth.len()),
            &hundredfold[..],
            cores,
        ),
        (
            format!("clean --jsonl, {} pages x10", paths.len()),
            &tenfold[..],
            cores,
        ),
    ] {
        let (wall, rss) = process(exe, batch, jobs);
        peaks.push(rss);
        println!(
            "{:<40} {:>9.1} {:>8.2} {:>12.1}",
            format!("{name}, --jobs {jobs}"),
            batch.len() as f64 / wall.as_secs_f64(),
            wall.as_secs_f64(),
            rss as f64 / 1024.0
        );
    }

    println!(
        "peak RSS, the {} pages x100 / once: {:.2}; the {} pages x10 / once: {:.2}",
        tenth.len(),
        peaks[3] as f64 / peaks[0] as f64,
        paths.len(),
        peaks[4] as f64 / peaks[2] as f64
    );

    let limits = Limits::default();
    let pages: Vec<Vec<u8>> = paths
        .iter()
        .map(|p| corpus::read_file(p, &limits).and_then(|b| corpus::unpack(b, &limits)))
        .collect::<Result<_, _>>()
        .expect("readable pages");
    let bytes: usize = pages.iter().map(Vec::len).sum();
    println!(
        "\n{} pages, {:.1} MB of HTML, read and gunzipped into memory",
        pages.len(),
        bytes as f64 / 1e6
    );

    let cleaner = Cleaner::with_default_model().expect("embedded model");
    let one = pool(1);
    let all = pool(cores);
    let (parse_1, clean_1) = best_of_pairs(
        || one.install(|| run(&pages, parse_only)),
        || one.install(|| run_owned(pages.clone(), |p| clean(&cleaner, p))),
    );
    let (parse_n, clean_n) = best_of_pairs(
        || all.install(|| run(&pages, parse_only)),
        || all.install(|| run_owned(pages.clone(), |p| clean(&cleaner, p))),
    );
    let rate = |d: Duration| pages.len() as f64 / d.as_secs_f64();
    let mbps = |d: Duration| bytes as f64 / 1e6 / d.as_secs_f64();
    println!("\n{:<28} {:>9} {:>8}", "in-process", "pages/s", "MB/s");
    for (name, d) in [
        ("parse-only, 1 core", parse_1),
        ("clean, 1 core", clean_1),
        (&*format!("parse-only, {cores} cores"), parse_n),
        (&*format!("clean, {cores} cores"), clean_n),
    ] {
        println!("{name:<28} {:>9.1} {:>8.2}", rate(d), mbps(d));
    }
    println!(
        "clean / parse-only throughput, 1 core: {:.2}",
        parse_1.as_secs_f64() / clean_1.as_secs_f64()
    );
    println!(
        "clean, {cores} cores / 1 core: {:.2}x",
        clean_1.as_secs_f64() / clean_n.as_secs_f64()
    );

    // The page nearest 100 KB, run as a whole process a number of times: startup counts.
    let near = paths
        .iter()
        .zip(&pages)
        .min_by_key(|(_, p)| p.len().abs_diff(100_000))
        .map(|(path, p)| (path, p.len()))
        .expect("at least one page");
    let mut walls: Vec<Duration> = (0..21)
        .map(|_| process(exe, std::slice::from_ref(near.0), 1).0)
        .collect();
    walls.sort();
    println!(
        "\nsingle-page clean, whole process, {} ({:.0} KB): median {:.1} ms, min {:.1} ms",
        near.0.display(),
        near.1 as f64 / 1e3,
        walls[walls.len() / 2].as_secs_f64() * 1e3,
        walls[0].as_secs_f64() * 1e3
    );
}

fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("thread pool")
}

/// The fastest of several passes of each, the two alternating so that a machine that
/// slows down or speeds up during the run weighs on both alike.
fn best_of_pairs(
    mut a: impl FnMut() -> Duration,
    mut b: impl FnMut() -> Duration,
) -> (Duration, Duration) {
    let (mut best_a, mut best_b) = (Duration::MAX, Duration::MAX);
    for _ in 0..PASSES {
        best_a = best_a.min(a());
        best_b = best_b.min(b());
    }
    (best_a, best_b)
}

fn run(pages: &[Vec<u8>], f: impl Fn(&[u8]) -> usize + Sync) -> Duration {
    let started = Instant::now();
    let total: usize = pages.par_iter().map(|p| f(p)).sum();
    black_box(total);
    started.elapsed()
}

/// Like [`run`], handing each page over by value, as a reader does (the copy made for the
/// pass is not timed).
fn run_owned(pages: Vec<Vec<u8>>, f: impl Fn(Vec<u8>) -> usize + Sync) -> Duration {
    let started = Instant::now();
    let total: usize = pages.into_par_iter().map(&f).sum();
    black_box(total);
    started.elapsed()
}

/// The floor: decode as UTF-8, parse, and visit every text node.
fn parse_only(page: &[u8]) -> usize {
    let html = String::from_utf8_lossy(page);
    let doc = Html::parse_document(&html);
    doc.tree
        .root()
        .descendants()
        .map(|n| match n.value() {
            Node::Text(t) => t.len(),
            _ => 0,
        })
        .sum()
}

/// Everything `clean` does to a page in memory: decode, parse, segment, classify, render.
fn clean(cleaner: &Cleaner, page: Vec<u8>) -> usize {
    match cleaner.clean_bytes(page) {
        Ok(c) => c.text().len(),
        Err(_) => 0,
    }
}

/// Runs `boilerclass clean --jsonl` on the pages; wall time and peak RSS in KiB.
fn process(exe: &str, pages: &[PathBuf], jobs: usize) -> (Duration, i64) {
    let started = Instant::now();
    // Reaped by `wait4` below, which also reports the child's peak memory.
    #[allow(clippy::zombie_processes)]
    let child = Command::new(exe)
        .args(["clean", "--jsonl", "--jobs", &jobs.to_string()])
        .args(pages)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("boilerclass runs");
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value for wait4 to overwrite.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: waits for our own child, once; the pointers outlive the call.
    let pid = unsafe { libc::wait4(child.id() as i32, &mut status, 0, &mut usage) };
    let wall = started.elapsed();
    assert!(pid > 0, "wait4 failed");
    (wall, usage.ru_maxrss)
}
