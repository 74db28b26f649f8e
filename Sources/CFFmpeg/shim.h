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
#include <errno.h>

static inline int zt_averror(int e) { return AVERROR(e); }
static inline int zt_averror_eof(void) { return AVERROR_EOF; }
static inline int zt_averror_eagain(void) { return AVERROR(EAGAIN); }
static inline int64_t zt_av_nopts_value(void) { return AV_NOPTS_VALUE; }
/// Writes the text of an av error code into buf (av_err2str is a macro over a compound literal).
static inline void zt_av_strerror(int code, char *buf, size_t size) { av_strerror(code, buf, size); }
/// Silences libav's own logging (errors are reported by Zoetrope with file names).
static inline void zt_av_quiet(void) { av_log_set_level(AV_LOG_QUIET); }
#endif
