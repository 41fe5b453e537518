//! The Prodigy importer on an arbitrary file: an error, or an edit that applies and a project
//! that round-trips.
#![no_main]

use libfuzzer_sys::fuzz_target;
use spantag::formats::ImportFormat;

fuzz_target!(|data: &[u8]| {
    let path = spantag_fuzz::write_files(&[("input.jsonl", data)], false);
    spantag_fuzz::import_and_check(&path, ImportFormat::Prodigy);
});
