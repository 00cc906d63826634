//! Tests of `weights`.

use super::*;

fn temp_dir() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

#[test]
fn round_trip_f32() {
    let dir = temp_dir();
    let path = dir.path().join("w.safetensors");
    let a = (0..6).map(|v| v as f32 * 0.5 - 1.0).collect::<Vec<_>>();
    let tensors = vec![
        ("a".to_owned(), vec![2, 3], a.clone()),
        ("b.bias".to_owned(), vec![1], vec![42.0]),
    ];
    write_safetensors(&path, &tensors).expect("write");
    let w = SafetensorsWeights::open(&path).expect("open");
    assert_eq!(w.names(), vec!["a".to_owned(), "b.bias".to_owned()]);
    assert!(w.contains("a") && !w.contains("c"));
    assert_eq!(w.tensor_f32("a").expect("a"), (vec![2, 3], a));
    let device = Device::default();
    let p = load_param(&w, "a", [2, 3], &device).expect("shape ok");
    assert_eq!(p.val().dims(), [2, 3]);
    // No temporary file is left behind.
    assert_eq!(std::fs::read_dir(dir.path()).expect("ls").count(), 1);
}

#[test]
fn missing_and_mis_shaped_tensors_are_named() {
    let dir = temp_dir();
    let path = dir.path().join("w.safetensors");
    write_safetensors(&path, &[("a".to_owned(), vec![2, 3], vec![0.0; 6])]).expect("write");
    let w = SafetensorsWeights::open(&path).expect("open");
    let device = Device::default();
    let err = load_param(&w, "zz", [2, 3], &device).expect_err("missing");
    assert!(
        matches!(err, ModelError::MissingTensor { ref name } if name == "zz"),
        "{err}"
    );
    let err = load_param(&w, "a", [3, 2], &device).expect_err("wrong shape");
    assert!(
        matches!(err, ModelError::ShapeMismatch { ref name, ref expected, ref got }
            if name == "a" && expected == &[3, 2] && got == &[2, 3]),
        "{err}"
    );
}

#[test]
fn linear_weight_is_transposed() {
    let dir = temp_dir();
    let path = dir.path().join("w.safetensors");
    // PyTorch [d_out = 2, d_in = 3].
    let w = vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
    write_safetensors(&path, &[("l.weight".to_owned(), vec![2, 3], w)]).expect("write");
    let src = SafetensorsWeights::open(&path).expect("open");
    let p = load_linear_weight(&src, "l.weight", 3, 2, &Device::default()).expect("load");
    let got = p.val().into_data().iter::<f32>().collect::<Vec<f32>>();
    assert_eq!(got, vec![1.0, 4.0, 2.0, 5.0, 3.0, 6.0]);
    assert!(load_linear_weight(&src, "l.weight", 2, 3, &Device::default()).is_err());
}

#[test]
fn half_precision_is_widened() {
    let dir = temp_dir();
    let path = dir.path().join("h.safetensors");
    let f16: Vec<u8> = [1.5f32, -2.0]
        .iter()
        .flat_map(|v| half::f16::from_f32(*v).to_le_bytes())
        .collect();
    let bf16: Vec<u8> = [0.25f32, 3.0]
        .iter()
        .flat_map(|v| half::bf16::from_f32(*v).to_le_bytes())
        .collect();
    let i64s: Vec<u8> = [7i64].iter().flat_map(|v| v.to_le_bytes()).collect();
    let views = vec![
        (
            "h",
            safetensors::tensor::TensorView::new(Dtype::F16, vec![2], &f16).expect("view"),
        ),
        (
            "b",
            safetensors::tensor::TensorView::new(Dtype::BF16, vec![2], &bf16).expect("view"),
        ),
        (
            "i",
            safetensors::tensor::TensorView::new(Dtype::I64, vec![1], &i64s).expect("view"),
        ),
    ];
    safetensors::serialize_to_file(views, None, &path).expect("write");
    let w = SafetensorsWeights::open(&path).expect("open");
    assert_eq!(w.tensor_f32("h").expect("h").1, vec![1.5, -2.0]);
    assert_eq!(w.tensor_f32("b").expect("b").1, vec![0.25, 3.0]);
    let err = w.tensor_f32("i").expect_err("i64 unsupported");
    assert!(
        matches!(err, ModelError::UnsupportedType { ref name, .. } if name == "i"),
        "{err}"
    );
}

#[test]
fn garbage_file_is_a_safetensors_error() {
    let dir = temp_dir();
    let path = dir.path().join("bad.safetensors");
    std::fs::write(&path, b"\x10\0\0\0\0\0\0\0{not json}").expect("write");
    let err = SafetensorsWeights::open(&path).expect_err("garbage");
    assert!(
        matches!(err, ModelError::Safetensors { ref path, .. } if path.ends_with("bad.safetensors")),
        "{err}"
    );
}

#[test]
fn writer_rejects_inconsistent_shapes() {
    let dir = temp_dir();
    let path = dir.path().join("w.safetensors");
    let err = write_safetensors(&path, &[("a".to_owned(), vec![2, 2], vec![0.0; 3])])
        .expect_err("3 values for 4");
    assert!(err.to_string().contains("`a`"), "{err}");
    assert!(!path.exists());
}
