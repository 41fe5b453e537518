//! Relations on the command line: a brat folder with relations imported, counted per type
//! by `spantag stats`, and compared by `spantag agree`.

#[path = "common/cli.rs"]
mod cli;
use cli::spantag;

use std::fs;
use std::process::Output;

fn json(out: &Output) -> serde_json::Value {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON on stdout")
}

#[test]
fn stats_count_relations_per_type_and_agree_compares_them() {
    let dir = tempfile::tempdir().expect("tempdir");
    let brat = dir.path().join("brat");
    fs::create_dir(&brat).expect("folder");
    fs::write(
        brat.join("d.txt"),
        "Nix werkt voor SCL Group. Zuckerberg leidt Facebook.\n",
    )
    .expect("txt");
    fs::write(
        brat.join("d.ann"),
        "T1\tPER 0 3\tNix\nT2\tORG 15 24\tSCL Group\nT3\tPER 26 36\tZuckerberg\n\
         T4\tORG 43 51\tFacebook\nR1\tWorks_for Arg1:T1 Arg2:T2\nR2\tCEO_of Arg1:T3 Arg2:T4\n\
         R3\tWorks_for Arg1:T3 Arg2:T4\n",
    )
    .expect("ann");
    fs::write(
        brat.join("annotation.conf"),
        "[entities]\nPER\nORG\n[relations]\nWorks_for Arg1:PER, Arg2:ORG\nCEO_of Arg1:PER, Arg2:ORG\n[events]\n[attributes]\n",
    )
    .expect("conf");
    let p = dir.path().join("p.ron");
    let p = p.to_str().expect("path");
    let out = spantag(&["import", brat.to_str().expect("path"), "-o", p]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stats = json(&spantag(&["stats", p, "--json"]));
    assert_eq!(stats["relations"], 3);
    assert_eq!(stats["per_relation_type"]["Works_for"], 2);
    assert_eq!(stats["per_relation_type"]["CEO_of"], 1);
    let text = spantag(&["stats", p]);
    assert!(String::from_utf8_lossy(&text.stdout).contains("relations per type (3 in all)"));

    let agreement = json(&spantag(&["agree", p, p, "--json"]));
    assert_eq!(agreement["relations"]["overall"]["matched"], 3);
    assert_eq!(agreement["relations"]["overall"]["f1"], 1.0);
    // The project keeps the relation types of annotation.conf in its schema.
    let saved = fs::read_to_string(p).expect("project");
    assert!(saved.contains("relation_types"), "{saved}");
}
