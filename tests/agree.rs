//! Agreement measures checked against small cases worked out by hand (the arithmetic is in
//! the comments), plus the `spantag agree` command line. Definitions: docs/AGREEMENT.md.

use spantag::corpus::agree::{self, AgreeError, DocProblem, cohen_kappa, krippendorff_alpha};
use spantag::io::project_file;
use spantag::model::{
    Anchor, Annotation, AnnotationId, AnnotationKind, DocId, Document, Edit, Project, Relation,
    RelationType, Rgb, Span, apply,
};
use std::collections::BTreeMap;

const EPS: f64 = 1e-9;

fn close(got: Option<f64>, want: f64) -> bool {
    got.is_some_and(|g| (g - want).abs() < EPS)
}

fn doc(id: &str, text: &str) -> Document {
    Document::new(DocId(id.into()), id.into(), BTreeMap::new(), text.into())
}

fn project(docs: &[(&str, &str)]) -> Project {
    Project::new(
        project_file::default_schema(),
        docs.iter().map(|(id, text)| doc(id, text)).collect(),
    )
    .expect("distinct ids")
}

/// The span of the `nth` occurrence of `needle` in document `id`.
fn span(p: &Project, id: &str, needle: &str) -> Span {
    let text = p.document(&DocId(id.into())).expect("doc").text();
    let byte = text.as_str().find(needle).expect("needle in text");
    let start = text.as_str()[..byte].chars().count();
    Span::new(start, start + needle.chars().count(), text).expect("span")
}

fn entity(p: &mut Project, id: &str, needle: &str, label: &str) -> AnnotationId {
    let s = span(p, id, needle);
    let tag = p.with_new_id(
        &DocId(id.into()),
        Annotation::entity(AnnotationId::NEW, s, label),
    );
    let ann_id = tag.id();
    apply(p, Edit::AddAnnotation(DocId(id.into()), tag)).expect("add entity");
    ann_id
}

fn stance(p: &mut Project, id: &str, quote: Option<&str>, target: &str, polarity: &str) {
    let anchor = quote.map_or(Anchor::Document, |q| Anchor::span(span(p, id, q)));
    let ann = Annotation::new(
        AnnotationId::NEW,
        anchor,
        AnnotationKind::Stance {
            target: target.into(),
            polarity: polarity.into(),
            holder: None,
        },
    )
    .expect("stance");
    let ann = p.with_new_id(&DocId(id.into()), ann);
    apply(p, Edit::AddAnnotation(DocId(id.into()), ann)).expect("add stance");
}

const TEXT: &str = "Mark Zuckerberg bezoekt Brussel.";

/// A: [Mark Zuckerberg]PER bezoekt [Brussel]LOC.   B: Mark [Zuckerberg]PER bezoekt [Brussel]ORG.
fn zuckerberg_pair() -> (Project, Project) {
    let mut a = project(&[("d", TEXT)]);
    entity(&mut a, "d", "Mark Zuckerberg", "PER");
    entity(&mut a, "d", "Brussel", "LOC");
    let mut b = project(&[("d", TEXT)]);
    entity(&mut b, "d", "Zuckerberg", "PER");
    entity(&mut b, "d", "Brussel", "ORG");
    (a, b)
}

#[test]
fn tokens_are_word_bounds_without_whitespace() {
    let p = project(&[("d", TEXT)]);
    let text = p.documents()[0].text();
    let words: Vec<&str> = agree::tokens(text)
        .into_iter()
        .map(|(s, e)| text.slice(spantag::model::CharOffset(s), spantag::model::CharOffset(e)))
        .collect();
    assert_eq!(words, ["Mark", "Zuckerberg", "bezoekt", "Brussel", "."]);
}

#[test]
fn token_label_is_the_longest_covering_entity_then_the_first_label() {
    // "Cambridge" is inside both LOC "Cambridge" (9 chars) and ORG "Cambridge Analytica"
    // (19 chars): the longer ORG wins. "stopt" is tagged EVENT and DATE, both 5 chars: the
    // alphabetically first, DATE, wins. A span touching part of a token labels it.
    let text = "Cambridge Analytica stopt ermee";
    let mut p = project(&[("d", text)]);
    entity(&mut p, "d", "Cambridge", "LOC");
    entity(&mut p, "d", "Cambridge Analytica", "ORG");
    entity(&mut p, "d", "stopt", "EVENT");
    entity(&mut p, "d", "stopt", "DATE");
    entity(&mut p, "d", "erm", "MISC");
    let doc = p.documents()[0].text();
    let labels = agree::token_labels(&p, &DocId("d".into()), &agree::tokens(doc));
    assert_eq!(labels, ["ORG", "ORG", "DATE", "MISC"]);
}

#[test]
fn kappa_and_alpha_of_the_zuckerberg_example() {
    let (a, b) = zuckerberg_pair();
    let r = agree::compare(&a, &b).expect("same documents");
    let t = &r.tokens;
    // Tokens: Mark Zuckerberg bezoekt Brussel .   (N = 5)
    // A:      PER  PER        O       LOC     O
    // B:      O    PER        O       ORG     O
    // Agreeing: Zuckerberg, bezoekt, "."  → p_o = 3/5 = 0.6.
    assert_eq!((t.tokens, t.agreeing), (5, 3));
    assert!(close(t.observed, 0.6));
    // Marginals A: PER 2, O 2, LOC 1; B: PER 1, O 3, ORG 1.
    // p_e = (2·1 + 2·3 + 1·0 + 0·1) / 5² = 8/25 = 0.32.
    assert!(close(t.expected, 0.32));
    // κ = (0.6 − 0.32) / (1 − 0.32) = 0.28 / 0.68 = 7/17.
    assert!(close(t.kappa, 7.0 / 17.0), "{:?}", t.kappa);
    // α: totals over both coders PER 3, O 5, LOC 1, ORG 1; n = 10; Σ n_c² = 9+25+1+1 = 36.
    // Disagreeing units D = 2, so Σ_{c≠k} o_ck = 2D = 4.
    // α = 1 − (n − 1) · 4 / (n² − 36) = 1 − 9·4/64 = 28/64 = 0.4375.
    assert!(close(t.alpha, 0.4375), "{:?}", t.alpha);
    assert_eq!(t.per_label["O"], agree::LabelTokens { a: 2, b: 3 });
}

#[test]
fn span_scores_of_the_zuckerberg_example() {
    let (a, b) = zuckerberg_pair();
    let r = agree::compare(&a, &b).expect("same documents");
    let exact = &r.entities.exact;
    // No entity has the same span and label in both: m = 0 of n_A = 2, n_B = 2.
    assert_eq!(exact.overall, agree::Prf::new(2, 2, 0));
    assert!(close(exact.overall.f1, 0.0));
    // LOC only in A: precision 0/0 is undefined, recall 0/1 = 0, F1 = 0/(1+0) = 0.
    let loc = exact.per_label["LOC"];
    assert_eq!(loc.precision, None);
    assert!(close(loc.recall, 0.0) && close(loc.f1, 0.0));
    // ORG only in B: recall undefined.
    assert_eq!(exact.per_label["ORG"].recall, None);

    let overlap = &r.entities.overlap;
    // PER "Mark Zuckerberg" and PER "Zuckerberg" share 10 characters: one pair.
    let per = overlap.per_label["PER"];
    assert!(close(per.precision, 1.0) && close(per.recall, 1.0) && close(per.f1, 1.0));
    // Overall m = 1, n_A = n_B = 2: P = 1/2, R = 1/2, F1 = 2·1/(2+2) = 0.5.
    assert!(close(overlap.overall.precision, 0.5));
    assert!(close(overlap.overall.recall, 0.5));
    assert!(close(overlap.overall.f1, 0.5));
    // Macro F1 over PER 1, LOC 0, ORG 0 = 1/3.
    assert!(close(overlap.macro_f1, 1.0 / 3.0));
}

#[test]
fn precision_and_recall_take_a_as_the_reference() {
    // A tags one PER; B tags the same PER and one more: m = 1, n_A = 1, n_B = 2.
    // precision = 1/2, recall = 1/1, F1 = 2/3. Swapping A and B swaps P and R.
    let mut a = project(&[("d", TEXT)]);
    entity(&mut a, "d", "Zuckerberg", "PER");
    let mut b = project(&[("d", TEXT)]);
    entity(&mut b, "d", "Zuckerberg", "PER");
    entity(&mut b, "d", "Mark", "PER");
    let ab = agree::compare(&a, &b)
        .expect("same documents")
        .entities
        .exact
        .overall;
    assert!(close(ab.precision, 0.5) && close(ab.recall, 1.0) && close(ab.f1, 2.0 / 3.0));
    let ba = agree::compare(&b, &a)
        .expect("same documents")
        .entities
        .exact
        .overall;
    assert!(close(ba.precision, 1.0) && close(ba.recall, 0.5) && close(ba.f1, 2.0 / 3.0));
}

#[test]
fn matching_is_one_to_one() {
    // B tags "Zuckerberg" PER twice; A once. Only one pair: P = 1/2, R = 1.
    let mut a = project(&[("d", TEXT)]);
    entity(&mut a, "d", "Zuckerberg", "PER");
    let mut b = project(&[("d", TEXT)]);
    entity(&mut b, "d", "Zuckerberg", "PER");
    entity(&mut b, "d", "Zuckerberg", "PER");
    let r = agree::compare(&a, &b).expect("same documents");
    assert_eq!(r.entities.exact.overall.matched, 1);
    assert!(close(r.entities.overlap.overall.precision, 0.5));
}

#[test]
fn kappa_and_alpha_on_plain_pairs() {
    // (PER,PER) (PER,O) (O,O) (O,O): p_o = 3/4.
    // A: PER 2, O 2; B: PER 1, O 3 → p_e = (2·1 + 2·3)/16 = 1/2 → κ = (3/4 − 1/2)/(1/2) = 1/2.
    // α: n = 8, totals PER 3, O 5 → n² − Σ n_c² = 64 − 34 = 30; D = 1:
    // α = 1 − 7·2/30 = 16/30.
    let pairs = [("PER", "PER"), ("PER", "O"), ("O", "O"), ("O", "O")];
    let k = cohen_kappa(&pairs);
    assert!(close(k.observed, 0.75) && close(k.expected, 0.5) && close(k.kappa, 0.5));
    assert!(close(krippendorff_alpha(&pairs), 16.0 / 30.0));
    // Perfect agreement with two labels: κ = α = 1.
    let perfect = [("A", "A"), ("B", "B")];
    assert!(close(cohen_kappa(&perfect).kappa, 1.0));
    assert!(close(krippendorff_alpha(&perfect), 1.0));
    // Total disagreement on two units: p_o = 0, p_e = (1·1 + 1·1)/4 = 1/2 → κ = −1.
    // α: n = 4, totals A 2, B 2 → 16 − 8 = 8; 2D = 4 → α = 1 − 3·4/8 = −1/2.
    let opposite = [("A", "B"), ("B", "A")];
    assert!(close(cohen_kappa(&opposite).kappa, -1.0));
    assert!(close(krippendorff_alpha(&opposite), -0.5));
}

#[test]
fn one_label_throughout_leaves_kappa_and_alpha_undefined() {
    // No entities at all: every token is O for both, p_e = 1 and Σ_{c≠k} n_c n_k = 0.
    let a = project(&[("d", TEXT)]);
    let r = agree::compare(&a, &a.clone()).expect("same documents");
    assert!(close(r.tokens.observed, 1.0));
    assert_eq!((r.tokens.kappa, r.tokens.alpha), (None, None));
    assert_eq!(r.entities.exact.overall.f1, None);
    assert_eq!(cohen_kappa::<&str>(&[]).kappa, None);
}

#[test]
fn stance_polarity_where_both_tagged_the_same_claim() {
    let text = "Zuckerberg zegt: dit is een fout. Facebook moet boeten voor alles.";
    let mut a = project(&[("d", text)]);
    stance(&mut a, "d", Some("dit is een fout."), "Facebook", "AGAINST");
    stance(
        &mut a,
        "d",
        Some("Facebook moet boeten voor alles."),
        "Facebook",
        "AGAINST",
    );
    stance(&mut a, "d", None, "Cambridge Analytica", "AGAINST");
    let mut b = project(&[("d", text)]);
    stance(&mut b, "d", Some("dit is een fout."), "Facebook", "AGAINST");
    stance(
        &mut b,
        "d",
        Some("Facebook moet boeten"),
        "Facebook",
        "FAVOR",
    );
    stance(&mut b, "d", None, "Cambridge Analytica", "AGAINST");
    stance(
        &mut b,
        "d",
        Some("dit is een fout."),
        "Zuckerberg",
        "NEUTRAL",
    );
    let s = agree::compare(&a, &b).expect("same documents").stances;
    // Pairs: the first quote (same spans, same target), the document stances (both on the
    // document), the second quote (overlapping spans). B's Zuckerberg stance has another
    // target: no pair. n_A = 3, n_B = 4, m = 3 → P = 3/4, R = 1, F1 = 6/7.
    assert_eq!((s.claims.in_a, s.claims.in_b, s.claims.matched), (3, 4, 3));
    assert!(close(s.claims.f1, 6.0 / 7.0));
    assert_eq!(s.exact_claims, 2);
    // Polarities (A, B): (AGAINST, AGAINST) ×2, (AGAINST, FAVOR) → 2 of 3 agree.
    assert_eq!(s.same_polarity, 2);
    assert!(close(s.polarity_agreement, 2.0 / 3.0));
    // κ: p_o = 2/3; A AGAINST 3; B AGAINST 2, FAVOR 1 → p_e = 3·2/9 = 2/3 → κ = 0.
    assert!(close(s.polarity_kappa, 0.0));
    assert_eq!(s.confusion["AGAINST"]["FAVOR"], 1);
    assert_eq!(s.confusion["AGAINST"]["AGAINST"], 2);
}

fn relate(p: &mut Project, from: AnnotationId, to: AnnotationId, label: &str) {
    let rel = Relation {
        id: p.allocate_relation_id(label, from, to),
        label: label.into(),
        from,
        to,
    };
    apply(p, Edit::AddRelation(rel)).expect("relation");
}

/// A: Nix -Works_for-> SCL, Nix -Located_in-> Londen, SCL ~Alias~ Cambridge (undirected).
/// B: the same Works_for; Located_in from "Nix werkt" (another span: no match); the alias
/// the other way round (a match: undirected); and an extra Works_for.
#[test]
fn relations_match_on_type_and_both_ends_exactly() {
    const T: &str = "Nix werkt voor SCL, ofwel Cambridge, in Londen.";
    let annotator = || {
        let mut p = project(&[("d", T)]);
        let mut schema = p.schema().clone();
        schema.relation_types.push(RelationType {
            directed: false,
            ..RelationType::any("Alias", Rgb([0, 0, 0]))
        });
        apply(&mut p, Edit::SetSchema(schema)).expect("schema");
        let ids = [
            ("Nix", "PER"),
            ("SCL", "ORG"),
            ("Cambridge", "ORG"),
            ("Londen", "LOC"),
        ]
        .map(|(needle, label)| entity(&mut p, "d", needle, label));
        (p, ids)
    };
    let (mut a, [nix, scl, cam, lon]) = annotator();
    relate(&mut a, nix, scl, "Works_for");
    relate(&mut a, nix, lon, "Located_in");
    relate(&mut a, scl, cam, "Alias");
    let (mut b, [nix, scl, cam, lon]) = annotator();
    let nix_werkt = entity(&mut b, "d", "Nix werkt", "PER");
    relate(&mut b, nix, scl, "Works_for");
    relate(&mut b, nix_werkt, lon, "Located_in");
    relate(&mut b, cam, scl, "Alias");
    relate(&mut b, nix, cam, "Works_for");
    let agreement = agree::compare(&a, &b).expect("same documents");
    let r = &agreement.relations;
    let row = |label: &str| {
        let p = r.per_label[label];
        (p.in_a, p.in_b, p.matched)
    };
    assert_eq!(row("Works_for"), (1, 2, 1));
    assert_eq!(row("Located_in"), (1, 1, 0));
    assert_eq!(row("Alias"), (1, 1, 1), "undirected: either order matches");
    assert_eq!(
        (r.overall.in_a, r.overall.in_b, r.overall.matched),
        (3, 4, 2)
    );
    // precision 2/4, recall 2/3, F1 = 2·(1/2)(2/3)/(1/2 + 2/3) = 4/7.
    assert!(close(r.overall.f1, 4.0 / 7.0));
    let text = agree::to_text(&agreement);
    assert!(
        text.contains("relations (same type, both ends matching exactly)"),
        "{text}"
    );
}

#[test]
fn other_documents_are_a_clear_error() {
    let a = project(&[("d1", "een"), ("d2", "twee")]);
    let b = project(&[("d1", "een"), ("d2", "anders"), ("d3", "drie")]);
    let err = agree::compare(&a, &b).expect_err("documents differ");
    assert_eq!(
        err,
        AgreeError::DocumentsDiffer(vec![
            DocProblem::TextDiffers(DocId("d2".into())),
            DocProblem::OnlyInB(DocId("d3".into())),
        ])
    );
    let message = err.to_string();
    assert!(message.contains("'d2' has different text"), "{message}");
    assert!(message.contains("(and 1 more)"), "{message}");
    let c = project(&[("d1", "een")]);
    assert!(matches!(
        agree::compare(&a, &c),
        Err(AgreeError::DocumentsDiffer(p)) if p == [DocProblem::OnlyInA(DocId("d2".into()))]
    ));
}

#[test]
fn the_example_project_agrees_with_itself() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("saves/example.ron");
    let a = project_file::load(&path).expect("example loads");
    let r = agree::compare(&a, &a.clone()).expect("same documents");
    assert_eq!(r.documents, 5);
    assert!(r.entities.exact.overall.in_a > 0);
    assert!(close(r.entities.exact.overall.f1, 1.0));
    assert!(close(r.entities.overlap.overall.f1, 1.0));
    assert!(close(r.tokens.kappa, 1.0) && close(r.tokens.alpha, 1.0));
    if r.stances.claims.in_a > 0 {
        assert!(close(r.stances.polarity_agreement, 1.0));
    }
    let text = agree::to_text(&r);
    assert!(text.contains("Cohen's kappa          1.000"), "{text}");
}

fn run_cli(args: &[&std::ffi::OsStr]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_spantag"))
        .args(args)
        .output()
        .expect("the binary runs")
}

#[test]
fn cli_agree_prints_text_and_json_and_fails_cleanly_on_other_documents() {
    let dir = tempfile::tempdir().expect("tmp");
    let (a, b) = zuckerberg_pair();
    let (pa, pb) = (dir.path().join("a.ron"), dir.path().join("b.ron"));
    project_file::save(&a, &pa).expect("save a");
    project_file::save(&b, &pb).expect("save b");

    let out = run_cli(&["agree".as_ref(), pa.as_os_str(), pb.as_os_str()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Cohen's kappa          0.412"), "{text}");
    assert!(text.contains("Krippendorff's alpha   0.438"), "{text}");

    let out = run_cli(&[
        "agree".as_ref(),
        pa.as_os_str(),
        pb.as_os_str(),
        "--json".as_ref(),
    ]);
    assert!(out.status.success());
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let kappa = json["tokens"]["kappa"].as_f64().expect("kappa");
    assert!((kappa - 7.0 / 17.0).abs() < EPS);
    assert_eq!(json["entities"]["overlap"]["overall"]["matched"], 1);
    assert!(json["entities"]["exact"]["per_label"]["LOC"]["precision"].is_null());

    let other = project(&[("d", "Een andere tekst.")]);
    let pc = dir.path().join("c.ron");
    project_file::save(&other, &pc).expect("save c");
    let out = run_cli(&["agree".as_ref(), pa.as_os_str(), pc.as_os_str()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("'d' has different text"), "{err}");
    assert!(out.stdout.is_empty());
}
