//! Tests of `minhash`.

use super::*;

#[test]
fn finds_near_duplicates_and_keeps_distinct_texts() {
    let hasher = MinHasher::new(MinHashConfig::default());
    let texts = [
        "We are looking for a senior backend engineer with strong Python and PostgreSQL experience in a fast growing team",
        "Lorem ipsum is unrelated text about gardening tomatoes and watering plants every morning in the summer heat",
        "We are looking for a senior backend engineer with strong Python and PostgreSQL experience in a fast growing team!",
        "Design and build data pipelines on Spark and Kafka for our analytics platform serving millions of users daily",
    ];
    let (keep, report) = near_dedup(&hasher, &texts);
    assert_eq!(keep, vec![true, true, false, true]);
    assert_eq!((report.clusters, report.removed), (1, 1));
    assert_eq!(report.duplicate_pairs, vec![(0, 2)]);
}

const SHA1_REF: u32 = 2_793_229_714;
const SIG_REF: [u32; 2] = [1_865_631_982, 1_610_708_845];

#[test]
fn signatures_match_datasketch() {
    // Reference values from datasketch 2.0.0 (Python):
    //   from datasketch import MinHash; from datasketch.hashfunc import sha1_hash32
    //   m = MinHash(num_perm=2, permutations=([3, 5], [7, 11]), scheme="affine32")
    //   m.update_batch([b"senior backend engineer", b"backend engineer with"])
    //   print(sha1_hash32(b"senior backend engineer"), list(m.hashvalues))
    let mut hasher = MinHasher::new(MinHashConfig {
        permutations: 2,
        bands: 1,
        ..MinHashConfig::default()
    });
    hasher.a = vec![3, 5];
    hasher.b = vec![7, 11];
    assert_eq!(sha1_hash32(b"senior backend engineer"), SHA1_REF);
    assert_eq!(
        hasher.signature("Senior backend engineer WITH"),
        SIG_REF.to_vec()
    );
}

#[test]
fn signature_hashes_exactly_the_shingles() {
    let hasher = MinHasher::new(MinHashConfig::default());
    for text in [
        "Senior  Backend engineer\twith Rust\x0band SQL\r\n skills ",
        "two words",
        "",
        "ΣΟΦΙΑ ΟΔΟΣ grüße STRASSE",
    ] {
        let mut expected = vec![u32::MAX; 128];
        for s in hasher.shingles(text) {
            permute_min_portable(
                &mut expected,
                &hasher.a,
                &hasher.b,
                fmix32(sha1_hash32(s.as_bytes())),
            );
        }
        assert_eq!(hasher.signature(text), expected, "{text}");
    }
}

#[test]
fn band_keys_cover_bands_times_rows() {
    let config = MinHashConfig {
        permutations: 128,
        bands: 9,
        rows: Some(13),
        ..MinHashConfig::default()
    };
    assert!(config.problem().is_none());
    let hasher = MinHasher::new(config);
    let sig = hasher.signature("a b c d e f");
    assert_eq!(hasher.band_keys(&sig).len(), 9);
    let too_many = MinHashConfig {
        bands: 10,
        rows: Some(13),
        ..MinHashConfig::default()
    };
    assert!(too_many.problem().unwrap().contains("10 bands of 13 rows"));
}

#[test]
fn similarity_estimates_jaccard() {
    let hasher = MinHasher::new(MinHashConfig {
        shingle_words: 1,
        permutations: 256,
        ..MinHashConfig::default()
    });
    // Jaccard of these word sets is 8/12.
    let a = hasher.signature("a b c d e f g h i j");
    let b = hasher.signature("a b c d e f g h k l");
    let s = MinHasher::similarity(&a, &b);
    assert!((s - 8.0 / 12.0).abs() < 0.1, "{s}");
}
