//! The self-contained text rewrites of the built-in packs (`casing`'s title case,
//! `reorder_fields`, `irrelevant_sentence`'s sentences, `number_format`): no fetched data.

use crate::metrics::stats::SplitMix64;

pub(super) const IRRELEVANT: [&str; 6] = [
    "Our office is close to the train station.",
    "The building has a bike shed and a coffee machine.",
    "We moved to a new office last spring.",
    "Parking is available on site.",
    "The team lunch is on Fridays.",
    "Applications are reviewed in the order received.",
];

const SMALL_NUMBERS: [&str; 10] = [
    "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
];

pub(super) fn title_case(text: &str) -> String {
    text.split(' ')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| {
                    f.to_uppercase()
                        .chain(c.flat_map(char::to_lowercase))
                        .collect()
                })
                .unwrap_or_default()
        })
        .collect::<Vec<String>>()
        .join(" ")
}

pub(super) fn reorder(text: &str, rng: &mut SplitMix64) -> String {
    let sep = ["\n", ";", ","].into_iter().find(|s| text.contains(s));
    let Some(sep) = sep else {
        return text.to_string();
    };
    let mut items: Vec<&str> = text
        .split(sep)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    if items.len() < 2 {
        return text.to_string();
    }
    rng.shuffle(&mut items);
    let joiner = if sep == "\n" {
        "\n".to_string()
    } else {
        format!("{sep} ")
    };
    items.join(&joiner)
}

pub(super) fn number_format(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '$' {
            out.push_str("USD ");
            i += 1;
            continue;
        }
        if !chars[i].is_ascii_digit()
            || (i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '.'))
        {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && chars[i].is_ascii_digit() {
            i += 1;
        }
        let digits: String = chars[start..i].iter().collect();
        let glued =
            i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '.' || chars[i] == ',');
        match digits.parse::<u64>() {
            Ok(n @ 1..=10) if !glued => out.push_str(SMALL_NUMBERS[n as usize - 1]),
            Ok(n) if n >= 1000 && digits.len() <= 9 && !glued && !(1900..=2100).contains(&n) => {
                out.push_str(&group_thousands(&digits))
            }
            _ => out.push_str(&digits),
        }
    }
    out
}

pub(super) fn group_thousands(digits: &str) -> String {
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
