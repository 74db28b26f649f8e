import Foundation

/// Writes tensors to a safetensors file, byte for byte as Python's `safetensors.torch.save_file` does.
///
/// Matches: the Rust `safetensors` crate's `serialize` (tensors ordered by dtype rank descending, then name;
/// compact JSON with `__metadata__` first; header padded with spaces to a multiple of 8 bytes).
/// The file is written to a temporary name, synced, then renamed, so a failure never leaves half a file.
public enum SafetensorsWriter {
    /// One tensor to write and the dtype to store it in (F32, F16 or BF16).
    public struct Item {
        /// Dotted name.
        public let name: String
        /// Values.
        public let tensor: Tensor
        /// Storage type.
        public let dtype: SafetensorsDType
        /// An item.
        public init(name: String, tensor: Tensor, dtype: SafetensorsDType = .f32) {
            self.name = name; self.tensor = tensor; self.dtype = dtype
        }
    }

    /// The complete file image for `items` and `metadata`.
    public static func encode(_ items: [Item], metadata: [(key: String, value: String)] = []) throws(SafetensorsError) -> [UInt8] {
        var seen = Set<String>()
        for item in items {
            guard item.dtype == .f32 || item.dtype == .f16 || item.dtype == .bf16 else {
                throw SafetensorsError(path: "(writing)", message: "tensor \"\(item.name)\": only F32, F16 and BF16 can be written")
            }
            guard seen.insert(item.name).inserted else {
                throw SafetensorsError(path: "(writing)", message: "tensor name \"\(item.name)\" given twice")
            }
            guard item.name != "__metadata__" else {
                throw SafetensorsError(path: "(writing)", message: "\"__metadata__\" is reserved and cannot name a tensor")
            }
        }
        let ordered = items.sorted { a, b in
            a.dtype.rank != b.dtype.rank ? a.dtype.rank > b.dtype.rank : a.name.utf8.lexicographicallyPrecedes(b.name.utf8)
        }
        var members: [(String, HeaderJSON)] = []
        if !metadata.isEmpty {
            members.append(("__metadata__", .object(metadata.map { ($0.key, HeaderJSON.string($0.value)) })))
        }
        var offset = 0
        for item in ordered {
            let bytes = item.tensor.count * item.dtype.size
            members.append((item.name, .object([
                ("dtype", .string(item.dtype.rawValue)),
                ("shape", .array(item.tensor.shape.map { .number(Double($0), integer: Int64($0)) })),
                ("data_offsets", .array([.number(Double(offset), integer: Int64(offset)),
                                         .number(Double(offset + bytes), integer: Int64(offset + bytes))])),
            ])))
            offset += bytes
        }
        var header = Array(HeaderJSON.object(members).serialized.utf8)
        header.append(contentsOf: [UInt8](repeating: 0x20, count: (8 - header.count % 8) % 8))
        var out = [UInt8]()
        out.reserveCapacity(8 + header.count + offset)
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(contentsOf: header)
        for item in ordered {
            let src = item.tensor.data, n = item.tensor.count
            switch item.dtype {
            case .f16:
                for i in 0..<n { withUnsafeBytes(of: floatToHalf(src[i]).littleEndian) { out.append(contentsOf: $0) } }
            case .bf16:
                for i in 0..<n { withUnsafeBytes(of: floatToBFloat16(src[i]).littleEndian) { out.append(contentsOf: $0) } }
            default:
                out.append(contentsOf: UnsafeRawBufferPointer(start: src, count: 4 * n))
            }
        }
        return out
    }

    /// Writes `items` and `metadata` to `path` atomically (temporary file, fsync, rename).
    public static func write(_ items: [Item], metadata: [(key: String, value: String)] = [], to path: String) throws(SafetensorsError) {
        let bytes = try encode(items, metadata: metadata)
        let temporary = path + ".tmp-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw SafetensorsError(path: path, message: "cannot create: \(String(cString: strerror(errno)))") }
        var written = 0
        let ok: Bool = bytes.withUnsafeBytes { raw in
            while written < raw.count {
                let r = Foundation.write(fd, raw.baseAddress! + written, raw.count - written)
                if r < 0 { if errno == EINTR { continue }; return false }
                written += r
            }
            return fsync(fd) == 0
        }
        let err = errno
        close(fd)
        guard ok else {
            unlink(temporary)
            throw SafetensorsError(path: path, message: "cannot write: \(String(cString: strerror(err)))")
        }
        guard rename(temporary, path) == 0 else {
            let e = errno
            unlink(temporary)
            throw SafetensorsError(path: path, message: "cannot rename into place: \(String(cString: strerror(e)))")
        }
    }
}
