// CFFmpeg: libavformat / libavcodec / libswscale / libavutil from Debian (FFmpeg 5.1).
// Macros that do not import into Swift get inline helpers here.
#ifndef ZOETROPE_CFFMPEG_SHIM_H
#define ZOETROPE_CFFMPEG_SHIM_H
#include <libavformat/avformat.h>
#include <libavcodec/avcodec.h>
#include <libswscale/swscale.h>
#include <libavutil/avutil.h>
#include <libavutil/imgutils.h>
#include <libavutil/opt.h>
#include <libavutil/error.h>
#include <libavutil/pixdesc.h>
#include <errno.h>

static inline int zt_averror(int e) { return AVERROR(e); }
static inline int zt_averror_eof(void) { return AVERROR_EOF; }
static inline int zt_averror_eagain(void) { return AVERROR(EAGAIN); }
static inline int64_t zt_av_nopts_value(void) { return AV_NOPTS_VALUE; }
/// Writes the text of an av error code into buf (av_err2str is a macro over a compound literal).
static inline void zt_av_strerror(int code, char *buf, size_t size) { av_strerror(code, buf, size); }
/// Silences libav's own logging (errors are reported by Zoetrope with file names).
static inline void zt_av_quiet(void) { av_log_set_level(AV_LOG_QUIET); }

/// Converts one packed picture (e.g. RGB24, `stride` bytes per row) into the planes of `dst`
/// (AVFrame.data imports into Swift as a tuple; the pointer arrays are built here instead).
static inline int zt_sws_scale_from_packed(struct SwsContext *sws, const uint8_t *src, int stride, int height,
                                           AVFrame *dst) {
    const uint8_t *planes[4] = { src, NULL, NULL, NULL };
    const int strides[4] = { stride, 0, 0, 0 };
    return sws_scale(sws, planes, strides, 0, height, dst->data, dst->linesize);
}
/// Converts the planes of `src` into one packed picture (e.g. RGB24 or RGBA, `stride` bytes per row).
static inline int zt_sws_scale_to_packed(struct SwsContext *sws, const AVFrame *src, uint8_t *dst, int stride) {
    uint8_t *planes[4] = { dst, NULL, NULL, NULL };
    const int strides[4] = { stride, 0, 0, 0 };
    return sws_scale(sws, (const uint8_t *const *)src->data, src->linesize, 0, src->height, planes, strides);
}
/// True when the pixel format carries an alpha channel.
static inline int zt_pix_fmt_has_alpha(enum AVPixelFormat fmt) {
    const AVPixFmtDescriptor *d = av_pix_fmt_desc_get(fmt);
    return d && (d->flags & AV_PIX_FMT_FLAG_ALPHA) ? 1 : 0;
}
/// Address of the format context's I/O pointer, for avio_open / avio_closep.
static inline AVIOContext **zt_format_pb(AVFormatContext *ctx) { return &ctx->pb; }
#endif
