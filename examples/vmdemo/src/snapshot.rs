//! VM snapshots: copy the dirty pages of guest memory with a checksum per page,
//! and restore them after verifying the checksums.

use crate::Rng;

pub const PAGE: usize = 4096;

#[derive(Debug, Clone)]
pub struct GuestMemory {
    pub bytes: Vec<u8>,
    pub dirty: Vec<bool>,
}

#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    pub pages: Vec<u32>,
    pub checksums: Vec<u64>,
    pub data: Vec<u8>,
}

impl GuestMemory {
    /// `pages` pages of pseudo-random content; every fourth page is clean, so the
    /// dirty count is exactly proportional to the size.
    pub fn new(seed: u64, pages: usize) -> Self {
        let mut rng = Rng::new(seed);
        let mut bytes = vec![0u8; pages * PAGE];
        for chunk in bytes.chunks_exact_mut(8) {
            chunk.copy_from_slice(&rng.next_u64().to_le_bytes());
        }
        let dirty = (0..pages).map(|p| p % 4 != 3).collect();
        GuestMemory { bytes, dirty }
    }
}

/// Word-wise multiplicative checksum (fast, order-sensitive).
pub fn checksum(page: &[u8]) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325u64;
    for w in page.chunks_exact(8) {
        let v = u64::from_le_bytes(w.try_into().expect("8-byte chunk"));
        h = (h ^ v).wrapping_mul(0x0000_0100_0000_01B3).rotate_left(5);
    }
    h
}

/// Copy every dirty page into `snap` (reusing its buffers); returns bytes copied.
pub fn create(mem: &GuestMemory, snap: &mut Snapshot) -> usize {
    snap.pages.clear();
    snap.checksums.clear();
    snap.data.clear();
    for (p, _) in mem.dirty.iter().enumerate().filter(|(_, &d)| d) {
        let page = &mem.bytes[p * PAGE..(p + 1) * PAGE];
        snap.pages.push(p as u32);
        snap.checksums.push(checksum(page));
        snap.data.extend_from_slice(page);
    }
    snap.data.len()
}

/// Verify and copy the snapshot's pages back; returns the number of bad pages.
pub fn restore(snap: &Snapshot, mem: &mut GuestMemory) -> usize {
    let mut bad = 0;
    for (k, &p) in snap.pages.iter().enumerate() {
        let src = &snap.data[k * PAGE..(k + 1) * PAGE];
        if checksum(src) != snap.checksums[k] {
            bad += 1;
            continue;
        }
        let p = p as usize;
        mem.bytes[p * PAGE..(p + 1) * PAGE].copy_from_slice(src);
        mem.dirty[p] = false;
    }
    bad
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let mem = GuestMemory::new(1, 16);
        let mut snap = Snapshot::default();
        create(&mem, &mut snap);
        let mut other = GuestMemory::new(2, 16);
        assert_eq!(restore(&snap, &mut other), 0);
        for &p in &snap.pages {
            let p = p as usize;
            assert_eq!(
                mem.bytes[p * PAGE..(p + 1) * PAGE],
                other.bytes[p * PAGE..(p + 1) * PAGE]
            );
        }
    }
}
