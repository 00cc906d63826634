//! schedule_interview: both sides' local availability in their own time zones → every valid
//! interview slot, computed exactly in UTC with `chrono-tz` (DST-correct). Dates include the
//! 2025/2026 DST changes of the US, Europe and Australia on purpose.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use hirelm_core::record::{Availability, InterviewRequest, Slot};
use hirelm_core::{Example, Task};
use serde_json::json;

use super::provenance;
use crate::rng::Rng;

const ZONES: [&str; 13] = [
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Sao_Paulo",
    "Europe/London",
    "Europe/Berlin",
    "Europe/Kyiv",
    "Africa/Lagos",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Australia/Sydney",
];
/// DST change days (and their neighbours) plus ordinary days.
const DATES: [&str; 12] = [
    "2025-03-08",
    "2025-03-09",
    "2025-03-10",
    "2025-03-30",
    "2025-04-06",
    "2025-06-18",
    "2025-10-05",
    "2025-10-26",
    "2025-11-02",
    "2025-11-03",
    "2026-01-14",
    "2026-03-29",
];

/// A local window `YYYY-MM-DD HH:MM-HH:MM` in `tz` as a UTC interval; `None` when a bound does
/// not exist or is ambiguous in local time (DST gap or overlap) or the text is malformed.
pub fn window_to_utc(window: &str, tz: Tz) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let (date, times) = window.split_once(' ')?;
    let (from, to) = times.split_once('-')?;
    let at = |t: &str| {
        let local = NaiveDateTime::parse_from_str(&format!("{date} {t}"), "%Y-%m-%d %H:%M").ok()?;
        tz.from_local_datetime(&local)
            .single()
            .map(|d| d.with_timezone(&Utc))
    };
    let (start, end) = (at(from)?, at(to)?);
    (start < end).then_some((start, end))
}

/// Every slot of `duration_minutes` starting on a UTC multiple of `step_minutes` that fits in a
/// window of both sides, sorted. Windows that cannot be converted are ignored.
pub fn valid_slots(request: &InterviewRequest) -> Vec<Slot> {
    let side = |a: &Availability| -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
        let Ok(tz) = a.time_zone.parse::<Tz>() else {
            return Vec::new();
        };
        a.windows
            .iter()
            .filter_map(|w| window_to_utc(w, tz))
            .collect()
    };
    let (client, candidate) = (side(&request.client), side(&request.candidate));
    let step = i64::from(request.step_minutes.max(1)) * 60;
    let duration = Duration::minutes(i64::from(request.duration_minutes));
    let mut slots = Vec::new();
    for &(a0, a1) in &client {
        for &(b0, b1) in &candidate {
            let (start, end) = (a0.max(b0), a1.min(b1));
            let mut t = start.timestamp().div_euclid(step) * step;
            if t < start.timestamp() {
                t += step;
            }
            while let Some(s) = DateTime::<Utc>::from_timestamp(t, 0) {
                if s + duration > end {
                    break;
                }
                let fmt = |d: DateTime<Utc>| d.format("%Y-%m-%dT%H:%M:%SZ").to_string();
                slots.push(Slot {
                    start: fmt(s),
                    end: fmt(s + duration),
                });
                t += step;
            }
        }
    }
    slots.sort();
    slots.dedup();
    slots
}

fn windows(rng: &mut Rng, date: NaiveDate) -> Vec<String> {
    (0..1 + rng.below(3))
        .map(|_| {
            let start = 7 * 60 + 30 * rng.below(23) as u32; // 07:00 .. 18:00
            let end = (start + 60 + 30 * rng.below(7) as u32).min(22 * 60);
            format!(
                "{date} {:02}:{:02}-{:02}:{:02}",
                start / 60,
                start % 60,
                end / 60,
                end % 60
            )
        })
        .collect()
}

/// `count` seeded scheduling examples; about one in five has no valid slot (an empty list).
pub fn schedule_examples(count: usize, seed: u64) -> Vec<Example> {
    (0..count)
        .filter_map(|i| {
            let mut rng = Rng::derive(seed, &format!("schedule/{i}"));
            let date = NaiveDate::parse_from_str(rng.choose(&DATES)?, "%Y-%m-%d").ok()?;
            let (zc, zk) = (*rng.choose(&ZONES)?, *rng.choose(&ZONES)?);
            let request = InterviewRequest {
                client: Availability {
                    time_zone: zc.into(),
                    windows: windows(&mut rng, date),
                },
                candidate: Availability {
                    time_zone: zk.into(),
                    windows: windows(&mut rng, date),
                },
                duration_minutes: *rng.choose(&[30, 45, 60])?,
                step_minutes: *rng.choose(&[15, 30])?,
            };
            let slots = valid_slots(&request);
            Some(Example {
                task: Task::ScheduleInterview,
                input: serde_json::to_value(&request).ok()?,
                target: json!({"slots": slots}),
                provenance: provenance(
                    "hirelm-synthetic (IANA tz via chrono-tz 0.10)",
                    "Apache-2.0",
                    true,
                    seed,
                    format!("schedule/{i}"),
                ),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(client: (&str, &str), candidate: (&str, &str), duration: u32) -> InterviewRequest {
        let side = |(tz, w): (&str, &str)| Availability {
            time_zone: tz.into(),
            windows: vec![w.into()],
        };
        InterviewRequest {
            client: side(client),
            candidate: side(candidate),
            duration_minutes: duration,
            step_minutes: 30,
        }
    }

    #[test]
    fn new_york_shifts_by_an_hour_across_the_dst_change() {
        // 2025-03-09: New York moves from UTC-5 to UTC-4; Berlin is still UTC+1.
        let before = request(
            ("America/New_York", "2025-03-08 09:00-10:00"),
            ("UTC", "2025-03-08 00:00-23:59"),
            60,
        );
        let after = request(
            ("America/New_York", "2025-03-09 09:00-10:00"),
            ("UTC", "2025-03-09 00:00-23:59"),
            60,
        );
        assert_eq!(
            valid_slots(&before),
            vec![Slot {
                start: "2025-03-08T14:00:00Z".into(),
                end: "2025-03-08T15:00:00Z".into()
            }]
        );
        assert_eq!(
            valid_slots(&after),
            vec![Slot {
                start: "2025-03-09T13:00:00Z".into(),
                end: "2025-03-09T14:00:00Z".into()
            }]
        );
        let overlap = request(
            ("America/New_York", "2025-03-09 08:00-11:00"),
            ("Europe/Berlin", "2025-03-09 13:00-15:30"),
            60,
        );
        // New York 08:00-11:00 = 12:00-15:00Z; Berlin 13:00-15:30 = 12:00-14:30Z.
        let starts: Vec<String> = valid_slots(&overlap).into_iter().map(|s| s.start).collect();
        assert_eq!(
            starts,
            [
                "2025-03-09T12:00:00Z",
                "2025-03-09T12:30:00Z",
                "2025-03-09T13:00:00Z",
                "2025-03-09T13:30:00Z"
            ]
        );
    }

    #[test]
    fn nonexistent_local_times_and_bad_zones_yield_no_slot() {
        assert!(
            window_to_utc(
                "2025-03-09 02:30-04:00",
                "America/New_York".parse().expect("tz")
            )
            .is_none()
        );
        assert!(
            valid_slots(&request(
                ("Mars/Olympus", "2025-03-09 09:00-10:00"),
                ("UTC", "2025-03-09 00:00-23:00"),
                30
            ))
            .is_empty()
        );
    }

    #[test]
    fn generated_examples_are_valid_and_seeded() {
        let a = schedule_examples(200, 3);
        assert_eq!(a.len(), 200);
        assert!(a.iter().all(|e| e.validate().is_ok()));
        let empty = a
            .iter()
            .filter(|e| e.target["slots"].as_array().is_some_and(Vec::is_empty))
            .count();
        assert!(empty > 0 && empty < 150, "{empty} without a slot");
        assert_eq!(a, schedule_examples(200, 3));
    }
}
