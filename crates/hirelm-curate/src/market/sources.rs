//! The sources of the simulated labour market behind the seeded tasks (score_match and the
//! rest): national wages (BLS OEWS) and first names by birth year (US SSA), read and turned
//! into a [`Market`](super::Market) with the ESCO occupations and skills.

use std::path::PathBuf;

use crate::card::Report;
use crate::config::CurateConfig;
use crate::error::CurateError;
use crate::esco;
use crate::pipeline::source_info;
use crate::tasks;

/// Birth years of the first names drawn for freelancers (working age in 2025).
const NAME_YEARS: (u32, u32) = (1965, 2003);
/// Minimum births of a name in one year to be drawn.
const NAME_MIN_BIRTHS: u64 = 500;
/// Skill-set size bounds of a usable occupation.
const SKILL_SET: (usize, usize) = (6, 15);

/// Reads wages and names and builds the [`Market`](super::Market) of the seeded tasks.
pub(crate) fn build_market(
    config: &CurateConfig,
    skills: &[esco::EscoConcept],
    occupations: &[esco::EscoConcept],
    report: &mut Report,
) -> Result<super::Market, CurateError> {
    let data = &config.sources.data_dir;
    let wages_path = data.join("bls/oews-2025.sqlite");
    let names_path = data.join("names/us-name-data.sqlite");
    let wages = crate::wages::read_national_wages(&wages_path)?;
    let mapper = super::soc_map::SocMapper::new(&wages, &wages_path)?;
    let names =
        crate::names::read_names_by_year(&names_path, NAME_YEARS.0, NAME_YEARS.1, NAME_MIN_BIRTHS)?;
    if names.is_empty() {
        return Err(CurateError::Sqlite {
            path: names_path,
            reason: format!(
                "no first names born {}-{} in usNameData",
                NAME_YEARS.0, NAME_YEARS.1
            ),
        });
    }
    report.sources.push(source_info(
        tasks::BLS_SOURCE,
        "public domain (US BLS)",
        &wages_path,
    )?);
    report.sources.push(source_info(
        tasks::NAMES_SOURCE,
        "MIT (data: US SSA, public domain)",
        &names_path,
    )?);
    let market = super::Market::new(
        occupations,
        skills,
        &mapper,
        super::NamePool::new(&names),
        SKILL_SET.0,
        SKILL_SET.1,
    );
    if market.occupations.is_empty() {
        return Err(CurateError::Config {
            path: PathBuf::from("<config>"),
            field: "score_match".into(),
            reason: "no ESCO occupation has both a wage row and a skill set".into(),
        });
    }
    report.market = Some(market.stats.clone());
    Ok(market)
}
