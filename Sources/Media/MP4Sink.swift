import CFFmpeg
import Foundation
import Imaging

/// MP4 output through libavformat/libavcodec: H.264 from libx264 (yuv420p, CRF, preset), or MPEG-4 Part 2 when
/// libx264 is absent or `forceMPEG4` is set. `movflags +faststart` puts the index first for streaming.
///
/// RGB → YUV uses BT.601 limited range (swscale's default matrix) and the stream is tagged so (SMPTE 170M), so
/// players and `ffmpeg -pix_fmt rgb24` convert back with the same matrix. Odd widths or heights are padded to even
/// by repeating the last column/row (yuv420p needs even sizes) and reported in a note.
/// Limitations: constant frame rate only; no audio.
final class MP4Sink: ClipSink {
    private let output: AtomicOutput
    private let options: ClipOptions
    private var formatContext: UnsafeMutablePointer<AVFormatContext>?
    private var codecContext: UnsafeMutablePointer<AVCodecContext>?
    private var stream: UnsafeMutablePointer<AVStream>?
    private var frame: UnsafeMutablePointer<AVFrame>?
    private var packet: UnsafeMutablePointer<AVPacket>?
    private var sws: OpaquePointer?
    private var padded: [UInt8] = []
    private var sourceSize = (width: 0, height: 0)
    private var size = (width: 0, height: 0)
    private var isHeaderWritten = false
    private(set) var codecName = "h264 (libx264)"
    private(set) var notes: [String] = []
    var storedSize: (width: Int, height: Int) { size }

    init(output: AtomicOutput, options: ClipOptions) {
        self.output = output
        self.options = options
        _ = LibavImageDecoder.quiet
    }

    deinit {
        close()
    }

    private var path: String { output.destination.displayPath }

    private func fail(_ what: String, _ code: Int32) -> MediaError {
        MediaError(.encoder, role: "clip", path: path, problem: "\(what) failed (\(LibavError.text(code)))")
    }

    /// Opens encoder and muxer for frames of `width×height` (called with the first frame).
    private func open(width: Int, height: Int) throws {
        sourceSize = (width, height)
        size = (width + (width & 1), height + (height & 1))
        if size != sourceSize {
            notes.append("\(path): \(width)×\(height) padded to \(size.width)×\(size.height) (yuv420p needs even sizes; the last column/row is repeated)")
        }
        let environment = ProcessInfo.processInfo.environment["ZOETROPE_FORCE_MPEG4"] ?? ""
        let forceMPEG4 = options.forceMPEG4 || (!environment.isEmpty && environment != "0")
        var codec: UnsafePointer<AVCodec>? = forceMPEG4 ? nil : avcodec_find_encoder_by_name("libx264")
        let isH264 = codec != nil
        if !isH264 {
            codec = avcodec_find_encoder(AV_CODEC_ID_MPEG4)
            codecName = "mpeg4"
            notes.append("\(path): " + (forceMPEG4 ? "MPEG-4 Part 2 used as asked (ZOETROPE_FORCE_MPEG4 / forceMPEG4)"
                                                     : "libx264 not found; wrote MPEG-4 Part 2 instead of H.264"))
        }
        guard let codec else {
            throw MediaError(.encoder, role: "clip", path: path, problem: "this FFmpeg build has neither libx264 nor the mpeg4 encoder",
                             advice: "install FFmpeg with libx264 or write a GIF or PNG sequence")
        }

        var oc: UnsafeMutablePointer<AVFormatContext>?
        var rc = avformat_alloc_output_context2(&oc, nil, "mp4", output.temporary.path)
        guard rc >= 0, let oc else { throw fail("creating the MP4 muxer", rc) }
        formatContext = oc

        guard let ctx = avcodec_alloc_context3(codec) else { throw fail("allocating the encoder", zt_averror(ENOMEM)) }
        codecContext = ctx
        ctx.pointee.width = Int32(size.width)
        ctx.pointee.height = Int32(size.height)
        ctx.pointee.pix_fmt = AV_PIX_FMT_YUV420P
        ctx.pointee.time_base = AVRational(num: 1, den: Int32(options.fps))
        ctx.pointee.framerate = AVRational(num: Int32(options.fps), den: 1)
        ctx.pointee.color_range = AVCOL_RANGE_MPEG
        ctx.pointee.colorspace = AVCOL_SPC_SMPTE170M
        ctx.pointee.color_primaries = AVCOL_PRI_SMPTE170M
        ctx.pointee.color_trc = AVCOL_TRC_SMPTE170M
        ctx.pointee.thread_count = Int32(options.threads)
        if oc.pointee.oformat.pointee.flags & AVFMT_GLOBALHEADER != 0 {
            ctx.pointee.flags |= AV_CODEC_FLAG_GLOBAL_HEADER
        }
        if isH264 {
            _ = av_opt_set(ctx.pointee.priv_data, "crf", String(options.quality), 0)
            _ = av_opt_set(ctx.pointee.priv_data, "preset", options.preset, 0)
        } else {
            // MPEG-4 Part 2 has no CRF: a fixed quantiser, q ≈ (crf − 12) / 3 clamped to 1...31 (crf 18 → q 2).
            let q = max(1, min(31, (options.quality - 12) / 3))
            ctx.pointee.flags |= AV_CODEC_FLAG_QSCALE
            ctx.pointee.global_quality = FF_QP2LAMBDA * Int32(q)
            ctx.pointee.gop_size = 12
        }
        rc = avcodec_open2(ctx, codec, nil)
        guard rc >= 0 else { throw fail("opening the \(codecName) encoder", rc) }

        guard let st = avformat_new_stream(oc, nil) else { throw fail("adding the video stream", zt_averror(ENOMEM)) }
        stream = st
        st.pointee.time_base = ctx.pointee.time_base
        st.pointee.avg_frame_rate = ctx.pointee.framerate
        rc = avcodec_parameters_from_context(st.pointee.codecpar, ctx)
        guard rc >= 0 else { throw fail("setting the stream parameters", rc) }

        rc = avio_open(zt_format_pb(oc), output.temporary.path, AVIO_FLAG_WRITE)
        guard rc >= 0 else {
            throw AtomicOutput.writeError(-rc, role: "clip", path: path,
                                          folder: output.destination.deletingLastPathComponent().displayPath)
        }
        var dictionary: OpaquePointer?
        _ = av_dict_set(&dictionary, "movflags", "+faststart", 0)
        rc = avformat_write_header(oc, &dictionary)
        av_dict_free(&dictionary)
        guard rc >= 0 else { throw fail("writing the MP4 header", rc) }
        isHeaderWritten = true

        guard let frm = av_frame_alloc(), let pkt = av_packet_alloc() else {
            throw fail("allocating frames", zt_averror(ENOMEM))
        }
        frame = frm
        packet = pkt
        frm.pointee.format = AV_PIX_FMT_YUV420P.rawValue
        frm.pointee.width = Int32(size.width)
        frm.pointee.height = Int32(size.height)
        frm.pointee.color_range = AVCOL_RANGE_MPEG
        frm.pointee.colorspace = AVCOL_SPC_SMPTE170M
        rc = av_frame_get_buffer(frm, 0)
        guard rc >= 0 else { throw fail("allocating frames", rc) }
        let flags = Int32(SWS_AREA | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INP)   // area: best round trip measured (see decisions)
        sws = sws_getContext(Int32(size.width), Int32(size.height), AV_PIX_FMT_RGB24,
                             Int32(size.width), Int32(size.height), AV_PIX_FMT_YUV420P, flags, nil, nil, nil)
        guard sws != nil else { throw fail("setting up RGB → YUV conversion", zt_averror(EINVAL)) }
        padded = [UInt8](repeating: 0, count: size.width * size.height * 3)
    }

    func append(_ image: RGBImage, index: Int) throws {
        if formatContext == nil { try open(width: image.width, height: image.height) }
        guard let ctx = codecContext, let frm = frame, let sws else { return }
        // Copy into the even-sized buffer, repeating the last column and row when padding.
        let (w, h) = sourceSize, (pw, ph) = size
        image.pixels.withUnsafeBufferPointer { src in
            padded.withUnsafeMutableBufferPointer { dst in
                for y in 0..<ph {
                    let sy = min(y, h - 1)
                    for i in 0..<(w * 3) { dst[y * pw * 3 + i] = src[sy * w * 3 + i] }
                    if pw > w {
                        for c in 0..<3 { dst[(y * pw + w) * 3 + c] = src[(sy * w + w - 1) * 3 + c] }
                    }
                }
            }
        }
        var rc = av_frame_make_writable(frm)
        guard rc >= 0 else { throw fail("preparing a frame", rc) }
        rc = padded.withUnsafeBufferPointer { src in
            zt_sws_scale_from_packed(sws, src.baseAddress, Int32(pw * 3), Int32(ph), frm)
        }
        guard rc == Int32(ph) else { throw fail("RGB → YUV conversion", rc) }
        frm.pointee.pts = Int64(index)
        rc = avcodec_send_frame(ctx, frm)
        guard rc >= 0 else { throw fail("encoding frame \(index)", rc) }
        try drain()
    }

    /// Moves every packet the encoder has ready into the muxer. Each packet lasts one frame: its duration is set in
    /// the codec time base before rescaling (FFmpeg 5.1's libx264 leaves it 0 and the MP4 would lose its last frame).
    private func drain() throws {
        guard let ctx = codecContext, let pkt = packet, let oc = formatContext, let st = stream else { return }
        while true {
            let rc = avcodec_receive_packet(ctx, pkt)
            if rc == zt_averror_eagain() || rc == zt_averror_eof() { return }
            guard rc >= 0 else { throw fail("encoding", rc) }
            pkt.pointee.stream_index = st.pointee.index
            if pkt.pointee.duration == 0 { pkt.pointee.duration = 1 }
            av_packet_rescale_ts(pkt, ctx.pointee.time_base, st.pointee.time_base)
            let written = av_interleaved_write_frame(oc, pkt)
            guard written >= 0 else {
                throw AtomicOutput.writeError(-written, role: "clip", path: path,
                                              folder: output.destination.deletingLastPathComponent().displayPath)
            }
        }
    }

    func finish(progress: ((Int) -> Void)?) throws {
        guard let ctx = codecContext, let oc = formatContext else {
            throw MediaError(.invalidInput, role: "clip", path: path, problem: "no frames to write")
        }
        let rc = avcodec_send_frame(ctx, nil)
        guard rc >= 0 else { throw fail("flushing the encoder", rc) }
        try drain()
        let trailer = av_write_trailer(oc)
        isHeaderWritten = false
        guard trailer >= 0 else { throw fail("writing the MP4 index (faststart)", trailer) }
        let closed = avio_closep(zt_format_pb(oc))
        guard closed >= 0 else { throw fail("closing the file", closed) }
        close()
    }

    /// Frees everything libav allocated (safe to call twice).
    private func close() {
        if let oc = formatContext {
            if oc.pointee.pb != nil { avio_closep(zt_format_pb(oc)) }
            avformat_free_context(oc)
            formatContext = nil
        }
        avcodec_free_context(&codecContext)
        av_frame_free(&frame)
        av_packet_free(&packet)
        if let sws { sws_freeContext(sws) }
        sws = nil
    }
}
