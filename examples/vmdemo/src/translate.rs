//! A toy binary translator from a decoded x86-64 subset to AArch64 and RV64I
//! machine words (real encodings of the instructions used).

use crate::Rng;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cond {
    Eq,
    Ne,
    Lt,
    Ge,
}

/// A decoded guest instruction; registers are x86-64 GPR numbers 0..16.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Guest {
    MovRR { d: u8, s: u8 },
    MovRI { d: u8, imm: i32 },
    AddRR { d: u8, s: u8 },
    AddRI { d: u8, imm: i32 },
    SubRR { d: u8, s: u8 },
    Load { d: u8, base: u8, disp: i32 },
    Store { s: u8, base: u8, disp: i32 },
    Cmp { a: u8, b: u8 },
    Jcc { cond: Cond, rel: i32 },
    Call { rel: i32 },
    Ret,
}

/// A random basic-block-shaped instruction stream.
pub fn generate(seed: u64, len: usize) -> Vec<Guest> {
    let mut rng = Rng::new(seed);
    let r = |rng: &mut Rng| rng.below(16) as u8;
    (0..len)
        .map(|_| match rng.below(20) {
            0..=3 => Guest::MovRR {
                d: r(&mut rng),
                s: r(&mut rng),
            },
            4 | 5 => Guest::MovRI {
                d: r(&mut rng),
                imm: rng.next_u64() as i32 >> rng.below(24),
            },
            6..=8 => Guest::AddRR {
                d: r(&mut rng),
                s: r(&mut rng),
            },
            9 | 10 => Guest::AddRI {
                d: r(&mut rng),
                imm: (rng.below(8192) as i32) - 4096,
            },
            11 => Guest::SubRR {
                d: r(&mut rng),
                s: r(&mut rng),
            },
            12..=14 => Guest::Load {
                d: r(&mut rng),
                base: r(&mut rng),
                disp: (rng.below(1 << 14) as i32) * 8,
            },
            15 | 16 => Guest::Store {
                s: r(&mut rng),
                base: r(&mut rng),
                disp: (rng.below(512) as i32) * 8,
            },
            17 => Guest::Cmp {
                a: r(&mut rng),
                b: r(&mut rng),
            },
            18 => {
                let cond = [Cond::Eq, Cond::Ne, Cond::Lt, Cond::Ge][rng.below(4) as usize];
                Guest::Jcc {
                    cond,
                    rel: (rng.below(2048) as i32) - 1024,
                }
            }
            _ => {
                if rng.below(2) == 0 {
                    Guest::Call {
                        rel: (rng.below(1 << 20) as i32) - (1 << 19),
                    }
                } else {
                    Guest::Ret
                }
            }
        })
        .collect()
}

// AArch64: guest register n lives in x(n); x16/x17 are scratch.
const A_TMP: u32 = 16;
const A_ZR: u32 = 31;

fn a64_mov_imm(out: &mut Vec<u32>, rd: u32, imm: i64) {
    let v = imm as u64;
    out.push(0xD280_0000 | (((v & 0xFFFF) as u32) << 5) | rd); // movz
    for shift in 1..4u32 {
        let part = ((v >> (16 * shift)) & 0xFFFF) as u32;
        if part != 0 {
            out.push(0xF280_0000 | (shift << 21) | (part << 5) | rd); // movk
        }
    }
}

/// Translate `code` to AArch64 words in `out`; returns the number of words.
pub fn to_arm64(code: &[Guest], out: &mut Vec<u32>) -> usize {
    out.clear();
    for &g in code {
        match g {
            Guest::MovRR { d, s } => out.push(0xAA00_03E0 | ((s as u32) << 16) | d as u32),
            Guest::MovRI { d, imm } => a64_mov_imm(out, d as u32, imm as i64),
            Guest::AddRR { d, s } => {
                out.push(0x8B00_0000 | ((s as u32) << 16) | ((d as u32) << 5) | d as u32)
            }
            Guest::AddRI { d, imm } => {
                let (op, mag) = if imm >= 0 {
                    (0x9100_0000, imm)
                } else {
                    (0xD100_0000, -imm)
                };
                if mag < 4096 {
                    out.push(op | ((mag as u32) << 10) | ((d as u32) << 5) | d as u32);
                } else {
                    a64_mov_imm(out, A_TMP, imm as i64);
                    out.push(0x8B00_0000 | (A_TMP << 16) | ((d as u32) << 5) | d as u32);
                }
            }
            Guest::SubRR { d, s } => {
                out.push(0xCB00_0000 | ((s as u32) << 16) | ((d as u32) << 5) | d as u32)
            }
            Guest::Load { d, base, disp } => {
                if disp % 8 == 0 && (0..32760).contains(&disp) {
                    out.push(
                        0xF940_0000 | (((disp / 8) as u32) << 10) | ((base as u32) << 5) | d as u32,
                    );
                } else {
                    a64_mov_imm(out, A_TMP, disp as i64);
                    out.push(0xF860_6800 | (A_TMP << 16) | ((base as u32) << 5) | d as u32);
                }
            }
            Guest::Store { s, base, disp } => out.push(
                0xF900_0000 | (((disp / 8) as u32 & 0xFFF) << 10) | ((base as u32) << 5) | s as u32,
            ),
            Guest::Cmp { a, b } => {
                // cmp a, b == subs xzr, a, b
                out.push(0xEB00_0000 | ((b as u32) << 16) | ((a as u32) << 5) | A_ZR);
            }
            Guest::Jcc { cond, rel } => {
                let c = match cond {
                    Cond::Eq => 0x0,
                    Cond::Ne => 0x1,
                    Cond::Ge => 0xA,
                    Cond::Lt => 0xB,
                };
                let imm19 = ((rel >> 2) as u32) & 0x7FFFF;
                out.push(0x5400_0000 | (imm19 << 5) | c);
            }
            Guest::Call { rel } => out.push(0x9400_0000 | (((rel >> 2) as u32) & 0x03FF_FFFF)),
            Guest::Ret => out.push(0xD65F_03C0),
        }
    }
    out.len()
}

// RV64I: guest register n lives in x(n + 5) (t0 upwards); t5/t6 (x30/x31) are
// scratch, and compares leave their operands in x28/x29 because RISC-V has no flags.
const R_T5: u32 = 30;
const R_CA: u32 = 28;
const R_CB: u32 = 29;

fn rv(reg: u8) -> u32 {
    reg as u32 + 5
}

fn rv_r(out: &mut Vec<u32>, funct7: u32, rs2: u32, rs1: u32, funct3: u32, rd: u32) {
    out.push((funct7 << 25) | (rs2 << 20) | (rs1 << 15) | (funct3 << 12) | (rd << 7) | 0x33);
}

fn rv_addi(out: &mut Vec<u32>, rd: u32, rs1: u32, imm: i32) {
    out.push((((imm as u32) & 0xFFF) << 20) | (rs1 << 15) | (rd << 7) | 0x13);
}

fn rv_li(out: &mut Vec<u32>, rd: u32, imm: i32) {
    if (-2048..2048).contains(&imm) {
        rv_addi(out, rd, 0, imm);
    } else {
        let hi = (imm.wrapping_add(0x800) as u32) & 0xFFFF_F000;
        out.push(hi | (rd << 7) | 0x37); // lui
        rv_addi(out, rd, rd, imm.wrapping_sub(hi as i32));
    }
}

/// Translate `code` to RV64I words in `out`; returns the number of words.
pub fn to_riscv(code: &[Guest], out: &mut Vec<u32>) -> usize {
    out.clear();
    for &g in code {
        match g {
            Guest::MovRR { d, s } => rv_addi(out, rv(d), rv(s), 0),
            Guest::MovRI { d, imm } => rv_li(out, rv(d), imm),
            Guest::AddRR { d, s } => rv_r(out, 0, rv(s), rv(d), 0, rv(d)),
            Guest::AddRI { d, imm } => {
                if (-2048..2048).contains(&imm) {
                    rv_addi(out, rv(d), rv(d), imm);
                } else {
                    rv_li(out, R_T5, imm);
                    rv_r(out, 0, R_T5, rv(d), 0, rv(d));
                }
            }
            Guest::SubRR { d, s } => rv_r(out, 0x20, rv(s), rv(d), 0, rv(d)),
            Guest::Load { d, base, disp } => {
                let (rs1, off) = if (-2048..2048).contains(&disp) {
                    (rv(base), disp)
                } else {
                    rv_li(out, R_T5, disp);
                    rv_r(out, 0, rv(base), R_T5, 0, R_T5);
                    (R_T5, 0)
                };
                out.push(
                    (((off as u32) & 0xFFF) << 20) | (rs1 << 15) | (3 << 12) | (rv(d) << 7) | 0x03,
                );
            }
            Guest::Store { s, base, disp } => {
                let (rs1, off) = if (-2048..2048).contains(&disp) {
                    (rv(base), disp)
                } else {
                    rv_li(out, R_T5, disp);
                    rv_r(out, 0, rv(base), R_T5, 0, R_T5);
                    (R_T5, 0)
                };
                let imm = off as u32;
                out.push(
                    ((imm >> 5 & 0x7F) << 25)
                        | (rv(s) << 20)
                        | (rs1 << 15)
                        | (3 << 12)
                        | ((imm & 0x1F) << 7)
                        | 0x23,
                );
            }
            Guest::Cmp { a, b } => {
                rv_addi(out, R_CA, rv(a), 0);
                rv_addi(out, R_CB, rv(b), 0);
            }
            Guest::Jcc { cond, rel } => {
                let funct3 = match cond {
                    Cond::Eq => 0,
                    Cond::Ne => 1,
                    Cond::Lt => 4,
                    Cond::Ge => 5,
                };
                let imm = (rel as u32) & 0x1FFE;
                let enc = ((imm >> 12 & 1) << 31)
                    | ((imm >> 5 & 0x3F) << 25)
                    | (R_CB << 20)
                    | (R_CA << 15)
                    | (funct3 << 12)
                    | ((imm >> 1 & 0xF) << 8)
                    | ((imm >> 11 & 1) << 7)
                    | 0x63;
                out.push(enc);
            }
            Guest::Call { rel } => {
                let imm = (rel as u32) & 0x1F_FFFE;
                let enc = ((imm >> 20 & 1) << 31)
                    | ((imm >> 1 & 0x3FF) << 21)
                    | ((imm >> 11 & 1) << 20)
                    | ((imm >> 12 & 0xFF) << 12)
                    | (1 << 7)
                    | 0x6F;
                out.push(enc);
            }
            Guest::Ret => out.push(0x0000_8067),
        }
    }
    out.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_encodings() {
        let mut out = Vec::new();
        to_arm64(&[Guest::Ret, Guest::AddRR { d: 0, s: 1 }], &mut out);
        assert_eq!(out, vec![0xD65F_03C0, 0x8B01_0000]);
        to_riscv(&[Guest::Ret, Guest::AddRI { d: 0, imm: 1 }], &mut out);
        // ret; addi t0, t0, 1
        assert_eq!(out, vec![0x0000_8067, 0x0012_8293]);
    }
}
