import CFFmpeg
import Foundation
import Imaging

/// Decodes one JPEG or WebP picture held in memory with libavcodec (mjpeg / webp decoders) and libswscale.
///
/// The whole file is one packet: the mjpeg decoder takes a complete JFIF stream and the webp decoder parses the RIFF
/// container itself, so no demuxer is involved. The size limit was checked from the header before this runs; the
/// decoder's own `max_pixels` is set to the header's size as a second guard.
/// YCbCr pictures are converted to RGB by `YCbCrConversion` (libjpeg / libwebp arithmetic); others by swscale.
/// Matches: Pillow (libjpeg-turbo, libwebp) up to IDCT and VP8 reconstruction rounding: PSNR > 40 dB in tests.
/// Limitations: animated WebP, CMYK and 12-bit JPEG are refused with a message.
package enum LibavImageDecoder {
    /// Silences libav's logging once (errors are reported by Zoetrope with file names).
    static let quiet: Void = { zt_av_quiet() }()

    /// Decodes `bytes` (a JPEG or WebP whose header gave `info`) to RGB over `background`.
    package static func decode(_ bytes: [UInt8], info: ImageInfo, path: String, background: RGB) throws -> RGBImage {
        _ = quiet
        let codecID = info.format == .jpeg ? AV_CODEC_ID_MJPEG : AV_CODEC_ID_WEBP
        func fail(_ kind: MediaError.Kind, _ problem: String) -> MediaError {
            MediaError(kind, role: "image", path: path, problem: problem)
        }
        if info.colorType == .cmyk {
            throw fail(.unsupported, "CMYK JPEG is not supported; save it as RGB")
        }
        if info.format == .jpeg && info.bitDepth != 8 {
            throw fail(.unsupported, "\(info.bitDepth)-bit JPEG is not supported; save it as 8-bit")
        }
        guard let codec = avcodec_find_decoder(codecID) else {
            throw fail(.unsupported, "this FFmpeg build has no \(info.format.displayName) decoder")
        }
        var context = avcodec_alloc_context3(codec)
        defer { avcodec_free_context(&context) }
        guard let ctx = context else { throw fail(.tooLarge, "out of memory") }
        ctx.pointee.max_pixels = Int64(info.width) * Int64(info.height)
        ctx.pointee.thread_count = 1
        guard avcodec_open2(ctx, codec, nil) >= 0 else { throw fail(.unsupported, "cannot open the \(info.format.displayName) decoder") }

        var packet = av_packet_alloc()
        defer { av_packet_free(&packet) }
        var frame = av_frame_alloc()
        defer { av_frame_free(&frame) }
        guard let pkt = packet, let frm = frame else { throw fail(.tooLarge, "out of memory") }
        guard av_new_packet(pkt, Int32(bytes.count)) >= 0 else { throw fail(.tooLarge, "out of memory") }
        bytes.withUnsafeBufferPointer { src in
            if let base = src.baseAddress { memcpy(pkt.pointee.data, base, src.count) }
        }
        var rc = avcodec_send_packet(ctx, pkt)
        if rc < 0 { throw fail(.corrupt, "damaged \(info.format.displayName) data (\(LibavError.text(rc)))") }
        _ = avcodec_send_packet(ctx, nil)
        rc = avcodec_receive_frame(ctx, frm)
        if rc < 0 { throw fail(.corrupt, "damaged \(info.format.displayName) data (\(rc == zt_averror_eof() ? "no picture decoded" : LibavError.text(rc)))") }

        let width = Int(frm.pointee.width), height = Int(frm.pointee.height)
        guard width == info.width, height == info.height else {
            throw fail(.corrupt, "header says \(info.width)×\(info.height) but the picture decodes as \(width)×\(height)")
        }
        let sourceFormat = AVPixelFormat(rawValue: frm.pointee.format)
        if let packed = ycbcrToRGB(frm, format: sourceFormat, matrix: info.format == .jpeg ? .jfif : .vp8) {
            if packed.count == width * height * 4 {
                return ImageFile.composite(rgba: packed, width: width, height: height, background: background)
            }
            return RGBImage(width: width, height: height, pixels: packed)
        }
        let hasAlpha = zt_pix_fmt_has_alpha(sourceFormat) != 0
        let channels = hasAlpha ? 4 : 3
        let flags = Int32(SWS_BICUBIC | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INT)
        guard let sws = sws_getContext(Int32(width), Int32(height), sourceFormat, Int32(width), Int32(height),
                                       hasAlpha ? AV_PIX_FMT_RGBA : AV_PIX_FMT_RGB24, flags, nil, nil, nil) else {
            throw fail(.unsupported, "cannot convert pixel format \(sourceFormat.rawValue) to RGB")
        }
        defer { sws_freeContext(sws) }
        var packed = [UInt8](repeating: 0, count: width * height * channels)
        let scaled = packed.withUnsafeMutableBufferPointer { dst in
            zt_sws_scale_to_packed(sws, frm, dst.baseAddress, Int32(width * channels))
        }
        guard scaled == Int32(height) else { throw fail(.corrupt, "colour conversion failed (\(LibavError.text(scaled)))") }
        if hasAlpha {
            return ImageFile.composite(rgba: packed, width: width, height: height, background: background)
        }
        return RGBImage(width: width, height: height, pixels: packed)
    }
}

extension LibavImageDecoder {
    /// Planar YCbCr frames (4:2:0, 4:2:2, 4:4:4, optionally with alpha) converted like libjpeg / libwebp;
    /// nil for other pixel formats (grey, ARGB from lossless WebP), which go through swscale (exact for those).
    static func ycbcrToRGB(_ frame: UnsafeMutablePointer<AVFrame>, format: AVPixelFormat,
                           matrix: YCbCrConversion.Matrix) -> [UInt8]? {
        let sx: Int, sy: Int, hasAlpha: Bool
        switch format {
        case AV_PIX_FMT_YUVJ420P, AV_PIX_FMT_YUV420P: (sx, sy, hasAlpha) = (2, 2, false)
        case AV_PIX_FMT_YUVA420P: (sx, sy, hasAlpha) = (2, 2, true)
        case AV_PIX_FMT_YUVJ422P, AV_PIX_FMT_YUV422P: (sx, sy, hasAlpha) = (2, 1, false)
        case AV_PIX_FMT_YUVJ444P, AV_PIX_FMT_YUV444P: (sx, sy, hasAlpha) = (1, 1, false)
        default: return nil
        }
        let f = frame.pointee
        let w = Int(f.width), h = Int(f.height)
        guard let y = f.data.0, let u = f.data.1, let v = f.data.2 else { return nil }
        let cw = (w + sx - 1) / sx, ch = (h + sy - 1) / sy
        let luma = YCbCrConversion.Plane(base: y, stride: Int(f.linesize.0), width: w, height: h)
        let cb = YCbCrConversion.Plane(base: u, stride: Int(f.linesize.1), width: cw, height: ch)
        let cr = YCbCrConversion.Plane(base: v, stride: Int(f.linesize.2), width: cw, height: ch)
        var alpha: YCbCrConversion.Plane?
        if hasAlpha {
            guard let a = f.data.3 else { return nil }
            alpha = YCbCrConversion.Plane(base: a, stride: Int(f.linesize.3), width: w, height: h)
        }
        return YCbCrConversion.convert(y: luma, cb: cb, cr: cr, alpha: alpha, sx: sx, sy: sy, matrix: matrix)
    }
}
