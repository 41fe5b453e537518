//! The project loader on arbitrary text: an error or a project that round-trips.
#![no_main]

use libfuzzer_sys::fuzz_target;
use spantag::io::project_file;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(project) = project_file::from_ron(text, Path::new("fuzz.ron")) {
        spantag_fuzz::round_trip(&project);
    }
});
