//! British ↔ American spelling swaps from a small built-in list (until codespell's
//! `dictionary_en-GB_to_en-US.txt` is fetched into `data/`).

/// (British, American) pairs, lower case.
const PAIRS: [(&str, &str); 40] = [
    ("organise", "organize"),
    ("organised", "organized"),
    ("organising", "organizing"),
    ("organisation", "organization"),
    ("organisational", "organizational"),
    ("analyse", "analyze"),
    ("analysing", "analyzing"),
    ("prioritise", "prioritize"),
    ("prioritising", "prioritizing"),
    ("optimise", "optimize"),
    ("optimising", "optimizing"),
    ("optimisation", "optimization"),
    ("specialise", "specialize"),
    ("specialised", "specialized"),
    ("recognise", "recognize"),
    ("utilise", "utilize"),
    ("minimise", "minimize"),
    ("maximise", "maximize"),
    ("standardise", "standardize"),
    ("customise", "customize"),
    ("behaviour", "behavior"),
    ("colour", "color"),
    ("labour", "labor"),
    ("favour", "favor"),
    ("centre", "center"),
    ("licence", "license"),
    ("programme", "program"),
    ("catalogue", "catalog"),
    ("travelling", "traveling"),
    ("modelling", "modeling"),
    ("labelling", "labeling"),
    ("cancelled", "canceled"),
    ("enrolment", "enrollment"),
    ("fulfil", "fulfill"),
    ("defence", "defense"),
    ("practise", "practice"),
    ("ageing", "aging"),
    ("judgement", "judgment"),
    ("honour", "honor"),
    ("neighbour", "neighbor"),
];

fn lookup(word: &str) -> Option<&'static str> {
    let lower = word.to_lowercase();
    PAIRS.iter().find_map(|&(gb, us)| {
        if lower == gb {
            Some(us)
        } else if lower == us {
            Some(gb)
        } else {
            None
        }
    })
}

/// Swaps every listed word to the other spelling, keeping a leading capital.
pub fn swap(text: &str) -> String {
    map_words(text, |word| lookup(word).map(str::to_string))
}

/// Rewrites every alphabetic word of `text` for which `replace` returns a replacement, keeping
/// the word's leading capital; everything between words is copied as it is.
pub(crate) fn map_words(text: &str, mut replace: impl FnMut(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut word = String::new();
    let mut flush = |word: &mut String, out: &mut String| {
        match replace(word) {
            Some(other) if word.chars().next().is_some_and(char::is_uppercase) => {
                let mut c = other.chars();
                out.extend(c.next().map(|f| f.to_ascii_uppercase()));
                out.push_str(c.as_str());
            }
            Some(other) => out.push_str(&other),
            None => out.push_str(word),
        }
        word.clear();
    };
    for ch in text.chars() {
        if ch.is_alphabetic() {
            word.push(ch);
        } else {
            flush(&mut word, &mut out);
            out.push(ch);
        }
    }
    flush(&mut word, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::swap;

    #[test]
    fn swaps_both_ways_keeping_case() {
        assert_eq!(
            swap("Organise the programme, analyze behavior."),
            "Organize the program, analyse behaviour."
        );
        assert_eq!(swap("no change"), "no change");
    }
}
