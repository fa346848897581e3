//! Planted changes: `VMDEMO_FACTORS="jit/tier2_compile=1.40,tlb/lookup_hit=0.80"`
//! multiplies the amount of work of the named benchmarks, so their time moves by
//! about that factor while everything else stays the same.

use std::collections::BTreeMap;

/// The environment variable read by the bench binary.
pub const ENV_VAR: &str = "VMDEMO_FACTORS";

/// Every benchmark id (Criterion `full_id`) of the suite; factors may name only these.
pub const BENCHMARK_IDS: &[&str] = &[
    "jit/tier1_compile",
    "jit/tier2_compile",
    "cross_arch/x86_64_to_arm64",
    "cross_arch/x86_64_to_riscv",
    "memory/small_alloc",
    "memory/large_alloc",
    "memory/dealloc",
    "memory/alloc/1024",
    "memory/alloc/4096",
    "memory/alloc/16384",
    "gc/minor_pause",
    "gc/major_pause",
    "tlb/lookup_hit",
    "tlb/flush",
    "async/task_spawn",
    "async/executor_throughput",
    "concurrency/mutex_low_contention",
    "concurrency/mutex_high_contention",
    "concurrency/rwlock_read",
    "snapshot/create",
    "snapshot/restore",
];

/// Work multipliers per benchmark id; ids not named run at factor 1.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Factors {
    by_id: BTreeMap<String, f64>,
}

impl Factors {
    /// Parse `id=factor[,id=factor...]`; an empty string means no factors.
    pub fn parse(spec: &str) -> Result<Self, String> {
        let mut by_id = BTreeMap::new();
        for entry in spec.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            let (id, value) = entry
                .split_once('=')
                .ok_or_else(|| format!("entry {entry:?} is not of the form id=factor"))?;
            let id = id.trim();
            if !BENCHMARK_IDS.contains(&id) {
                return Err(format!(
                    "unknown benchmark id {id:?}; known ids: {}",
                    BENCHMARK_IDS.join(", ")
                ));
            }
            let factor: f64 = value
                .trim()
                .parse()
                .map_err(|_| format!("factor {value:?} for {id} is not a number"))?;
            if !(factor.is_finite() && factor > 0.0 && factor <= 100.0) {
                return Err(format!("factor {factor} for {id} must be in (0, 100]"));
            }
            if by_id.insert(id.to_string(), factor).is_some() {
                return Err(format!("benchmark id {id} is named twice"));
            }
        }
        Ok(Factors { by_id })
    }

    /// Read [`ENV_VAR`]; unset means no factors.
    pub fn from_env() -> Result<Self, String> {
        match std::env::var(ENV_VAR) {
            Ok(spec) => Self::parse(&spec).map_err(|e| format!("{ENV_VAR}: {e}")),
            Err(std::env::VarError::NotPresent) => Ok(Self::default()),
            Err(e) => Err(format!("{ENV_VAR}: {e}")),
        }
    }

    pub fn factor(&self, id: &str) -> f64 {
        self.by_id.get(id).copied().unwrap_or(1.0)
    }

    /// `base` units of work scaled by the factor of `id` (at least one unit).
    pub fn scale(&self, id: &str, base: usize) -> usize {
        ((base as f64) * self.factor(id)).round().max(1.0) as usize
    }

    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, f64)> {
        self.by_id.iter().map(|(k, v)| (k.as_str(), *v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_scales() {
        let f = Factors::parse(" jit/tier2_compile=1.40, gc/minor_pause=1.15 ,").unwrap();
        assert_eq!(f.factor("jit/tier2_compile"), 1.40);
        assert_eq!(f.factor("tlb/flush"), 1.0);
        assert_eq!(f.scale("gc/minor_pause", 2000), 2300);
        assert_eq!(f.scale("tlb/flush", 20), 20);
    }

    #[test]
    fn rejects_bad_specs() {
        assert!(Factors::parse("jit/tier3=2")
            .unwrap_err()
            .contains("unknown"));
        assert!(Factors::parse("tlb/flush").is_err());
        assert!(Factors::parse("tlb/flush=fast").is_err());
        assert!(Factors::parse("tlb/flush=0").is_err());
        assert!(Factors::parse("tlb/flush=1.1,tlb/flush=1.2").is_err());
        assert!(Factors::parse("").unwrap().is_empty());
    }
}
