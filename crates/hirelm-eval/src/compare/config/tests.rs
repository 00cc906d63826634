//! Tests of `config`.

use super::*;

const MINIMAL: &str = r#"
name = "t"
[cost]
cpu_core_hour_usd = 0.05
source = "s"
date = "d"
[[lm]]
name = "tuned"
adapters = [{ dir = "a", tasks = ["score_match"] }, { dir = "b" }]
[[suite]]
path = "eval/match.toml"
predictors = ["rule-matcher", "tuned"]
[bar]
tuned = "tuned"
untuned = "rule-matcher"
"#;

fn check(text: &str) -> std::result::Result<CompareConfig, String> {
    let config: CompareConfig = toml::from_str(text).map_err(|e| e.to_string())?;
    config.check().map(|()| config)
}

#[test]
fn a_minimal_config_reads_with_defaults() {
    let c = check(MINIMAL).expect("valid");
    assert_eq!(
        (c.out.as_path(), c.lm[0].base.clone()),
        (Path::new("benches/results"), default_base())
    );
    assert_eq!(
        c.lm[0].adapters[0].tasks.as_deref(),
        Some(["score_match".to_string()].as_slice())
    );
    assert_eq!(c.lm[0].adapters[1].tasks, None);
    assert_eq!(c.lm[0].candidates, CandidateSource::TunedEncoder);
}

#[test]
fn an_lm_names_the_retriever_whose_candidates_it_reranks() {
    let with = |source: &str| {
        check(&MINIMAL.replace(
            "[[suite]]",
            &format!("candidates = \"{source}\"\n[[suite]]"),
        ))
    };
    assert_eq!(
        with("minilm-nn").expect("valid").lm[0].candidates,
        CandidateSource::Minilm
    );
    assert_eq!(
        with("encoder-nn").expect("valid").lm[0].candidates,
        CandidateSource::TunedEncoder
    );
    let bm25 = with("bm25").unwrap_err();
    assert!(
        bm25.contains("candidates") && bm25.contains("minilm-nn"),
        "{bm25}"
    );
}

#[test]
fn bad_configs_name_the_field() {
    let unknown =
        check(&MINIMAL.replace(r#"["rule-matcher", "tuned"]"#, r#"["rule-matcher", "gpt"]"#))
            .unwrap_err();
    assert!(
        unknown.contains("suite[0]") && unknown.contains("`gpt`") && unknown.contains("tuned"),
        "{unknown}"
    );
    let price = check(&MINIMAL.replace("0.05", "-1.0")).unwrap_err();
    assert!(price.contains("cpu_core_hour_usd"), "{price}");
    let taken = check(&MINIMAL.replace(r#"name = "tuned""#, r#"name = "bm25""#)).unwrap_err();
    assert!(taken.contains("lm[0]") && taken.contains("bm25"), "{taken}");
    let bar =
        check(&MINIMAL.replace(r#"untuned = "rule-matcher""#, r#"untuned = "nope""#)).unwrap_err();
    assert!(bar.contains("bar.untuned"), "{bar}");
    let twice = check(&MINIMAL.replace(r#"["rule-matcher", "tuned"]"#, r#"["tuned", "tuned"]"#))
        .unwrap_err();
    assert!(twice.contains("listed twice"), "{twice}");
    let unknown_few_shot =
        check(&format!("{MINIMAL}untuned_few_shot = \"tuned-3shot\"\n")).unwrap_err();
    assert!(
        unknown_few_shot.contains("bar.untuned_few_shot") && unknown_few_shot.contains("unknown"),
        "{unknown_few_shot}"
    );
    let zero_shot = check(&format!("{MINIMAL}untuned_few_shot = \"bm25\"\n")).unwrap_err();
    assert!(
        zero_shot.contains("not an [[lm]] with few_shot"),
        "{zero_shot}"
    );
    let k = check(&MINIMAL.replace(
        "[[suite]]",
        "few_shot = { k = 0, data = \"train.parquet\" }\n[[suite]]",
    ))
    .unwrap_err();
    assert!(k.contains("lm[0]") && k.contains("few_shot.k"), "{k}");
    let typo = check(&MINIMAL.replace("predictors =", "predictor =")).unwrap_err();
    assert!(typo.contains("predictor"), "{typo}");
}
