//! normalise_title: a real vacancy title → its ESCO occupation.

use std::collections::HashMap;

use hirelm_core::{Example, Task};
use serde_json::json;

use super::{TITLES_SOURCE, provenance};
use crate::clean::normalise_text;
use crate::esco::EscoConcept;
use crate::titles::TitleRow;

/// One example per title whose occupation is in ESCO; the group is the lowercased title, so the
/// same title never lands in two splits. Returns the examples and the number of rows skipped
/// because their occupation URI is not in the occupation list.
pub fn title_examples(
    rows: &[TitleRow],
    occupations: &[EscoConcept],
    seed: u64,
) -> (Vec<Example>, usize) {
    let by_uri: HashMap<&str, &EscoConcept> =
        occupations.iter().map(|o| (o.uri.as_str(), o)).collect();
    let mut unknown = 0;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let Some(occ) = by_uri.get(row.occupation_uri.as_str()) else {
            unknown += 1;
            continue;
        };
        let title = normalise_text(&row.title);
        out.push(Example {
            task: Task::NormaliseTitle,
            input: json!(title),
            target: json!({"esco_uri": occ.uri, "label": occ.label}),
            provenance: provenance(
                TITLES_SOURCE,
                "unstated (JobBERT evaluation set)",
                false,
                seed,
                title.to_lowercase(),
            ),
        });
    }
    (out, unknown)
}
