//! Reading the values of single schema keywords: counts, bounds, and the literal set of an
//! `enum` or `const`.

use serde_json::{Map, Value};

use super::error::ConstraintError;
use super::literal::LiteralTrie;

/// A non-negative integer keyword (`minItems`, `minLength`, …), `None` when absent.
pub(crate) fn count_opt(
    obj: &Map<String, Value>,
    key: &str,
    path: &str,
) -> Result<Option<u32>, ConstraintError> {
    obj.get(key)
        .map(|v| {
            v.as_u64()
                .and_then(|n| u32::try_from(n).ok())
                .ok_or_else(|| {
                    ConstraintError::invalid(
                        path,
                        format!("`{key}` must be a non-negative integer"),
                    )
                })
        })
        .transpose()
}

/// A non-negative integer keyword, 0 when absent.
pub(crate) fn count(
    obj: &Map<String, Value>,
    key: &str,
    path: &str,
) -> Result<u32, ConstraintError> {
    Ok(count_opt(obj, key, path)?.unwrap_or(0))
}

/// A `min…` and `max…` pair of counts with the configured cap applied to the maximum: the
/// maximum is the smaller of the keyword and the cap, and a minimum above it is an error.
pub(crate) fn count_range(
    obj: &Map<String, Value>,
    (min_key, max_key): (&str, &str),
    cap: u32,
    path: &str,
) -> Result<(u32, u32), ConstraintError> {
    let min = count(obj, min_key, path)?;
    let max = count_opt(obj, max_key, path)?.map_or(cap, |m| m.min(cap));
    if min > max {
        return Err(ConstraintError::invalid(
            path,
            format!("{min_key} {min} exceeds {max_key} or the cap ({max})"),
        ));
    }
    Ok((min, max))
}

/// A numeric bound keyword (`minimum`, `maximum`).
pub(crate) fn bound(
    obj: &Map<String, Value>,
    key: &str,
    path: &str,
) -> Result<Option<f64>, ConstraintError> {
    obj.get(key)
        .map(|v| {
            v.as_f64()
                .ok_or_else(|| ConstraintError::invalid(path, format!("`{key}` must be a number")))
        })
        .transpose()
}

/// The trie of the compact encodings of the values an `enum` (or a `const`, one value) allows
/// that also satisfy the node's other keywords (values that never validate are dropped; none
/// left is an error).
pub(crate) fn enum_trie(
    obj: &Map<String, Value>,
    values: &[Value],
    ty: Option<&str>,
    path: &str,
) -> Result<LiteralTrie, ConstraintError> {
    let (min_len, max_len) = (
        count(obj, "minLength", path)?,
        count_opt(obj, "maxLength", path)?,
    );
    let (min, max) = (bound(obj, "minimum", path)?, bound(obj, "maximum", path)?);
    let mut literals = Vec::with_capacity(values.len());
    for value in values {
        let fits_type = match (ty, value) {
            (_, Value::Array(_) | Value::Object(_)) => {
                return Err(ConstraintError::invalid(
                    path,
                    "`enum` and `const` values must be strings, numbers, booleans or null",
                ));
            }
            (None, _) => true,
            (Some("string"), v) => v.is_string(),
            (Some("number"), v) => v.is_number(),
            (Some("integer"), v) => v.is_i64() || v.is_u64(),
            (Some("boolean"), v) => v.is_boolean(),
            (Some("null"), v) => v.is_null(),
            _ => false,
        };
        let chars = value.as_str().map(|s| s.chars().count() as u64);
        let long_enough = chars.is_none_or(|n| n >= u64::from(min_len));
        let short_enough = chars.is_none_or(|n| max_len.is_none_or(|m| n <= u64::from(m)));
        let in_range = value
            .as_f64()
            .is_none_or(|x| min.is_none_or(|m| x >= m) && max.is_none_or(|m| x <= m));
        if fits_type && long_enough && short_enough && in_range {
            literals.push(
                serde_json::to_vec(value)
                    .map_err(|e| ConstraintError::invalid(path, e.to_string()))?,
            );
        }
    }
    LiteralTrie::new(literals).ok_or_else(|| {
        ConstraintError::invalid(path, "no `enum` or `const` value satisfies the schema")
    })
}
