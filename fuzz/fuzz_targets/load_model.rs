//! Any model file: refused with an error, or loaded and then predicting finite probabilities.
//! Inputs are spliced into the embedded model's JSON so that most of them parse.
#![no_main]

use boilerclass::segment::segment_html;
use boilerclass::Model;
use libfuzzer_sys::fuzz_target;
use std::sync::LazyLock;

static PAGE: LazyLock<boilerclass::segment::Page> = LazyLock::new(|| {
    segment_html(
        "<html><head><title>T | Site</title></head><body><nav><a href='/'>Home</a></nav>\
         <article><h1>Title</h1><p>Some text of the article, long enough to matter.</p>\
         <p>Support us: donate $5 monthly.</p></article><footer>© Site</footer></body></html>",
    )
    .1
});

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // Half the time the input replaces a slice of the real model file, so mutations reach
    // validation rather than stopping at the JSON parser.
    let base = boilerclass::model::DEFAULT_MODEL_JSON;
    let json = match text.split_once('\u{1}') {
        Some((at, insert)) => {
            let at = at.len() % base.len();
            let at = (0..=at)
                .rev()
                .find(|&i| base.is_char_boundary(i))
                .unwrap_or(0);
            let end = (at + insert.len()).min(base.len());
            let end = (end..=base.len())
                .find(|&i| base.is_char_boundary(i))
                .unwrap_or(base.len());
            format!("{}{}{}", &base[..at], insert, &base[end..])
        }
        None => text.to_string(),
    };
    if let Ok(model) = Model::from_json(&json) {
        let probs = model.predict(&PAGE);
        assert!(probs
            .iter()
            .all(|p| p.is_finite() && (0.0..=1.0).contains(p)));
    }
});
