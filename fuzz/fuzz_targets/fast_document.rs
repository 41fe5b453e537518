//! One document's RON: the project loader's fast path either gives up or reads exactly
//! what `ron` reads (it never accepts what `ron` refuses).
#![no_main]

use libfuzzer_sys::fuzz_target;
use spantag::io::project_file;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    assert!(project_file::fast_path_agrees_with_ron(text), "{text}");
});
