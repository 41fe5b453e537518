//! brat standoff: a folder with `<doc>.txt` + `<doc>.ann` per document and an
//! `annotation.conf` so brat can open it.
//!
//! `.ann` lines: `T` (text-bound, `T1\tLABEL 0 5;16 23\ttext` for discontinuous spans), `A`
//! (attributes; `M` is their legacy form), `R` (relations), `*` (equivalences), `E` (events)
//! and `#` (`AnnotatorNotes`). spantag's own extras are encoded so they come back on import:
//! a stance is a `T` line labelled `Stance` with `A` lines `Polarity` and `Target` (plus
//! `Scope … Document` for a document stance, which covers the whole text) and an `R` line
//! `Holder Arg1:<entity> Arg2:<stance>`; a canonical name is an `A` line `Canonical`. Names
//! and values cannot hold spaces in brat, so spaces, `%`, `|` and `,` are percent-encoded
//! (`Mark%20Zuckerberg`) and decoded on import.
//!
//! Import keeps discontinuous spans as several spans, turns `A` and `M` into attributes,
//! `R` into relations, `#` into notes, `*` into undirected relations between neighbouring
//! members (`* Equiv A B C`: A–B, B–C), and an event (`E1 Type:T1 Role:T2 Role2:E3`) into
//! its trigger annotation with one relation per role to each argument (an argument that is
//! an event is that event's trigger), the role types marked as event roles in the schema;
//! attributes and notes of an event go to its trigger. `annotation.conf`'s `[relations]`
//! section gives the relation types (argument labels, symmetric or not). Export writes
//! them back as they came: undirected relations as `*` lines (one per linked group), the
//! roles of a trigger as its `E` line (attributes and notes of a trigger on the event);
//! notes on relations and `N` lines (normalisations) are counted as skipped. Offsets are
//! trusted over the text field (mismatches are reported) and mapped through CRLF and BOMs.

use super::builder::Builder;
use super::error::{FormatError, Location};
use super::normalize::Normalized;
use super::report::ExportReport;
use super::text::{files_with_extension, read_text_file, stem_id};
use super::write::{io_err, write_folder};
use crate::model::document::split_date_marker;
use crate::model::schema::relation_color;
use crate::model::{
    Anchor, Annotation, AnnotationId, AnnotationKind, DocId, Document, Project, RelationType, Span,
};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

/// Label of the `T` line that carries a stance.
const STANCE: &str = "Stance";
/// Attribute names and relation type of spantag's stance encoding.
const POLARITY: &str = "Polarity";
const TARGET: &str = "Target";
const SCOPE: &str = "Scope";
const SCOPE_DOCUMENT: &str = "Document";
const HOLDER: &str = "Holder";
const CANONICAL: &str = "Canonical";
/// How `annotation.conf` marks an undirected relation type (brat's equivalences).
const SYMMETRIC: &str = ", <REL-TYPE>:symmetric-transitive";
/// Value of an attribute that is present without a value (brat's binary attributes).
const BINARY: &str = "true";

/// Percent-encodes what a brat name or value cannot hold.
fn enc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '%' => out.push_str("%25"),
            ' ' => out.push_str("%20"),
            '\t' => out.push_str("%09"),
            '\n' => out.push_str("%0A"),
            '\r' => out.push_str("%0D"),
            '|' => out.push_str("%7C"),
            ',' => out.push_str("%2C"),
            _ => out.push(c),
        }
    }
    out
}

/// Undoes [`enc`]; other `%` sequences are left as they are.
fn dec(s: &str) -> String {
    if !s.contains('%') {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('%') {
        out.push_str(rest.get(..i).unwrap_or_default());
        let code = rest.get(i + 1..i + 3);
        let decoded = match code {
            Some("25") => Some('%'),
            Some("20") => Some(' '),
            Some("09") => Some('\t'),
            Some("0A") => Some('\n'),
            Some("0D") => Some('\r'),
            Some("7C") => Some('|'),
            Some("2C") => Some(','),
            _ => None,
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = rest.get(i + 3..).unwrap_or_default();
            }
            None => {
                out.push('%');
                rest = rest.get(i + 1..).unwrap_or_default();
            }
        }
    }
    out.push_str(rest);
    out
}

/// A document id as a file stem that cannot leave the output folder: path separators, NUL,
/// control and Windows-reserved characters become `_`; leading dots, trailing dots and
/// spaces, and reserved device names (`CON`, `NUL`, `COM1` …) are defused.
pub fn safe_stem(id: &str) -> String {
    let mut s: String = id
        .chars()
        .map(|c| match c {
            '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => '_',
            c if c.is_control() => '_',
            c => c,
        })
        .collect();
    if s.starts_with('.') {
        s = format!("_{}", s.trim_start_matches('.'));
    }
    while s.ends_with(['.', ' ']) {
        s.pop();
        s.push('_');
    }
    let base = s.split('.').next().unwrap_or_default().to_ascii_uppercase();
    let reserved = matches!(base.as_str(), "CON" | "PRN" | "AUX" | "NUL")
        || (base.len() == 4
            && (base.starts_with("COM") || base.starts_with("LPT"))
            && base.ends_with(|c: char| c.is_ascii_digit()));
    if reserved {
        s = format!("_{s}");
    }
    if s.is_empty() {
        s.push('_');
    }
    if s.len() > 200 {
        let mut cut = 200;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        s.truncate(cut);
    }
    s
}

/// Counts for the export report.
#[derive(Default)]
struct Counts {
    annotations: usize,
    relations: usize,
    empty_doc_stances: usize,
    flattened_notes: usize,
    meta_docs: usize,
    renamed: usize,
}

/// Writes the folder.
pub fn export(
    project: &Project,
    out: &Path,
    report: &mut ExportReport,
    progress: &mut dyn FnMut(f32),
) -> Result<(), FormatError> {
    let mut c = Counts::default();
    write_folder(out, |dir| {
        let mut used: HashSet<String> = HashSet::new();
        let mut conf = ConfCollector::new(project);
        let total = project.documents().len().max(1) as f32;
        for (i, doc) in project.documents().iter().enumerate() {
            let base = safe_stem(doc.id().as_str());
            let mut stem = base.clone();
            let mut n = 1;
            while !used.insert(stem.to_lowercase()) {
                n += 1;
                stem = format!("{base}-{n}");
            }
            c.renamed += usize::from(stem != doc.id().as_str());
            c.meta_docs += usize::from(!doc.meta().is_empty());
            let ann = ann_file(project, doc, &mut c, &mut conf);
            let txt_path = dir.join(format!("{stem}.txt"));
            fs::write(&txt_path, doc.text().as_str()).map_err(io_err(&txt_path))?;
            let ann_path = dir.join(format!("{stem}.ann"));
            fs::write(&ann_path, ann).map_err(io_err(&ann_path))?;
            progress((i + 1) as f32 / total);
        }
        let conf_path = dir.join("annotation.conf");
        fs::write(&conf_path, conf.render()).map_err(io_err(&conf_path))?;
        Ok(())
    })?;
    report.documents = project.documents().len();
    report.annotations = c.annotations;
    report.relations = c.relations;
    report.leave_out(
        c.empty_doc_stances,
        "document stances of empty documents",
        "left out (brat needs text to anchor them)",
    );
    report.leave_out(
        c.flattened_notes,
        "notes with line breaks",
        "written on one line",
    );
    report.leave_out(
        c.meta_docs,
        "documents' metadata (title, date …)",
        "left out (brat has no document metadata)",
    );
    report.leave_out(
        c.renamed,
        "document ids that are not safe file names",
        "written under a sanitised file name",
    );
    Ok(())
}

/// Gathers the labels, relation types and attribute values that `annotation.conf` lists.
struct ConfCollector {
    entities: BTreeSet<String>,
    /// The schema's relation types, in order.
    relation_types: Vec<RelationType>,
    /// Relation types used but not in the schema.
    relations: BTreeSet<String>,
    attributes: BTreeMap<String, BTreeSet<String>>,
    polarities: Vec<String>,
    targets: BTreeSet<String>,
    /// Event types (trigger labels) and the roles their events use.
    events: BTreeMap<String, BTreeSet<String>>,
}

impl ConfCollector {
    fn new(project: &Project) -> Self {
        let schema = project.schema();
        Self {
            entities: schema.entity_types.iter().map(|t| enc(&t.name)).collect(),
            relation_types: schema.relation_types.clone(),
            relations: BTreeSet::new(),
            attributes: BTreeMap::new(),
            polarities: schema.polarities.iter().map(|p| enc(&p.name)).collect(),
            targets: schema.targets.iter().map(|t| enc(t)).collect(),
            events: BTreeMap::new(),
        }
    }

    fn render(&self) -> String {
        let mut s = String::from(
            "# Written by spantag. Stances are T lines labelled Stance with Polarity and Target\n\
             # attributes; a stance's holder is a Holder relation from the entity to the stance.\n\n[entities]\n",
        );
        for e in self
            .entities
            .iter()
            .filter(|e| !self.events.contains_key(*e))
        {
            let _ = writeln!(s, "{e}");
        }
        let _ = writeln!(
            s,
            "{STANCE}\n\n[relations]\n{HOLDER}\tArg1:<ENTITY>, Arg2:{STANCE}"
        );
        for t in self.relation_types.iter().filter(|t| !t.event_role) {
            let args = |labels: &[String]| {
                if labels.is_empty() {
                    "<ENTITY>".to_owned()
                } else {
                    labels.iter().map(|l| enc(l)).collect::<Vec<_>>().join("|")
                }
            };
            let _ = write!(
                s,
                "{}\tArg1:{}, Arg2:{}",
                enc(&t.name),
                args(&t.from_labels),
                args(&t.to_labels)
            );
            let _ = writeln!(s, "{}", if t.directed { "" } else { SYMMETRIC });
        }
        for r in &self.relations {
            if !self.relation_types.iter().any(|t| enc(&t.name) == *r) {
                let _ = writeln!(s, "{r}\tArg1:<ENTITY>, Arg2:<ENTITY>");
            }
        }
        let _ = writeln!(
            s,
            "<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>\n\n[events]"
        );
        for (event, roles) in &self.events {
            let roles: Vec<String> = roles.iter().map(|r| format!("{r}*:<ANY>")).collect();
            let _ = writeln!(s, "{event}\t{}", roles.join(", "));
        }
        let _ = writeln!(s, "\n[attributes]");
        let mut polarities = self.polarities.clone();
        if polarities.is_empty() {
            polarities.push("NONE".to_owned());
        }
        let _ = writeln!(
            s,
            "{POLARITY}\tArg:{STANCE}, Value:{}",
            polarities.join("|")
        );
        if !self.targets.is_empty() {
            let targets: Vec<&str> = self.targets.iter().map(String::as_str).collect();
            let _ = writeln!(s, "{TARGET}\tArg:{STANCE}, Value:{}", targets.join("|"));
        }
        let _ = writeln!(s, "{SCOPE}\tArg:{STANCE}, Value:{SCOPE_DOCUMENT}");
        for (name, values) in &self.attributes {
            let values: Vec<&str> = values
                .iter()
                .map(String::as_str)
                .filter(|v| *v != BINARY)
                .collect();
            if values.is_empty() {
                let _ = writeln!(s, "{name}\tArg:<ENTITY>");
            } else {
                let _ = writeln!(s, "{name}\tArg:<ENTITY>, Value:{}", values.join("|"));
            }
        }
        s
    }
}

fn offsets(spans: &[Span]) -> String {
    let parts: Vec<String> = spans
        .iter()
        .map(|s| format!("{} {}", s.start(), s.end()))
        .collect();
    parts.join(";")
}

/// The text field of a `T` line: fragments joined with a space, on one line.
fn text_field(ann: &Annotation, doc: &Document) -> String {
    ann.text(doc.text()).replace(['\n', '\t'], " ")
}

fn ann_file(project: &Project, doc: &Document, c: &mut Counts, conf: &mut ConfCollector) -> String {
    let mut s = String::new();
    let mut t_ids: HashMap<AnnotationId, String> = HashMap::new();
    let (mut t, mut a, mut r, mut note_n) = (0, 0, 0, 0);
    let anns = project.annotations_of(doc.id());
    let schema = project.schema();
    let kind_of = |label: &str| schema.relation_type(label);
    let relations = project.relations_in(doc.id());
    // Annotations that are the trigger of an event (the source of role relations) are
    // numbered E1, E2 … in reading order; their attributes and notes belong to the event.
    let mut event_ids: HashMap<AnnotationId, String> = HashMap::new();
    for ann in &anns {
        let triggers = relations
            .iter()
            .any(|r| r.from == ann.id() && kind_of(&r.label).is_some_and(|t| t.event_role));
        if triggers {
            let n = event_ids.len() + 1;
            event_ids.insert(ann.id(), format!("E{n}"));
        }
    }
    let mut push_attr = |s: &mut String, target: &str, name: &str, value: &str| {
        a += 1;
        if value == BINARY {
            let _ = writeln!(s, "A{a}\t{} {target}", enc(name));
        } else {
            let _ = writeln!(s, "A{a}\t{} {target} {}", enc(name), enc(value));
        }
    };
    // Entities first, so holders have their T ids before the stances refer to them.
    let (entities, stances): (Vec<&Annotation>, Vec<&Annotation>) =
        anns.into_iter().partition(|a| a.kind().is_entity());
    for ann in entities.iter().chain(stances.iter()) {
        let event = event_ids.get(&ann.id());
        let tid = match ann.kind() {
            AnnotationKind::Entity { label, canonical } => {
                t += 1;
                let tid = format!("T{t}");
                conf.entities.insert(enc(label));
                let _ = writeln!(
                    s,
                    "{tid}\t{} {}\t{}",
                    enc(label),
                    offsets(ann.spans()),
                    text_field(ann, doc)
                );
                if let Some(canonical) = canonical {
                    conf.attributes
                        .entry(CANONICAL.to_owned())
                        .or_default()
                        .insert(enc(canonical));
                    push_attr(&mut s, event.unwrap_or(&tid), CANONICAL, canonical);
                }
                tid
            }
            AnnotationKind::Stance {
                target,
                polarity,
                holder,
            } => {
                let whole;
                let spans = match ann.anchor() {
                    Anchor::Spans(spans) => spans.as_slice(),
                    Anchor::Document => match Span::new(0, doc.text().char_len(), doc.text()) {
                        Ok(span) => {
                            whole = [span];
                            &whole[..]
                        }
                        Err(_) => {
                            c.empty_doc_stances += 1;
                            continue;
                        }
                    },
                };
                t += 1;
                let tid = format!("T{t}");
                let text = doc.text();
                let parts: Vec<&str> = spans.iter().map(|sp| sp.text(text)).collect();
                let _ = writeln!(
                    s,
                    "{tid}\t{STANCE} {}\t{}",
                    offsets(spans),
                    parts.join(" ").replace(['\n', '\t'], " ")
                );
                push_attr(&mut s, &tid, POLARITY, polarity);
                push_attr(&mut s, &tid, TARGET, target);
                conf.targets.insert(enc(target));
                if !conf.polarities.contains(&enc(polarity)) {
                    conf.polarities.push(enc(polarity));
                }
                if matches!(ann.anchor(), Anchor::Document) {
                    push_attr(&mut s, &tid, SCOPE, SCOPE_DOCUMENT);
                }
                if let Some(h) = holder.and_then(|h| t_ids.get(&h.id())) {
                    r += 1;
                    c.relations += 1;
                    let _ = writeln!(s, "R{r}\t{HOLDER} Arg1:{h} Arg2:{tid}");
                }
                tid
            }
        };
        c.annotations += 1;
        for (name, value) in ann.attributes() {
            conf.attributes
                .entry(enc(name))
                .or_default()
                .insert(enc(value));
            push_attr(&mut s, event.unwrap_or(&tid), name, value);
        }
        if let Some(note) = ann.note() {
            note_n += 1;
            c.flattened_notes += usize::from(note.contains(['\n', '\r']));
            let _ = writeln!(
                s,
                "#{note_n}\tAnnotatorNotes {}\t{}",
                event.unwrap_or(&tid),
                note.replace(['\n', '\r'], " ")
            );
        }
        t_ids.insert(ann.id(), tid);
    }
    // An argument that is itself an event is named by its event id.
    let arg_id = |id: &AnnotationId| event_ids.get(id).or_else(|| t_ids.get(id));
    let mut equivalences: BTreeMap<&str, Vec<(AnnotationId, AnnotationId)>> = BTreeMap::new();
    for rel in &relations {
        let (Some(from), Some(to)) = (arg_id(&rel.from), arg_id(&rel.to)) else {
            continue;
        };
        match kind_of(&rel.label) {
            Some(t) if t.event_role => continue,
            Some(t) if !t.directed => {
                equivalences
                    .entry(&rel.label)
                    .or_default()
                    .push((rel.from, rel.to));
                continue;
            }
            _ => {}
        }
        r += 1;
        c.relations += 1;
        conf.relations.insert(enc(&rel.label));
        let _ = writeln!(s, "R{r}\t{} Arg1:{from} Arg2:{to}", enc(&rel.label));
    }
    // Undirected relations as brat equivalences: one `*` line per group of linked tags.
    for (label, pairs) in equivalences {
        for group in linked_groups(&pairs) {
            let members: Vec<&str> = group
                .iter()
                .filter_map(|id| arg_id(id).map(String::as_str))
                .collect();
            c.relations += group.len().saturating_sub(1);
            let _ = writeln!(s, "*\t{} {}", enc(label), members.join(" "));
        }
    }
    // Events: the trigger's label and T id, then each role and its argument.
    let mut triggers: Vec<(&String, AnnotationId)> =
        event_ids.iter().map(|(id, e)| (e, *id)).collect();
    triggers.sort_by_key(|(e, _)| e.get(1..).and_then(|n| n.parse::<usize>().ok()));
    for (event, trigger) in triggers {
        let (Some(tid), Some(label)) = (
            t_ids.get(&trigger),
            project.annotation(trigger).and_then(Annotation::label),
        ) else {
            continue;
        };
        let mut line = format!("{event}\t{}:{tid}", enc(label));
        let roles = conf.events.entry(enc(label)).or_default();
        for rel in relations
            .iter()
            .filter(|r| r.from == trigger && kind_of(&r.label).is_some_and(|t| t.event_role))
        {
            if let Some(arg) = arg_id(&rel.to) {
                let _ = write!(line, " {}:{arg}", enc(&rel.label));
                roles.insert(enc(&rel.label));
                c.relations += 1;
            }
        }
        let _ = writeln!(s, "{line}");
    }
    s
}

/// The groups of tags that `pairs` link (directly or through others), each in the order
/// its tags first appear in `pairs`, groups in the order they begin.
fn linked_groups(pairs: &[(AnnotationId, AnnotationId)]) -> Vec<Vec<AnnotationId>> {
    let mut groups: Vec<Vec<AnnotationId>> = Vec::new();
    for &(a, b) in pairs {
        let find = |groups: &Vec<Vec<AnnotationId>>, x| groups.iter().position(|g| g.contains(&x));
        match (find(&groups, a), find(&groups, b)) {
            (Some(i), Some(j)) if i != j => {
                let (keep, merge) = (i.min(j), i.max(j));
                let moved = groups.remove(merge);
                groups[keep].extend(moved);
            }
            (Some(_), Some(_)) => {}
            (Some(i), None) => groups[i].push(b),
            (None, Some(j)) => groups[j].push(a),
            (None, None) => groups.push(vec![a, b]),
        }
    }
    groups
}

/// A parsed `.ann` line worth keeping.
enum Line {
    Text {
        label: String,
        spans: Vec<(usize, usize)>,
        text: Option<String>,
    },
    Attribute {
        name: String,
        target: String,
        value: String,
    },
    Relation {
        label: String,
        arg1: String,
        arg2: String,
    },
    Note {
        target: String,
        note: String,
    },
    /// `*\tType A B C`: A, B and C are all equivalent.
    Equivalence {
        label: String,
        members: Vec<String>,
    },
    /// `E1\tType:T1 Role:T2 Role2:E3`: the trigger and the (role, argument) pairs.
    Event {
        trigger: String,
        args: Vec<(String, String)>,
    },
}

/// Imports a brat folder (every `.txt` with its `.ann`) or one `.ann`/`.txt` pair.
pub fn import(
    b: &mut Builder,
    path: &Path,
    progress: &mut dyn FnMut(f32),
) -> Result<(), FormatError> {
    let pairs: Vec<PathBuf> = if path.is_dir() {
        let txts = files_with_extension(path, "txt")?;
        let stems: HashSet<PathBuf> = txts.iter().map(|t| t.with_extension("")).collect();
        for ann in files_with_extension(path, "ann")? {
            if !stems.contains(&ann.with_extension("")) {
                b.skip(&Location::file(&ann), ".ann file without its .txt", None);
            }
        }
        txts
    } else {
        vec![path.with_extension("txt")]
    };
    if pairs.is_empty() {
        return Err(FormatError::invalid(
            path,
            None,
            "no .txt files in this brat folder",
        ));
    }
    let folder = if path.is_dir() {
        Some(path)
    } else {
        path.parent()
    };
    if let Some(conf) = folder
        .map(|f| f.join("annotation.conf"))
        .filter(|c| c.is_file())
    {
        match read_text_file(&conf) {
            Ok(text) => {
                for relation_type in conf_relation_types(&text) {
                    b.declare_relation_type(relation_type);
                }
            }
            Err(e) => b.warn(
                &Location::file(&conf),
                "annotation.conf unreadable; relation types taken from the relations",
                Some(e.to_string()),
            ),
        }
    }
    let total = pairs.len() as f32;
    let mut imported = 0;
    for (i, txt) in pairs.iter().enumerate() {
        imported += usize::from(import_pair(b, txt)?);
        progress((i + 1) as f32 / total);
    }
    if imported == 0 {
        return Err(FormatError::invalid(
            path,
            None,
            "every .txt file is empty (no text to annotate)",
        ));
    }
    Ok(())
}

/// The relation types of an `annotation.conf`'s `[relations]` section: each type's
/// argument labels (macros such as `<POG>=Person|GPE` expanded; `<ENTITY>` and `<ANY>`
/// meaning any label), undirected when marked `<REL-TYPE>:symmetric…`. A type on several
/// lines takes the labels of all of them. spantag's own `Holder` and brat's `<OVERLAP>`
/// are not relation types.
fn conf_relation_types(conf: &str) -> Vec<RelationType> {
    let mut macros: HashMap<&str, &str> = HashMap::new();
    for line in conf.lines() {
        if let Some((name, value)) = line.trim().split_once('=')
            && name.starts_with('<')
            && name.ends_with('>')
        {
            macros.insert(name, value.trim());
        }
    }
    let mut types: Vec<RelationType> = Vec::new();
    let mut in_relations = false;
    for line in conf.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_relations = line == "[relations]";
            continue;
        }
        if !in_relations || line.is_empty() || line.starts_with('#') || line.starts_with('<') {
            continue;
        }
        let Some((name, args)) = line.split_once(char::is_whitespace) else {
            continue;
        };
        let name = dec(name.trim_start_matches('!'));
        if name == HOLDER {
            continue;
        }
        let mut from = Vec::new();
        let mut to = Vec::new();
        let mut directed = true;
        for arg in args.split(',') {
            let Some((key, value)) = arg.trim().split_once(':') else {
                continue;
            };
            let value = macros.get(value.trim()).copied().unwrap_or(value.trim());
            let labels = value
                .split('|')
                .map(str::trim)
                .filter(|l| !matches!(*l, "<ENTITY>" | "<ANY>" | ""))
                .map(dec);
            match key.trim() {
                "Arg1" => from.extend(labels),
                "Arg2" => to.extend(labels),
                "<REL-TYPE>" if value.contains("symmetric") => directed = false,
                _ => {}
            }
        }
        match types.iter_mut().find(|t| t.name == name) {
            Some(t) => {
                for (all, new) in [(&mut t.from_labels, from), (&mut t.to_labels, to)] {
                    for label in new {
                        if !all.contains(&label) {
                            all.push(label);
                        }
                    }
                }
            }
            None => {
                types.push(RelationType {
                    from_labels: from,
                    to_labels: to,
                    directed,
                    ..RelationType::any(&name, relation_color(types.len()))
                });
            }
        }
    }
    types
}

/// Imports one `.txt` and its `.ann`; `false` when the text is empty (skipped).
fn import_pair(b: &mut Builder, txt: &Path) -> Result<bool, FormatError> {
    let raw = read_text_file(txt)?;
    // brat reads the text as plain UTF-8, so a byte-order mark is a character its offsets
    // count; put back the one decoding dropped so the mapping removes it consistently.
    let starts_with_bom = fs::read(txt)
        .map_err(|e| FormatError::io(txt, "cannot read", e))?
        .starts_with(&[0xEF, 0xBB, 0xBF]);
    let raw = if starts_with_bom {
        format!("\u{feff}{raw}")
    } else {
        raw
    };
    let norm = Normalized::new(&raw);
    if norm.text.is_empty() {
        b.skip(&Location::file(txt), "empty text file", None);
        return Ok(false);
    }
    let id = stem_id(txt);
    let (doc, marker) = match date_marker_of(b.project(), &id, &norm.text) {
        Some(marker) => (b.add_document(marker.document), marker.chars),
        None => {
            let title = Document::title_for(&norm.text, id.as_str());
            let doc = Document::new(id, title, BTreeMap::new(), norm.text.clone());
            (b.add_document(doc), 0)
        }
    };
    let offsets = Offsets { norm, marker };
    let ann_path = txt.with_extension("ann");
    if !ann_path.exists() {
        return Ok(true);
    }
    let content = read_text_file(&ann_path)?;
    let mut lines: Vec<(Location, String, Line)> = Vec::new();
    let mut ids: HashSet<String> = HashSet::new();
    for (i, line) in content.lines().enumerate() {
        let at = Location::line(&ann_path, i + 1);
        if line.trim().is_empty() {
            continue;
        }
        // Equivalence lines all have the id `*`: number them by line.
        let parsed = parse_line(line).map(|found| {
            found.map(|(id, l)| match l {
                Line::Equivalence { .. } => (format!("*{}", i + 1), l),
                _ => (id, l),
            })
        });
        match parsed {
            Ok(Some((id, _))) if ids.contains(&id) => {
                b.skip(&at, "duplicate id in this .ann file", Some(id));
            }
            Ok(Some((id, parsed))) => {
                ids.insert(id.clone());
                lines.push((at, id, parsed));
            }
            Ok(None) => {}
            Err((reason, detail)) => b.skip(&at, reason, detail),
        }
    }
    build(b, &doc, &offsets, lines);
    Ok(true)
}

/// A `.txt` file that is a project document with the seeds' date marker put back.
struct DateMarker {
    /// The project's document (text without the marker, the date as metadata).
    document: Document,
    /// The marker's length in code points: how far the file's offsets are shifted.
    chars: usize,
}

/// The project document `id` when the normalised `.txt` text is that document's text with
/// its ` date YYYY-MM ` marker put back (the raw bundled corpus file `spantag new` read:
/// [`Document::from_raw`] moved the marker into `date` metadata, while brat offsets count
/// it). `None` otherwise: the text is then imported as it is.
fn date_marker_of(project: &Project, id: &DocId, text: &str) -> Option<DateMarker> {
    let (date, rest) = split_date_marker(text)?;
    let document = project.document(id)?;
    if document.text().as_str() != rest || document.date() != Some(date) {
        return None;
    }
    let marker = text.get(..text.len() - rest.len())?;
    Some(DateMarker {
        document: document.clone(),
        chars: marker.chars().count(),
    })
}

/// Maps a `.txt` file's raw code-point offsets onto the document the annotations go to:
/// through the newline normalisation, then past the date marker the document keeps as
/// metadata (0 when there is none).
struct Offsets {
    norm: Normalized,
    marker: usize,
}

impl Offsets {
    /// The document offset of raw offset `raw`, or why there is none: an offset inside the
    /// date marker has no place in the document's text.
    fn map(&self, raw: usize) -> Result<usize, &'static str> {
        self.norm
            .map(raw)
            .checked_sub(self.marker)
            .ok_or("T line inside the date marker (the project keeps the date as metadata)")
    }
}

type ParseResult = Result<Option<(String, Line)>, (&'static str, Option<String>)>;

fn parse_line(line: &str) -> ParseResult {
    let mut fields = line.splitn(3, '\t');
    let id = fields.next().unwrap_or_default().trim().to_owned();
    let body = fields.next().unwrap_or_default();
    let rest = fields.next();
    let bad = |what: &'static str| Err((what, Some(line.to_owned())));
    let mut words = body.split(' ').filter(|w| !w.is_empty());
    match id.chars().next() {
        Some('T') => {
            let Some((label, offs)) = body.split_once(' ') else {
                return bad("T line without offsets");
            };
            let mut spans = Vec::new();
            for frag in offs.split(';') {
                let mut nums = frag.split_whitespace().map(str::parse::<usize>);
                match (nums.next(), nums.next(), nums.next()) {
                    (Some(Ok(s)), Some(Ok(e)), None) => spans.push((s, e)),
                    _ => return bad("T line with unreadable offsets"),
                }
            }
            Ok(Some((
                id,
                Line::Text {
                    label: dec(label),
                    spans,
                    text: rest.map(str::to_owned),
                },
            )))
        }
        Some('A' | 'M') => match (words.next(), words.next(), words.next(), words.next()) {
            (Some(name), Some(target), value, None) => Ok(Some((
                id,
                Line::Attribute {
                    name: dec(name),
                    target: target.to_owned(),
                    value: value.map_or_else(|| BINARY.to_owned(), dec),
                },
            ))),
            _ => bad("A or M line not of the form 'Name Target [Value]'"),
        },
        Some('R') => {
            let label = words.next();
            let arg =
                |w: Option<&str>| w.and_then(|w| w.split_once(':')).map(|(_, a)| a.to_owned());
            match (label, arg(words.next()), arg(words.next())) {
                (Some(label), Some(arg1), Some(arg2)) => Ok(Some((
                    id,
                    Line::Relation {
                        label: dec(label),
                        arg1,
                        arg2,
                    },
                ))),
                _ => bad("R line not of the form 'Type Arg1:X Arg2:Y'"),
            }
        }
        Some('#') => match (words.next(), words.next()) {
            (Some(_), Some(target)) => Ok(Some((
                id,
                Line::Note {
                    target: target.to_owned(),
                    note: rest.unwrap_or_default().to_owned(),
                },
            ))),
            _ => bad("# line without a target"),
        },
        Some('E') => {
            let mut pairs = body.split_whitespace().map(|w| w.split_once(':'));
            let Some(Some((_, trigger))) = pairs.next() else {
                return bad("E line not of the form 'Type:Trigger Role:Argument …'");
            };
            let mut args = Vec::new();
            for pair in pairs {
                match pair {
                    Some((role, arg)) if !role.is_empty() && !arg.is_empty() => {
                        args.push((dec(role), arg.to_owned()));
                    }
                    _ => return bad("E line not of the form 'Type:Trigger Role:Argument …'"),
                }
            }
            Ok(Some((
                id,
                Line::Event {
                    trigger: trigger.to_owned(),
                    args,
                },
            )))
        }
        Some('N') => Err(("normalisation (N line)", None)),
        Some('*') => match (words.next(), words.collect::<Vec<_>>()) {
            (Some(label), members) if members.len() >= 2 => Ok(Some((
                id,
                Line::Equivalence {
                    label: dec(label),
                    members: members.into_iter().map(str::to_owned).collect(),
                },
            ))),
            _ => bad("* line not of the form 'Type A B …'"),
        },
        _ => bad("unknown line"),
    }
}

/// Turns the parsed lines of one `.ann` into annotations and relations.
fn build(b: &mut Builder, doc: &DocId, offsets: &Offsets, lines: Vec<(Location, String, Line)>) {
    // Attributes and notes by target id; Holder relations by stance id.
    let mut attrs: HashMap<&str, Vec<(&Location, &str, &str)>> = HashMap::new();
    let mut notes: HashMap<&str, Vec<&str>> = HashMap::new();
    let mut texts = Vec::new();
    let mut relations = Vec::new();
    let mut t_ids: HashSet<&str> = HashSet::new();
    let mut equivalences = Vec::new();
    let mut events = Vec::new();
    // An event's attributes and notes go to its trigger (and back to the event on export).
    let trigger_of: HashMap<&str, &str> = lines
        .iter()
        .filter_map(|(_, id, line)| match line {
            Line::Event { trigger, .. } => Some((id.as_str(), trigger.as_str())),
            _ => None,
        })
        .collect();
    let on = |target: &'_ str| -> String {
        trigger_of
            .get(target)
            .map_or_else(|| target.to_owned(), |t| (*t).to_owned())
    };
    let retargeted: Vec<String> = lines
        .iter()
        .map(|(_, _, line)| match line {
            Line::Attribute { target, .. } | Line::Note { target, .. } => on(target),
            _ => String::new(),
        })
        .collect();
    for ((at, id, line), target) in lines.iter().zip(&retargeted) {
        match line {
            Line::Text { .. } => {
                t_ids.insert(id);
                texts.push((at, id.as_str(), line));
            }
            Line::Attribute { name, value, .. } => {
                attrs
                    .entry(target.as_str())
                    .or_default()
                    .push((at, name, value));
            }
            Line::Note { note, .. } => notes.entry(target.as_str()).or_default().push(note),
            Line::Relation { .. } => relations.push((at, line)),
            Line::Equivalence { label, members } => equivalences.push((at, label, members)),
            Line::Event { trigger, args } => events.push((at, id.as_str(), trigger, args)),
        }
    }
    for ((at, _, line), target) in lines.iter().zip(&retargeted) {
        if !matches!(line, Line::Attribute { .. } | Line::Note { .. }) {
            continue;
        }
        if !t_ids.contains(target.as_str()) {
            let what = if matches!(line, Line::Note { .. }) {
                "note on a relation or unknown annotation"
            } else {
                "attribute of an unknown annotation"
            };
            b.skip(at, what, Some(target.clone()));
        }
    }
    let is_stance = |id: &str, label: &str| {
        label == STANCE
            && attrs.get(id).is_some_and(|list| {
                list.iter().any(|(_, n, _)| *n == POLARITY)
                    && list.iter().any(|(_, n, _)| *n == TARGET)
            })
    };
    let mut holders: HashMap<&str, &str> = HashMap::new();
    let mut other_relations = Vec::new();
    for (at, line) in relations {
        if let Line::Relation { label, arg1, arg2 } = line {
            let stance_arg = texts.iter().find(|(_, id, _)| id == arg2);
            let holder_ok = label == HOLDER
                && stance_arg.is_some_and(
                    |(_, id, l)| matches!(l, Line::Text { label, .. } if is_stance(id, label)),
                );
            if holder_ok {
                holders.insert(arg2, arg1);
            } else {
                other_relations.push((at, label, arg1, arg2));
            }
        }
    }
    let mut ids: HashMap<&str, AnnotationId> = HashMap::new();
    // Entities first, then stances (their holders must exist).
    for pass_stances in [false, true] {
        for (at, tid, line) in &texts {
            let Line::Text { label, spans, text } = line else {
                continue;
            };
            let stance = is_stance(tid, label);
            if stance != pass_stances {
                continue;
            }
            let mut built = Vec::new();
            let mut failed = None;
            let mut in_marker = false;
            for &(s, e) in spans {
                if e > offsets.norm.raw_len() {
                    failed = Some(format!("{s}..{e} past the end of the text"));
                    break;
                }
                let (start, end) = match (offsets.map(s), offsets.map(e)) {
                    (Ok(start), Ok(end)) => (start, end),
                    (Err(reason), _) | (_, Err(reason)) => {
                        b.skip(at, reason, Some(format!("{s}..{e}")));
                        in_marker = true;
                        break;
                    }
                };
                match b.span(doc, start, end) {
                    Ok(span) => built.push(span),
                    Err(reason) => {
                        failed = Some(reason);
                        break;
                    }
                }
            }
            if in_marker {
                continue;
            }
            if let Some(reason) = failed {
                b.skip(at, "T line with offsets outside the text", Some(reason));
                continue;
            }
            if let (Some(want), Some(doc_text)) = (text, b.text_of(doc)) {
                let parts: Vec<&str> = built.iter().map(|s| s.text(doc_text)).collect();
                let got = parts.join(" ");
                let same = |a: &str, b: &str| a.split_whitespace().eq(b.split_whitespace());
                if !same(&got, want) {
                    b.warn(
                        at,
                        "text field differs from the text at the offsets (offsets used)",
                        Some(format!("«{want}» vs «{got}»")),
                    );
                }
            }
            let Some(anchor) = Anchor::spans(built) else {
                b.skip(at, "T line without spans", None);
                continue;
            };
            let mut attributes = BTreeMap::new();
            let mut canonical = None;
            let (mut polarity, mut target, mut whole_doc) = (String::new(), String::new(), false);
            for (_, name, value) in attrs.get(tid).into_iter().flatten() {
                match (*name, stance) {
                    (POLARITY, true) => polarity = (*value).to_owned(),
                    (TARGET, true) => target = (*value).to_owned(),
                    (SCOPE, true) if *value == SCOPE_DOCUMENT => whole_doc = true,
                    (CANONICAL, false) => canonical = Some((*value).to_owned()),
                    _ => {
                        attributes.insert((*name).to_owned(), (*value).to_owned());
                    }
                }
            }
            let note = notes.get(tid).map(|n| n.join("\n"));
            let (anchor, kind) = if stance {
                let holder = holders.get(tid).and_then(|h| ids.get(h)).copied();
                if holders.contains_key(tid) && holder.is_none() {
                    b.warn(
                        at,
                        "stance holder is not an imported entity; holder left out",
                        None,
                    );
                }
                let anchor = if whole_doc { Anchor::Document } else { anchor };
                (
                    anchor,
                    AnnotationKind::Stance {
                        target: target.into(),
                        polarity: polarity.into(),
                        holder: holder.and_then(crate::model::HolderId::new),
                    },
                )
            } else {
                (
                    anchor,
                    AnnotationKind::Entity {
                        label: label.as_str().into(),
                        canonical: canonical.map(crate::model::Name::from),
                    },
                )
            };
            if let Some(id) = b.add_annotation(at, doc, anchor, kind, note, attributes) {
                ids.insert(tid, id);
            }
        }
    }
    // A relation or role whose argument is an event links to the event's trigger.
    let annotation_of = |arg: &str| {
        ids.get(trigger_of.get(arg).copied().unwrap_or(arg))
            .copied()
    };
    for (at, label, arg1, arg2) in other_relations {
        match (annotation_of(arg1), annotation_of(arg2)) {
            (Some(from), Some(to)) => {
                b.add_relation(at, label, from, to);
            }
            _ => b.skip(
                at,
                "relation to a skipped annotation",
                Some(format!("{arg1} {arg2}")),
            ),
        }
    }
    // Equivalences: undirected relations between neighbours in the line (A–B, B–C).
    for (at, label, members) in equivalences {
        b.declare_relation_type(RelationType {
            directed: false,
            ..RelationType::any(
                label,
                relation_color(b.project().schema().relation_types.len()),
            )
        });
        for pair in members.windows(2) {
            match (annotation_of(&pair[0]), annotation_of(&pair[1])) {
                (Some(a), Some(c)) => {
                    b.add_relation(at, label, a, c);
                }
                _ => b.skip(
                    at,
                    "equivalence with a skipped annotation",
                    Some(format!("{} {}", pair[0], pair[1])),
                ),
            }
        }
    }
    // Events: the trigger with one role relation to each argument.
    for (at, event, trigger, args) in events {
        let Some(trigger_id) = ids.get(trigger.as_str()).copied() else {
            b.skip(
                at,
                "event whose trigger was skipped",
                Some(event.to_owned()),
            );
            continue;
        };
        if args.is_empty() {
            b.warn(
                at,
                "event without arguments kept as its trigger only",
                Some(event.to_owned()),
            );
        }
        for (role, arg) in args {
            b.declare_relation_type(RelationType {
                event_role: true,
                ..RelationType::any(
                    role,
                    relation_color(b.project().schema().relation_types.len()),
                )
            });
            match annotation_of(arg) {
                Some(to) => {
                    b.add_relation(at, role, trigger_id, to);
                }
                None => b.skip(
                    at,
                    "event argument skipped",
                    Some(format!("{event} {role}:{arg}")),
                ),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::testutil::*;
    use crate::formats::{ExportFormat, ImportFormat};
    use crate::model::apply;

    fn export_folder(p: &Project) -> (tempfile::TempDir, PathBuf, ExportReport) {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = dir.path().join("brat");
        let report =
            crate::formats::export(p, ExportFormat::Brat, &out, &mut |_| {}).expect("export");
        (dir, out, report)
    }

    fn sample() -> Project {
        let mut p = project_from(&[(
            "../a",
            "😀 [Mark Zuckerberg]PER e\u{301}n [Facebook]ORG.\nHij zegt [sorry]X tegen de EU.",
        )]);
        let anns: Vec<AnnotationId> = p
            .annotations_of(&DocId("../a".into()))
            .iter()
            .map(|a| a.id())
            .collect();
        change(&mut p, anns[0], |a| {
            a.set_note(Some(" topman".into()));
            a.insert_attribute("bron".into(), "de krant".into());
            a.insert_attribute("Individual".into(), BINARY.into());
        });
        let zuck = anns[0];
        change(&mut p, zuck, |a| {
            *a = a
                .with_kind(AnnotationKind::Entity {
                    label: "PER".into(),
                    canonical: Some("Mark Zuckerberg, CEO".into()),
                })
                .expect("kind");
        });
        let stance = add_stance(
            &mut p,
            "../a",
            Some((32, 46)),
            "Cambridge Analytica",
            "AGAINST",
            Some(zuck),
        );
        change(&mut p, stance, |a| a.set_note(Some("twee\nregels".into())));
        add_stance(&mut p, "../a", None, "EU", "FAVOR", None);
        add_entity(&mut p, "../a", &[(2, 6), (22, 30)], "ORG");
        let rel = crate::model::Relation {
            id: p.allocate_relation_id("Works for", anns[0], anns[1]),
            label: "Works for".into(),
            from: anns[0],
            to: anns[1],
        };
        apply(&mut p, crate::model::Edit::AddRelation(rel)).expect("relation");
        p
    }

    #[test]
    fn export_writes_safe_names_standoff_lines_and_a_conf() {
        let p = sample();
        let (_dir, out, report) = export_folder(&p);
        let mut names: Vec<String> = fs::read_dir(&out)
            .expect("ls")
            .map(|e| e.expect("e").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(
            names,
            [".spantag-export", "__a.ann", "__a.txt", "annotation.conf"]
        );
        let ann = fs::read_to_string(out.join("__a.ann")).expect("ann");
        let expected = "\
T1\tORG 2 6;22 30\tMark Facebook
T2\tPER 2 17\tMark Zuckerberg
A1\tCanonical T2 Mark%20Zuckerberg%2C%20CEO
A2\tIndividual T2
A3\tbron T2 de%20krant
#1\tAnnotatorNotes T2\t topman
T3\tORG 22 30\tFacebook
T4\tX 41 46\tsorry
T5\tStance 0 59\t😀 Mark Zuckerberg e\u{301}n Facebook. Hij zegt sorry tegen de EU.
A4\tPolarity T5 FAVOR
A5\tTarget T5 EU
A6\tScope T5 Document
T6\tStance 32 46\tHij zegt sorry
A7\tPolarity T6 AGAINST
A8\tTarget T6 Cambridge%20Analytica
R1\tHolder Arg1:T2 Arg2:T6
#2\tAnnotatorNotes T6\ttwee regels
R2\tWorks%20for Arg1:T2 Arg2:T3
";
        assert_eq!(ann, expected);
        let conf = fs::read_to_string(out.join("annotation.conf")).expect("conf");
        assert!(
            conf.contains("[entities]\nLOC\nORG\nPER\nX\nStance\n"),
            "{conf}"
        );
        assert!(
            conf.contains("Target\tArg:Stance, Value:Cambridge%20Analytica|EU\n"),
            "{conf}"
        );
        assert_eq!(report.left_out_count("notes with line breaks"), 1);
        assert_eq!(
            report.left_out_count("document ids that are not safe file names"),
            1
        );
    }

    #[test]
    fn export_then_import_gives_back_stances_holders_and_relations() {
        let p = sample();
        let (_dir, out, _) = export_folder(&p);
        let mut q = empty_project();
        let report = import_apply(&mut q, &out, ImportFormat::Brat);
        assert!(
            report.skipped.is_empty() && report.warnings.is_empty(),
            "{report}"
        );
        let rename = |v: Vec<String>| -> Vec<String> {
            v.into_iter()
                .map(|s| s.replacen("../a", "__a", 1))
                .collect()
        };
        assert_eq!(describe(&q), rename(describe(&p)));
        let doc = DocId("__a".into());
        let stance = q
            .annotations_of(&doc)
            .into_iter()
            .find(|a| {
                matches!(
                    a.kind(),
                    AnnotationKind::Stance {
                        holder: Some(_),
                        ..
                    }
                )
            })
            .expect("held stance");
        assert_eq!(stance.note(), Some("twee regels"));
        let AnnotationKind::Stance {
            holder: Some(h), ..
        } = stance.kind()
        else {
            unreachable!()
        };
        let holder = q.annotation(h.id()).expect("holder");
        assert_eq!(holder.note(), Some(" topman"));
        assert_eq!(
            holder.attributes().get("Individual").map(String::as_str),
            Some(BINARY)
        );
        assert!(
            matches!(holder.kind(), AnnotationKind::Entity { canonical: Some(c), .. } if c == "Mark Zuckerberg, CEO")
        );
        assert_eq!(
            q.relations()
                .values()
                .map(|r| r.label.as_str())
                .collect::<Vec<_>>(),
            ["Works for"]
        );
        assert!(q.schema().targets.contains("Cambridge Analytica"));
    }

    /// Issue 18, point 7: a brat `.txt` that is a raw seed file (with its ` date YYYY-MM `
    /// marker, which `spantag new` moved into metadata) was added again as `<id>-2`.
    #[test]
    fn a_raw_seed_file_matches_its_document_and_offsets_skip_the_marker() {
        const MARKER_INSIDE: &str =
            "T line inside the date marker (the project keeps the date as metadata)";
        /// The project document's raw file, the brat `.txt` and `.ann`, the documents the
        /// import adds, the annotations as `describe` shows them, and the T lines skipped
        /// inside the marker.
        type Case = (
            &'static str,
            &'static str,
            &'static str,
            usize,
            &'static [&'static str],
            usize,
        );
        let cases: &[Case] = &[
            (
                " date 2018-05 Zuckerberg 😀 zegt sorry.",
                " date 2018-05 Zuckerberg 😀 zegt sorry.",
                "T1\tPER 14 24\tZuckerberg\nT2\tX 27 31\tzegt\nT3\tDATE 6 13\t2018-05\n\
                 T4\tX 10 20\t05 Zuckerb\n",
                0,
                &["d 0..10 PER «Zuckerberg»", "d 13..17 X «zegt»"],
                2,
            ),
            // CRLF and a BOM in the brat file, a line break after the marker.
            (
                " date 2018-03\nEen\ntweede regel.",
                "\u{feff} date 2018-03\r\nEen\r\ntweede regel.",
                "T1\tX 16 19\tEen\nT2\tX 21 27\ttweede\n",
                0,
                &["d 0..3 X «Een»", "d 4..10 X «tweede»"],
                0,
            ),
            // Another date than the document's: not the same document.
            (
                " date 2018-05 Zuckerberg zegt sorry.",
                " date 2019-01 Zuckerberg zegt sorry.",
                "T1\tPER 14 24\tZuckerberg\n",
                1,
                &["d-2 14..24 PER «Zuckerberg»"],
                0,
            ),
            // Another text: imported as it is, marker and all.
            (
                " date 2018-05 Zuckerberg zegt sorry.",
                " date 2018-05 Zuckerberg zegt niets.",
                "T1\tX 0 5\t date\n",
                1,
                &["d-2 0..5 X « date»"],
                0,
            ),
            // No marker at all: matched by its hash, as ever.
            (
                "Zuckerberg zegt sorry.",
                "Zuckerberg zegt sorry.",
                "T1\tPER 0 10\tZuckerberg\n",
                0,
                &["d 0..10 PER «Zuckerberg»"],
                0,
            ),
        ];
        for &(seed, txt, ann, added, want, inside) in cases {
            let docs = vec![Document::from_raw(DocId("d".into()), seed)];
            let mut p =
                Project::new(crate::io::project_file::default_schema(), docs).expect("project");
            let dir = tempfile::tempdir().expect("tempdir");
            fs::write(dir.path().join("d.txt"), txt).expect("txt");
            fs::write(dir.path().join("d.ann"), ann).expect("ann");
            let report = import_apply(&mut p, dir.path(), ImportFormat::Brat);
            assert_eq!(report.documents_added, added, "{txt:?}: {report}");
            assert_eq!(
                report.skipped_count(MARKER_INSIDE),
                inside,
                "{txt:?}: {report}"
            );
            assert_eq!(report.warnings, [], "{txt:?}: {report}");
            let mut want = want.to_vec();
            want.sort();
            assert_eq!(describe(&p), want, "{txt:?}");
        }
    }

    #[test]
    fn import_handles_crlf_bom_events_and_bad_lines() {
        let dir = tempfile::tempdir().expect("tempdir");
        fs::write(
            dir.path().join("d.txt"),
            "\u{feff}Zuck 😀\r\ne\u{301}n EU\r\n",
        )
        .expect("txt");
        let ann = "T1\tPER 1 5\tZuck\n\
                   T2\tX 9 11\te\u{301}\n\
                   T3\tORG 13 15\tEX\n\
                   T4\tLOC 5 99\tfar\n\
                   T5\tLOC 9 3\tback\n\
                   T6\tLOC x y\tbad\n\
                   E1\tMerge-org:T2 Org-Arg:T1\n\
                   A1\tConfidence E1 High\n\
                   A2\tMention T1 Name\n\
                   R1\tFamily Arg1:T1 Arg2:T3\t\n\
                   R2\tOrigin Arg1:T1 Arg2:E1\n\
                   *\tAlias T1 T3\n\
                   N1\tReference T1 Wikipedia:1\tZuck\n\
                   M1\tNegation E1\n\
                   #1\tAnnotatorNotes R1\tzeker?\n\
                   Q1\tnonsense\n";
        fs::write(dir.path().join("d.ann"), ann).expect("ann");
        fs::write(dir.path().join("wees.ann"), "T1\tPER 0 1\tx\n").expect("orphan");
        let mut p = empty_project();
        let (edit, report) =
            crate::formats::import(&mut p, dir.path(), None, &mut |_| {}).expect("import");
        for reason in [
            "normalisation (N line)",
            "note on a relation or unknown annotation",
            "unknown line",
            "T line with unreadable offsets",
            ".ann file without its .txt",
        ] {
            assert_eq!(report.skipped_count(reason), 1, "{reason}: {report}");
        }
        assert_eq!(
            report.skipped_count("T line with offsets outside the text"),
            2
        );
        assert_eq!(
            report.warning_count("text field differs from the text at the offsets (offsets used)"),
            1,
            "{report}"
        );
        apply(&mut p, edit).expect("apply");
        assert_eq!(
            describe(&p),
            [
                "d 0..4 PER «Zuck»",
                "d 11..13 ORG «EU»",
                "d 7..9 X «e\u{301}»"
            ]
        );
        // The event's role, R1, R2 (to the event: its trigger) and the equivalence.
        let mut relations: Vec<&str> = p.relations().values().map(|r| r.label.as_str()).collect();
        relations.sort_unstable();
        assert_eq!(relations, ["Alias", "Family", "Org-Arg", "Origin"]);
        assert!(
            p.schema()
                .relation_type("Org-Arg")
                .is_some_and(|t| t.event_role)
        );
        assert!(
            p.schema()
                .relation_type("Alias")
                .is_some_and(|t| !t.directed)
        );
        let anns = p.annotations_of(&DocId("d".into()));
        let zuck = anns[0].clone();
        assert_eq!(
            zuck.attributes().get("Mention").map(String::as_str),
            Some("Name")
        );
        // The event's A and M lines belong to its trigger.
        let trigger = anns[1].clone();
        assert_eq!(
            trigger.attributes().get("Confidence").map(String::as_str),
            Some("High")
        );
        assert_eq!(
            trigger.attributes().get("Negation").map(String::as_str),
            Some(BINARY)
        );
        // Exported again: the event, the equivalence and the relations come back as lines
        // of their own kind, the event's attributes on the event.
        let (_dir, out, _) = export_folder(&p);
        let ann = fs::read_to_string(out.join("d.ann")).expect("ann");
        for line in [
            "E1\tX:T2 Org-Arg:T1\n",
            "*\tAlias T1 T3\n",
            "\tConfidence E1 High\n",
            "\tNegation E1\n",
            "\tOrigin Arg1:T1 Arg2:E1\n",
        ] {
            assert!(ann.contains(line), "{line:?} in\n{ann}");
        }
    }

    #[test]
    fn stems_never_leave_the_folder() {
        for (id, want) in [
            ("../../etc/passwd", "__.._etc_passwd"),
            ("/abs", "_abs"),
            ("a\0b", "a_b"),
            ("CON", "_CON"),
            ("com1.txt", "_com1.txt"),
            ("..", "_"),
            ("", "_"),
            ("gewoon 001", "gewoon 001"),
            ("eind.", "eind_"),
        ] {
            assert_eq!(safe_stem(id), want, "{id:?}");
        }
        for s in ["a b", "x%y", "A|B,C", "t\tn\nr\r"] {
            assert_eq!(dec(&enc(s)), s);
        }
        assert_eq!(dec("50%"), "50%");
    }
}
