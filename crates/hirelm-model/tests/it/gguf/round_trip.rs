//! Writer → reader round trips: every metadata type, F32/F16/Q8_0 tensors, alignment, files on
//! disk, and hand-built quantised tensors read back through `GgufFile::dequantize`.

use half::f16;
use hirelm_model::ModelError;
use hirelm_model::gguf::{
    ALIGNMENT_KEY, GgmlType, GgufFile, GgufWriter, MetadataValue, TensorInfo, dequantize,
};

use super::small_file;

type TestResult = Result<(), ModelError>;

fn every_metadata_type() -> Vec<(String, MetadataValue)> {
    use MetadataValue as V;
    let nested = V::Array(vec![
        V::Array(vec![V::I16(-1), V::I16(2)]),
        V::Array(vec!["x".into()]),
        V::Array(vec![]),
        V::Array(vec![V::Array(vec![V::Bool(true), V::Bool(false)])]),
    ]);
    [
        ("u8", V::U8(255)),
        ("i8", V::I8(-128)),
        ("u16", V::U16(65535)),
        ("i16", V::I16(-32768)),
        ("u32", V::U32(4_000_000_000)),
        ("i32", V::I32(i32::MIN)),
        ("f32", V::F32(-0.1)),
        ("bool.true", V::Bool(true)),
        ("bool.false", V::Bool(false)),
        ("string", V::from("héllo, wörld ✓")),
        ("string.empty", V::from("")),
        ("u64", V::U64(u64::MAX)),
        ("i64", V::I64(i64::MIN)),
        ("f64", V::F64(std::f64::consts::PI)),
        ("array.u32", V::Array(vec![V::U32(1), V::U32(2), V::U32(3)])),
        ("array.f32", V::Array(vec![V::F32(0.5), V::F32(-0.0)])),
        (
            "array.string",
            V::Array(vec!["a".into(), "".into(), "ü".into()]),
        ),
        ("array.empty", V::Array(vec![])),
        ("array.nested", nested),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

#[test]
fn every_metadata_type_round_trips_in_order() -> TestResult {
    let mut w = GgufWriter::new();
    for (k, v) in every_metadata_type() {
        w.add_metadata(k, v);
    }
    let file = GgufFile::from_bytes(w.try_to_bytes()?)?;
    assert_eq!((file.version, file.alignment), (3, 32));
    assert_eq!(file.metadata, every_metadata_type());
    assert!(file.tensors.is_empty());
    Ok(())
}

#[test]
fn typed_accessors() -> TestResult {
    let mut w = GgufWriter::new();
    for (k, v) in every_metadata_type() {
        w.add_metadata(k, v);
    }
    let file = GgufFile::from_bytes(w.to_bytes())?;
    assert_eq!(file.get_u64("u8")?, 255);
    assert_eq!(file.get_u64("u64")?, u64::MAX);
    assert_eq!(file.get_f64("i16")?, -32768.0);
    assert_eq!(file.get_f64("f32")?, f64::from(-0.1f32));
    assert_eq!(file.get_str("string")?, "héllo, wörld ✓");
    assert_eq!(file.get_str_array("array.string")?, ["a", "", "ü"]);
    assert_eq!(
        file.get("bool.true").and_then(MetadataValue::as_bool),
        Some(true)
    );

    for (result, key, reason) in [
        (file.get_u64("i8").err(), "i8", "non-negative integer"),
        (file.get_u64("missing.key").err(), "missing.key", "missing"),
        (file.get_f64("string").err(), "string", "a number"),
        (file.get_str("u8").err(), "u8", "a string"),
        (
            file.get_str_array("array.u32").err(),
            "array.u32",
            "element 0",
        ),
        (file.architecture().err(), "general.architecture", "missing"),
    ] {
        match result {
            Some(ModelError::Metadata { key: k, reason: r }) => {
                assert_eq!(k, key);
                assert!(r.contains(reason), "{key}: {r}");
            }
            other => panic!("{key}: expected a Metadata error, got {other:?}"),
        }
    }
    Ok(())
}

#[test]
fn tensors_round_trip() -> TestResult {
    let specials = [
        0.0,
        -0.0,
        1.5,
        -3.25e-39,
        f32::MIN_POSITIVE,
        f32::INFINITY,
        f32::MAX,
        -7.0,
    ];
    let halves = [0.1f32, -2.0, 1e-5, 70000.0, 3.0, -0.0];
    let q8: Vec<f32> = (0..96)
        .map(|i| ((i * 7919 % 97) as f32 - 48.0) * 0.021)
        .collect();
    let mut w = GgufWriter::new();
    w.add_metadata("general.architecture", MetadataValue::from("test"));
    w.add_f32("f32", &[2, 4], &specials)?
        .add_f16("f16", &[3, 2], &halves)?
        .add_q8_0("q8", &[3, 32], &q8)?
        .add_f32("scalar", &[], &[42.0])?;
    let file = GgufFile::from_bytes(w.to_bytes())?;
    assert_eq!(file.architecture()?, "test");
    assert_eq!(file.tensors.len(), 4);

    let f32_info = file
        .tensor("f32")
        .cloned()
        .ok_or(ModelError::MissingTensor { name: "f32".into() })?;
    assert_eq!(
        (f32_info.dims.as_slice(), f32_info.shape()),
        (&[4u64, 2][..], vec![2, 4])
    );
    assert_eq!(f32_info.ggml_type, GgmlType::F32);
    let got = file.dequantize("f32")?;
    assert_eq!(
        got.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
        specials.map(f32::to_bits)
    );

    let got = file.dequantize("f16")?;
    let expected: Vec<f32> = halves.iter().map(|&v| f16::from_f32(v).to_f32()).collect();
    assert_eq!(got, expected);
    assert_eq!(got[3], f32::INFINITY, "70000 overflows f16");

    let info = file
        .tensor("q8")
        .ok_or(ModelError::MissingTensor { name: "q8".into() })?;
    assert_eq!(
        (info.ggml_type, info.shape(), info.n_bytes()),
        (GgmlType::Q8_0, vec![3, 32], Some(3 * 34))
    );
    let got = file.dequantize("q8")?;
    for (block, (xs, ys)) in q8.chunks(32).zip(got.chunks(32)).enumerate() {
        let amax = xs.iter().fold(0.0f32, |a, v| a.max(v.abs()));
        // Half a step of amax/127, plus the f16 rounding of the scale (2^-11 relative) at q=127.
        let tol = amax / 127.0 * 0.5 + amax * 2f32.powi(-11);
        for (x, y) in xs.iter().zip(ys) {
            assert!(
                (x - y).abs() <= tol,
                "block {block}: {x} -> {y} (tolerance {tol})"
            );
        }
    }
    assert_eq!(file.dequantize("scalar")?, [42.0]);

    for t in &file.tensors {
        assert_eq!(t.offset % 32, 0, "{}", t.name);
        assert_eq!(
            file.tensor_data(t)?.len(),
            t.n_bytes().unwrap_or(usize::MAX)
        );
    }
    assert_eq!(file.data_offset() % 32, 0);
    assert!(
        matches!(file.dequantize("nope"), Err(ModelError::MissingTensor { name }) if name == "nope")
    );
    Ok(())
}

#[test]
fn custom_alignment_is_respected() -> TestResult {
    let mut w = GgufWriter::new();
    w.add_metadata(ALIGNMENT_KEY, MetadataValue::U32(256));
    w.add_f32("a", &[3], &[1.0, 2.0, 3.0])?
        .add_f32("b", &[5], &[4.0; 5])?;
    let file = GgufFile::from_bytes(w.to_bytes())?;
    assert_eq!(file.alignment, 256);
    assert_eq!(file.data_offset() % 256, 0);
    assert_eq!(file.tensor("b").map(|t| t.offset), Some(256));
    assert_eq!(file.dequantize("b")?, [4.0; 5]);
    Ok(())
}

#[test]
fn write_and_open_from_disk() -> TestResult {
    let dir = tempfile::tempdir().map_err(|e| ModelError::io("tempdir", e))?;
    let path = dir.path().join("model.gguf");
    let mut w = GgufWriter::new();
    w.add_metadata("general.architecture", MetadataValue::from("llama"));
    w.add_f32("a", &[2], &[1.0, 2.0])?;
    w.write(&path)?;
    let first = GgufFile::open(&path)?;
    assert_eq!(first.path(), Some(path.as_path()));
    assert_eq!(first.dequantize("a")?, [1.0, 2.0]);
    let read = std::fs::read(&path).map_err(|e| ModelError::io(&path, e))?;
    assert_eq!(read, w.to_bytes());

    // Replacing the file renames a new inode over it: the open map keeps the old contents.
    let mut w2 = GgufWriter::new();
    w2.add_f32("a", &[3], &[7.0, 8.0, 9.0])?;
    w2.write(&path)?;
    assert_eq!(first.dequantize("a")?, [1.0, 2.0]);
    assert_eq!(GgufFile::open(&path)?.dequantize("a")?, [7.0, 8.0, 9.0]);

    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .map_err(|e| ModelError::io(dir.path(), e))?
        .filter_map(|e| e.ok().map(|e| e.file_name()))
        .filter(|n| n != "model.gguf")
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");

    let missing = dir.path().join("missing.gguf");
    match GgufFile::open(&missing) {
        Err(ModelError::Io { path, .. }) => assert_eq!(path, missing),
        other => panic!("expected Io error, got {other:?}"),
    }
    let empty = dir.path().join("empty.gguf");
    std::fs::write(&empty, b"").map_err(|e| ModelError::io(&empty, e))?;
    let err = GgufFile::open(&empty).expect_err("empty file");
    super::assert_gguf_error(&err, Some(0), "header.magic");
    assert!(
        err.to_string().contains("empty.gguf"),
        "open() errors name the file: {err}"
    );

    let bad = GgufWriter::new()
        .add_metadata(ALIGNMENT_KEY, MetadataValue::I32(-8))
        .write(&path);
    assert!(matches!(bad, Err(ModelError::Metadata { key, .. }) if key == ALIGNMENT_KEY));
    Ok(())
}

/// A Q4_1 block with d = 0.5, m = -1 and quant `j % 16` at element j, built by hand.
fn q4_1_block() -> (Vec<u8>, Vec<f32>) {
    let mut b = vec![0x00, 0x38, 0x00, 0xbc]; // f16 0.5, f16 -1.0
    b.extend((0..16u8).map(|j| j | ((j ^ 0xF) << 4)));
    let expected = (0..32u8).map(|e| {
        let q = if e < 16 { e } else { (e - 16) ^ 0xF };
        f32::from(q) * 0.5 - 1.0
    });
    (b, expected.collect())
}

#[test]
fn quantised_tensors_read_back_through_the_file() -> TestResult {
    let (block, expected_block) = q4_1_block();
    let data: Vec<u8> = block
        .iter()
        .copied()
        .cycle()
        .take(4 * block.len())
        .collect();
    let mut q4k = vec![0u8; 144];
    q4k[0..2].copy_from_slice(&[0x00, 0x3c]); // d = 1
    q4k[4] = 3; // sub-block 0: scale 3, min 0
    q4k[16] = 0x21; // element 0: low nibble 1; element 32: high nibble 2 (scale 0)
    let mut w = GgufWriter::new();
    w.add_raw("q4_1", &[2, 64], GgmlType::Q4_1, data)?.add_raw(
        "q4_k",
        &[256],
        GgmlType::Q4K,
        q4k,
    )?;
    let file = GgufFile::from_bytes(w.to_bytes())?;
    let got = file.dequantize("q4_1")?;
    assert_eq!(got.len(), 128);
    for chunk in got.chunks(32) {
        assert_eq!(chunk, expected_block.as_slice());
    }
    let got = file.dequantize("q4_k")?;
    assert_eq!((got[0], got[1], got[32]), (3.0, 0.0, 0.0));
    assert!(matches!(
        w.add_raw("bad", &[32], GgmlType::Q4_1, vec![0; 19]),
        Err(ModelError::ShapeMismatch { .. })
    ));
    Ok(())
}

#[test]
fn tensor_data_is_bounds_checked() -> TestResult {
    let file = GgufFile::from_bytes(small_file())?;
    let bogus = TensorInfo {
        name: "bogus".into(),
        dims: vec![1 << 40],
        ggml_type: GgmlType::F32,
        offset: 0,
    };
    super::assert_gguf_error(
        &file.tensor_data(&bogus).expect_err("out of bounds"),
        None,
        "bogus",
    );
    let unknown = TensorInfo {
        ggml_type: GgmlType::Other(99),
        dims: vec![4],
        ..bogus
    };
    assert!(matches!(
        file.tensor_data(&unknown),
        Err(ModelError::UnsupportedType { .. })
    ));
    assert!(matches!(
        dequantize(GgmlType::Other(20), &[0; 18], 32, "iq4"),
        Err(ModelError::UnsupportedType { name, .. }) if name == "iq4"
    ));
    Ok(())
}
