//! CSV export: a header and one annotation a row (RFC 4180, through the `csv` crate), safe
//! to open in a spreadsheet: a cell that starts with `=`, `+`, `-`, `@`, tab or CR is
//! prefixed with `'` so it is shown, never run as a formula.

use super::builder::STANCE_LABEL;
use super::error::FormatError;
use super::report::ExportReport;
use super::write::write_file;
use crate::model::{AnnotationKind, Project};
use std::io::Write;
use std::path::Path;

/// The header row.
const HEADER: [&str; 11] = [
    "doc",
    "start",
    "end",
    "text",
    "kind",
    "label",
    "canonical",
    "target",
    "polarity",
    "holder_text",
    "note",
];

/// A cell as written: formula-like starts are neutralised with a leading `'`.
pub fn safe_cell(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_owned()
    }
}

/// Writes the CSV file.
pub fn export(
    project: &Project,
    out: &Path,
    report: &mut ExportReport,
    progress: &mut dyn FnMut(f32),
) -> Result<(), FormatError> {
    let csv_err = |e: csv::Error| FormatError::invalid(out, None, format!("cannot write CSV: {e}"));
    let mut rows = 0;
    let mut fragmented = 0;
    let mut with_attributes = 0;
    write_file(out, |w: &mut dyn Write| {
        let mut csv = csv::Writer::from_writer(w);
        csv.write_record(HEADER).map_err(csv_err)?;
        let total = project.documents().len().max(1) as f32;
        for (i, doc) in project.documents().iter().enumerate() {
            let text = doc.text();
            for ann in project.annotations_of(doc.id()) {
                let covering = ann.anchor().covering();
                let (start, end) = covering.map_or((String::new(), String::new()), |c| {
                    (c.start().0.to_string(), c.end().0.to_string())
                });
                let (kind, label, canonical, target, polarity, holder) = match ann.kind() {
                    AnnotationKind::Entity { label, canonical } => (
                        "entity",
                        label.to_string(),
                        canonical.as_deref().unwrap_or_default().to_owned(),
                        String::new(),
                        String::new(),
                        String::new(),
                    ),
                    AnnotationKind::Stance {
                        target,
                        polarity,
                        holder,
                    } => (
                        "stance",
                        STANCE_LABEL.to_owned(),
                        String::new(),
                        target.to_string(),
                        polarity.to_string(),
                        holder
                            .and_then(|h| project.annotation(h.id()))
                            .map(|h| h.text(text))
                            .unwrap_or_default(),
                    ),
                };
                fragmented += usize::from(ann.spans().len() > 1);
                with_attributes += usize::from(!ann.attributes().is_empty());
                let row = [
                    doc.id().as_str().to_owned(),
                    start,
                    end,
                    ann.text(text),
                    kind.to_owned(),
                    label,
                    canonical,
                    target,
                    polarity,
                    holder,
                    ann.note().unwrap_or_default().to_owned(),
                ];
                csv.write_record(row.iter().map(|c| safe_cell(c)))
                    .map_err(csv_err)?;
                rows += 1;
            }
            progress((i + 1) as f32 / total);
        }
        csv.flush().map_err(super::write::io_err(out))?;
        Ok(())
    })?;
    report.documents = project.documents().len();
    report.annotations = rows;
    report.leave_out(
        fragmented,
        "discontinuous spans",
        "written as their covering start and end (fragment texts joined with a space)",
    );
    report.leave_out(
        with_attributes,
        "attribute sets",
        "left out (CSV has no attribute column)",
    );
    report.leave_out(
        project.relations().len(),
        "relations",
        "left out (CSV has one span a row)",
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::ExportFormat;
    use crate::formats::testutil::*;
    use crate::model::DocId;

    #[test]
    fn formula_cells_are_neutralised() {
        for (cell, want) in [
            ("=SUM(A1)", "'=SUM(A1)"),
            ("+31 6", "'+31 6"),
            ("-1", "'-1"),
            ("@user", "'@user"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("Zuckerberg", "Zuckerberg"),
            ("", ""),
        ] {
            assert_eq!(safe_cell(cell), want);
        }
    }

    #[test]
    fn rows_carry_code_point_offsets_and_quote_what_needs_it() {
        let mut p = project_from(&[("a", "\"[=Zuck]PER\" 😀 e\u{301}, [zegt]X \"sorry\"")]);
        let holder = p.annotations_of(&DocId("a".into()))[0].id();
        add_stance(&mut p, "a", None, "Facebook, Inc.", "AGAINST", Some(holder));
        let (out, report) = export_str(&p, ExportFormat::Csv, "out.csv");
        let mut reader = csv::Reader::from_reader(out.as_bytes());
        let header: Vec<String> = reader
            .headers()
            .expect("header")
            .iter()
            .map(str::to_owned)
            .collect();
        assert_eq!(header, HEADER);
        let rows: Vec<Vec<String>> = reader
            .records()
            .map(|r| r.expect("row").iter().map(str::to_owned).collect())
            .collect();
        assert_eq!(report.annotations, 3);
        assert_eq!(
            rows[0],
            [
                "a",
                "",
                "",
                "",
                "stance",
                "STANCE",
                "",
                "Facebook, Inc.",
                "AGAINST",
                "'=Zuck",
                ""
            ]
        );
        assert_eq!(rows[1][..6], ["a", "1", "6", "'=Zuck", "entity", "PER"]);
        // `"=Zuck" 😀 e\u{301}, ` is 14 code points.
        assert_eq!(rows[2][..6], ["a", "14", "18", "zegt", "entity", "X"]);
    }
}
