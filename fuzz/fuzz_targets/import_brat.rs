//! The brat importer on an arbitrary `.txt` + `.ann` pair (split at the first NUL byte; a
//! fixed text when there is none): an error, or an edit that applies and a project that
//! round-trips.
#![no_main]

use libfuzzer_sys::fuzz_target;
use spantag::formats::ImportFormat;

const TEXT: &[u8] = "\u{feff}Mark Zuckerberg 😀 zegt e\u{301}n keer\r\nsorry.\r\n".as_bytes();

fuzz_target!(|data: &[u8]| {
    let (txt, ann) = spantag_fuzz::split_at_nul(data, TEXT);
    let path = spantag_fuzz::write_files(&[("doc.txt", txt), ("doc.ann", ann)], true);
    spantag_fuzz::import_and_check(&path, ImportFormat::Brat);
});
