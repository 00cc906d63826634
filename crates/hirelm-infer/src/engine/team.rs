//! A team of threads that run one decode step together, meeting at spinning barriers.
//!
//! Why not rayon here: a decode step of a 135M model is about 150 parallel products of
//! 50–100 µs each, with short serial steps (norms, quantising the activations) between them.
//! Rayon parks an idle worker in between, and waking it again (a futex and, on a virtual
//! machine, an interrupt to a halted core) costs a sizeable part of each product. The team's
//! threads spin instead, as llama.cpp's do, and each member does the short serial steps itself
//! rather than waiting for one thread to do them.
//!
//! Every member runs the same program. Shared buffers are written only in [`Member::fill`]
//! phases, whose parts are claimed one by one from a counter (a member slowed by the host does
//! not hold the others up; which member computes a part never changes its value) and which
//! begin and end with a barrier. Each member reaches a buffer through its own [`View`], and
//! `fill` needs that view mutably, so no member can hold a read of a buffer across a phase that
//! writes it. This module is the crate's only `unsafe` outside the SIMD kernels.
#![allow(unsafe_code)]

use std::cell::Cell;
use std::marker::PhantomData;
use std::ops::Range;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// Spins before a waiting member starts yielding its core (then an oversubscribed machine,
/// or a member descheduled by the host, still makes progress).
const SPINS_BEFORE_YIELD: u32 = 20_000;

/// One team at a time in the process: two teams spinning on the same cores would starve each
/// other. Concurrent sessions take turns by decode step.
static ONE_TEAM_AT_A_TIME: Mutex<()> = Mutex::new(());

/// Runs `program` on `threads` members (the caller is member 0), giving each member one
/// [`View`] of every buffer, in order, and returns when all are done. A member that panics
/// makes the others panic at their next barrier instead of waiting forever, and the panic
/// reaches the caller.
pub(super) fn run<F>(threads: usize, buffers: Vec<&mut [f32]>, program: F)
where
    F: Fn(&Member<'_>, Vec<View<'_>>) + Sync,
{
    let threads = threads.max(1);
    let _turn = ONE_TEAM_AT_A_TIME
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let team = Team {
        threads,
        arrived: AtomicUsize::new(0),
        generation: AtomicUsize::new(0),
        aborted: AtomicBool::new(false),
        next_part: [AtomicUsize::new(0), AtomicUsize::new(0)],
        filling: (0..threads)
            .map(|_| std::array::from_fn(|_| AtomicUsize::new(0)))
            .collect(),
        buffers: buffers
            .into_iter()
            .map(|b| (b.as_mut_ptr(), b.len()))
            .collect(),
    };
    std::thread::scope(|scope| {
        for index in 1..threads {
            let (team, program) = (&team, &program);
            scope.spawn(move || team.member(index, program));
        }
        team.member(0, &program);
    });
}

struct Team {
    threads: usize,
    arrived: AtomicUsize,
    generation: AtomicUsize,
    aborted: AtomicBool,
    /// Claim counters of consecutive fill phases (two suffice: see [`Member::fill`]).
    next_part: [AtomicUsize; 2],
    /// Per member, what its current fill phase writes: buffer, part length, first and end
    /// part (checked to agree, so that parts never overlap).
    filling: Vec<[AtomicUsize; 4]>,
    /// The buffers, from `&mut [f32]`s borrowed for the whole of [`run`].
    buffers: Vec<(*mut f32, usize)>,
}

// SAFETY: the raw buffer pointers are reached only through `View`s, whose accesses the fill
// protocol keeps free of data races (see the module docs); everything else is atomic.
unsafe impl Sync for Team {}

impl Team {
    fn member<F: Fn(&Member<'_>, Vec<View<'_>>)>(&self, index: usize, program: &F) {
        /// Marks the team aborted when its member unwinds.
        struct AbortOnPanic<'a>(&'a AtomicBool);
        impl Drop for AbortOnPanic<'_> {
            fn drop(&mut self) {
                if std::thread::panicking() {
                    self.0.store(true, Ordering::Release);
                }
            }
        }
        let _guard = AbortOnPanic(&self.aborted);
        let views = (0..self.buffers.len())
            .map(|buffer| View {
                team: self,
                buffer,
                _not_sync: PhantomData,
            })
            .collect();
        program(
            &Member {
                team: self,
                index,
                phase: Cell::new(0),
                filling: Cell::new(false),
            },
            views,
        );
    }

    /// Waits until every member has arrived. Writes made before it are visible after it.
    fn barrier(&self) {
        if self.threads == 1 {
            return;
        }
        let generation = self.generation.load(Ordering::Acquire);
        if self.arrived.fetch_add(1, Ordering::AcqRel) + 1 == self.threads {
            self.arrived.store(0, Ordering::Relaxed);
            self.generation.fetch_add(1, Ordering::Release);
            return;
        }
        let mut spins = 0u32;
        while self.generation.load(Ordering::Acquire) == generation {
            assert!(
                !self.aborted.load(Ordering::Acquire),
                "another member of the decode team panicked"
            );
            if spins < SPINS_BEFORE_YIELD {
                spins += 1;
                std::hint::spin_loop();
            } else {
                std::thread::yield_now();
            }
        }
    }
}

/// One member's handle on a shared buffer. Not `Clone`: one per member and buffer.
pub(super) struct View<'t> {
    team: &'t Team,
    buffer: usize,
    /// Views stay on their member's thread.
    _not_sync: PhantomData<*const ()>,
}

impl View<'_> {
    /// The whole buffer as the last fill phase left it.
    pub(super) fn read(&self) -> &[f32] {
        let (ptr, len) = self.team.buffers[self.buffer];
        // SAFETY: the pointer and length come from a `&mut [f32]` that outlives the team. Writes
        // happen only inside `fill`, which every member enters (holding its view mutably, so
        // holding no read of it) before any member writes; so no write overlaps this borrow.
        unsafe { std::slice::from_raw_parts(ptr, len) }
    }
}

/// One thread's part in the team.
pub(super) struct Member<'t> {
    team: &'t Team,
    index: usize,
    phase: Cell<usize>,
    /// Inside `fill` (a fill inside a fill would break the phase protocol).
    filling: Cell<bool>,
}

impl Member<'_> {
    /// Writes parts `parts` of `view`'s buffer (part `i` is values `i·part_len ..` up to
    /// `(i + 1)·part_len` or the end), each by whichever member claims it first, calling
    /// `write(i, part)`; returns when the whole team is done. Every member must make the same
    /// sequence of calls: a member filling a different buffer, or other parts, from the others
    /// panics, and so does a fill inside a fill.
    pub(super) fn fill(
        &self,
        view: &mut View<'_>,
        part_len: usize,
        parts: Range<usize>,
        mut write: impl FnMut(usize, &mut [f32]),
    ) {
        assert!(
            !self.filling.replace(true),
            "a decode team fill inside a fill"
        );
        let team = self.team;
        let what = [view.buffer, part_len, parts.start, parts.end];
        for (slot, value) in team.filling[self.index].iter().zip(what) {
            slot.store(value, Ordering::Relaxed);
        }
        // No member still reads the buffer after this barrier (each holds its view mutably).
        team.barrier();
        assert!(
            team.filling.iter().all(|member| member
                .iter()
                .zip(what)
                .all(|(slot, value)| slot.load(Ordering::Relaxed) == value)),
            "decode team members are filling different buffers or parts"
        );
        let phase = self.phase.get();
        self.phase.set(phase + 1);
        let counter = &team.next_part[phase % 2];
        let (ptr, len) = team.buffers[view.buffer];
        loop {
            let part = parts.start + counter.fetch_add(1, Ordering::Relaxed);
            if part >= parts.end {
                break;
            }
            let start = part * part_len;
            assert!(
                start < len,
                "part {part} of {part_len} values is past a buffer of {len}"
            );
            // SAFETY: in bounds (checked); each part is claimed by exactly one member, and no
            // member reads this buffer until the barrier below (see `View::read`).
            let values = unsafe {
                std::slice::from_raw_parts_mut(ptr.add(start), part_len.min(len - start))
            };
            write(part, values);
        }
        team.barrier();
        // Nobody claims from this counter again before the next fill's opening barrier, which
        // member 0 reaches only after this reset.
        if self.index == 0 {
            counter.store(0, Ordering::Relaxed);
        }
        self.filling.set(false);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_part_is_written_once_and_read_after_the_phase() {
        for threads in [1, 2, 3] {
            let (mut a, mut b) = (vec![0f32; 100], vec![0f32; 7]);
            let sums = Mutex::new(Vec::new());
            run(threads, vec![&mut a, &mut b], |m, views| {
                let Ok([mut a, mut b]) = <[View<'_>; 2]>::try_from(views) else {
                    panic!("two views")
                };
                for round in 1..=5 {
                    m.fill(&mut a, 3, 0..34, |part, values| {
                        values.iter_mut().for_each(|v| *v += (round * part) as f32)
                    });
                    let total: f32 = a.read().iter().sum();
                    m.fill(&mut b, 1, 2..3, |_, values| values[0] = total);
                    sums.lock().expect("lock").push((round, b.read()[2]));
                }
            });
            let sums = sums.into_inner().expect("lock");
            assert_eq!(sums.len(), 5 * threads);
            // Values 3p..3p+3 hold round·p summed over rounds; the last part has one value.
            let per_round: f32 = (0..33).map(|p| 3.0 * p as f32).sum::<f32>() + 33.0;
            for (round, total) in sums {
                let rounds: usize = (1..=round).sum();
                assert_eq!(
                    total,
                    rounds as f32 * per_round,
                    "{threads} threads, round {round}"
                );
            }
            assert_eq!(a[99], 15.0 * 33.0);
        }
    }

    #[test]
    fn a_panicking_member_does_not_leave_the_others_waiting() {
        let mut a = vec![0f32; 4];
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            run(2, vec![&mut a], |m, mut views| {
                if m.index == 1 {
                    panic!("member 1 fails");
                }
                m.fill(&mut views[0], 1, 0..4, |_, v| v[0] = 1.0);
            })
        }));
        assert!(result.is_err());
    }

    #[test]
    fn members_filling_different_parts_of_a_buffer_panic() {
        let mut a = vec![0f32; 8];
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            run(2, vec![&mut a], |m, mut views| {
                let part_len = 1 + m.index;
                m.fill(&mut views[0], part_len, 0..4, |_, v| v[0] = 1.0);
            })
        }));
        assert!(result.is_err());
    }

    #[test]
    fn members_filling_different_buffers_panic() {
        let (mut a, mut b) = (vec![0f32; 4], vec![0f32; 4]);
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            run(2, vec![&mut a, &mut b], |m, mut views| {
                let buffer = m.index;
                m.fill(&mut views[buffer], 1, 0..4, |_, v| v[0] = 1.0);
            })
        }));
        assert!(result.is_err());
    }
}
