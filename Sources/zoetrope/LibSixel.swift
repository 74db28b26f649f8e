import Foundation
import Imaging

/// libsixel loaded at run time with `dlopen("libsixel.so.1")`, for `zoetrope bench sixel` only: the product does
/// not link libsixel (`ldd zoetrope` shows no libsixel), and a machine without it gets one line from the benchmark.
///
/// The encoder settings are img2sixel's defaults (libsixel 1.10.3, `img2sixel FILE`): 256 colours,
/// `SIXEL_LARGE_AUTO`, `SIXEL_REP_AUTO`, `SIXEL_QUALITY_AUTO`, `SIXEL_DIFFUSE_AUTO`, RGB888 input. The end-to-end
/// test checks that this produces img2sixel's bytes exactly.
final class LibSixel {
    private typealias WriteFunction = @convention(c) (UnsafeMutablePointer<CChar>?, Int32, UnsafeMutableRawPointer?) -> Int32
    private typealias OutputNew = @convention(c) (UnsafeMutablePointer<OpaquePointer?>, WriteFunction,
                                                  UnsafeMutableRawPointer?, OpaquePointer?) -> Int32
    private typealias DitherNew = @convention(c) (UnsafeMutablePointer<OpaquePointer?>, Int32, OpaquePointer?) -> Int32
    private typealias DitherInitialize = @convention(c) (OpaquePointer?, UnsafeMutablePointer<UInt8>?, Int32, Int32,
                                                         Int32, Int32, Int32, Int32) -> Int32
    private typealias SetDiffusion = @convention(c) (OpaquePointer?, Int32) -> Void
    private typealias Encode = @convention(c) (UnsafeMutablePointer<UInt8>?, Int32, Int32, Int32, OpaquePointer?,
                                               OpaquePointer?) -> Int32
    private typealias Unref = @convention(c) (OpaquePointer?) -> Void
    private typealias DecodeRaw = @convention(c) (UnsafeMutablePointer<UInt8>?, Int32,
                                                  UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>,
                                                  UnsafeMutablePointer<Int32>, UnsafeMutablePointer<Int32>,
                                                  UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>,
                                                  UnsafeMutablePointer<Int32>, OpaquePointer?) -> Int32

    // sixel.h constants.
    private static let pixelFormatRGB888: Int32 = 0x03 | 0x00  // SIXEL_FORMATTYPE_COLOR (0) | 0x03
    /// What img2sixel resolves its AUTO defaults to (checked: `img2sixel -f norm -s center -q auto -d fs` gives
    /// the same bytes as plain `img2sixel`).
    private static let largeNorm: Int32 = 0x1, repCenterBox: Int32 = 0x1, qualityAuto: Int32 = 0x0
    private static let diffuseFS: Int32 = 0x3

    private let handle: UnsafeMutableRawPointer
    private let outputNew: OutputNew, ditherNew: DitherNew, ditherInitialize: DitherInitialize
    private let setDiffusion: SetDiffusion, encodeFunction: Encode
    private let outputUnref: Unref, ditherUnref: Unref, decodeRaw: DecodeRaw
    private typealias EncoderNew = @convention(c) (UnsafeMutablePointer<OpaquePointer?>, OpaquePointer?) -> Int32
    private typealias EncoderSetopt = @convention(c) (OpaquePointer?, Int32, UnsafePointer<CChar>?) -> Int32
    private typealias EncodeBytes = @convention(c) (OpaquePointer?, UnsafeMutablePointer<UInt8>?, Int32, Int32, Int32,
                                                    UnsafeMutablePointer<UInt8>?, Int32) -> Int32
    private let encoderNew: EncoderNew, encoderSetopt: EncoderSetopt, encodeBytes: EncodeBytes, encoderUnref: Unref

    /// Loads libsixel, or explains in one line why it cannot.
    init() throws {
        guard let handle = dlopen("libsixel.so.1", RTLD_NOW | RTLD_LOCAL) else {
            let reason = dlerror().map { String(cString: $0) } ?? "not found"
            throw BenchError("libsixel is not installed (\(reason)); install libsixel-dev (Debian) to compare against it")
        }
        self.handle = handle
        func symbol<T>(_ name: String, as type: T.Type) throws -> T {
            guard let pointer = dlsym(handle, name) else { throw BenchError("libsixel.so.1 has no symbol \(name)") }
            return unsafeBitCast(pointer, to: type)
        }
        outputNew = try symbol("sixel_output_new", as: OutputNew.self)
        ditherNew = try symbol("sixel_dither_new", as: DitherNew.self)
        ditherInitialize = try symbol("sixel_dither_initialize", as: DitherInitialize.self)
        setDiffusion = try symbol("sixel_dither_set_diffusion_type", as: SetDiffusion.self)
        encodeFunction = try symbol("sixel_encode", as: Encode.self)
        outputUnref = try symbol("sixel_output_unref", as: Unref.self)
        ditherUnref = try symbol("sixel_dither_unref", as: Unref.self)
        decodeRaw = try symbol("sixel_decode_raw", as: DecodeRaw.self)
        encoderNew = try symbol("sixel_encoder_new", as: EncoderNew.self)
        encoderSetopt = try symbol("sixel_encoder_setopt", as: EncoderSetopt.self)
        encodeBytes = try symbol("sixel_encoder_encode_bytes", as: EncodeBytes.self)
        encoderUnref = try symbol("sixel_encoder_unref", as: Unref.self)
    }

    deinit { dlclose(handle) }

    /// Collects the bytes libsixel writes.
    private final class Sink { var bytes: [UInt8] = [] }

    /// `sixel_dither_new(256)` + `sixel_dither_initialize(AUTO…)` + `sixel_dither_set_diffusion_type(AUTO)` +
    /// `sixel_encode`, as img2sixel does by default. The pixels are copied first (libsixel dithers in place).
    func encode(_ image: RGBImage) throws -> [UInt8] {
        let sink = Sink()
        sink.bytes.reserveCapacity(image.width * image.height * 2)
        let write: WriteFunction = { data, size, priv in
            guard let data, let priv else { return 0 }
            let sink = Unmanaged<Sink>.fromOpaque(priv).takeUnretainedValue()
            data.withMemoryRebound(to: UInt8.self, capacity: Int(size)) {
                sink.bytes.append(contentsOf: UnsafeBufferPointer(start: $0, count: Int(size)))
            }
            return size
        }
        var output: OpaquePointer?, dither: OpaquePointer?
        let priv = Unmanaged.passUnretained(sink).toOpaque()
        guard outputNew(&output, write, priv, nil) == 0, let output else { throw BenchError("sixel_output_new failed") }
        defer { outputUnref(output) }
        guard ditherNew(&dither, 256, nil) == 0, let dither else { throw BenchError("sixel_dither_new failed") }
        defer { ditherUnref(dither) }
        var pixels = image.pixels
        let w = Int32(image.width), h = Int32(image.height)
        let status: Int32 = pixels.withUnsafeMutableBufferPointer { px in
            let s = ditherInitialize(dither, px.baseAddress, w, h, Self.pixelFormatRGB888, Self.largeNorm,
                                     Self.repCenterBox, Self.qualityAuto)
            guard s == 0 else { return s }
            setDiffusion(dither, Self.diffuseFS)
            return encodeFunction(px.baseAddress, w, h, 3, dither, output)
        }
        guard status == 0 else { throw BenchError("sixel_encode failed with status 0x\(String(status, radix: 16))") }
        return sink.bytes
    }

    /// img2sixel's own path: `sixel_encoder_new` with every option at its default, output file set
    /// (`SIXEL_OPTFLAG_OUTFILE`), then `sixel_encoder_encode_bytes` (which ends in `sixel_encode`). This gives
    /// img2sixel's bytes exactly (the end-to-end test checks it); the plain dither API above does not (img2sixel's
    /// encoder builds its palette differently: 246 registers against 256 on chelsea).
    func encodeLikeImg2sixel(_ image: RGBImage, to path: String) throws {
        var encoder: OpaquePointer?
        guard encoderNew(&encoder, nil) == 0, let encoder else { throw BenchError("sixel_encoder_new failed") }
        defer { encoderUnref(encoder) }
        guard encoderSetopt(encoder, Int32(UInt8(ascii: "o")), path) == 0 else {
            throw BenchError("sixel_encoder_setopt(outfile \(path)) failed")
        }
        var pixels = image.pixels
        let status = pixels.withUnsafeMutableBufferPointer {
            encodeBytes(encoder, $0.baseAddress, Int32(image.width), Int32(image.height), Self.pixelFormatRGB888, nil, 0)
        }
        guard status == 0 else { throw BenchError("sixel_encoder_encode_bytes failed with status 0x\(String(status, radix: 16))") }
    }

    /// Decodes sixel bytes with `sixel_decode_raw` (indexed pixels + RGB palette) into an image.
    func decode(_ sixel: [UInt8]) throws -> RGBImage {
        var bytes = sixel
        var pixels: UnsafeMutablePointer<UInt8>?, palette: UnsafeMutablePointer<UInt8>?
        var w: Int32 = 0, h: Int32 = 0, n: Int32 = 0
        let status = bytes.withUnsafeMutableBufferPointer {
            decodeRaw($0.baseAddress, Int32($0.count), &pixels, &w, &h, &palette, &n, nil)
        }
        defer { free(pixels); free(palette) }
        guard status == 0, let pixels, let palette, w > 0, h > 0 else { throw BenchError("sixel_decode_raw failed") }
        var image = RGBImage(width: Int(w), height: Int(h))
        for i in 0..<Int(w * h) {
            let c = Int(pixels[i])
            image.pixels[3 * i] = palette[3 * c]; image.pixels[3 * i + 1] = palette[3 * c + 1]
            image.pixels[3 * i + 2] = palette[3 * c + 2]
        }
        return image
    }
}

/// A benchmark that cannot run, in one line.
struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ text: String) { description = text }
}
