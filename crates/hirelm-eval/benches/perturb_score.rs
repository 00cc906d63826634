//! Perturbation generation and scoring must never be the bottleneck of an evaluation: this bench
//! applies every text pack to 10,000 synthetic sentences, every structured pack to 10,000
//! synthetic match inputs, and scores 10,000 ranked outputs with the ranking metrics (with and
//! without parsing their JSON). Inputs are generated from a fixed seed, so runs compare.
//!
//! `cargo bench -p hirelm-eval --bench perturb_score` (criterion prints elements/s). The
//! `misspell`, `name_swap`, `synonym` and `skill_alias` packs use the fetched data
//! (`scripts/fetch-data.sh`, or `$HIRELM_DATA_DIR`) when present and are skipped, with a note,
//! otherwise; `skill_alias` also needs the benchmark label list, which cargo's working directory
//! (the crate) does not reach as `../shared/data`: set `HIRELM_SHARED_DATA` to the shared folder.

use std::hint::black_box;
use std::path::PathBuf;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use hirelm_core::Task;
use hirelm_eval::io::{parse_ranked, ranked_output};
use hirelm_eval::metrics::Metric;
use hirelm_eval::metrics::stats::SplitMix64;
use hirelm_eval::perturb::{Pack, PackContext};
use serde_json::{Value, json};

const N: usize = 10_000;
const WORDS: [&str; 24] = [
    "Python",
    "SQL",
    "manage",
    "teams",
    "organising",
    "data",
    "pipelines",
    "colour",
    "customer",
    "service",
    "with",
    "and",
    "5",
    "years",
    "$5000",
    "budget",
    "Java",
    "reports",
    "in",
    "the",
    "cloud",
    "she",
    "his",
    "analyse",
];
const SKILLS: [&str; 8] = [
    "SQL",
    "Python (computer programming)",
    "Rust",
    "Excel",
    "teamwork",
    "Java (computer programming)",
    "Go",
    "Docker",
];

fn sentences(rng: &mut SplitMix64) -> Vec<String> {
    (0..N)
        .map(|_| {
            let len = 8 + rng.below(16);
            let words: Vec<&str> = (0..len)
                .map(|i| {
                    if i % 6 == 5 {
                        ","
                    } else {
                        WORDS[rng.below(WORDS.len())]
                    }
                })
                .collect();
            format!("{}.", words.join(" ").replace(" ,", ","))
        })
        .collect()
}

fn match_inputs(rng: &mut SplitMix64) -> Vec<Value> {
    let mut pick =
        |k: usize| -> Vec<&str> { (0..k).map(|_| SKILLS[rng.below(SKILLS.len())]).collect() };
    (0..N)
        .map(|i| {
            let name = ["Mary", "John", "Linda", "James"][i % 4];
            json!({
                "job": {"title": "data engineer", "required_skills": pick(3), "budget": {"kind": "hourly", "min_usd": 20.0, "max_usd": 50.0}, "time_zone": "UTC", "hours_per_week": 20},
                "candidate": {"id": format!("c{i}"), "name": name, "headline": "h", "skills": pick(4), "hourly_rate_usd": 40.0, "time_zone": "UTC", "hours_per_week": 20},
            })
        })
        .collect()
}

fn data_dir() -> PathBuf {
    std::env::var_os("HIRELM_DATA_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data"))
}

fn context(pack: Pack) -> Option<PackContext> {
    match PackContext::load(&[pack], &data_dir()) {
        Ok(ctx) => Some(ctx),
        Err(e) => {
            eprintln!("skipping {}: {e}", pack.name());
            None
        }
    }
}

fn packs(c: &mut Criterion) {
    let mut rng = SplitMix64::new(17);
    let texts = sentences(&mut rng);
    let inputs = match_inputs(&mut rng);
    let mut group = c.benchmark_group("pack_10k");
    group
        .throughput(Throughput::Elements(N as u64))
        .sample_size(10);
    for pack in Pack::TEXT {
        let Some(ctx) = context(pack) else { continue };
        group.bench_function(format!("text/{}", pack.name()), |b| {
            b.iter(|| {
                texts
                    .iter()
                    .enumerate()
                    .map(|(i, t)| pack.apply_with(black_box(t), i as u64, &ctx).len())
                    .sum::<usize>()
            })
        });
    }
    for pack in Pack::STRUCTURED {
        let Some(ctx) = context(pack) else { continue };
        group.bench_function(format!("structured/{}", pack.name()), |b| {
            b.iter(|| {
                inputs
                    .iter()
                    .enumerate()
                    .filter_map(|(i, v)| pack.apply_json(black_box(v), i as u64, &ctx))
                    .count()
            })
        });
    }
    group.finish();
}

fn scoring(c: &mut Criterion) {
    let mut rng = SplitMix64::new(18);
    let ids: Vec<String> = (0..500).map(|i| format!("skill {i}")).collect();
    let ranked: Vec<Vec<String>> = (0..N)
        .map(|_| (0..20).map(|_| ids[rng.below(ids.len())].clone()).collect())
        .collect();
    let gold: Vec<Vec<String>> = (0..N)
        .map(|_| (0..3).map(|_| ids[rng.below(50)].clone()).collect())
        .collect();
    let raws: Vec<String> = ranked
        .iter()
        .map(|r| {
            ranked_output(
                Task::ExtractSkills,
                &r.iter().map(|id| (id.clone(), 0.5)).collect::<Vec<_>>(),
            )
            .to_string()
        })
        .collect();
    let mut group = c.benchmark_group("score_10k");
    group
        .throughput(Throughput::Elements(N as u64))
        .sample_size(10);
    group.bench_function("ranking_metrics", |b| {
        b.iter(|| {
            let mut sum = 0.0;
            for (r, g) in ranked.iter().zip(&gold) {
                for m in Metric::RANKED {
                    sum += m.score(black_box(r), g).unwrap_or(0.0);
                }
            }
            sum
        })
    });
    group.bench_function("parse_json_and_ranking_metrics", |b| {
        b.iter(|| {
            let mut sum = 0.0;
            for (raw, g) in raws.iter().zip(&gold) {
                let r = parse_ranked(Task::ExtractSkills, black_box(raw)).unwrap_or_default();
                for m in Metric::RANKED {
                    sum += m.score(&r, g).unwrap_or(0.0);
                }
            }
            sum
        })
    });
    group.finish();
}

criterion_group!(benches, packs, scoring);
criterion_main!(benches);
