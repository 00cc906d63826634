//! Parsers on the real source files.

use hirelm_curate::esco::read_concepts;
use hirelm_curate::labels::LabelSet;

use crate::{fetched, shared_data};

#[test]
fn esco_skills_parse_with_labels_and_definitions() {
    let data = fetched("esco/skills.csv");
    let labels =
        LabelSet::read(&shared_data().join("skill-extraction-benchmark/skills_en_label.txt"))
            .expect("labels");
    assert_eq!(labels.len(), 13_896);
    let (skills, stats) =
        read_concepts(&data.join("esco/skills.csv"), Some(&labels)).expect("parses");
    assert_eq!(stats.rows, 13_939);
    assert!(stats.no_label * 100 < stats.rows * 3, "{stats:?}");
    assert!(stats.no_definition * 100 < stats.rows, "{stats:?}");
    let staff = skills
        .iter()
        .find(|s| s.uri.ends_with("0005c151-5b5a-4a66-8aac-60e734beb1ab"))
        .expect("row 2");
    assert_eq!(staff.label, "manage musical staff");
    assert!(
        staff
            .definition
            .starts_with("Assign and manage staff tasks in areas such as scoring"),
        "{}",
        staff.definition
    );
    assert!(
        staff.alt_text.starts_with("manage staff of music")
            && staff.alt_text.ends_with("direct musical staff")
    );
    assert!(skills.iter().any(|s| s.label == "Haskell"));
}

#[test]
fn esco_occupations_parse_from_the_definition_head() {
    let data = fetched("esco/occupations.csv");
    let (occs, stats) = read_concepts(&data.join("esco/occupations.csv"), None).expect("parses");
    assert_eq!(stats.rows, 3_658);
    assert!(stats.no_label * 100 < stats.rows * 6, "{stats:?}");
    let td = occs
        .iter()
        .find(|o| o.uri.ends_with("00030d09-2b3a-4efd-87cc-c4ea39d27c34"))
        .expect("technical director");
    assert_eq!(td.label, "technical director");
    assert!(
        td.definition
            .starts_with("Technical directors realise the artistic visions")
    );
}

#[test]
fn every_gold_label_of_the_benchmark_finds_its_entry() {
    let dir = shared_data().join("skill-extraction-benchmark");
    let labels = LabelSet::read(&dir.join("skills_en_label.txt")).expect("labels");
    for file in [
        "tech_validation_annotations.csv",
        "house_validation_annotations.csv",
    ] {
        let mut reader = csv::Reader::from_path(dir.join(file)).expect("csv");
        let mut n = 0;
        for row in reader.records() {
            let row = row.expect("row");
            let gold = row.get(3).expect("label column");
            if gold == "UNDERSPECIFIED" || gold == "LABEL NOT PRESENT" {
                continue;
            }
            assert!(
                labels.find(gold).is_some(),
                "{file}: gold label `{gold}` not in the label list"
            );
            n += 1;
        }
        assert!(n > 100, "{file}: {n} gold labels");
    }
}

#[test]
fn titles_and_skillspan_read_fully() {
    let shared = shared_data();
    let titles = hirelm_curate::titles::read_titles(&shared.join("jobbert-titles/titles.csv"))
        .expect("titles");
    assert_eq!(titles.len(), 15_463);
    let train = hirelm_curate::skillspan::read_skillspan(&shared.join("skillspan/train.json"))
        .expect("train");
    assert_eq!(train.len(), 4_800);
    assert!(train.iter().filter(|s| !s.spans.is_empty()).count() > 500);
}

#[test]
fn malformed_esco_row_names_file_and_line() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("skills.csv");
    std::fs::write(
        &path,
        "id,description\nhttp://data.europa.eu/esco/skill/1,\"ok label Def.\"\nnot-a-uri,\"x\"\n",
    )
    .expect("write");
    let err = read_concepts(&path, None).expect_err("bad uri").to_string();
    assert!(err.contains("skills.csv:3: id"), "{err}");
    let err = read_concepts(&dir.path().join("absent.csv"), None)
        .expect_err("missing")
        .to_string();
    assert!(err.contains("scripts/fetch-data.sh"), "{err}");
}

#[test]
fn bls_wages_and_first_names_read_from_sqlite() {
    let data = fetched("bls/oews-2025.sqlite");
    let wages = hirelm_curate::wages::read_national_wages(&data.join("bls/oews-2025.sqlite"))
        .expect("wages");
    assert!(wages.len() > 800, "{} occupations", wages.len());
    let dev = wages
        .iter()
        .find(|w| w.soc == "151252")
        .expect("Software Developers");
    assert_eq!(dev.name, "Software Developers");
    let [p10, _, median, _, p90] = dev.hourly_percentiles;
    let (p10, median, p90) = (
        p10.expect("p10"),
        median.expect("median"),
        p90.expect("p90"),
    );
    assert!(
        p10 < median && median < p90 && (40.0..120.0).contains(&median),
        "{dev:?}"
    );

    let data = fetched("names/us-name-data.sqlite");
    let names = hirelm_curate::names::read_first_names(
        &data.join("names/us-name-data.sqlite"),
        2000,
        50_000,
    )
    .expect("names");
    assert!(names.len() > 100, "{}", names.len());
    assert!(names.iter().any(|n| n.name == "Emily" && n.sex == "F"));
    assert!(names.windows(2).all(|w| w[0].births >= w[1].births));
}
