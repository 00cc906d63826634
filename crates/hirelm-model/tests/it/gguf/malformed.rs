//! Malformed and truncated files: every one must be a `ModelError::Gguf` naming the offset and
//! the field, never a panic or a huge allocation.

use hirelm_model::ModelError;
use hirelm_model::gguf::GgufFile;

use super::{assert_gguf_error, small_file};

/// Builds GGUF bytes field by field.
#[derive(Default)]
struct Raw(Vec<u8>);

impl Raw {
    fn header(version: u32, tensor_count: u64, kv_count: u64) -> Self {
        Self(b"GGUF".to_vec())
            .u32(version)
            .u64(tensor_count)
            .u64(kv_count)
    }
    fn u8(mut self, v: u8) -> Self {
        self.0.push(v);
        self
    }
    fn u32(mut self, v: u32) -> Self {
        self.0.extend_from_slice(&v.to_le_bytes());
        self
    }
    fn u64(mut self, v: u64) -> Self {
        self.0.extend_from_slice(&v.to_le_bytes());
        self
    }
    fn bytes(mut self, b: &[u8]) -> Self {
        self.0.extend_from_slice(b);
        self
    }
    fn str(self, s: &str) -> Self {
        self.u64(s.len() as u64).bytes(s.as_bytes())
    }
    /// A tensor info: name, dims (GGML order), type id, offset.
    fn tensor(self, name: &str, dims: &[u64], ty: u32, offset: u64) -> Self {
        let mut raw = self.str(name).u32(dims.len() as u32);
        for &d in dims {
            raw = raw.u64(d);
        }
        raw.u32(ty).u64(offset)
    }
    /// Pads to `align` and appends `n` zero bytes of tensor data.
    fn data(mut self, align: usize, n: usize) -> Self {
        self.0.resize(self.0.len().next_multiple_of(align) + n, 0);
        self
    }
    #[track_caller]
    fn expect_err(self) -> ModelError {
        match GgufFile::from_bytes(self.0) {
            Ok(file) => panic!("malformed file accepted: {file:?}"),
            Err(err) => err,
        }
    }
}

#[test]
fn truncated_at_every_offset() {
    let bytes = small_file();
    let file = GgufFile::from_bytes(bytes.clone()).expect("the untruncated file is valid");
    let needed = file
        .tensors
        .iter()
        .map(|t| file.data_offset() + t.offset + t.n_bytes().unwrap_or(0) as u64)
        .max()
        .unwrap_or(0) as usize;
    assert!(needed < bytes.len(), "the writer pads the last tensor");
    for len in 0..bytes.len() {
        match GgufFile::from_bytes(bytes[..len].to_vec()) {
            Err(ModelError::Gguf { offset, .. }) if len < needed => {
                assert!(
                    offset <= len as u64,
                    "prefix {len}: error offset {offset} past the end"
                );
            }
            Ok(_) if len >= needed => {}
            other => panic!("prefix of {len} bytes (tensor data ends at {needed}): {other:?}"),
        }
    }
    // Spot checks that the errors name the field being read.
    let err = GgufFile::from_bytes(bytes[..6].to_vec()).expect_err("truncated version");
    assert_gguf_error(&err, Some(4), "header.version");
    let err = GgufFile::from_bytes(bytes[..20].to_vec()).expect_err("truncated count");
    assert_gguf_error(&err, Some(16), "header.metadata_kv_count");
    let err = GgufFile::from_bytes(bytes[..needed - 1].to_vec()).expect_err("truncated data");
    assert_gguf_error(&err, None, "tensor_info[2].offset");
    assert!(err.to_string().contains("past the end"), "{err}");
}

#[test]
fn random_corruption_never_panics() {
    let bytes = small_file();
    let mut state = 0x2545_f491_u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..3000 {
        let mut corrupt = bytes.clone();
        for _ in 0..1 + next() % 3 {
            let at = (next() % corrupt.len() as u64) as usize;
            corrupt[at] = next() as u8;
        }
        if let Ok(file) = GgufFile::from_bytes(corrupt) {
            for t in &file.tensors {
                let _ = file.dequantize(&t.name);
            }
        }
    }
}

#[test]
fn bad_magic_and_versions() {
    let mut bytes = small_file();
    bytes[0] = b'g';
    let err = GgufFile::from_bytes(bytes).expect_err("bad magic");
    assert_gguf_error(&err, Some(0), "header.magic");

    let err = Raw::header(1, 0, 0).expect_err();
    assert_gguf_error(&err, Some(4), "header.version");
    assert!(err.to_string().contains("version 1"), "{err}");
    assert_gguf_error(
        &Raw::header(4, 0, 0).expect_err(),
        Some(4),
        "header.version",
    );
    let big_endian = Raw::header(3u32.swap_bytes(), 0, 0).expect_err();
    assert!(
        big_endian.to_string().contains("big-endian"),
        "{big_endian}"
    );
    // Versions 2 and 3 are accepted.
    for v in [2, 3] {
        assert!(GgufFile::from_bytes(Raw::header(v, 0, 0).0).is_ok());
    }
}

#[test]
fn absurd_counts_are_rejected_before_allocating() {
    let err = Raw::header(3, u64::MAX, 0).expect_err();
    assert_gguf_error(&err, Some(8), "header.tensor_count");
    let err = Raw::header(3, 0, u64::MAX).expect_err();
    assert_gguf_error(&err, Some(16), "header.metadata_kv_count");
    let err = Raw::header(3, 0, 1)
        .u64(u64::MAX)
        .bytes(b"key-and-more")
        .expect_err();
    assert_gguf_error(&err, Some(24), "metadata[0].key");
    // Array of u32 claiming 2^63 elements: the count sits after key (9 bytes), type, element type.
    let err = Raw::header(3, 0, 1)
        .str("k")
        .u32(9)
        .u32(4)
        .u64(1 << 63)
        .u32(7)
        .expect_err();
    assert_gguf_error(&err, Some(24 + 9 + 4 + 4), "metadata[`k`].value.count");
    let err = Raw::header(3, 0, 1)
        .str("k")
        .u32(9)
        .u32(8)
        .u64(2)
        .str("a")
        .u64(u64::MAX)
        .expect_err();
    assert_gguf_error(&err, Some(24 + 9 + 4 + 4 + 8 + 9), "metadata[`k`].value[1]");
}

#[test]
fn bad_metadata_values() {
    let kv = |ty: u32| Raw::header(3, 0, 1).str("k").u32(ty);
    assert_gguf_error(&kv(13).u8(0).expect_err(), Some(33), "metadata[`k`].type");
    assert_gguf_error(
        &kv(9).u32(13).u64(0).expect_err(),
        Some(37),
        "metadata[`k`].value.type",
    );
    assert_gguf_error(&kv(7).u8(2).expect_err(), Some(37), "metadata[`k`].value");
    assert_gguf_error(
        &kv(8).u64(2).bytes(&[b'a', 0xC3]).expect_err(),
        None,
        "metadata[`k`].value",
    );
    assert_gguf_error(
        &kv(4).bytes(&[1, 2]).expect_err(),
        Some(37),
        "metadata[`k`].value",
    );
    // A valid key (10 bytes), then a type cut short after 3 bytes.
    let err = Raw::header(3, 0, 1)
        .str("\u{7f}x")
        .bytes(&[0, 0, 0])
        .expect_err();
    assert_gguf_error(&err, Some(34), "metadata[`\u{7f}x`].type");
    let err = Raw::header(3, 0, 1)
        .u64(2)
        .bytes(&[0xFF, 0xFE])
        .u32(4)
        .u32(0)
        .expect_err();
    assert_gguf_error(&err, None, "metadata[0].key");

    let mut deep = kv(9);
    for _ in 0..40 {
        deep = deep.u32(9).u64(1);
    }
    let err = deep.u32(4).u64(0).expect_err();
    assert!(err.to_string().contains("nested deeper"), "{err}");

    let dup = Raw::header(3, 0, 2)
        .str("k")
        .u32(0)
        .u8(1)
        .str("k")
        .u32(0)
        .u8(2)
        .expect_err();
    assert_gguf_error(&dup, Some(38), "metadata[1].key");

    for bad in [kv_alignment(0), kv_alignment(3)] {
        assert_gguf_error(
            &bad,
            Some(24 + 8 + 17 + 4),
            "metadata[`general.alignment`].value",
        );
    }
    let err = Raw::header(3, 0, 1)
        .str("general.alignment")
        .u32(8)
        .str("32")
        .expect_err();
    assert_gguf_error(&err, None, "general.alignment");
}

fn kv_alignment(v: u32) -> ModelError {
    Raw::header(3, 0, 1)
        .str("general.alignment")
        .u32(4)
        .u32(v)
        .expect_err()
}

#[test]
fn bad_tensor_infos() {
    let one = || Raw::header(3, 1, 0);
    // name "t" (9 bytes) at 24, n_dims at 33, dims at 37, then type and offset.
    let err = one().tensor("t", &[32], 99, 0).data(32, 128).expect_err();
    assert_gguf_error(&err, Some(45), "tensor_info[0].type");
    let err = one().tensor("t", &[32], 4, 0).data(32, 128).expect_err(); // removed Q4_2
    assert_gguf_error(&err, Some(45), "tensor_info[0].type");
    let err = one().tensor("t", &[1; 5], 0, 0).data(32, 128).expect_err();
    assert_gguf_error(&err, Some(33), "tensor_info[0].n_dims");
    let err = one()
        .tensor("t", &[u64::MAX, u64::MAX], 0, 0)
        .data(32, 128)
        .expect_err();
    assert_gguf_error(&err, Some(37), "tensor_info[0].dims");
    let err = one().tensor("t", &[16, 2], 3, 0).data(32, 128).expect_err(); // Q4_1 rows of 16
    assert_gguf_error(&err, Some(37), "tensor_info[0].dims");
    assert!(
        err.to_string()
            .contains("multiple of the Q4_1 block size 32"),
        "{err}"
    );
    let err = one().tensor("t", &[4], 0, 0).u8(1).expect_err(); // truncated before the data
    assert_gguf_error(&err, None, "tensor_info[0].offset");
}

#[test]
fn tensor_placement() {
    let two = |second_offset: u64| {
        Raw::header(3, 2, 0)
            .tensor("a", &[4], 0, 0)
            .tensor("b", &[4], 0, second_offset)
    };
    let second_offset_field = 24 + (9 + 4 + 8 + 4 + 8) + (9 + 4 + 8 + 4);
    let err = two(4).data(32, 64).expect_err();
    assert_gguf_error(&err, Some(second_offset_field), "tensor_info[1].offset");
    assert!(
        err.to_string()
            .contains("not a multiple of the alignment 32"),
        "{err}"
    );
    let err = two(32).data(32, 40).expect_err();
    assert_gguf_error(&err, Some(second_offset_field), "tensor_info[1].offset");
    assert!(err.to_string().contains("past the end"), "{err}");
    let err = two(u64::MAX - 31).data(32, 64).expect_err();
    assert_gguf_error(&err, Some(second_offset_field), "tensor_info[1].offset");
    assert!(GgufFile::from_bytes(two(32).data(32, 48).0).is_ok());

    let dup = Raw::header(3, 2, 0)
        .tensor("a", &[4], 0, 0)
        .tensor("a", &[4], 0, 32)
        .data(32, 64);
    assert_gguf_error(&dup.expect_err(), Some(24 + 33), "tensor_info[1].name");
}
