//! Per-stage cost on small, medium and large pages: prescan, parse, segment, features,
//! predict and render. Pages come from `training-data/` (small), the golden cases (medium: a real-sized
//! article page) and a generated listing page with thousands of blocks (large).

use boilerclass::{segment, Cleaner, Model};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use std::hint::black_box;
use std::path::Path;

fn pages() -> Vec<(&'static str, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let small =
        std::fs::read_to_string(root.join("training-data/en-tidewaterdocs--installation.html"))
            .expect("training page");
    let medium =
        std::fs::read_to_string(root.join("training-data/en-kestrelreport--donation-wrap.html"))
            .expect("training page");
    let mut large = String::from("<!DOCTYPE html><html><head><title>Listing</title></head><body>");
    large.push_str("<nav><ul>");
    for i in 0..200 {
        large.push_str(&format!("<li><a href='/c/{i}'>Category {i}</a></li>"));
    }
    large.push_str("</ul></nav><main>");
    for i in 0..3000 {
        large.push_str(&format!(
            "<div class='card'><h3><a href='/p/{i}'>Item number {i}</a></h3>\
             <p>A short description of item {i}, with a few words about why it matters.</p>\
             <span class='price'>${i}.99</span><button>Add to cart</button></div>"
        ));
    }
    large.push_str("</main><footer>Copyright</footer></body></html>");
    vec![("small", small), ("medium", medium), ("large", large)]
}

fn stages(c: &mut Criterion) {
    let model = Model::embedded().expect("embedded model");
    let cleaner = Cleaner::new(model.clone());
    let mut group = c.benchmark_group("stages");
    for (name, html) in pages() {
        group.throughput(Throughput::Bytes(html.len() as u64));
        group.bench_with_input(BenchmarkId::new("prescan", name), &html, |b, h| {
            b.iter(|| boilerclass::prescan::without_textless_parts(black_box(h)).len())
        });
        group.bench_with_input(BenchmarkId::new("parse", name), &html, |b, h| {
            b.iter(|| scraper::Html::parse_document(black_box(h)))
        });
        let doc = scraper::Html::parse_document(&html);
        group.bench_with_input(BenchmarkId::new("segment", name), &doc, |b, d| {
            b.iter(|| segment::segment(black_box(d)))
        });
        let page = segment::segment(&doc);
        group.bench_with_input(BenchmarkId::new("features", name), &page, |b, p| {
            b.iter(|| model.features(black_box(p)))
        });
        group.bench_with_input(
            BenchmarkId::new("features_and_predict", name),
            &page,
            |b, p| b.iter(|| model.predict(black_box(p))),
        );
        let cleaned = cleaner.clean_str(&html).expect("bench page within limits");
        group.bench_with_input(BenchmarkId::new("render_text", name), &cleaned, |b, c| {
            b.iter(|| c.text())
        });
        group.bench_with_input(BenchmarkId::new("render_html", name), &cleaned, |b, c| {
            b.iter(|| c.html())
        });
        group.bench_with_input(BenchmarkId::new("clean_total", name), &html, |b, h| {
            b.iter(|| cleaner.clean_str(black_box(h)).map(|c| c.text()))
        });
    }
    group.finish();
}

criterion_group!(benches, stages);
criterion_main!(benches);
