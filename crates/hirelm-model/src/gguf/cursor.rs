//! A little-endian byte cursor that turns every short read into a [`ModelError::Gguf`] naming the
//! byte offset and the field being read.

use crate::error::{ModelError, Result};

/// Reads little-endian scalars and GGUF strings from a byte slice, tracking the offset.
///
/// Every read takes a `field` closure that names what is being read (`"header.magic"`,
/// `"tensor_info[3].n_dims"`); it is only called to build an error message.
#[derive(Debug)]
pub(crate) struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    /// A cursor at the start of `bytes`.
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Self { bytes, pos: 0 }
    }

    /// The current offset from the start of the input.
    pub(crate) fn pos(&self) -> u64 {
        self.pos as u64
    }

    /// Bytes left after the current offset.
    pub(crate) fn remaining(&self) -> usize {
        self.bytes.len() - self.pos
    }

    /// An error at the current offset.
    pub(crate) fn error(&self, field: String, reason: impl Into<String>) -> ModelError {
        ModelError::gguf(self.pos(), field, reason)
    }

    /// Takes the next `n` bytes.
    pub(crate) fn take(&mut self, n: usize, field: impl FnOnce() -> String) -> Result<&'a [u8]> {
        if n > self.remaining() {
            return Err(self.error(
                field(),
                format!("truncated: needs {n} bytes, only {} left", self.remaining()),
            ));
        }
        let slice = &self.bytes[self.pos..self.pos + n];
        self.pos += n;
        Ok(slice)
    }

    /// Takes the next `N` bytes as an array.
    fn array<const N: usize>(&mut self, field: impl FnOnce() -> String) -> Result<[u8; N]> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N, field)?);
        Ok(out)
    }

    /// Reads one byte.
    pub(crate) fn u8(&mut self, field: impl FnOnce() -> String) -> Result<u8> {
        Ok(self.array::<1>(field)?[0])
    }

    /// Reads a little-endian `u16`.
    pub(crate) fn u16(&mut self, field: impl FnOnce() -> String) -> Result<u16> {
        self.array(field).map(u16::from_le_bytes)
    }

    /// Reads a little-endian `u32`.
    pub(crate) fn u32(&mut self, field: impl FnOnce() -> String) -> Result<u32> {
        self.array(field).map(u32::from_le_bytes)
    }

    /// Reads a little-endian `u64`.
    pub(crate) fn u64(&mut self, field: impl FnOnce() -> String) -> Result<u64> {
        self.array(field).map(u64::from_le_bytes)
    }

    /// Reads a GGUF string: a `u64` byte length followed by that many UTF-8 bytes.
    ///
    /// The length is checked against the bytes left before anything is allocated.
    pub(crate) fn string(&mut self, field: impl Fn() -> String) -> Result<String> {
        let start = self.pos();
        let len = self.u64(|| format!("{}.len", field()))?;
        let n = usize::try_from(len)
            .ok()
            .filter(|&n| n <= self.remaining())
            .ok_or_else(|| {
                ModelError::gguf(
                    start,
                    field(),
                    format!(
                        "string length {len} exceeds the {} bytes left",
                        self.remaining()
                    ),
                )
            })?;
        let bytes = self.take(n, &field)?;
        match std::str::from_utf8(bytes) {
            Ok(s) => Ok(s.to_owned()),
            Err(e) => Err(ModelError::gguf(
                start + 8 + e.valid_up_to() as u64,
                field(),
                format!("invalid UTF-8 after {} valid bytes", e.valid_up_to()),
            )),
        }
    }

    /// Checks that `count` items of at least `min_size` bytes each can fit in what is left, so a
    /// bogus count is rejected before anything is allocated for it. Returns the count as `usize`.
    pub(crate) fn check_count(
        &self,
        count: u64,
        min_size: usize,
        count_offset: u64,
        field: impl FnOnce() -> String,
    ) -> Result<usize> {
        let fits = usize::try_from(count).ok().filter(|&n| {
            n.checked_mul(min_size)
                .is_some_and(|total| total <= self.remaining())
        });
        fits.ok_or_else(|| {
            ModelError::gguf(
                count_offset,
                field(),
                format!(
                    "count {count} cannot fit: each entry needs at least {min_size} bytes and only \
                     {} are left (corrupt count or truncated file)",
                    self.remaining()
                ),
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(err: ModelError) -> String {
        err.to_string()
    }

    #[test]
    fn reads_little_endian_scalars() -> Result<()> {
        let bytes = [1, 2, 0, 3, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0];
        let mut c = Cursor::new(&bytes);
        assert_eq!(c.u8(|| "a".into())?, 1);
        assert_eq!(c.u16(|| "b".into())?, 2);
        assert_eq!(c.u32(|| "c".into())?, 3);
        assert_eq!(c.u64(|| "d".into())?, 4);
        assert_eq!(c.remaining(), 0);
        Ok(())
    }

    #[test]
    fn short_read_names_offset_and_field() {
        let mut c = Cursor::new(&[0, 0, 0]);
        let err = message(c.u32(|| "header.version".into()).expect_err("must fail"));
        assert!(
            err.contains("offset 0") && err.contains("header.version"),
            "{err}"
        );
    }

    #[test]
    fn string_rejects_huge_length_and_bad_utf8() {
        let mut huge = u64::MAX.to_le_bytes().to_vec();
        huge.extend_from_slice(b"abc");
        let err = message(
            Cursor::new(&huge)
                .string(|| "key".into())
                .expect_err("must fail"),
        );
        assert!(err.contains("string length 18446744073709551615"), "{err}");

        let mut bad = 3u64.to_le_bytes().to_vec();
        bad.extend_from_slice(&[b'a', 0xff, b'b']);
        let err = message(
            Cursor::new(&bad)
                .string(|| "key".into())
                .expect_err("must fail"),
        );
        assert!(
            err.contains("offset 9") && err.contains("invalid UTF-8"),
            "{err}"
        );
    }

    #[test]
    fn check_count_rejects_counts_that_cannot_fit() {
        let bytes = [0u8; 24];
        let c = Cursor::new(&bytes);
        assert_eq!(c.check_count(3, 8, 0, || "n".into()).ok(), Some(3));
        assert!(c.check_count(4, 8, 0, || "n".into()).is_err());
        assert!(c.check_count(u64::MAX, 1, 0, || "n".into()).is_err());
        assert!(c.check_count(u64::MAX / 2, 4, 0, || "n".into()).is_err());
    }
}
