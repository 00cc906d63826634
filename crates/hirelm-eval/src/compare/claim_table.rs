//! The claim table: each check of the headline claim with its paired test (difference,
//! interval, p-value and the test that gave it) and its verdict.

use super::table::Table;
use super::{ClaimVerdict, Comparison};
use crate::metrics::paired::TestMethod;

/// The paired test of a check as two cells: the difference with its 95 % interval, and the
/// p-value with the test that gave it.
pub(super) fn test_cells(k: &super::BarCheck) -> [String; 2] {
    let Some(t) = &k.test else {
        return ["–".into(), "no paired test".into()];
    };
    let d = &t.difference;
    let p = match t.p_value {
        0.0 => format!("< {:.4}", 1.0 / super::verdict::RESAMPLES as f64),
        p if p < 0.001 => format!("{p:.1e}"),
        p => format!("{p:.3}"),
    };
    // The flip rate's test pairs every (case, invariant pack) both entries were perturbed on.
    let unit = if k.what.contains("flip") {
        "perturbed cases"
    } else {
        "cases"
    };
    let method = match t.method {
        TestMethod::McNemar => "McNemar",
        TestMethod::Bootstrap => "bootstrap",
    };
    [
        format!("{:+.3} [{:+.3}, {:+.3}]", d.mean, d.ci.0, d.ci.1),
        format!("{p} ({method}, {} {unit})", d.cases),
    ]
}

/// A check's figure: dollars as the cost table writes them (an encoder's CPU cost per 1,000
/// tasks is a fraction of a cent, which three decimals would show as 0.000), else three decimals.
fn figure(k: &super::BarCheck, value: f64) -> String {
    match k.what == super::verdict::COST_CHECK {
        true => super::render::usd(Some(value)),
        false => format!("{value:.3}"),
    }
}

/// The headline claim, check by check.
pub fn bar_table(c: &Comparison) -> Option<Table> {
    let v = c.bar.as_ref()?;
    let rows = v
        .checks
        .iter()
        .map(|k| {
            let verdict = match k.verdict() {
                ClaimVerdict::DoesNotHold => "**does not hold**".to_string(),
                other => other.word().to_string(),
            };
            let [difference, p] = test_cells(k);
            vec![
                k.entry.clone(),
                k.what.clone(),
                k.versus.clone(),
                figure(k, k.tuned),
                figure(k, k.other),
                difference,
                p,
                verdict,
            ]
        })
        .collect();
    let (held, not, undecided) = v.counts();
    let header = [
        "entry",
        "figure",
        "versus",
        &v.bar.tuned,
        "other",
        "difference [95% CI]",
        "p (test, cases)",
        "claim",
    ]
    .map(String::from)
    .into();
    // The predictors that ran, in check order: untuned zero-shot, few-shot, then the larger model.
    let mut versus = super::first_seen(v.checks.iter().map(|k| k.versus.clone()));
    if versus.is_empty() {
        versus.push(v.bar.untuned.clone());
    }
    let last = versus.pop().unwrap_or_default();
    let versus = if versus.is_empty() {
        last
    } else {
        format!("{} and {last}", versus.join(", "))
    };
    Table {
        title: format!(
            "The claim: {} against {versus} ({held} of {} checks hold, {not} do not, {undecided} undecided)",
            v.bar.tuned,
            v.checks.len()
        ),
        header,
        rows,
    }
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::verdict::{COST_CHECK, Outcome};

    #[test]
    fn costs_read_as_dollars_and_metrics_as_three_decimals() {
        let check = |what: &str| super::super::BarCheck {
            entry: "lm/tech".into(),
            versus: "base".into(),
            what: what.into(),
            tuned: 0.000_21,
            other: 0.064,
            outcome: Outcome::Better,
            needs_strict: false,
            test: None,
        };
        let cost = check(COST_CHECK);
        assert_eq!(
            (figure(&cost, cost.tuned), figure(&cost, cost.other)),
            ("$2.10e-4".to_string(), "$0.064".to_string())
        );
        let rp = check("rp@5");
        assert_eq!(figure(&rp, rp.tuned), "0.000");
    }
}
