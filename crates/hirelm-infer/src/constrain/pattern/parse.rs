//! Reading a `pattern` (ECMA-262 syntax, as JSON Schema specifies) into a [`Regex`] tree: the
//! part of the syntax whose language a finite automaton can hold. Literals, `.`, classes with
//! ranges and negation, `\d \w \s` and their negations, groups (plain, `(?:`, named), `|`,
//! `* + ? {n} {n,} {n,m}` (lazy or not: the same strings match), and `^`/`$` at the ends.
//! Lookaround, backreferences, word boundaries and property escapes are refused by name.
//! Characters are Unicode scalar values (as pydantic's Rust `regex` engine reads them).

use super::charset::{DIGIT, MAX_CHAR, Ranges, SPACE, WORD, complement, normalise};

/// Largest bound of a counted repetition (`{n,m}`); each repeat copies the repeated part.
const MAX_REPEAT: u32 = 1000;

/// A regular expression over characters.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Regex {
    /// One character from the set.
    Class(Ranges),
    /// The parts in order (none: the empty string).
    Concat(Vec<Regex>),
    /// Any one of the branches.
    Alt(Vec<Regex>),
    /// `inner` at least `min` and at most `max` times (`None`: unbounded).
    Repeat {
        inner: Box<Regex>,
        min: u32,
        max: Option<u32>,
    },
}

/// A parsed pattern: JSON Schema's `pattern` matches anywhere in the string unless anchored.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Pattern {
    pub(crate) regex: Regex,
    /// Led by `^`: the match starts at the string's start.
    pub(crate) anchored_start: bool,
    /// Ended by `$`: the match ends at the string's end.
    pub(crate) anchored_end: bool,
}

/// Reads `pattern`; the error says what is wrong or unsupported, and where.
pub(crate) fn parse(pattern: &str) -> Result<Pattern, String> {
    let mut chars: Vec<char> = pattern.chars().collect();
    let anchored_start = chars.first() == Some(&'^');
    if anchored_start {
        chars.remove(0);
    }
    let escaped_end = chars
        .iter()
        .rev()
        .skip(1)
        .take_while(|&&c| c == '\\')
        .count()
        % 2
        == 1;
    let anchored_end = chars.last() == Some(&'$') && !escaped_end;
    if anchored_end {
        chars.pop();
    }
    let mut parser = Parser { chars, pos: 0 };
    let regex = parser.alternation()?;
    if parser.pos < parser.chars.len() {
        return Err(format!("unmatched `)` at character {}", parser.pos + 1));
    }
    if (anchored_start || anchored_end) && matches!(regex, Regex::Alt(_)) {
        return Err(
            "`^` or `$` beside a top-level `|`: group the alternatives, as `^(a|b)$`".into(),
        );
    }
    Ok(Pattern {
        regex,
        anchored_start,
        anchored_end,
    })
}

struct Parser {
    chars: Vec<char>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn next(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += 1;
        Some(c)
    }

    fn eat(&mut self, text: &str) -> bool {
        let n = text.chars().count();
        let ahead: String = self.chars.iter().skip(self.pos).take(n).collect();
        let found = ahead == text;
        if found {
            self.pos += n;
        }
        found
    }

    fn alternation(&mut self) -> Result<Regex, String> {
        let mut branches = vec![self.concat()?];
        while self.peek() == Some('|') {
            self.pos += 1;
            branches.push(self.concat()?);
        }
        Ok(match branches.len() {
            1 => branches.pop().unwrap_or(Regex::Concat(Vec::new())),
            _ => Regex::Alt(branches),
        })
    }

    fn concat(&mut self) -> Result<Regex, String> {
        let mut items = Vec::new();
        while !matches!(self.peek(), None | Some('|' | ')')) {
            let atom = self.atom()?;
            items.push(self.quantified(atom)?);
        }
        Ok(match items.len() {
            1 => items.pop().unwrap_or(Regex::Concat(Vec::new())),
            _ => Regex::Concat(items),
        })
    }

    fn atom(&mut self) -> Result<Regex, String> {
        let at = self.pos + 1;
        let Some(c) = self.next() else {
            return Err("unexpected end".into());
        };
        let ranges = match c {
            '(' => return self.group(),
            '[' => self.class()?,
            '.' => complement(&[(0x0A, 0x0A), (0x0D, 0x0D), (0x2028, 0x2029)]),
            '\\' => self.escape(false)?,
            '^' | '$' => {
                return Err(format!(
                    "`{c}` at character {at}: anchors are supported only at the pattern's start and end"
                ));
            }
            '*' | '+' | '?' => {
                return Err(format!("nothing to repeat before `{c}` at character {at}"));
            }
            '{' if self.counted_ahead(at - 1) => {
                return Err(format!("nothing to repeat before `{{` at character {at}"));
            }
            c => vec![(c as u32, c as u32)],
        };
        Ok(Regex::Class(ranges))
    }

    fn group(&mut self) -> Result<Regex, String> {
        let at = self.pos;
        if self.peek() == Some('?') {
            let named = self.eat("?<") && !matches!(self.peek(), Some('=' | '!'));
            if named {
                // A named group matches as a plain one.
                while self.next().is_some_and(|c| c != '>') {}
            } else if !self.eat("?:") {
                return Err(format!(
                    "the lookaround at character {at} is not supported (a finite automaton cannot check it)"
                ));
            }
        }
        let inner = self.alternation()?;
        match self.next() {
            Some(')') => Ok(inner),
            _ => Err(format!("unclosed `(` at character {at}")),
        }
    }

    /// Whether a counted quantifier (`{n}`, `{n,}`, `{n,m}`) starts at `pos`.
    fn counted_ahead(&self, pos: usize) -> bool {
        let rest: String = self.chars.iter().skip(pos).take(24).collect();
        counted(&rest).is_some()
    }

    fn quantified(&mut self, atom: Regex) -> Result<Regex, String> {
        let at = self.pos + 1;
        let (min, max) = match self.peek() {
            Some('*') => (0, None),
            Some('+') => (1, None),
            Some('?') => (0, Some(1)),
            Some('{') => {
                let rest: String = self.chars.iter().skip(self.pos).take(24).collect();
                match counted(&rest) {
                    Some((min, max, len)) => {
                        self.pos += len - 1;
                        (min, max)
                    }
                    None => return Ok(atom),
                }
            }
            _ => return Ok(atom),
        };
        self.pos += 1;
        if max.is_some_and(|m| m < min) {
            return Err(format!(
                "`{{{min},…}}` at character {at}: the bounds are out of order"
            ));
        }
        if min.max(max.unwrap_or(0)) > MAX_REPEAT {
            return Err(format!(
                "a repeat count above {MAX_REPEAT} at character {at}"
            ));
        }
        // A lazy quantifier matches the same strings.
        if self.peek() == Some('?') {
            self.pos += 1;
        }
        if matches!(self.peek(), Some('*' | '+' | '?'))
            || (self.peek() == Some('{') && self.counted_ahead(self.pos))
        {
            return Err(format!("nothing to repeat at character {}", self.pos + 1));
        }
        Ok(Regex::Repeat {
            inner: Box::new(atom),
            min,
            max,
        })
    }

    fn class(&mut self) -> Result<Ranges, String> {
        let at = self.pos;
        let negated = self.eat("^");
        let mut set = Vec::new();
        loop {
            let Some(c) = self.next() else {
                return Err(format!("unclosed `[` at character {at}"));
            };
            if c == ']' {
                break;
            }
            let item = match c {
                '\\' => self.escape(true)?,
                c => vec![(c as u32, c as u32)],
            };
            let single = matches!(item.as_slice(), [(lo, hi)] if lo == hi);
            if single
                && self.peek() == Some('-')
                && self.chars.get(self.pos + 1).is_some_and(|&n| n != ']')
            {
                self.pos += 1;
                let hi = match self.next() {
                    Some('\\') => self.escape(true)?,
                    Some(c) => vec![(c as u32, c as u32)],
                    None => return Err(format!("unclosed `[` at character {at}")),
                };
                let (lo, hi) = match (item[0], hi.as_slice()) {
                    ((lo, _), [(h, h2)]) if h == h2 => (lo, *h),
                    _ => {
                        return Err(format!(
                            "a class range with a set as its end, in the class at character {at}"
                        ));
                    }
                };
                if lo > hi {
                    return Err(format!("range out of order in the class at character {at}"));
                }
                set.push((lo, hi));
            } else {
                set.extend(item);
            }
        }
        let set = normalise(set);
        Ok(if negated { complement(&set) } else { set })
    }

    /// The set an escape stands for (after the backslash).
    fn escape(&mut self, in_class: bool) -> Result<Ranges, String> {
        let at = self.pos;
        let Some(c) = self.next() else {
            return Err("a pattern cannot end with `\\`".into());
        };
        let single = |c: u32| Ok(vec![(c, c)]);
        match c {
            'd' => Ok(DIGIT.to_vec()),
            'D' => Ok(complement(DIGIT)),
            'w' => Ok(WORD.to_vec()),
            'W' => Ok(complement(WORD)),
            's' => Ok(SPACE.to_vec()),
            'S' => Ok(complement(SPACE)),
            'n' => single(0x0A),
            'r' => single(0x0D),
            't' => single(0x09),
            'f' => single(0x0C),
            'v' => single(0x0B),
            '0' if !self.peek().is_some_and(|c| c.is_ascii_digit()) => single(0),
            'b' if in_class => single(0x08),
            'x' => self.hex(2).and_then(single),
            'u' if self.eat("{") => {
                let mut digits = String::new();
                while let Some(c) = self.next().filter(|&c| c != '}') {
                    digits.push(c);
                }
                u32::from_str_radix(&digits, 16)
                    .ok()
                    .filter(|&c| c <= MAX_CHAR)
                    .ok_or_else(|| format!("bad `\\u{{…}}` escape at character {at}"))
                    .and_then(single)
            }
            'u' => self.hex(4).and_then(single),
            'b' | 'B' => Err(format!(
                "the word boundary `\\{c}` at character {at} is not supported"
            )),
            '1'..='9' | 'k' => Err(format!(
                "the backreference `\\{c}` at character {at} is not supported"
            )),
            'p' | 'P' => Err(format!(
                "the property escape `\\{c}` at character {at} is not supported"
            )),
            c if c.is_ascii_alphanumeric() => {
                Err(format!("unknown escape `\\{c}` at character {at}"))
            }
            c => single(c as u32),
        }
    }

    fn hex(&mut self, digits: usize) -> Result<u32, String> {
        let at = self.pos;
        let text: String = (0..digits).filter_map(|_| self.next()).collect();
        match u32::from_str_radix(&text, 16) {
            Ok(c) if text.len() == digits => Ok(c),
            _ => Err(format!("bad hex escape at character {at}")),
        }
    }
}

/// `{n}`, `{n,}` or `{n,m}` at the start of `text`: (min, max, length in characters).
fn counted(text: &str) -> Option<(u32, Option<u32>, usize)> {
    let body = text.strip_prefix('{')?;
    let end = body.find('}')?;
    let inner = &body[..end];
    let len = inner.chars().count() + 2;
    let number = |s: &str| {
        (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    match inner.split_once(',') {
        None => number(inner).map(|n| (n, Some(n), len)),
        Some((min, "")) => number(min).map(|n| (n, None, len)),
        Some((min, max)) => Some((number(min)?, Some(number(max)?), len)),
    }
}
