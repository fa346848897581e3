//! Toy components of a virtual machine, written to be benchmarked.
//!
//! Each module does real, plausible work of a VM subsystem (a JIT pass pipeline, a
//! binary translator, allocators, a mark-sweep collector, a TLB, a task executor,
//! lock-protected shared state, memory snapshots) so that the Criterion suite in
//! `benches/vm.rs` behaves like a real VM project's benchmarks. The amount of work
//! is a parameter everywhere, so [`factors`] can plant known slow-downs and
//! speed-ups.

pub mod alloc;
pub mod executor;
pub mod factors;
pub mod gc;
pub mod jit;
pub mod snapshot;
pub mod sync;
pub mod tlb;
pub mod translate;

/// Small deterministic PRNG (xorshift64*), so inputs are the same in every run.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        // A zero state would stay zero forever.
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in `0..n` (n > 0); the tiny modulo bias does not matter here.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }
}
