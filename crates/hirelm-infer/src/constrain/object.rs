//! Objects with declared `properties`: keys in sorted order, required ones marked, so the
//! grammar walks them in one order (see the module documentation of `constrain`).

use serde_json::{Map, Value};

use super::compile::{JsonSchemaConstraint, ObjectNode, Prop};
use super::error::ConstraintError;
use super::refs::Defs;

impl JsonSchemaConstraint {
    /// Compiles an object's properties in sorted key order; `None` for an object without
    /// properties whose `additionalProperties` is not `false`, which has free keys
    /// ([`Self::map`]).
    pub(super) fn object(
        &mut self,
        obj: &Map<String, Value>,
        path: &str,
        defs: &mut Defs,
    ) -> Result<Option<ObjectNode>, ConstraintError> {
        let no_properties = match obj.get("properties") {
            None => true,
            Some(Value::Object(p)) => p.is_empty(),
            Some(_) => false,
        };
        let closed = obj.get("additionalProperties") == Some(&Value::Bool(false));
        // `required` names properties, so an object with it is not free (and an empty
        // `properties` then makes it unsatisfiable, which the path below reports).
        if no_properties && !closed && !obj.contains_key("required") {
            return Ok(None);
        }
        match obj.get("additionalProperties") {
            None | Some(Value::Bool(_)) => {}
            Some(_) => {
                return Err(ConstraintError::invalid(
                    path,
                    "`additionalProperties` beside `properties` must be a boolean",
                ));
            }
        }
        if let Some(keyword) = ["minProperties", "maxProperties"]
            .into_iter()
            .find(|k| obj.contains_key(*k))
        {
            return Err(ConstraintError::invalid(
                path,
                format!("`{keyword}` applies to objects without `properties`"),
            ));
        }
        let empty = Map::new();
        let properties = match obj.get("properties") {
            Some(Value::Object(p)) => p,
            Some(_) => {
                return Err(ConstraintError::invalid(
                    path,
                    "`properties` must be an object",
                ));
            }
            None => &empty,
        };
        let mut names: Vec<&String> = properties.keys().collect();
        // Sort explicitly: serde_json's map may preserve insertion order under a feature flag.
        names.sort();
        if names.len() > usize::from(u16::MAX) {
            return Err(ConstraintError::invalid(path, "too many properties"));
        }
        let mut required = vec![false; names.len()];
        for name in obj.get("required").map_or(Ok(&Vec::new()), |r| {
            r.as_array()
                .ok_or_else(|| ConstraintError::invalid(path, "`required` must be an array"))
        })? {
            let name = name
                .as_str()
                .ok_or_else(|| ConstraintError::invalid(path, "`required` holds a non-string"))?;
            match names.iter().position(|n| n.as_str() == name) {
                Some(i) => required[i] = true,
                None => {
                    return Err(ConstraintError::invalid(
                        path,
                        format!("required property `{name}` is not in `properties`"),
                    ));
                }
            }
        }
        let mut props = Vec::with_capacity(names.len());
        for name in &names {
            let pointer = format!(
                "{path}/properties/{}",
                name.replace('~', "~0").replace('/', "~1")
            );
            let schema = self.node(&properties[name.as_str()], &pointer, defs)?;
            let key = serde_json::to_vec(name)
                .map_err(|e| ConstraintError::invalid(&pointer, e.to_string()))?;
            props.push(Prop { key, schema });
        }
        let n = props.len();
        let mut reach = vec![0u16; n];
        let mut close_ok = vec![true; n + 1];
        let mut first_required = n.saturating_sub(1);
        for i in (0..n).rev() {
            if required[i] {
                first_required = i;
            }
            reach[i] = first_required as u16;
            close_ok[i] = close_ok[i + 1] && !required[i];
        }
        Ok(Some(ObjectNode {
            props,
            reach,
            close_ok,
        }))
    }
}
