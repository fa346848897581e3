//! The vmdemo Criterion suite: one group per VM subsystem.
//!
//! Every benchmark runs `units(id, base)` units of work, so `VMDEMO_FACTORS` can
//! plant a change of known size (see README.md).

use std::sync::{OnceLock, RwLock};

use criterion::measurement::Measurement;
use criterion::{black_box, BenchmarkId, Criterion, Throughput};
use vmdemo::factors::Factors;
use vmdemo::{alloc, executor, gc, jit, snapshot, sync, tlb, translate, Rng};

mod cpu_time;

static FACTORS: OnceLock<Factors> = OnceLock::new();

/// Units of work for benchmark `id`: `base` times its planted factor.
fn units(id: &str, base: usize) -> usize {
    FACTORS
        .get()
        .expect("factors are parsed in main")
        .scale(id, base)
}

fn bench_jit<M: Measurement + 'static>(c: &mut Criterion<M>) {
    let funcs: Vec<_> = (0..8).map(|s| jit::generate(s, 160)).collect();
    let mut g = c.benchmark_group("jit");
    for (name, base, tier2) in [("tier1_compile", 40, false), ("tier2_compile", 20, true)] {
        let n = units(&format!("jit/{name}"), base);
        g.bench_function(name, |b| {
            let mut code = Vec::with_capacity(1 << 14);
            b.iter(|| {
                let mut bytes = 0;
                for i in 0..n {
                    let f = black_box(&funcs[i % funcs.len()]);
                    bytes += if tier2 {
                        jit::compile_tier2(f, &mut code)
                    } else {
                        jit::compile_tier1(f, &mut code)
                    };
                }
                black_box(bytes)
            })
        });
    }
    g.finish();
}

fn bench_cross_arch<M: Measurement + 'static>(c: &mut Criterion<M>) {
    let mut g = c.benchmark_group("cross_arch");
    for (name, to_arm) in [("x86_64_to_arm64", true), ("x86_64_to_riscv", false)] {
        let n = units(&format!("cross_arch/{name}"), 2000);
        let guest = translate::generate(42, 4 * n);
        g.bench_function(name, |b| {
            let mut out = Vec::with_capacity(4 * guest.len());
            // A different window every iteration: a fixed block of a few thousand
            // instructions is learnt by the branch predictor, and then time no longer
            // scales with the block's length.
            let mut start = 0;
            b.iter(|| {
                start = (start + 1021) % (guest.len() - n);
                let code = black_box(&guest[start..start + n]);
                let words = if to_arm {
                    translate::to_arm64(code, &mut out)
                } else {
                    translate::to_riscv(code, &mut out)
                };
                black_box(words)
            })
        });
    }
    g.finish();
}

fn bench_memory<M: Measurement + 'static>(c: &mut Criterion<M>) {
    let mut g = c.benchmark_group("memory");
    let n = units("memory/small_alloc", 2000);
    g.bench_function("small_alloc", |b| {
        let mut slab = alloc::SlabAllocator::new();
        b.iter(|| {
            slab.reset();
            let mut last = 0;
            for i in 0..n {
                last = slab
                    .alloc(black_box(8 + (i * 7) % 57), i as u8)
                    .expect("slab has room");
            }
            black_box(last)
        })
    });
    let n = units("memory/large_alloc", 32);
    g.bench_function("large_alloc", |b| {
        let mut heap = alloc::FreeListAllocator::new(16 << 20);
        b.iter(|| {
            heap.reset();
            let mut last = 0;
            for i in 0..n {
                last = heap
                    .alloc_zeroed(black_box(8192 + (i * 4099) % 24576))
                    .expect("heap has room");
            }
            black_box(last)
        })
    });
    let n = units("memory/dealloc", 1000);
    g.bench_function("dealloc", |b| {
        // Allocation and freeing are timed together: with `iter_batched` set-up the
        // first sample of a run sometimes carried a one-off 60 ms cost that dwarfed the
        // other 99. Freeing with coalescing is most of the time.
        let size = |i: usize| 64 + (i * 37) % 448;
        let mut rng = Rng::new(9);
        let mut order: Vec<usize> = (0..n).collect();
        for i in (1..n).rev() {
            order.swap(i, rng.below(i as u64 + 1) as usize);
        }
        let mut heap = alloc::FreeListAllocator::new(1 << 20);
        let mut blocks = vec![0usize; n];
        b.iter(|| {
            heap.reset();
            for (i, slot) in blocks.iter_mut().enumerate() {
                *slot = heap.alloc_zeroed(size(i)).expect("heap has room");
            }
            // Free in a scrambled order so coalescing has work to do.
            for &i in black_box(&order) {
                heap.free(blocks[i], size(i));
            }
            black_box(heap.free_blocks())
        })
    });
    let mut arena = vec![0u8; 8 << 20];
    for size in [1024usize, 4096, 16384] {
        const BLOCKS: usize = 256;
        let n = units(&format!("memory/alloc/{size}"), BLOCKS);
        // Nominal bytes: a planted slow-down must show as lower throughput.
        g.throughput(Throughput::Bytes((size * BLOCKS) as u64));
        g.bench_with_input(BenchmarkId::new("alloc", size), &size, |b, &size| {
            b.iter(|| black_box(alloc::bump_fill(&mut arena, black_box(size), n)))
        });
    }
    g.finish();
}

fn bench_gc<M: Measurement + 'static>(c: &mut Criterion<M>) {
    let mut g = c.benchmark_group("gc");
    let mut young = gc::Heap::build(5, 20_000, units("gc/minor_pause", 4000));
    g.bench_function("minor_pause", |b| b.iter(|| black_box(young.minor())));
    let mut full = gc::Heap::build(6, units("gc/major_pause", 20_000), 0);
    g.bench_function("major_pause", |b| b.iter(|| black_box(full.major())));
    g.finish();
}

fn bench_tlb<M: Measurement + 'static>(c: &mut Criterion<M>) {
    let mut g = c.benchmark_group("tlb");
    let mut t = tlb::Tlb::new(2048);
    let mut rng = Rng::new(11);
    let pages: Vec<u64> = (0..1024).map(|_| rng.below(1 << 36)).collect();
    for (i, &p) in pages.iter().enumerate() {
        t.insert((i % 4) as u16, p, p ^ 0xABC);
    }
    let n = units("tlb/lookup_hit", 4000);
    let probes: Vec<(u16, u64)> = (0..n)
        .map(|_| rng.below(1024) as usize)
        .map(|i| ((i % 4) as u16, pages[i]))
        .collect();
    g.bench_function("lookup_hit", |b| {
        b.iter(|| {
            let mut sum = 0u64;
            for &(asid, vpn) in black_box(&probes) {
                sum = sum.wrapping_add(t.lookup(asid, vpn).expect("all probes hit"));
            }
            black_box(sum)
        })
    });
    let n = units("tlb/flush", 20);
    g.bench_function("flush", |b| {
        let mut t = tlb::Tlb::new(1024);
        b.iter(|| {
            let mut dropped = 0;
            for _ in 0..n {
                t.clear();
                for (i, &p) in pages[..512].iter().enumerate() {
                    t.insert((i % 2) as u16, p, p);
                }
                dropped += t.flush_asid(black_box(1));
            }
            black_box(dropped)
        })
    });
    g.finish();
}

fn bench_async<M: Measurement + 'static>(c: &mut Criterion<M>) {
    let mut g = c.benchmark_group("async");
    let n = units("async/task_spawn", 1000);
    g.bench_function("task_spawn", |b| {
        b.iter(|| black_box(executor::spawn_and_run(black_box(n))))
    });
    const TASKS: usize = 32;
    const YIELDS: usize = 100;
    let yields = units("async/executor_throughput", YIELDS);
    g.throughput(Throughput::Elements((TASKS * YIELDS) as u64));
    g.bench_function("executor_throughput", |b| {
        b.iter(|| black_box(executor::ping_pong(TASKS, black_box(yields))))
    });
    g.finish();
}

fn bench_concurrency<M: Measurement + 'static>(c: &mut Criterion<M>) {
    let mut g = c.benchmark_group("concurrency");
    let n = units("concurrency/mutex_low_contention", 4000);
    g.bench_function("mutex_low_contention", |b| {
        b.iter(|| black_box(sync::mutex_counter(n, 32)))
    });
    let n = units("concurrency/mutex_high_contention", 10_000);
    g.bench_function("mutex_high_contention", |b| {
        b.iter(|| black_box(sync::mutex_counter(n, 0)))
    });
    let table = RwLock::new((0..4096u64).collect::<Vec<_>>());
    let n = units("concurrency/rwlock_read", 10_000);
    g.bench_function("rwlock_read", |b| {
        b.iter(|| black_box(sync::rwlock_reads(&table, n)))
    });
    g.finish();
}

fn bench_snapshot<M: Measurement + 'static>(c: &mut Criterion<M>) {
    let mut g = c.benchmark_group("snapshot");
    let mem = snapshot::GuestMemory::new(13, units("snapshot/create", 128));
    g.bench_function("create", |b| {
        let mut snap = snapshot::Snapshot::default();
        b.iter(|| black_box(snapshot::create(black_box(&mem), &mut snap)))
    });
    let source = snapshot::GuestMemory::new(14, units("snapshot/restore", 128));
    let mut snap = snapshot::Snapshot::default();
    snapshot::create(&source, &mut snap);
    let mut target = snapshot::GuestMemory::new(15, source.dirty.len());
    g.bench_function("restore", |b| {
        b.iter(|| black_box(snapshot::restore(black_box(&snap), &mut target)))
    });
    g.finish();
}

/// Every group, generic over the clock.
fn run_all<M: Measurement + 'static>(mut c: Criterion<M>) {
    bench_jit(&mut c);
    bench_cross_arch(&mut c);
    bench_memory(&mut c);
    bench_gc(&mut c);
    bench_tlb(&mut c);
    bench_async(&mut c);
    bench_concurrency(&mut c);
    bench_snapshot(&mut c);
    c.final_summary();
}

fn fail(msg: &str) -> ! {
    eprintln!("vmdemo: error: {msg}");
    std::process::exit(2)
}

fn main() {
    let factors = Factors::from_env().unwrap_or_else(|e| fail(&e));
    if !factors.is_empty() {
        let list: Vec<String> = factors.iter().map(|(id, f)| format!("{id}={f}")).collect();
        eprintln!("vmdemo: planted factors: {}", list.join(", "));
    }
    FACTORS.set(factors).expect("main runs once");
    // VMDEMO_CLOCK=cpu measures process CPU time instead of wall-clock time.
    match std::env::var("VMDEMO_CLOCK").as_deref() {
        Err(std::env::VarError::NotPresent) | Ok("wall") => {
            run_all(Criterion::default().configure_from_args())
        }
        Ok("cpu") => {
            eprintln!("vmdemo: measuring process CPU time");
            run_all(
                Criterion::default()
                    .with_measurement(cpu_time::ProcessCpuTime)
                    .configure_from_args(),
            )
        }
        Ok(other) => fail(&format!("VMDEMO_CLOCK: {other:?} is not wall or cpu")),
        Err(e) => fail(&format!("VMDEMO_CLOCK: {e}")),
    }
}
