//! Any bytes, cleaned: never a panic; a page that cleans gives finite probabilities, and
//! its text, HTML and block records render.
#![no_main]

use boilerclass::corpus::Limits;
use boilerclass::Cleaner;
use libfuzzer_sys::fuzz_target;
use std::sync::LazyLock;

static CLEANER: LazyLock<Cleaner> = LazyLock::new(|| {
    Cleaner::with_default_model()
        .expect("embedded model")
        .with_limits(Limits {
            max_input_bytes: 1 << 20,
            max_decompressed_bytes: 4 << 20,
            ..Limits::default()
        })
});

fuzz_target!(|data: &[u8]| {
    if let Ok(cleaned) = CLEANER.clean_bytes(data.to_vec()) {
        assert!(cleaned.probabilities.iter().all(|p| p.is_finite()));
        let _ = cleaned.text();
        let _ = cleaned.html();
        let _ = cleaned.blocks();
    }
});
