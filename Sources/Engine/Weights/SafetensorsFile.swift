import Foundation

/// A safetensors file opened for reading: header validated in full before any tensor is touched, data memory-mapped.
///
/// Format: 8-byte little-endian header length `N`, `N` bytes of UTF-8 JSON
/// (`{"__metadata__": {str: str}, name: {"dtype", "shape", "data_offsets": [begin, end]}}`), then the data buffer.
/// Validation (as the Rust `safetensors` crate, plus alignment): `N` within the file and ≤ 100 MB; JSON strict with
/// no duplicate keys; known dtypes; shapes of non-negative integers whose element count × dtype size (computed
/// without overflow) equals the byte span; spans aligned to the element size, sorted, non-overlapping, covering
/// the data buffer exactly. Nothing is allocated from values in the header before they are checked against the
/// file size.
public final class SafetensorsFile: @unchecked Sendable {
    /// One tensor's description from the header.
    public struct Entry: Sendable {
        /// Dotted name (`down.0.res.1.norm1.weight`).
        public let name: String
        /// Stored element type.
        public let dtype: SafetensorsDType
        /// Extent of each dimension.
        public let shape: [Int]
        /// Byte range inside the data buffer.
        public let byteRange: Range<Int>
        /// Number of elements.
        public var count: Int { shape.reduce(1, *) }
    }

    /// Largest header accepted (the Rust crate's limit).
    public static let maximumHeaderBytes = 100_000_000

    /// The file's path as given.
    public let path: String
    /// Tensors in header order.
    public let entries: [Entry]
    /// The `__metadata__` pairs in header order.
    public let metadata: [(key: String, value: String)]
    private let index: [String: Int]
    private let base: UnsafeMutableRawPointer?
    private let mappedBytes: Int
    private let dataStart: Int

    /// Opens and validates `path`; throws a `SafetensorsError` naming the file and the problem.
    public init(path: String) throws(SafetensorsError) {
        self.path = path
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw SafetensorsError(path: path, message: "cannot open: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw SafetensorsError(path: path, message: "cannot stat: \(String(cString: strerror(errno)))") }
        guard (st.st_mode & S_IFMT) == S_IFREG else { throw SafetensorsError(path: path, message: "not a regular file") }
        let size = Int(st.st_size)
        guard size >= 8 else {
            throw SafetensorsError(path: path, message: "file is \(size) bytes, shorter than the 8-byte header length; not a safetensors file")
        }
        guard let p = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), p != MAP_FAILED else {
            throw SafetensorsError(path: path, message: "cannot map: \(String(cString: strerror(errno)))")
        }
        base = p
        mappedBytes = size
        do {
            let parsed = try SafetensorsFile.parseHeader(UnsafeRawBufferPointer(start: p, count: size))
            entries = parsed.entries
            metadata = parsed.metadata
            dataStart = parsed.dataStart
            var idx: [String: Int] = [:]
            for (i, e) in parsed.entries.enumerated() { idx[e.name] = i }
            index = idx
        } catch {
            munmap(p, size)
            throw SafetensorsError(path: path, message: error.message)
        }
    }

    deinit { if let base { munmap(base, mappedBytes) } }

    /// The entry named `name`, or nil.
    public func entry(_ name: String) -> Entry? { index[name].map { entries[$0] } }

    /// The metadata value for `key`, or nil.
    public func metadataValue(_ key: String) -> String? { metadata.first { $0.key == key }?.value }

    /// The raw bytes of `entry` (valid while this file is open).
    public func bytes(of entry: Entry) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: base.map { UnsafeRawPointer($0) + dataStart + entry.byteRange.lowerBound },
                               count: entry.byteRange.count)
    }

    /// Loads tensor `name` as float32 (from F32, F16, BF16 or F64 storage).
    public func tensor(_ name: String) throws(SafetensorsError) -> Tensor {
        guard let e = entry(name) else { throw SafetensorsError(path: path, message: "no tensor named \"\(name)\"") }
        guard e.dtype.isFloatConvertible else {
            throw SafetensorsError(path: path, message: "tensor \"\(name)\" is \(e.dtype.rawValue); expected F32, F16, BF16 or F64")
        }
        let t = Tensor(shape: e.shape)
        let src = bytes(of: e), dst = t.data, n = e.count
        switch e.dtype {
        case .f32: for i in 0..<n { dst[i] = Float(bitPattern: UInt32(littleEndian: src.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))) }
        case .f16: for i in 0..<n { dst[i] = halfToFloat(UInt16(littleEndian: src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) }
        case .bf16: for i in 0..<n { dst[i] = bfloat16ToFloat(UInt16(littleEndian: src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) }
        case .f64: for i in 0..<n { dst[i] = Float(Double(bitPattern: UInt64(littleEndian: src.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self)))) }
        default: break
        }
        return t
    }

    // MARK: - Header validation

    package struct HeaderError: Error { package let message: String }

    /// Parses and validates the header of a complete file image `file`. Pure: the fuzz target calls this.
    package static func parseHeader(_ file: UnsafeRawBufferPointer) throws(HeaderError)
        -> (entries: [Entry], metadata: [(key: String, value: String)], dataStart: Int) {
        let size = file.count
        guard size >= 8 else { throw HeaderError(message: "file is \(size) bytes, shorter than the 8-byte header length; not a safetensors file") }
        let n = UInt64(littleEndian: file.loadUnaligned(as: UInt64.self))
        guard n <= UInt64(size - 8) else {
            throw HeaderError(message: "header length \(n) bytes is beyond the end of the file (\(size) bytes); the file is truncated or not safetensors")
        }
        guard n <= UInt64(maximumHeaderBytes) else {
            throw HeaderError(message: "header length \(n) bytes exceeds the \(maximumHeaderBytes)-byte limit")
        }
        let headerLength = Int(n)
        guard headerLength >= 2 else { throw HeaderError(message: "header length \(n) is too short for a JSON object") }
        let header = UnsafeBufferPointer(start: file.baseAddress!.assumingMemoryBound(to: UInt8.self) + 8, count: headerLength)
        let json: HeaderJSON
        do { json = try HeaderJSONParser.parse(header) } catch {
            throw HeaderError(message: "header is not valid JSON: \(error.message) at byte \(error.offset + 8)")
        }
        guard case .object(let members) = json else { throw HeaderError(message: "header is not a JSON object") }
        let dataSize = size - 8 - headerLength
        var entries: [Entry] = []
        var metadata: [(key: String, value: String)] = []
        for (name, value) in members {
            if name == "__metadata__" {
                guard case .object(let pairs) = value else { throw HeaderError(message: "__metadata__ is not an object of strings") }
                for (k, v) in pairs {
                    guard case .string(let s) = v else { throw HeaderError(message: "__metadata__ value \"\(k)\" is not a string") }
                    metadata.append((k, s))
                }
                continue
            }
            entries.append(try entry(name: name, value: value, dataSize: dataSize))
        }
        // Spans must tile the data buffer: sorted by start, each beginning where the previous ended.
        let sorted = entries.sorted { ($0.byteRange.lowerBound, $0.byteRange.upperBound) < ($1.byteRange.lowerBound, $1.byteRange.upperBound) }
        var end = 0
        for e in sorted {
            if e.byteRange.lowerBound < end {
                throw HeaderError(message: "tensor \"\(e.name)\" data_offsets [\(e.byteRange.lowerBound), \(e.byteRange.upperBound)] overlap another tensor's bytes")
            }
            if e.byteRange.lowerBound > end {
                throw HeaderError(message: "tensor \"\(e.name)\" data_offsets start at \(e.byteRange.lowerBound), leaving a hole after byte \(end) of the data")
            }
            end = e.byteRange.upperBound
        }
        guard end == dataSize else {
            throw HeaderError(message: "tensors cover \(end) bytes but the data buffer holds \(dataSize); the file has trailing or missing bytes (truncated or padded)")
        }
        return (entries, metadata, 8 + headerLength)
    }

    private static func entry(name: String, value: HeaderJSON, dataSize: Int) throws(HeaderError) -> Entry {
        let what = "tensor \"\(name)\""
        guard case .object(let fields) = value else { throw HeaderError(message: "\(what) is not an object") }
        var dtypeText: String?, shapeJSON: [HeaderJSON]?, offsetsJSON: [HeaderJSON]?
        for (k, v) in fields {
            switch (k, v) {
            case ("dtype", .string(let s)): dtypeText = s
            case ("shape", .array(let a)): shapeJSON = a
            case ("data_offsets", .array(let a)): offsetsJSON = a
            case ("dtype", _), ("shape", _), ("data_offsets", _): throw HeaderError(message: "\(what): field \"\(k)\" has the wrong type")
            default: throw HeaderError(message: "\(what): unknown field \"\(k)\"")
            }
        }
        guard let dtypeText else { throw HeaderError(message: "\(what) has no dtype") }
        guard let dtype = SafetensorsDType(rawValue: dtypeText) else { throw HeaderError(message: "\(what) has unknown dtype \"\(dtypeText)\"") }
        guard let shapeJSON else { throw HeaderError(message: "\(what) has no shape") }
        guard let offsetsJSON, offsetsJSON.count == 2 else { throw HeaderError(message: "\(what): data_offsets must be [begin, end]") }
        var shape: [Int] = []
        var elements: Int = 1
        var overflow = false
        for d in shapeJSON {
            guard case .number(_, let integer?) = d, integer >= 0 else {
                throw HeaderError(message: "\(what): shape must hold non-negative integers")
            }
            let dim = Int(integer)
            shape.append(dim)
            let (p, o) = elements.multipliedReportingOverflow(by: dim)
            if o { overflow = true } else { elements = p }
        }
        var offsets: [Int] = []
        for o in offsetsJSON {
            guard case .number(_, let integer?) = o, integer >= 0, integer <= Int64(dataSize) else {
                throw HeaderError(message: "\(what): data_offsets \(offsetsJSON.map(\.serialized)) lie outside the \(dataSize)-byte data buffer (is the file truncated?)")
            }
            offsets.append(Int(integer))
        }
        guard offsets[0] <= offsets[1] else { throw HeaderError(message: "\(what): data_offsets begin \(offsets[0]) is after end \(offsets[1])") }
        let span = offsets[1] - offsets[0]
        let (bytes, o2) = elements.multipliedReportingOverflow(by: dtype.size)
        if overflow || o2 || bytes != span {
            let count = overflow || o2 ? "more than \(Int.max / dtype.size)" : "\(elements)"
            throw HeaderError(message: "\(what): shape \(shape) × \(dtype.rawValue) is \(count) elements (\(o2 || overflow ? "overflow" : "\(bytes) bytes")) but data_offsets span \(span) bytes")
        }
        guard offsets[0] % dtype.size == 0 else {
            throw HeaderError(message: "\(what): data_offsets begin \(offsets[0]) is not a multiple of the \(dtype.size)-byte element size")
        }
        return Entry(name: name, dtype: dtype, shape: shape, byteRange: offsets[0]..<offsets[1])
    }
}

/// A safetensors file that could not be read or written: `path: message`.
public struct SafetensorsError: Error, CustomStringConvertible {
    /// The file.
    public let path: String
    /// What was wrong and, where it helps, what to do.
    public let message: String
    /// `checkpoint PATH: MESSAGE`.
    public var description: String { "checkpoint \(path): \(message)" }
}
