use spantag::corpus::order::*;
use std::time::Instant;
fn main() {
    let path = std::env::args().nth(1).unwrap();
    let p = spantag::io::project_file::load(std::path::Path::new(&path)).unwrap();
    let listed: Vec<usize> = (0..p.documents().len()).collect();
    for _ in 0..3 {
        let f = DocumentFilter {
            title: "de".into(),
            ..Default::default()
        };
        let t = Instant::now();
        let r = filter_documents(&p, &listed, &f, None);
        eprintln!("title {:?} {}", t.elapsed(), r.len());
        let f = DocumentFilter {
            status: Some(spantag::model::DocStatus::NotStarted),
            ..Default::default()
        };
        let t = Instant::now();
        let r = filter_documents(&p, &listed, &f, None);
        eprintln!("status {:?} {}", t.elapsed(), r.len());
        let t = Instant::now();
        let r = document_order(&p, DocumentOrder::TagCount);
        eprintln!("tagcount {:?} {}", t.elapsed(), r.len());
        let t = Instant::now();
        let r = document_order(&p, DocumentOrder::Status);
        eprintln!("status order {:?} {}", t.elapsed(), r.len());
    }
}
