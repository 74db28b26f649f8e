import CFFmpeg
import Foundation

/// Reads back a written clip and counts its frames, so an export is reported done only when the file holds them all.
///
/// MP4 and GIF are opened with libavformat and every packet of the first video stream is counted (these encoders
/// write one packet per frame); a PNG sequence folder counts its PNG files and checks each one's header.
/// Matches: `ffprobe -count_packets` for MP4/GIF.
public enum ClipVerifier {
    /// The number of frames in the clip at `url` written as `format`.
    public static func frameCount(of url: URL, format: ClipFormat) throws -> Int {
        switch format {
        case .pngSequence:
            let files = try FrameFolder.frames(in: url)
            for file in files { _ = try ImageFile.probe(file) }
            return files.count
        default:
            return try countPackets(url)
        }
    }

    private static func countPackets(_ url: URL) throws -> Int {
        _ = LibavImageDecoder.quiet
        func fail(_ problem: String) -> MediaError { MediaError(.corrupt, role: "clip", path: url.displayPath, problem: problem) }
        var context: UnsafeMutablePointer<AVFormatContext>? = nil
        guard avformat_open_input(&context, url.path, nil, nil) >= 0, let ctx = context else {
            throw fail("cannot be opened as a video file")
        }
        defer { avformat_close_input(&context) }
        guard avformat_find_stream_info(ctx, nil) >= 0 else { throw fail("no stream information") }
        let stream = av_find_best_stream(ctx, AVMEDIA_TYPE_VIDEO, -1, -1, nil, 0)
        guard stream >= 0 else { throw fail("no video stream") }
        var packet = av_packet_alloc()
        defer { av_packet_free(&packet) }
        guard let pkt = packet else { throw fail("out of memory") }
        var count = 0
        while av_read_frame(ctx, pkt) >= 0 {
            if pkt.pointee.stream_index == stream { count += 1 }
            av_packet_unref(pkt)
        }
        return count
    }
}
