//! A software TLB: an open-addressing hash table from (ASID, virtual page) to
//! physical frame, as a VM's soft-MMU keeps it.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Entry {
    vpn: u64,
    asid: u16,
    valid: bool,
    pfn: u64,
}

const INVALID: Entry = Entry {
    vpn: 0,
    asid: 0,
    valid: false,
    pfn: 0,
};

#[derive(Debug, Clone)]
pub struct Tlb {
    entries: Vec<Entry>,
    mask: usize,
    scratch: Vec<Entry>,
}

fn slot(vpn: u64, asid: u16, mask: usize) -> usize {
    let h = (vpn ^ ((asid as u64) << 48)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    (h >> 32) as usize & mask
}

impl Tlb {
    /// `capacity` is rounded up to a power of two.
    pub fn new(capacity: usize) -> Self {
        let cap = capacity.next_power_of_two();
        Tlb {
            entries: vec![INVALID; cap],
            mask: cap - 1,
            scratch: Vec::new(),
        }
    }

    /// Insert or update a translation (linear probing; the table must not be full).
    pub fn insert(&mut self, asid: u16, vpn: u64, pfn: u64) {
        let mut i = slot(vpn, asid, self.mask);
        loop {
            let e = &mut self.entries[i];
            if !e.valid || (e.vpn == vpn && e.asid == asid) {
                *e = Entry {
                    vpn,
                    asid,
                    valid: true,
                    pfn,
                };
                return;
            }
            i = (i + 1) & self.mask;
        }
    }

    pub fn lookup(&self, asid: u16, vpn: u64) -> Option<u64> {
        let mut i = slot(vpn, asid, self.mask);
        loop {
            let e = &self.entries[i];
            if !e.valid {
                return None;
            }
            if e.vpn == vpn && e.asid == asid {
                return Some(e.pfn);
            }
            i = (i + 1) & self.mask;
        }
    }

    /// Invalidate every translation of `asid` (a context switch without ASID reuse)
    /// and rehash the survivors so probe chains stay intact; returns how many went.
    pub fn flush_asid(&mut self, asid: u16) -> usize {
        self.scratch.clear();
        let mut dropped = 0;
        for e in self.entries.iter_mut() {
            if e.valid {
                if e.asid == asid {
                    dropped += 1;
                } else {
                    self.scratch.push(*e);
                }
            }
            *e = INVALID;
        }
        let keep = std::mem::take(&mut self.scratch);
        for e in &keep {
            self.insert(e.asid, e.vpn, e.pfn);
        }
        self.scratch = keep;
        dropped
    }

    pub fn clear(&mut self) {
        self.entries.fill(INVALID);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flush_drops_only_that_asid() {
        let mut t = Tlb::new(256);
        for p in 0..100 {
            t.insert(1, p, p + 1000);
            t.insert(2, p, p + 2000);
        }
        assert_eq!(t.lookup(1, 42), Some(1042));
        assert_eq!(t.flush_asid(1), 100);
        assert_eq!(t.lookup(1, 42), None);
        assert_eq!(t.lookup(2, 42), Some(2042));
    }
}
