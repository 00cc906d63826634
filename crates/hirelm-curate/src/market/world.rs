//! [`Market`]: the occupations, wages, names and time zones the matching generators draw from.

use std::collections::{BTreeMap, HashMap};

use super::skill_sets::SkillIndex;
use super::soc_map::{MatchMethod, SocMapper, WageRow};
use crate::esco::EscoConcept;
use crate::names::YearName;
use crate::rng::Rng;

/// IANA time zones of clients and freelancers, with a draw weight.
pub const ZONES: [(&str, u32); 14] = [
    ("America/New_York", 6),
    ("America/Chicago", 4),
    ("America/Denver", 2),
    ("America/Los_Angeles", 4),
    ("America/Sao_Paulo", 2),
    ("America/Mexico_City", 2),
    ("Europe/London", 4),
    ("Europe/Berlin", 4),
    ("Europe/Warsaw", 2),
    ("Africa/Lagos", 2),
    ("Asia/Kolkata", 4),
    ("Asia/Manila", 3),
    ("Asia/Singapore", 1),
    ("Australia/Sydney", 1),
];

/// An occupation usable for jobs and profiles.
#[derive(Debug, Clone, PartialEq)]
pub struct MarketOccupation {
    /// The ESCO preferred label.
    pub label: String,
    /// The ranked skill set (ESCO skill labels), best first.
    pub skills: Vec<String>,
    /// The wage row.
    pub wage: WageRow,
    /// How the wage row was found.
    pub method: MatchMethod,
}

/// What building the market counted (for the card).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MarketStats {
    /// ESCO occupations per wage-match method.
    pub by_method: BTreeMap<&'static str, usize>,
    /// ISCO group concepts in the occupation file (capitalised labels; not used).
    pub isco_groups: usize,
    /// Occupations with too small a skill set (not used).
    pub too_few_skills: usize,
    /// Occupations used for jobs and profiles.
    pub usable: usize,
    /// Distinct SOC rows among the usable occupations.
    pub soc_rows: usize,
}

/// Names of one (birth year, sex) group with their cumulative births.
type NameGroup = (Vec<String>, Vec<u64>);

/// First names grouped by (birth year, sex), with cumulative births for weighted draws.
#[derive(Debug, Default)]
pub struct NamePool {
    groups: Vec<NameGroup>,
}

impl NamePool {
    /// Groups `names` (as read by [`crate::names::read_names_by_year`]).
    pub fn new(names: &[YearName]) -> Self {
        let mut by: BTreeMap<(u32, &str), NameGroup> = BTreeMap::new();
        for n in names {
            let g = by.entry((n.year, n.sex.as_str())).or_default();
            let total = g.1.last().copied().unwrap_or(0) + n.births;
            g.0.push(n.name.clone());
            g.1.push(total);
        }
        NamePool {
            groups: by.into_values().collect(),
        }
    }

    /// A name: a uniform (year, sex) group, then a name weighted by births in it.
    pub fn draw(&self, rng: &mut Rng) -> String {
        let Some((names, cumulative)) = rng.choose(&self.groups) else {
            return "Alex".into();
        };
        let total = cumulative.last().copied().unwrap_or(0).max(1);
        let x = (rng.unit() * total as f64) as u64;
        let i = cumulative.partition_point(|&c| c <= x).min(names.len() - 1);
        names[i].clone()
    }

    /// Number of (year, sex) groups.
    pub fn len(&self) -> usize {
        self.groups.len()
    }

    /// Whether there are no names.
    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }
}

/// Occupations, names and zones to draw from.
#[derive(Debug)]
pub struct Market {
    /// Usable occupations (a title or alternative-label wage match and enough skills), in ESCO
    /// file order.
    pub occupations: Vec<MarketOccupation>,
    /// First names.
    pub names: NamePool,
    /// The skill index (idf weights for sentence selection).
    pub index: SkillIndex,
    /// Occupations listing each skill.
    by_skill: HashMap<String, Vec<usize>>,
    /// What was counted.
    pub stats: MarketStats,
}

impl Market {
    /// Builds the market; occupations with fewer than `min_skills` skills are left out, and each
    /// keeps at most `max_skills`.
    pub fn new(
        occupations: &[EscoConcept],
        skills: &[EscoConcept],
        mapper: &SocMapper,
        names: NamePool,
        min_skills: usize,
        max_skills: usize,
    ) -> Self {
        let index = SkillIndex::new(skills);
        let sets = index.skill_sets(occupations, max_skills);
        let mut stats = MarketStats::default();
        let mut usable = Vec::new();
        for (o, set) in occupations.iter().zip(sets) {
            // Capitalised plural labels (`Software developers`) are ISCO groups, not occupations.
            if o.label.chars().next().is_some_and(char::is_uppercase) {
                stats.isco_groups += 1;
                continue;
            }
            let (wage, method) = mapper.map(&o.label, &o.alt_text);
            *stats.by_method.entry(method.name()).or_default() += 1;
            if method == MatchMethod::Fallback {
                continue;
            }
            if set.len() < min_skills {
                stats.too_few_skills += 1;
                continue;
            }
            usable.push(MarketOccupation {
                label: o.label.clone(),
                skills: set,
                wage: wage.clone(),
                method,
            });
        }
        let mut by_skill: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, o) in usable.iter().enumerate() {
            for s in &o.skills {
                by_skill.entry(s.clone()).or_default().push(i);
            }
        }
        stats.usable = usable.len();
        let mut socs: Vec<&str> = usable.iter().map(|o| o.wage.soc.as_str()).collect();
        socs.sort_unstable();
        socs.dedup();
        stats.soc_rows = socs.len();
        Market {
            occupations: usable,
            names,
            index,
            by_skill,
            stats,
        }
    }

    /// A seeded occupation index.
    pub fn draw_occupation(&self, rng: &mut Rng) -> usize {
        rng.below(self.occupations.len())
    }

    /// Occupations sharing at least one skill with occupation `i` (not `i` itself), sorted.
    pub fn related(&self, i: usize) -> Vec<usize> {
        let mut out: Vec<usize> = self.occupations[i]
            .skills
            .iter()
            .filter_map(|s| self.by_skill.get(s))
            .flatten()
            .copied()
            .filter(|&j| j != i)
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// A seeded, weighted time zone.
    pub fn draw_zone(rng: &mut Rng) -> &'static str {
        let total: u32 = ZONES.iter().map(|z| z.1).sum();
        let mut x = rng.below(total as usize) as u32;
        for (zone, w) in ZONES {
            if x < w {
                return zone;
            }
            x -= w;
        }
        ZONES[0].0
    }
}
