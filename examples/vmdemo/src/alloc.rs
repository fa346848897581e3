//! Guest-heap allocators over a byte arena: a size-class slab for small objects,
//! a first-fit free list with coalescing for large blocks, and a bump allocator.

use std::collections::BTreeMap;

/// Size classes of the slab allocator, in bytes.
pub const SIZE_CLASSES: [usize; 4] = [16, 32, 48, 64];
const SLAB_SLOTS: usize = 4096;

/// One free list per size class, each over its own slab of the arena.
#[derive(Debug)]
pub struct SlabAllocator {
    arena: Vec<u8>,
    free: Vec<Vec<u32>>,
}

impl Default for SlabAllocator {
    fn default() -> Self {
        Self::new()
    }
}

impl SlabAllocator {
    pub fn new() -> Self {
        let bytes = SIZE_CLASSES.iter().sum::<usize>() * SLAB_SLOTS;
        let mut slab = SlabAllocator {
            arena: vec![0; bytes],
            free: Vec::new(),
        };
        slab.reset();
        slab
    }

    /// Free every object at once (the nursery is emptied after a collection).
    pub fn reset(&mut self) {
        self.free.resize_with(SIZE_CLASSES.len(), Vec::new);
        let mut base = 0usize;
        for (class, size) in SIZE_CLASSES.iter().enumerate() {
            let list = &mut self.free[class];
            list.clear();
            list.extend((0..SLAB_SLOTS).rev().map(|i| (base + i * size) as u32));
            base += size * SLAB_SLOTS;
        }
    }

    /// Allocate `size` bytes (at most 64), initialise the header, return the offset.
    pub fn alloc(&mut self, size: usize, tag: u8) -> Option<usize> {
        let class = SIZE_CLASSES.iter().position(|&c| c >= size)?;
        let off = self.free[class].pop()? as usize;
        let obj = &mut self.arena[off..off + SIZE_CLASSES[class]];
        obj[0] = tag;
        obj[1] = class as u8;
        obj[2..].fill(0);
        Some(off)
    }

    pub fn free(&mut self, off: usize) {
        let class = self.arena[off + 1] as usize;
        self.free[class].push(off as u32);
    }
}

/// First-fit allocator over a free map of `offset -> length`, coalescing on free.
#[derive(Debug)]
pub struct FreeListAllocator {
    arena: Vec<u8>,
    free: BTreeMap<usize, usize>,
}

impl FreeListAllocator {
    pub fn new(bytes: usize) -> Self {
        let mut free = BTreeMap::new();
        free.insert(0, bytes);
        FreeListAllocator {
            arena: vec![0; bytes],
            free,
        }
    }

    pub fn reset(&mut self) {
        self.free.clear();
        self.free.insert(0, self.arena.len());
    }

    /// Allocate `size` zeroed bytes (calloc semantics).
    pub fn alloc_zeroed(&mut self, size: usize) -> Option<usize> {
        let size = (size + 15) & !15;
        let (&off, &len) = self.free.iter().find(|(_, &len)| len >= size)?;
        self.free.remove(&off);
        if len > size {
            self.free.insert(off + size, len - size);
        }
        self.arena[off..off + size].fill(0);
        self.arena[off] = 1;
        Some(off)
    }

    /// Return `[off, off + size)` to the free map, merging with free neighbours.
    pub fn free(&mut self, off: usize, size: usize) {
        let mut start = off;
        let mut len = (size + 15) & !15;
        if let Some((&prev, &plen)) = self.free.range(..off).next_back() {
            if prev + plen == off {
                self.free.remove(&prev);
                start = prev;
                len += plen;
            }
        }
        if let Some(&nlen) = self.free.get(&(off + ((size + 15) & !15))) {
            self.free.remove(&(start + len));
            len += nlen;
        }
        self.free.insert(start, len);
    }

    pub fn free_blocks(&self) -> usize {
        self.free.len()
    }
}

/// Bump allocation of `count` blocks of `size` bytes, each filled with a pattern;
/// returns a checksum so the writes cannot be optimised away.
pub fn bump_fill(arena: &mut [u8], size: usize, count: usize) -> u64 {
    let mut top = 0usize;
    let mut sum = 0u64;
    for i in 0..count {
        if top + size > arena.len() {
            top = 0; // the arena wraps like a nursery after a minor collection
        }
        let block = &mut arena[top..top + size];
        block.fill(i as u8);
        sum = sum.wrapping_add(block[size / 2] as u64 + top as u64);
        top = (top + size + 63) & !63;
    }
    sum
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_list_coalesces_back_to_one_block() {
        let mut a = FreeListAllocator::new(1 << 16);
        let offs: Vec<_> = (0..10)
            .map(|i| a.alloc_zeroed(100 + i * 10).unwrap())
            .collect();
        for (i, &o) in offs.iter().enumerate().rev().step_by(2) {
            a.free(o, 100 + i * 10);
        }
        for (i, &o) in offs.iter().enumerate().rev().skip(1).step_by(2) {
            a.free(o, 100 + i * 10);
        }
        assert_eq!(a.free_blocks(), 1);
    }

    #[test]
    fn slab_reuses_freed_slots() {
        let mut s = SlabAllocator::new();
        let o = s.alloc(20, 7).unwrap();
        s.free(o);
        assert_eq!(s.alloc(30, 8), Some(o));
    }
}
