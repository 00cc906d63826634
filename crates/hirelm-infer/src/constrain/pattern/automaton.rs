//! A [`Regex`] as a deterministic automaton over the characters a constrained JSON string may
//! hold: Thompson's construction, then subsets. The alphabet is cut into intervals at every
//! class boundary, so a state's transitions are one target per interval.

use std::collections::HashMap;

use super::charset::{MAX_CHAR, Ranges, intersect, normalise};
use super::parse::Regex;

/// No transition.
pub(crate) const DEAD: u32 = u32::MAX;

/// Most automaton states a pattern may need.
const MAX_STATES: usize = 2000;

/// Most NFA nodes (each counted repeat copies its part).
const MAX_NFA_NODES: usize = 50_000;

/// The characters a pattern-constrained string is written with: printable, neither `"` nor
/// `\` (so no escape is ever needed), no surrogates.
pub(crate) fn writable() -> Ranges {
    vec![
        (0x20, 0x21),
        (0x23, 0x5B),
        (0x5D, 0xD7FF),
        (0xE000, MAX_CHAR),
    ]
}

/// A deterministic automaton over character intervals; state 0 is the start.
#[derive(Debug, Clone)]
pub(crate) struct Dfa {
    /// Start of each alphabet interval (ascending, the first 0); interval `i` runs to the next
    /// start minus one.
    pub(crate) starts: Vec<u32>,
    /// `next[state * starts.len() + i]`: the state after a character of interval `i`, or
    /// [`DEAD`] (no transition, or one into a state from which nothing is accepted).
    pub(crate) next: Vec<u32>,
    /// Whether each state accepts.
    pub(crate) accepting: Vec<bool>,
}

/// Thompson NFA: ε-edges and at most one character edge per node.
#[derive(Default)]
struct Nfa {
    eps: Vec<Vec<usize>>,
    edge: Vec<Option<(usize, usize)>>,
    classes: Vec<Ranges>,
}

impl Nfa {
    fn add(&mut self) -> Result<usize, String> {
        if self.eps.len() >= MAX_NFA_NODES {
            return Err("the pattern is too large (repeat counts multiply its size)".into());
        }
        self.eps.push(Vec::new());
        self.edge.push(None);
        Ok(self.eps.len() - 1)
    }

    /// A fragment for `re`: (entry, exit).
    fn fragment(&mut self, re: &Regex, allowed: &Ranges) -> Result<(usize, usize), String> {
        let start = self.add()?;
        let mut end = start;
        match re {
            Regex::Class(ranges) => {
                end = self.add()?;
                let class = intersect(&normalise(ranges.clone()), allowed);
                if !class.is_empty() {
                    self.classes.push(class);
                    self.edge[start] = Some((self.classes.len() - 1, end));
                }
            }
            Regex::Concat(parts) => {
                for part in parts {
                    let (a, b) = self.fragment(part, allowed)?;
                    self.eps[end].push(a);
                    end = b;
                }
            }
            Regex::Alt(branches) => {
                end = self.add()?;
                for branch in branches {
                    let (a, b) = self.fragment(branch, allowed)?;
                    self.eps[start].push(a);
                    self.eps[b].push(end);
                }
            }
            Regex::Repeat { inner, min, max } => {
                for _ in 0..*min {
                    let (a, b) = self.fragment(inner, allowed)?;
                    self.eps[end].push(a);
                    end = b;
                }
                let exit = self.add()?;
                match max {
                    None => {
                        let (a, b) = self.fragment(inner, allowed)?;
                        self.eps[end].extend([a, exit]);
                        self.eps[b].extend([a, exit]);
                    }
                    Some(max) => {
                        for _ in *min..*max {
                            let (a, b) = self.fragment(inner, allowed)?;
                            self.eps[end].extend([a, exit]);
                            end = b;
                        }
                        self.eps[end].push(exit);
                    }
                }
                end = exit;
            }
        }
        Ok((start, end))
    }

    /// `nodes` and every node ε-reachable from them, sorted.
    fn closure(&self, nodes: impl IntoIterator<Item = usize>) -> Vec<usize> {
        let mut seen = vec![false; self.eps.len()];
        let mut stack: Vec<usize> = nodes.into_iter().collect();
        let mut out = Vec::new();
        while let Some(n) = stack.pop() {
            if !std::mem::replace(&mut seen[n], true) {
                out.push(n);
                stack.extend(&self.eps[n]);
            }
        }
        out.sort_unstable();
        out
    }
}

impl Dfa {
    /// The automaton of strings `re` matches, written with [`writable`] characters only.
    pub(crate) fn build(re: &Regex) -> Result<Self, String> {
        let allowed = writable();
        let mut nfa = Nfa::default();
        let (entry, exit) = nfa.fragment(re, &allowed)?;
        let mut cuts = vec![0, MAX_CHAR + 1];
        for class in &nfa.classes {
            for &(lo, hi) in class {
                cuts.extend([lo, hi + 1]);
            }
        }
        cuts.sort_unstable();
        cuts.dedup();
        let starts: Vec<u32> = cuts[..cuts.len() - 1].to_vec();
        // Which classes cover each interval (intervals never straddle a class boundary).
        let covers: Vec<Vec<bool>> = starts
            .iter()
            .map(|&s| {
                nfa.classes
                    .iter()
                    .map(|class| class.iter().any(|&(lo, hi)| lo <= s && s <= hi))
                    .collect()
            })
            .collect();
        let mut ids: HashMap<Vec<usize>, u32> = HashMap::new();
        let mut sets = vec![nfa.closure([entry])];
        ids.insert(sets[0].clone(), 0);
        let mut next = Vec::new();
        let mut i = 0;
        while i < sets.len() {
            for covered in &covers {
                let moved = sets[i].iter().filter_map(|&n| match nfa.edge[n] {
                    Some((class, to)) if covered[class] => Some(to),
                    _ => None,
                });
                let target = nfa.closure(moved);
                if target.is_empty() {
                    next.push(DEAD);
                    continue;
                }
                let id = match ids.get(&target) {
                    Some(&id) => id,
                    None => {
                        if sets.len() >= MAX_STATES {
                            return Err(format!(
                                "the pattern needs more than {MAX_STATES} automaton states"
                            ));
                        }
                        let id = sets.len() as u32;
                        ids.insert(target.clone(), id);
                        sets.push(target);
                        id
                    }
                };
                next.push(id);
            }
            i += 1;
        }
        let accepting = sets
            .iter()
            .map(|s| s.binary_search(&exit).is_ok())
            .collect();
        let mut dfa = Self {
            starts,
            next,
            accepting,
        };
        dfa.prune();
        Ok(dfa)
    }

    fn width(&self) -> usize {
        self.starts.len()
    }

    /// Turns transitions into states from which nothing is accepted into [`DEAD`].
    fn prune(&mut self) {
        let (states, width) = (self.accepting.len(), self.width());
        let mut live = self.accepting.clone();
        let mut changed = true;
        while changed {
            changed = false;
            for s in 0..states {
                if !live[s]
                    && self.next[s * width..(s + 1) * width]
                        .iter()
                        .any(|&t| t != DEAD && live[t as usize])
                {
                    live[s] = true;
                    changed = true;
                }
            }
        }
        for t in &mut self.next {
            if *t != DEAD && !live[*t as usize] {
                *t = DEAD;
            }
        }
    }

    /// The number of states.
    pub(crate) fn states(&self) -> usize {
        self.accepting.len()
    }

    /// The interval holding `c`.
    pub(crate) fn interval(&self, c: u32) -> usize {
        self.starts.partition_point(|&s| s <= c) - 1
    }

    /// The state after `c` from `state`.
    pub(crate) fn step(&self, state: u32, c: u32) -> u32 {
        self.next[state as usize * self.width() + self.interval(c)]
    }

    /// The transitions of `state` whose intervals meet `lo..=hi`: (lowest character of the
    /// overlap, target), targets possibly [`DEAD`].
    pub(crate) fn transitions(
        &self,
        state: u32,
        lo: u32,
        hi: u32,
    ) -> impl Iterator<Item = (u32, u32)> + '_ {
        let row = &self.next[state as usize * self.width()..(state as usize + 1) * self.width()];
        (self.interval(lo)..self.width())
            .take_while(move |&i| self.starts[i] <= hi)
            .map(move |i| (self.starts[i].max(lo), row[i]))
    }
}
