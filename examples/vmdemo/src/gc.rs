//! A generational mark-sweep collector over an object graph stored as arrays.
//!
//! Objects `0..young_start` are the old generation, the rest the nursery. A minor
//! collection marks the nursery from the roots and the remembered set (old objects
//! that point into the nursery); a major collection marks everything. Sweeping
//! rebuilds the free list and clears the marks, so collecting is repeatable.

use crate::Rng;

const NONE: u32 = u32::MAX;

#[derive(Debug, Clone)]
pub struct Heap {
    children: Vec<[u32; 3]>,
    marks: Vec<bool>,
    young_start: usize,
    roots: Vec<u32>,
    remembered: Vec<u32>,
    stack: Vec<u32>,
    /// Filled by the last sweep.
    pub free_list: Vec<u32>,
}

impl Heap {
    /// `old` + `young` objects with random pointers; about one object in sixteen is a
    /// root and old-to-young pointers go into the remembered set.
    pub fn build(seed: u64, old: usize, young: usize) -> Self {
        let n = old + young;
        let mut rng = Rng::new(seed);
        let mut children = Vec::with_capacity(n);
        let mut remembered = Vec::new();
        for i in 0..n {
            let mut c = [NONE; 3];
            for slot in c.iter_mut() {
                if rng.below(3) != 0 {
                    // Mostly local pointers, like objects allocated together.
                    let target = if rng.below(4) == 0 {
                        rng.below(n as u64) as usize
                    } else {
                        (i + 1 + rng.below(64) as usize).min(n - 1)
                    };
                    *slot = target as u32;
                    if i < old && target >= old {
                        remembered.push(i as u32);
                    }
                }
            }
            children.push(c);
        }
        remembered.dedup();
        let roots = (0..n as u32).filter(|_| rng.below(16) == 0).collect();
        Heap {
            children,
            marks: vec![false; n],
            young_start: old,
            roots,
            remembered,
            stack: Vec::new(),
            free_list: Vec::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.children.len()
    }

    pub fn is_empty(&self) -> bool {
        self.children.is_empty()
    }

    fn mark_from(&mut self, start: u32, lo: usize) {
        self.stack.push(start);
        while let Some(o) = self.stack.pop() {
            let o = o as usize;
            if o < lo || self.marks[o] {
                continue;
            }
            self.marks[o] = true;
            for &c in &self.children[o] {
                if c != NONE && c as usize >= lo && !self.marks[c as usize] {
                    self.stack.push(c);
                }
            }
        }
    }

    fn sweep(&mut self, lo: usize) -> usize {
        self.free_list.clear();
        let mut live = 0;
        for (i, m) in self.marks.iter_mut().enumerate().skip(lo) {
            if *m {
                live += 1;
                *m = false;
            } else {
                self.free_list.push(i as u32);
            }
        }
        live
    }

    /// Collect the nursery; returns the number of live young objects.
    pub fn minor(&mut self) -> usize {
        let lo = self.young_start;
        for k in 0..self.roots.len() {
            let r = self.roots[k];
            self.mark_from(r, lo);
        }
        for k in 0..self.remembered.len() {
            let o = self.remembered[k] as usize;
            for c in self.children[o] {
                if c != NONE {
                    self.mark_from(c, lo);
                }
            }
        }
        self.sweep(lo)
    }

    /// Collect the whole heap; returns the number of live objects.
    pub fn major(&mut self) -> usize {
        for k in 0..self.roots.len() {
            let r = self.roots[k];
            self.mark_from(r, 0);
        }
        self.sweep(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collections_are_repeatable_and_consistent() {
        let mut h = Heap::build(3, 5000, 1000);
        let live = h.major();
        assert!(live > 0 && live < h.len());
        assert_eq!(h.major(), live);
        let young_live = h.minor();
        assert!(young_live <= 1000);
        assert_eq!(h.minor(), young_live);
    }
}
