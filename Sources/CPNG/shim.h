// CPNG: libpng 1.6 from Debian's libpng-dev.
// The classic API reports errors by longjmp, which Swift cannot catch; the helpers below keep every setjmp in C.
#ifndef ZOETROPE_CPNG_SHIM_H
#define ZOETROPE_CPNG_SHIM_H
#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>

/// Error text of the last failed call; filled by the error handler.
typedef struct { char message[256]; } zt_png_error;

static void zt_png_error_fn(png_structp png, png_const_charp msg) {
    zt_png_error *err = (zt_png_error *)png_get_error_ptr(png);
    if (err) { strncpy(err->message, msg ? msg : "unknown libpng error", sizeof err->message - 1); err->message[sizeof err->message - 1] = 0; }
    png_longjmp(png, 1);
}
static void zt_png_warning_fn(png_structp png, png_const_charp msg) { (void)png; (void)msg; }

/// Facts from a PNG header, read without allocating pixel memory.
typedef struct {
    unsigned int width, height;
    int bit_depth, color_type, interlace, has_trns, palette_size;
} zt_png_header;

/// Reader over an in-memory PNG.
typedef struct { const unsigned char *data; size_t size, offset; } zt_png_source;

static void zt_png_read_fn(png_structp png, png_bytep out, png_size_t count) {
    zt_png_source *src = (zt_png_source *)png_get_io_ptr(png);
    if (src->offset + count > src->size) { png_error(png, "file is truncated (unexpected end of data)"); }
    memcpy(out, src->data + src->offset, count);
    src->offset += count;
}

/// Reads the header of an in-memory PNG. Returns 0 on success; on failure fills err and returns -1.
static inline int zt_png_read_header(const unsigned char *data, size_t size, zt_png_header *hdr, zt_png_error *err) {
    if (size < 8 || png_sig_cmp((png_const_bytep)data, 0, 8) != 0) {
        strcpy(err->message, "not a PNG file (bad signature)"); return -1;
    }
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, err, zt_png_error_fn, zt_png_warning_fn);
    if (!png) { strcpy(err->message, "out of memory"); return -1; }
    png_infop info = png_create_info_struct(png);
    if (!info) { png_destroy_read_struct(&png, NULL, NULL); strcpy(err->message, "out of memory"); return -1; }
    zt_png_source src = { data, size, 0 };
    if (setjmp(png_jmpbuf(png))) { png_destroy_read_struct(&png, &info, NULL); return -1; }
    png_set_user_limits(png, 0x7fffffff, 0x7fffffff);
    png_set_read_fn(png, &src, zt_png_read_fn);
    png_read_info(png, info);
    hdr->width = png_get_image_width(png, info);
    hdr->height = png_get_image_height(png, info);
    hdr->bit_depth = png_get_bit_depth(png, info);
    hdr->color_type = png_get_color_type(png, info);
    hdr->interlace = png_get_interlace_type(png, info);
    hdr->has_trns = png_get_valid(png, info, PNG_INFO_tRNS) ? 1 : 0;
    hdr->palette_size = 0;
    if (png_get_valid(png, info, PNG_INFO_PLTE)) {
        png_colorp palette = NULL; int count = 0;
        if (png_get_PLTE(png, info, &palette, &count) == PNG_INFO_PLTE) hdr->palette_size = count;
    }
    png_destroy_read_struct(&png, &info, NULL);
    return 0;
}

/// Decodes an in-memory PNG to 8-bit RGBA (palette expanded, grey to RGB, 16-bit scaled with rounding
/// (`v8 = round(v16 * 255 / 65535)`, png_set_scale_16), tRNS to alpha,
/// interlacing handled). `out` must hold width*height*4 bytes (use zt_png_read_header first). Returns 0 or -1.
static inline int zt_png_decode_rgba(const unsigned char *data, size_t size, unsigned char *out,
                                     unsigned int width, unsigned int height, zt_png_error *err) {
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, err, zt_png_error_fn, zt_png_warning_fn);
    if (!png) { strcpy(err->message, "out of memory"); return -1; }
    png_infop info = png_create_info_struct(png);
    if (!info) { png_destroy_read_struct(&png, NULL, NULL); strcpy(err->message, "out of memory"); return -1; }
    png_bytep *volatile rows = NULL;
    zt_png_source src = { data, size, 0 };
    if (setjmp(png_jmpbuf(png))) { free(rows); png_destroy_read_struct(&png, &info, NULL); return -1; }
    png_set_user_limits(png, 0x7fffffff, 0x7fffffff);
    png_set_read_fn(png, &src, zt_png_read_fn);
    png_read_info(png, info);
    if (png_get_image_width(png, info) != width || png_get_image_height(png, info) != height) {
        png_error(png, "size changed between header and decode");
    }
    int color = png_get_color_type(png, info);
    int depth = png_get_bit_depth(png, info);
    if (depth == 16) png_set_scale_16(png);
    if (color == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
    if (color == PNG_COLOR_TYPE_GRAY && depth < 8) png_set_expand_gray_1_2_4_to_8(png);
    if (png_get_valid(png, info, PNG_INFO_tRNS)) png_set_tRNS_to_alpha(png);
    if (color == PNG_COLOR_TYPE_GRAY || color == PNG_COLOR_TYPE_GRAY_ALPHA) png_set_gray_to_rgb(png);
    png_set_filler(png, 0xFF, PNG_FILLER_AFTER);
    png_set_interlace_handling(png);
    png_read_update_info(png, info);
    rows = (png_bytep *)malloc(sizeof(png_bytep) * height);
    if (!rows) png_error(png, "out of memory");
    for (unsigned int y = 0; y < height; y++) rows[y] = out + (size_t)y * width * 4;
    png_read_image(png, rows);
    png_read_end(png, NULL);
    free(rows);
    png_destroy_read_struct(&png, &info, NULL);
    return 0;
}

/// Growable in-memory sink for PNG output.
typedef struct { unsigned char *data; size_t size, capacity; int failed; } zt_png_sink;

static void zt_png_write_fn(png_structp png, png_bytep in, png_size_t count) {
    zt_png_sink *sink = (zt_png_sink *)png_get_io_ptr(png);
    if (sink->size + count > sink->capacity) {
        size_t cap = sink->capacity ? sink->capacity * 2 : 65536;
        while (cap < sink->size + count) cap *= 2;
        unsigned char *grown = (unsigned char *)realloc(sink->data, cap);
        if (!grown) { sink->failed = 1; png_error(png, "out of memory"); }
        sink->data = grown; sink->capacity = cap;
    }
    memcpy(sink->data + sink->size, in, count);
    sink->size += count;
}
static void zt_png_flush_fn(png_structp png) { (void)png; }

/// Encodes 8-bit RGB (channels 3) or RGBA (channels 4) rows into a PNG in memory. The caller frees sink->data.
static inline int zt_png_encode(const unsigned char *pixels, unsigned int width, unsigned int height, int channels,
                                int compression, zt_png_sink *sink, zt_png_error *err) {
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, err, zt_png_error_fn, zt_png_warning_fn);
    if (!png) { strcpy(err->message, "out of memory"); return -1; }
    png_infop info = png_create_info_struct(png);
    if (!info) { png_destroy_write_struct(&png, NULL); strcpy(err->message, "out of memory"); return -1; }
    if (setjmp(png_jmpbuf(png))) { png_destroy_write_struct(&png, &info); return -1; }
    png_set_user_limits(png, 0x7fffffff, 0x7fffffff);
    png_set_write_fn(png, sink, zt_png_write_fn, zt_png_flush_fn);
    png_set_IHDR(png, info, width, height, 8, channels == 4 ? PNG_COLOR_TYPE_RGBA : PNG_COLOR_TYPE_RGB,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_set_compression_level(png, compression);
    png_write_info(png, info);
    for (unsigned int y = 0; y < height; y++) png_write_row(png, (png_const_bytep)(pixels + (size_t)y * width * channels));
    png_write_end(png, info);
    png_destroy_write_struct(&png, &info);
    return 0;
}
#endif
