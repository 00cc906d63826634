//! `$ref`: references into the root schema's `$defs` (or `definitions`), as pydantic writes
//! nested models and enums. Each definition is compiled once however often it is referred to.

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::compile::{JsonSchemaConstraint, NodeId};
use super::error::ConstraintError;

/// What compiling needs beside the arena: the root's `$defs` and the references compiled so far.
#[derive(Debug, Default)]
pub(super) struct Defs {
    /// `$defs` (or `definitions`) of the root schema.
    pub(super) schemas: Map<String, Value>,
    /// Compiled references by their `$ref` string; `None` while being compiled (a cycle).
    compiled: HashMap<String, Option<NodeId>>,
}

impl JsonSchemaConstraint {
    /// The node of a `$ref` to the root's `$defs` (or `definitions`), compiled once however
    /// often it is referred to. A schema that refers to itself is refused: its values could
    /// nest without end.
    pub(super) fn reference(
        &mut self,
        reference: &Value,
        path: &str,
        defs: &mut Defs,
    ) -> Result<NodeId, ConstraintError> {
        let reference = reference
            .as_str()
            .ok_or_else(|| ConstraintError::invalid(path, "`$ref` must be a string"))?;
        match defs.compiled.get(reference) {
            Some(Some(id)) => return Ok(*id),
            Some(None) => {
                return Err(ConstraintError::invalid(
                    path,
                    format!(
                        "`$ref` {reference} refers to itself (recursive schemas are not supported)"
                    ),
                ));
            }
            None => {}
        }
        let name = ["#/$defs/", "#/definitions/"]
            .iter()
            .find_map(|prefix| reference.strip_prefix(prefix))
            .ok_or_else(|| {
                ConstraintError::invalid(path, format!("`$ref` {reference} is not `#/$defs/NAME`"))
            })?;
        let schema = defs.schemas.get(name).cloned().ok_or_else(|| {
            ConstraintError::invalid(path, format!("`$ref` {reference}: no such definition"))
        })?;
        defs.compiled.insert(reference.to_string(), None);
        let id = self.node(&schema, &format!("/$defs/{name}"), defs)?;
        defs.compiled.insert(reference.to_string(), Some(id));
        Ok(id)
    }
}
