//! [`MetadataValue`]: one value of a GGUF metadata key/value pair.

/// A GGUF metadata value. The variants are the thirteen GGUF value types; arrays are homogeneous
/// in a file (every element has the same type) and may nest.
#[derive(Debug, Clone, PartialEq)]
pub enum MetadataValue {
    /// `GGUF_TYPE_UINT8` (0).
    U8(u8),
    /// `GGUF_TYPE_INT8` (1).
    I8(i8),
    /// `GGUF_TYPE_UINT16` (2).
    U16(u16),
    /// `GGUF_TYPE_INT16` (3).
    I16(i16),
    /// `GGUF_TYPE_UINT32` (4).
    U32(u32),
    /// `GGUF_TYPE_INT32` (5).
    I32(i32),
    /// `GGUF_TYPE_FLOAT32` (6).
    F32(f32),
    /// `GGUF_TYPE_BOOL` (7), stored as one byte, 0 or 1.
    Bool(bool),
    /// `GGUF_TYPE_STRING` (8): u64 length and UTF-8 bytes.
    String(String),
    /// `GGUF_TYPE_ARRAY` (9): u32 element type, u64 count, the elements.
    Array(Vec<MetadataValue>),
    /// `GGUF_TYPE_UINT64` (10).
    U64(u64),
    /// `GGUF_TYPE_INT64` (11).
    I64(i64),
    /// `GGUF_TYPE_FLOAT64` (12).
    F64(f64),
}

/// GGUF value type ids, as written in the file.
pub(crate) mod type_id {
    pub const U8: u32 = 0;
    pub const I8: u32 = 1;
    pub const U16: u32 = 2;
    pub const I16: u32 = 3;
    pub const U32: u32 = 4;
    pub const I32: u32 = 5;
    pub const F32: u32 = 6;
    pub const BOOL: u32 = 7;
    pub const STRING: u32 = 8;
    pub const ARRAY: u32 = 9;
    pub const U64: u32 = 10;
    pub const I64: u32 = 11;
    pub const F64: u32 = 12;
}

impl MetadataValue {
    /// The value as a `u64`, for any integer type holding a non-negative value.
    pub fn as_u64(&self) -> Option<u64> {
        match *self {
            Self::U8(v) => Some(v.into()),
            Self::U16(v) => Some(v.into()),
            Self::U32(v) => Some(v.into()),
            Self::U64(v) => Some(v),
            Self::I8(v) => u64::try_from(v).ok(),
            Self::I16(v) => u64::try_from(v).ok(),
            Self::I32(v) => u64::try_from(v).ok(),
            Self::I64(v) => u64::try_from(v).ok(),
            _ => None,
        }
    }

    /// The value as an `f64`, for any integer or float type (`u64`/`i64` beyond 2^53 round).
    pub fn as_f64(&self) -> Option<f64> {
        match *self {
            Self::U8(v) => Some(v.into()),
            Self::I8(v) => Some(v.into()),
            Self::U16(v) => Some(v.into()),
            Self::I16(v) => Some(v.into()),
            Self::U32(v) => Some(v.into()),
            Self::I32(v) => Some(v.into()),
            Self::F32(v) => Some(v.into()),
            Self::F64(v) => Some(v),
            #[allow(clippy::cast_precision_loss)]
            Self::U64(v) => Some(v as f64),
            #[allow(clippy::cast_precision_loss)]
            Self::I64(v) => Some(v as f64),
            _ => None,
        }
    }

    /// The value as a string slice, if it is a string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Self::String(s) => Some(s),
            _ => None,
        }
    }

    /// The elements, if the value is an array.
    pub fn as_array(&self) -> Option<&[MetadataValue]> {
        match self {
            Self::Array(items) => Some(items),
            _ => None,
        }
    }

    /// The value, if it is a bool.
    pub fn as_bool(&self) -> Option<bool> {
        match *self {
            Self::Bool(b) => Some(b),
            _ => None,
        }
    }

    /// The GGUF name of the value's type, lower-case (`"uint32"`, `"string"`, `"array"`, ...).
    pub fn type_name(&self) -> &'static str {
        type_name_of(self.type_id()).unwrap_or("unknown")
    }

    /// The GGUF type id written for this value.
    pub(crate) fn type_id(&self) -> u32 {
        match self {
            Self::U8(_) => type_id::U8,
            Self::I8(_) => type_id::I8,
            Self::U16(_) => type_id::U16,
            Self::I16(_) => type_id::I16,
            Self::U32(_) => type_id::U32,
            Self::I32(_) => type_id::I32,
            Self::F32(_) => type_id::F32,
            Self::Bool(_) => type_id::BOOL,
            Self::String(_) => type_id::STRING,
            Self::Array(_) => type_id::ARRAY,
            Self::U64(_) => type_id::U64,
            Self::I64(_) => type_id::I64,
            Self::F64(_) => type_id::F64,
        }
    }
}

/// The lower-case GGUF name of value type `id`, or `None` for an invalid id.
pub(crate) fn type_name_of(id: u32) -> Option<&'static str> {
    const NAMES: [&str; 13] = [
        "uint8", "int8", "uint16", "int16", "uint32", "int32", "float32", "bool", "string",
        "array", "uint64", "int64", "float64",
    ];
    NAMES.get(usize::try_from(id).ok()?).copied()
}

impl From<&str> for MetadataValue {
    fn from(s: &str) -> Self {
        Self::String(s.to_owned())
    }
}

impl From<String> for MetadataValue {
    fn from(s: String) -> Self {
        Self::String(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_accessors_widen_and_reject_negatives() {
        assert_eq!(MetadataValue::U8(7).as_u64(), Some(7));
        assert_eq!(MetadataValue::I32(-1).as_u64(), None);
        assert_eq!(MetadataValue::I64(5).as_u64(), Some(5));
        assert_eq!(MetadataValue::F32(1.0).as_u64(), None);
        assert_eq!(MetadataValue::I16(-3).as_f64(), Some(-3.0));
        assert_eq!(MetadataValue::F32(0.5).as_f64(), Some(0.5));
        assert_eq!(MetadataValue::Bool(true).as_f64(), None);
    }

    #[test]
    fn other_accessors() {
        let arr = MetadataValue::Array(vec!["a".into(), "b".into()]);
        assert_eq!(arr.as_array().map(<[_]>::len), Some(2));
        assert_eq!(arr.as_str(), None);
        assert_eq!(MetadataValue::from("x").as_str(), Some("x"));
        assert_eq!(MetadataValue::Bool(false).as_bool(), Some(false));
        assert_eq!(MetadataValue::U8(0).as_bool(), None);
    }

    #[test]
    fn type_names_follow_ids() {
        assert_eq!(MetadataValue::U32(1).type_name(), "uint32");
        assert_eq!(MetadataValue::F64(1.0).type_name(), "float64");
        assert_eq!(MetadataValue::Array(vec![]).type_name(), "array");
        assert_eq!(MetadataValue::F64(1.0).type_id(), 12);
        assert_eq!(type_name_of(13), None);
    }
}
