//! A toy two-tier JIT over a small SSA IR.
//!
//! Tier 1 is a template compiler: every virtual register lives in a stack slot and
//! each instruction becomes load/op/store. Tier 2 folds constants, removes dead
//! code, allocates registers with a linear scan and then emits code.

use crate::Rng;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Const(i64),
    Add,
    Sub,
    Mul,
    And,
    Shl,
    /// Reads guest memory at `a`.
    Load,
    /// Writes `b` to guest memory at `a`; the only instruction with a side effect.
    Store,
}

/// Instruction `i` defines virtual register `i`; operands name earlier registers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Inst {
    pub op: Op,
    pub a: u32,
    pub b: u32,
}

#[derive(Debug, Clone)]
pub struct Function {
    pub insts: Vec<Inst>,
}

/// A random but well-formed function of `len` instructions.
pub fn generate(seed: u64, len: usize) -> Function {
    let mut rng = Rng::new(seed);
    let mut insts = Vec::with_capacity(len);
    for i in 0..len {
        let op = if i < 4 {
            Op::Const(rng.below(1000) as i64)
        } else {
            match rng.below(10) {
                0 | 1 => Op::Const(rng.below(1000) as i64),
                2 => Op::Add,
                3 => Op::Sub,
                4 => Op::Mul,
                5 => Op::And,
                6 => Op::Shl,
                7 => Op::Load,
                _ => Op::Store,
            }
        };
        // Operands favour recent registers, as real code does.
        let pick = |rng: &mut Rng| {
            let back = 1 + rng.below((i as u64).clamp(1, 12));
            i.saturating_sub(back as usize) as u32
        };
        let a = pick(&mut rng);
        let b = pick(&mut rng);
        insts.push(Inst { op, a, b });
    }
    Function { insts }
}

fn opcode(op: Op) -> u8 {
    match op {
        Op::Const(_) => 0x01,
        Op::Add => 0x02,
        Op::Sub => 0x03,
        Op::Mul => 0x04,
        Op::And => 0x05,
        Op::Shl => 0x06,
        Op::Load => 0x07,
        Op::Store => 0x08,
    }
}

/// Template compilation; returns the number of bytes emitted into `out`.
pub fn compile_tier1(f: &Function, out: &mut Vec<u8>) -> usize {
    out.clear();
    for (i, inst) in f.insts.iter().enumerate() {
        match inst.op {
            Op::Const(c) => {
                out.push(0x48);
                out.extend_from_slice(&c.to_le_bytes());
            }
            op => {
                // load a -> r0, load b -> r1, op, store r0 -> slot i
                out.push(0x8b);
                out.extend_from_slice(&(inst.a * 8).to_le_bytes());
                out.push(0x8b);
                out.extend_from_slice(&(inst.b * 8).to_le_bytes());
                out.push(opcode(op));
            }
        }
        out.push(0x89);
        out.extend_from_slice(&(i as u32 * 8).to_le_bytes());
    }
    out.len()
}

const PHYS_REGS: usize = 12;
const SPILLED: u8 = u8::MAX;

/// Optimising compilation; returns the number of bytes emitted into `out`.
pub fn compile_tier2(f: &Function, out: &mut Vec<u8>) -> usize {
    let n = f.insts.len();
    // 1. Constant folding.
    let mut insts = f.insts.clone();
    let mut value: Vec<Option<i64>> = vec![None; n];
    for i in 0..n {
        let Inst { op, a, b } = insts[i];
        let (va, vb) = (value[a as usize], value[b as usize]);
        let folded = match (op, va, vb) {
            (Op::Const(c), _, _) => Some(c),
            (Op::Add, Some(x), Some(y)) => Some(x.wrapping_add(y)),
            (Op::Sub, Some(x), Some(y)) => Some(x.wrapping_sub(y)),
            (Op::Mul, Some(x), Some(y)) => Some(x.wrapping_mul(y)),
            (Op::And, Some(x), Some(y)) => Some(x & y),
            (Op::Shl, Some(x), Some(y)) => Some(x.wrapping_shl((y & 63) as u32)),
            _ => None,
        };
        if let Some(c) = folded {
            value[i] = Some(c);
            insts[i].op = Op::Const(c);
        }
    }
    // 2. Dead code elimination: stores are roots, walk uses backwards.
    let mut live = vec![false; n];
    let mut last_use = vec![0usize; n];
    for i in (0..n).rev() {
        let inst = insts[i];
        if inst.op == Op::Store {
            live[i] = true;
        }
        if live[i] && !matches!(inst.op, Op::Const(_)) {
            for r in [inst.a as usize, inst.b as usize] {
                live[r] = true;
                last_use[r] = last_use[r].max(i);
            }
        }
    }
    // 3. Linear-scan register allocation over live ranges [def, last use].
    let mut assigned = vec![SPILLED; n];
    let mut free: Vec<u8> = (0..PHYS_REGS as u8).rev().collect();
    let mut active: Vec<usize> = Vec::with_capacity(PHYS_REGS);
    for i in 0..n {
        if !live[i] {
            continue;
        }
        active.retain(|&r| {
            if last_use[r] < i {
                free.push(assigned[r]);
                false
            } else {
                true
            }
        });
        if let Some(p) = free.pop() {
            assigned[i] = p;
            active.push(i);
        } else {
            // Spill the range that ends last if it outlives the new one.
            let (k, &victim) = active
                .iter()
                .enumerate()
                .max_by_key(|(_, &r)| last_use[r])
                .expect("active is full when no register is free");
            if last_use[victim] > last_use[i] {
                assigned[i] = assigned[victim];
                assigned[victim] = SPILLED;
                active[k] = i;
            }
        }
    }
    // 4. Emission: three-address code with register or stack operands.
    out.clear();
    let operand = |r: u32, out: &mut Vec<u8>| {
        let p = assigned[r as usize];
        if p == SPILLED {
            out.push(0x80);
            out.extend_from_slice(&(r * 8).to_le_bytes());
        } else {
            out.push(p);
        }
    };
    for (i, inst) in insts.iter().enumerate() {
        if !live[i] {
            continue;
        }
        out.push(opcode(inst.op));
        out.push(assigned[i]);
        match inst.op {
            Op::Const(c) => out.extend_from_slice(&c.to_le_bytes()),
            _ => {
                operand(inst.a, out);
                operand(inst.b, out);
            }
        }
    }
    out.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tier2_is_smaller_than_tier1() {
        let f = generate(7, 200);
        let (mut a, mut b) = (Vec::new(), Vec::new());
        let t1 = compile_tier1(&f, &mut a);
        let t2 = compile_tier2(&f, &mut b);
        assert!(t2 > 0 && t2 < t1, "tier1 {t1} tier2 {t2}");
    }
}
