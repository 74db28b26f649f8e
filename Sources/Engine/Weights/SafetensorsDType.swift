/// Element types a safetensors file may declare. The engine computes in F32 and stores F32, F16 or BF16.
public enum SafetensorsDType: String, CaseIterable, Sendable {
    case bool = "BOOL", u8 = "U8", i8 = "I8", f8E5M2 = "F8_E5M2", f8E4M3 = "F8_E4M3", i16 = "I16", u16 = "U16"
    case f16 = "F16", bf16 = "BF16", i32 = "I32", u32 = "U32", f32 = "F32", f64 = "F64", i64 = "I64", u64 = "U64"

    /// Bytes per element.
    public var size: Int {
        switch self {
        case .bool, .u8, .i8, .f8E5M2, .f8E4M3: return 1
        case .i16, .u16, .f16, .bf16: return 2
        case .i32, .u32, .f32: return 4
        case .f64, .i64, .u64: return 8
        }
    }

    /// Position in the Rust `safetensors` crate's `Dtype` enum; its writer orders tensors by this, descending.
    var rank: Int { SafetensorsDType.allCases.firstIndex(of: self) ?? 0 }

    /// True for the types `Tensor` can be loaded from.
    public var isFloatConvertible: Bool { self == .f32 || self == .f16 || self == .bf16 || self == .f64 }
}

// MARK: - Half-precision conversion

/// IEEE binary16 bits → Float (exact).
@inline(__always)
package func halfToFloat(_ h: UInt16) -> Float { Float(Float16(bitPattern: h)) }

/// Float → IEEE binary16 bits, round to nearest even (as PyTorch's `.half()`).
@inline(__always)
package func floatToHalf(_ f: Float) -> UInt16 { Float16(f).bitPattern }

/// bfloat16 bits → Float (exact).
@inline(__always)
package func bfloat16ToFloat(_ b: UInt16) -> Float { Float(bitPattern: UInt32(b) << 16) }

/// Float → bfloat16 bits, round to nearest even; NaN stays a quiet NaN (as PyTorch's `.bfloat16()`).
@inline(__always)
package func floatToBFloat16(_ f: Float) -> UInt16 {
    let bits = f.bitPattern
    if f.isNaN { return UInt16(truncatingIfNeeded: bits >> 16) | 0x0040 }
    let rounding: UInt32 = 0x7FFF + ((bits >> 16) & 1)
    return UInt16(truncatingIfNeeded: (bits &+ rounding) >> 16)
}
