//! Shared VM state behind std locks, used from two vCPU threads.

use std::sync::{Mutex, RwLock};
use std::thread;

/// A little private work between lock acquisitions (instruction emulation).
fn emulate(mut x: u64, steps: u32) -> u64 {
    for _ in 0..steps {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
    }
    x
}

/// Two threads each take the shared counter lock `n` times, doing private work in
/// between (`work_steps` > 0: low contention) or none (high contention).
pub fn mutex_counter(n: usize, work_steps: u32) -> u64 {
    let counter = Mutex::new(0u64);
    thread::scope(|s| {
        for t in 0..2u64 {
            let counter = &counter;
            s.spawn(move || {
                let mut x = t + 1;
                for _ in 0..n {
                    x = emulate(x, work_steps);
                    *counter.lock().expect("counter poisoned") += x & 1;
                }
            });
        }
    });
    counter.into_inner().expect("counter poisoned")
}

/// Two threads each read a shared page table `n` times under a read lock.
pub fn rwlock_reads(table: &RwLock<Vec<u64>>, n: usize) -> u64 {
    thread::scope(|s| {
        let handles: Vec<_> = (0..2u64)
            .map(|t| {
                s.spawn(move || {
                    let mut sum = 0u64;
                    let mut i = t as usize;
                    for _ in 0..n {
                        let guard = table.read().expect("table poisoned");
                        sum = sum.wrapping_add(guard[i % guard.len()]);
                        i = i.wrapping_mul(5).wrapping_add(1);
                    }
                    sum
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("reader panicked"))
            .sum()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn threads_finish_and_count() {
        assert!(mutex_counter(100, 4) <= 200);
        let table = RwLock::new((0..64).collect());
        assert!(rwlock_reads(&table, 10) > 0);
    }
}
