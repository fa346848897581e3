pub fn f(n: u64) -> u64 { n + 1 }
