//! Encoding of GGUF strings and metadata values (the inverse of the header parser), and the
//! check that a value can be encoded at all.

use super::header::{ALIGNMENT_KEY, MAX_ARRAY_DEPTH};
use super::value::{MetadataValue, type_id};

/// Checks that `value` can be encoded (and read back by [`GgufFile`](super::GgufFile)).
pub(crate) fn check_value(key: &str, value: &MetadataValue, depth: usize) -> Result<(), String> {
    if key == ALIGNMENT_KEY && !value.as_u64().is_some_and(u64::is_power_of_two) {
        return Err(format!(
            "must be a non-zero power of two, got {} {value:?}",
            value.type_name()
        ));
    }
    let MetadataValue::Array(items) = value else {
        return Ok(());
    };
    if depth >= MAX_ARRAY_DEPTH {
        return Err(format!(
            "arrays nested deeper than {MAX_ARRAY_DEPTH} levels"
        ));
    }
    if let Some(first) = items.first()
        && let Some((i, other)) = items
            .iter()
            .enumerate()
            .find(|(_, v)| v.type_id() != first.type_id())
    {
        return Err(format!(
            "GGUF arrays are homogeneous: element 0 is {} but element {i} is {}",
            first.type_name(),
            other.type_name()
        ));
    }
    items
        .iter()
        .try_for_each(|item| check_value("", item, depth + 1))
}

pub(crate) fn put_string(buf: &mut Vec<u8>, s: &str) {
    buf.extend_from_slice(&(s.len() as u64).to_le_bytes());
    buf.extend_from_slice(s.as_bytes());
}

/// Encodes a value without its type id (arrays carry their element type and count).
pub(crate) fn put_value(buf: &mut Vec<u8>, value: &MetadataValue) {
    match value {
        MetadataValue::U8(v) => buf.push(*v),
        MetadataValue::I8(v) => buf.extend_from_slice(&v.to_le_bytes()),
        MetadataValue::U16(v) => buf.extend_from_slice(&v.to_le_bytes()),
        MetadataValue::I16(v) => buf.extend_from_slice(&v.to_le_bytes()),
        MetadataValue::U32(v) => buf.extend_from_slice(&v.to_le_bytes()),
        MetadataValue::I32(v) => buf.extend_from_slice(&v.to_le_bytes()),
        MetadataValue::F32(v) => buf.extend_from_slice(&v.to_le_bytes()),
        MetadataValue::Bool(v) => buf.push(u8::from(*v)),
        MetadataValue::String(s) => put_string(buf, s),
        MetadataValue::U64(v) => buf.extend_from_slice(&v.to_le_bytes()),
        MetadataValue::I64(v) => buf.extend_from_slice(&v.to_le_bytes()),
        MetadataValue::F64(v) => buf.extend_from_slice(&v.to_le_bytes()),
        MetadataValue::Array(items) => {
            // An empty array has no element to take the type from; uint8 is as good as any.
            let elem_type = items.first().map_or(type_id::U8, MetadataValue::type_id);
            buf.extend_from_slice(&elem_type.to_le_bytes());
            buf.extend_from_slice(&(items.len() as u64).to_le_bytes());
            for item in items {
                put_value(buf, item);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_and_strings_are_little_endian() {
        let mut buf = Vec::new();
        put_value(&mut buf, &MetadataValue::U32(0x0102_0304));
        put_value(&mut buf, &MetadataValue::Bool(true));
        put_value(&mut buf, &MetadataValue::from("ab"));
        assert_eq!(buf, [4, 3, 2, 1, 1, 2, 0, 0, 0, 0, 0, 0, 0, b'a', b'b']);
    }

    #[test]
    fn arrays_carry_element_type_and_count() {
        let mut buf = Vec::new();
        put_value(
            &mut buf,
            &MetadataValue::Array(vec![MetadataValue::I8(-1), MetadataValue::I8(2)]),
        );
        assert_eq!(buf, [1, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0xFF, 2]);
    }

    #[test]
    fn check_value_limits() {
        let mut deep = MetadataValue::Array(vec![]);
        for _ in 0..MAX_ARRAY_DEPTH {
            deep = MetadataValue::Array(vec![deep]);
        }
        assert!(check_value("k", &deep, 0).is_err());
        let mixed = MetadataValue::Array(vec![
            MetadataValue::Array(vec![MetadataValue::U8(1)]),
            MetadataValue::Array(vec!["s".into()]),
        ]);
        assert!(
            check_value("k", &mixed, 0).is_ok(),
            "inner arrays may differ from each other"
        );
        assert!(check_value(ALIGNMENT_KEY, &MetadataValue::U64(64), 0).is_ok());
        assert!(check_value(ALIGNMENT_KEY, &MetadataValue::F32(64.0), 0).is_err());
    }
}
